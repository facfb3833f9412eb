package netutil

import (
	"strings"
	"testing"
)

func testPaths(t *testing.T) Paths {
	dir := t.TempDir()
	return NewPaths(dir, dir+"/run", "", dir+"/plugins")
}

// create without the firewall step: these tests run without root.
func mustCreate(t *testing.T, p Paths, o CreateOptions) *Network {
	t.Helper()
	n, err := createNoFirewall(p, o)
	if err != nil {
		t.Fatalf("create %s: %v", o.Name, err)
	}
	return n
}

func createNoFirewall(p Paths, o CreateOptions) (*Network, error) {
	o.Driver = DriverMacvlan // no bridge: no nft
	o.Options = map[string]string{OptParent: "lo"}
	return create(p, o)
}

func TestCreateValidation(t *testing.T) {
	p := testPaths(t)
	mustCreate(t, p, CreateOptions{Name: "a", Subnets: []string{"10.50.0.0/24"}})
	for _, tc := range []struct {
		o    CreateOptions
		want string
	}{
		{CreateOptions{Name: "a"}, "network with name a already exists"},
		{CreateOptions{Name: "b", Subnets: []string{"10.50.0.128/25"}}, "invalid subnet 10.50.0.128/25: it overlaps with network a (10.50.0.0/24)"},
		{CreateOptions{Name: "b", Subnets: []string{"10.50.1.1/24"}}, "invalid subnet 10.50.1.1/24: it has host bits set (did you mean 10.50.1.0/24?)"},
		{CreateOptions{Name: "b", Subnets: []string{"300.1.1.0/24"}}, "invalid subnet 300.1.1.0/24"},
		{CreateOptions{Name: "b", Subnets: []string{"10.51.0.0/24"}, Gateways: []string{"10.52.0.1"}}, "invalid gateway 10.52.0.1: not an address in subnet 10.51.0.0/24"},
		{CreateOptions{Name: "b", Subnets: []string{"10.51.0.0/24"}, IPRanges: []string{"10.51.1.0/25"}}, "invalid ip-range 10.51.1.0/25: must be a subnet inside 10.51.0.0/24"},
		{CreateOptions{Name: "b", Subnets: []string{"fd00:1::/64"}}, "invalid subnet fd00:1::/64: an IPv6 subnet needs --ipv6"},
		{CreateOptions{Name: "b", IPv6: true}, "--ipv6 needs an IPv6 --subnet"},
		{CreateOptions{Name: "b", Gateways: []string{"10.1.1.1"}}, "every --gateway and --ip-range needs its own --subnet"},
	} {
		_, err := createNoFirewall(p, tc.o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want %q", tc.o, err, tc.want)
		}
	}
	nets, _ := List(p)
	if len(nets) != 1 {
		t.Errorf("a refused create stored a network: %d networks", len(nets))
	}
}

func TestDriverOptions(t *testing.T) {
	p := testPaths(t)
	for _, tc := range []struct {
		o    CreateOptions
		want string
	}{
		{CreateOptions{Name: "x", Driver: "overlay"}, `unsupported network driver "overlay"`},
		{CreateOptions{Name: "x", Driver: "macvlan"}, "the macvlan driver needs a parent interface: -o parent=IFACE"},
		{CreateOptions{Name: "x", Driver: "macvlan", Options: map[string]string{"parent": "nonexistent0"}}, "parent interface nonexistent0"},
		{CreateOptions{Name: "x", Driver: "ipvlan", Options: map[string]string{"parent": "lo", "mode": "bridge"}}, `invalid ipvlan mode "bridge"`},
		{CreateOptions{Name: "x", Driver: "macvlan", Options: map[string]string{"parent": "lo", "foo": "1"}}, `unsupported option "foo" for the macvlan driver`},
		{CreateOptions{Name: "x", Driver: "macvlan", Options: map[string]string{"parent": "lo", "mtu": "9"}}, `invalid MTU "9"`},
		{CreateOptions{Name: "x", Options: map[string]string{OptBridgeName: "a/b"}}, `invalid bridge name "a/b"`},
	} {
		if _, err := create(p, tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want %q", tc.o, err, tc.want)
		}
	}
}

func TestFreeSubnetSkipsUsed(t *testing.T) {
	p := testPaths(t)
	a := mustCreate(t, p, CreateOptions{Name: "a"})
	b := mustCreate(t, p, CreateOptions{Name: "b"})
	if a.Subnets[0].Subnet == b.Subnets[0].Subnet {
		t.Fatalf("two networks got %s", a.Subnets[0].Subnet)
	}
	if got, _ := Get(p, a.ID[:8]); got == nil || got.Name != "a" {
		t.Errorf("Get by ID prefix: %v", got)
	}
	if _, err := Get(p, "zzz"); !IsNotFound(err) {
		t.Errorf("Get unknown: %v", err)
	}
}

