package network

import (
	"slices"
	"testing"

	"github.com/berth-project/berth/pkg/netutil"
)

func TestConnectValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    ConnectOptions
		err  string
	}{
		{"plain", ConnectOptions{}, ""},
		{"addresses", ConnectOptions{IPv4: "10.10.0.20", IPv6: "fd00:10::20", Aliases: []string{"api"}}, ""},
		{"ip6 for ip", ConnectOptions{IPv4: "fd00::1"}, `invalid argument "fd00::1" for "--ip" flag: not an IPv4 address`},
		{"ip for ip6", ConnectOptions{IPv6: "10.0.0.1"}, `invalid argument "10.0.0.1" for "--ip6" flag: not an IPv6 address`},
		{"not an address", ConnectOptions{IPv4: "web"}, `invalid argument "web" for "--ip" flag: not an IPv4 address`},
		{"unspecified", ConnectOptions{IPv4: "0.0.0.0"}, `invalid argument "0.0.0.0" for "--ip" flag: not an IPv4 address`},
		{"link", ConnectOptions{Links: []string{"db:db"}},
			"--link is not supported (legacy links are not supported: on a user network containers find each other by name)"},
		{"link-local-ip", ConnectOptions{LinkLocalIPs: []string{"169.254.0.5"}},
			"--link-local-ip is not supported: containers get no link-local addresses of their own"},
		{"driver-opt", ConnectOptions{DriverOpts: []string{"a=b"}},
			"--driver-opt is not supported: berth's drivers take no options per container"},
		{"gw-priority", ConnectOptions{GwPriority: 1},
			"--gw-priority is not supported: a container's default route is through its first network"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.o.Validate()
			if tc.err == "" && err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if tc.err != "" && (err == nil || err.Error() != tc.err) {
				t.Fatalf("error %v, want %q", err, tc.err)
			}
		})
	}
}

func bridgePlan(networks ...string) *netutil.Plan {
	pl := &netutil.Plan{Mode: netutil.ModeBridge, Name: "web"}
	for _, n := range networks {
		pl.Networks = append(pl.Networks, netutil.PlanNetwork{Name: n})
	}
	return pl
}

func TestPlanConnect(t *testing.T) {
	nets := testNetworks()
	net := func(name string) *netutil.Network {
		n, err := lookup(nets, name)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tc := range []struct {
		name    string
		pl      *netutil.Plan
		network string
		o       ConnectOptions
		want    netutil.PlanNetwork
		err     string
	}{
		{name: "user network", pl: bridgePlan("bridge"), network: "app", want: netutil.PlanNetwork{Name: "app"}},
		{name: "with addresses and aliases", pl: bridgePlan("bridge"), network: "app",
			o:    ConnectOptions{IPv4: "10.10.0.20", IPv6: "fd00:10::20", Aliases: []string{"api", "web2"}},
			want: netutil.PlanNetwork{Name: "app", IPv4: "10.10.0.20", IPv6: "fd00:10::20", Aliases: []string{"api", "web2"}}},
		{name: "default network", pl: bridgePlan("app"), network: "bridge", want: netutil.PlanNetwork{Name: "bridge"}},
		{name: "no network left", pl: bridgePlan(), network: "app", want: netutil.PlanNetwork{Name: "app"}},
		{name: "already there", pl: bridgePlan("bridge", "app"), network: "app",
			err: "endpoint with name web already exists in network app"},
		{name: "host network", pl: bridgePlan("bridge"), network: "host",
			err: "container cannot be disconnected from host network or connected to host network"},
		{name: "none network", pl: bridgePlan("bridge"), network: "none",
			err: "container cannot be connected to multiple networks with one of the networks in private (none) mode"},
		{name: "host mode", pl: &netutil.Plan{Mode: netutil.ModeHost}, network: "app",
			err: "container sharing network namespace with another container or host cannot be connected to any other network"},
		{name: "container mode", pl: &netutil.Plan{Mode: netutil.ModeContainer}, network: "app",
			err: "container sharing network namespace with another container or host cannot be connected to any other network"},
		{name: "none mode", pl: &netutil.Plan{Mode: netutil.ModeNone}, network: "app",
			err: "container cannot be connected to multiple networks with one of the networks in private (none) mode"},
		{name: "ip on the default network", pl: bridgePlan("app"), network: "bridge", o: ConnectOptions{IPv4: "10.4.0.9"},
			err: "user specified IP address is supported on user defined networks only"},
		{name: "alias on the default network", pl: bridgePlan("app"), network: "bridge", o: ConnectOptions{Aliases: []string{"a"}},
			err: "network-scoped alias is supported only for containers in user defined networks"},
		{name: "ip outside", pl: bridgePlan("bridge"), network: "app", o: ConnectOptions{IPv4: "10.11.0.20"},
			err: "invalid address 10.11.0.20: it does not belong to any of network app's subnets (10.10.0.0/24, fd00:10::/64)"},
		{name: "ip6 outside", pl: bridgePlan("bridge"), network: "net2", o: ConnectOptions{IPv6: "fd00:10::20"},
			err: "invalid address fd00:10::20: it does not belong to any of network net2's subnets (10.4.1.0/24)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pn, err := planConnect(tc.pl, net(tc.network), tc.o, "web")
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if pn.Name != tc.want.Name || pn.IPv4 != tc.want.IPv4 || pn.IPv6 != tc.want.IPv6 || !slices.Equal(pn.Aliases, tc.want.Aliases) {
				t.Errorf("got %+v, want %+v", pn, tc.want)
			}
		})
	}
}

func TestPlanDisconnect(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pl      *netutil.Plan
		network string
		left    []string
		err     string
	}{
		{name: "one of two", pl: bridgePlan("bridge", "app"), network: "bridge", left: []string{"app"}},
		{name: "the last one", pl: bridgePlan("app"), network: "app", left: nil},
		{name: "not on it", pl: bridgePlan("bridge"), network: "app", err: "container web is not connected to network app"},
		{name: "host from host", pl: &netutil.Plan{Mode: netutil.ModeHost}, network: "host",
			err: "container cannot be disconnected from host network or connected to host network"},
		{name: "none from none", pl: &netutil.Plan{Mode: netutil.ModeNone}, network: "none",
			err: "container web cannot leave the none network: it was created with --network none; create it again on the networks it needs"},
		{name: "host mode from a network", pl: &netutil.Plan{Mode: netutil.ModeHost}, network: "app",
			err: "container web is not connected to network app"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := planDisconnect(tc.pl, tc.network, "web")
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var left []string
			for _, pn := range tc.pl.Networks {
				left = append(left, pn.Name)
			}
			if !slices.Equal(left, tc.left) {
				t.Errorf("networks left %q, want %q", left, tc.left)
			}
		})
	}
}

func TestNetworkMode(t *testing.T) {
	for _, tc := range []struct {
		current string
		pl      *netutil.Plan
		want    string
	}{
		{"bridge", bridgePlan("bridge", "app"), "bridge"},
		{"app", bridgePlan("bridge", "app"), "app"},
		{"bridge", bridgePlan("app", "db"), "app"},
		{"none", bridgePlan("app"), "app"},
		{"app", bridgePlan(), "none"},
	} {
		if got := networkMode(tc.current, tc.pl); got != tc.want {
			t.Errorf("networkMode(%q, %v) = %q, want %q", tc.current, tc.pl.Networks, got, tc.want)
		}
	}
}
