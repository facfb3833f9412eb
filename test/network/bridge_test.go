package network_test

import (
	"fmt"
	"net"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// addrRE is an `ip -o -4 addr` line's interface and address.
var addrRE = regexp.MustCompile(`^\d+: (\S+)\s+inet (\S+)`)

// addrs4 lists "iface address/len" of the IPv4 addresses a container sees.
func addrs4(t *testing.T, name string) []string {
	t.Helper()
	r := execIn(t, name, "ip", "-o", "-4", "addr")
	if r.ExitCode != 0 {
		t.Fatalf("ip addr in %s:\n%s", name, r)
	}
	var out []string
	for _, l := range strings.Split(r.Stdout, "\n") {
		if m := addrRE.FindStringSubmatch(l); m != nil {
			out = append(out, m[1]+" "+m[2])
		}
	}
	return out
}

func TestBridgeDefaultNetwork(t *testing.T) {
	runD(t, "br-a", nil, httpd("from-a")...)
	runD(t, "br-b", nil, sleeper...)
	ipA := ipOn(t, "br-a", "bridge")
	// 10.4.0.0/24, unless this host uses it already (another data root's
	// default network): then the first free /24 after it.
	subnet := strings.Fields(engine.MustBerth(t, "network", "inspect", "-f",
		"{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}", "bridge").Stdout)
	if len(subnet) != 2 || !regexp.MustCompile(`^10\.\d+\.\d+\.0/24$`).MatchString(subnet[0]) {
		t.Fatalf("the default network's subnet and gateway: %q", subnet)
	}
	prefix := strings.TrimSuffix(subnet[0], "0/24")
	for _, name := range []string{"br-a", "br-b"} {
		got := addrs4(t, name)
		if len(got) != 2 || got[0] != "lo 127.0.0.1/8" || !regexp.MustCompile(`^eth0 `+regexp.QuoteMeta(prefix)+`\d+/24$`).MatchString(got[1]) {
			t.Fatalf("%s: want lo and eth0 in %s, got %q", name, subnet[0], got)
		}
		r := execIn(t, name, "ip", "route")
		if !strings.Contains(r.Stdout, "default via "+subnet[1]+" dev eth0") {
			t.Fatalf("%s has no default route through the bridge:\n%s", name, r)
		}
	}
	if got := addrs4(t, "br-a")[1]; got != "eth0 "+ipA+"/24" {
		t.Fatalf("inspect says %s, the container has %s", ipA, got)
	}
	if ipB := ipOn(t, "br-b", "bridge"); ipB == ipA {
		t.Fatalf("two containers share the address %s", ipA)
	}
	// b reaches a's server by address; a and b ping each other.
	poll(t, "br-b fetches from br-a", func() (bool, string) {
		r := execIn(t, "br-b", "wget", "-q", "-O", "-", "http://"+ipA+"/")
		return r.ExitCode == 0 && r.Stdout == "from-a\n", r.String()
	})
	if r := execIn(t, "br-a", "ping", "-c", "1", "-W", "2", ipOn(t, "br-b", "bridge")); r.ExitCode != 0 {
		t.Fatalf("br-a cannot ping br-b:\n%s", r)
	}
}

func TestBridgeNoneHostAndContainerModes(t *testing.T) {
	img := image(t)
	r := engine.MustBerth(t, "run", "--rm", "--network", "none", img, "ls", "/sys/class/net")
	if r.Stdout != "lo\n" {
		t.Fatalf("--network none must have only lo:\n%s", r)
	}
	r = engine.MustBerth(t, "run", "--rm", "--network", "none", img, "ip", "-o", "-4", "addr")
	if strings.Count(r.Stdout, "\n") != 1 || !strings.Contains(r.Stdout, "lo    inet 127.0.0.1/8") {
		t.Fatalf("--network none has no address but lo's:\n%s", r)
	}

	// host: the container sees the host's interfaces, all of them (polled,
	// as veths of containers that just went may still be on the way out).
	poll(t, "--network host sees the host's interfaces", func() (bool, string) {
		ifs, err := net.Interfaces()
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, i := range ifs {
			want = append(want, i.Name)
		}
		sort.Strings(want)
		r := engine.MustBerth(t, "run", "--rm", "--network", "host", img, "ls", "/sys/class/net")
		got := strings.Fields(r.Stdout)
		sort.Strings(got)
		return strings.Join(got, " ") == strings.Join(want, " "), fmt.Sprintf("container sees %q, the host has %q", got, want)
	})

	// container:NAME shares the other's interfaces and addresses.
	runD(t, "br-owner", nil, sleeper...)
	owner := addrs4(t, "br-owner")
	r = engine.MustBerth(t, "run", "--rm", "--network", "container:br-owner", img, "ip", "-o", "-4", "addr")
	var joined []string
	for _, l := range strings.Split(r.Stdout, "\n") {
		if m := addrRE.FindStringSubmatch(l); m != nil {
			joined = append(joined, m[1]+" "+m[2])
		}
	}
	if strings.Join(joined, ",") != strings.Join(owner, ",") || len(owner) != 2 {
		t.Fatalf("--network container:br-owner sees %q, the owner has %q", joined, owner)
	}
	// Joining adds no endpoint and no address of its own.
	before := settled(t)
	runD(t, "br-joiner", []string{"--network", "container:br-owner"}, sleeper...)
	if after := snapshot(t); after.String() != before.String() {
		t.Fatalf("a container joining another's namespace changed the network state:\nbefore %s\nafter  %s", before, after)
	}
}