func TestRulesRender(t *testing.T) {
	nets := []*Network{
		{Name: "bridge", Driver: DriverBridge, Bridge: "berth0", Subnets: []Subnet{{Subnet: "10.4.0.0/24"}}},
		{Name: "int", Driver: DriverBridge, Bridge: "br-int", Internal: true, Subnets: []Subnet{{Subnet: "10.4.1.0/24"}, {Subnet: "fd00:1::/64"}}},
	}
	r := rules("berth", nets)
	for _, want := range []string{
		`elements = { "berth0", "br-int" }`,
		`iifname != "lo" ip daddr 127.0.0.0/8 drop`,
		`iifname "berth0" oifname != "berth0" oifname @bridges drop`,
		`iifname "br-int" oifname != "br-int" drop`,
		`oifname "br-int" iifname != "br-int" drop`,
		`ip saddr 10.4.0.0/24 oifname != "berth0" masquerade`,
		`oifname "br-int" ip6 saddr fd00:1::/64 ct status dnat masquerade`,
		`dnat ip to meta l4proto . th dport map @ports4`,
	} {
		if !strings.Contains(r, want) {
			t.Errorf("rules lack %q:\n%s", want, r)
		}
	}
	if strings.Contains(r, "10.4.1.0/24 oifname != \"br-int\" masquerade") {
		t.Errorf("an internal network got outbound NAT:\n%s", r)
	}
}

func TestPortElements(t *testing.T) {
	ports := []PortMap{
		{HostPort: 8080, ContainerPort: 80, Proto: "tcp"},
		{HostIP: "127.0.0.1", HostPort: 8081, ContainerPort: 80, Proto: "udp"},
		{HostIP: "::1", HostPort: 8082, ContainerPort: 81, Proto: "tcp"},
	}
	got := portElements(ports, "10.4.0.2/24", "fd00::2/64")
	want := [][2]string{
		{"ports4", "tcp . 8080 : 10.4.0.2 . 80"},
		{"ports6", "tcp . 8080 : fd00::2 . 80"},
		{"ports4ip", "127.0.0.1 . udp . 8081 : 10.4.0.2 . 80"},
		{"ports6ip", "::1 . tcp . 8082 : fd00::2 . 81"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("element %d: got %v, want %v", i, got[i], want[i])
		}
	}
}

func TestHostsFile(t *testing.T) {
	peer := &Endpoint{ID: "0123456789abcdef", Name: "db", Hostname: "dbhost",
		Attached: []Attachment{{Network: "app", IPv4: "10.4.1.3/24", Aliases: []string{"database"}, UserNet: true}}}
	lines := peerLines(peer, "app")
	if len(lines) != 1 || lines[0] != "10.4.1.3\tdb database dbhost 0123456789ab\n" {
		t.Errorf("peer lines %q", lines)
	}
	if peerLines(peer, "other") != nil {
		t.Error("a peer on another network has lines")
	}
	h := string(HostsFile("web", []HostEntry{{Host: "gw", IP: "10.4.1.1"}}, []HostEntry{{IP: "10.4.1.2", Host: "web-1 www"}}, lines))
	for _, want := range []string{"127.0.0.1\tlocalhost\n", "10.4.1.1\tgw\n", "10.4.1.2\tweb web-1 www\n", "10.4.1.3\tdb database"} {
		if !strings.Contains(h, want) {
			t.Errorf("hosts lack %q:\n%s", want, h)
		}
	}
}

func TestMapElements(t *testing.T) {
	data := []byte(`{"nftables": [{"metainfo": {}}, {"map": {"family": "inet", "name": "ports4", "table": "berth",
		"type": ["inet_proto", "inet_service"], "map": ["ipv4_addr", "inet_service"],
		"elem": [[{"concat": ["tcp", 18080]}, {"concat": ["10.4.0.9", 80]}]]}}, {"chain": {"name": "dnat"}}]}`)
	els := mapElements(data)
	if len(els) != 1 || els[0].mapName != "ports4" || els[0].key != "tcp . 18080" || els[0].target != "10.4.0.9" {
		t.Errorf("elements %+v", els)
	}
}

func TestClaims(t *testing.T) {
	c := claims{{PortMap{HostIP: "", HostPort: 8080, Proto: "tcp"}, "web"},
		{PortMap{HostIP: "127.0.0.1", HostPort: 9090, Proto: "tcp"}, "db"}}
	for _, tc := range []struct {
		ip    string
		port  int
		proto string
		want  string
	}{
		{"127.0.0.1", 8080, "tcp", "web"},
		{"", 8080, "udp", ""},
		{"", 9090, "tcp", "db"},
		{"10.0.0.1", 9090, "tcp", ""},
	} {
		h, _ := c.holder(tc.ip, tc.port, tc.proto)
		if h != tc.want {
			t.Errorf("%s:%d/%s held by %q, want %q", tc.ip, tc.port, tc.proto, h, tc.want)
		}
	}
}

func TestRangeBounds(t *testing.T) {
	if a, b := rangeBounds("10.4.0.128/25"); a != "10.4.0.129" || b != "10.4.0.254" {
		t.Errorf("range %s-%s", a, b)
	}
}
