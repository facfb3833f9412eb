package network

import (
	"slices"
	"testing"
)

func TestMatchIPAM(t *testing.T) {
	for _, tc := range []struct {
		name                      string
		subnets, gateways, ranges []string
		wantGateways, wantRanges  []string
		err                       string
	}{
		{name: "nothing", wantGateways: []string{}, wantRanges: []string{}},
		{name: "subnet only", subnets: []string{"10.10.0.0/24"}, wantGateways: []string{""}, wantRanges: []string{""}},
		{name: "in order", subnets: []string{"10.10.0.0/24", "fd00:10::/64"}, gateways: []string{"10.10.0.254", "fd00:10::1"},
			ranges: []string{"10.10.0.128/25"}, wantGateways: []string{"10.10.0.254", "fd00:10::1"}, wantRanges: []string{"10.10.0.128/25", ""}},
		{name: "matched by subnet, not by order", subnets: []string{"10.10.0.0/24", "10.20.0.0/24"},
			gateways: []string{"10.20.0.1"}, ranges: []string{"10.20.0.64/26", "10.10.0.0/25"},
			wantGateways: []string{"", "10.20.0.1"}, wantRanges: []string{"10.10.0.0/25", "10.20.0.64/26"}},
		{name: "gateway without subnet", gateways: []string{"10.10.0.1"},
			err: "every ip-range or gateway must have a corresponding subnet"},
		{name: "more ranges than subnets", subnets: []string{"10.10.0.0/16"}, ranges: []string{"10.10.1.0/24", "10.10.2.0/24"},
			err: "every ip-range or gateway must have a corresponding subnet"},
		{name: "gateway outside", subnets: []string{"10.10.0.0/24"}, gateways: []string{"10.11.0.1"},
			err: "no matching subnet for gateway 10.11.0.1"},
		{name: "range outside", subnets: []string{"10.10.0.0/24"}, ranges: []string{"10.11.0.0/25"},
			err: "no matching subnet for range 10.11.0.0/25"},
		{name: "bad gateway", subnets: []string{"10.10.0.0/24"}, gateways: []string{"gw"},
			err: "no matching subnet for gateway gw"},
		{name: "two gateways", subnets: []string{"10.10.0.0/24", "10.20.0.0/24"}, gateways: []string{"10.10.0.1", "10.10.0.2"},
			err: "cannot configure multiple gateways (10.10.0.2, 10.10.0.1) for the same subnet (10.10.0.0/24)"},
		{name: "two ranges", subnets: []string{"10.10.0.0/24", "10.20.0.0/24"}, ranges: []string{"10.10.0.0/25", "10.10.0.128/25"},
			err: "cannot configure multiple ranges (10.10.0.128/25, 10.10.0.0/25) on the same subnet (10.10.0.0/24)"},
		{name: "bad subnet", subnets: []string{"10.10.0.0"},
			err: `invalid subnet 10.10.0.0: netip.ParsePrefix("10.10.0.0"): no '/'`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gws, rngs, err := matchIPAM(tc.subnets, tc.gateways, tc.ranges)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(gws, tc.wantGateways) || !slices.Equal(rngs, tc.wantRanges) {
				t.Errorf("gateways %q, ranges %q; want %q, %q", gws, rngs, tc.wantGateways, tc.wantRanges)
			}
		})
	}
}

func TestCreateValidate(t *testing.T) {
	ok := func(o CreateOptions) CreateOptions {
		o.IPv4 = true
		if o.Name == "" {
			o.Name = "app"
		}
		return o
	}
	for _, tc := range []struct {
		name string
		o    CreateOptions
		err  string
	}{
		{"plain", ok(CreateOptions{}), ""},
		{"docker's defaults", ok(CreateOptions{IPAMDriver: "default", Scope: "local", Attachable: true}), ""},
		{"labels and options", ok(CreateOptions{Labels: []string{"a=b,c", "empty="}, Options: []string{"mtu=1400", "parent"}}), ""},
		{"dotted name", ok(CreateOptions{Name: "my_app.net-1"}), ""},
		{"predefined bridge", ok(CreateOptions{Name: "bridge"}), "operation is not permitted on predefined bridge network"},
		{"predefined host", ok(CreateOptions{Name: "host"}), "operation is not permitted on predefined host network"},
		{"slash in name", ok(CreateOptions{Name: "a/b"}),
			`invalid network name "a/b": it must match [a-zA-Z0-9][a-zA-Z0-9_.-]* and have at most 128 characters`},
		{"leading dot", ok(CreateOptions{Name: ".a"}),
			`invalid network name ".a": it must match [a-zA-Z0-9][a-zA-Z0-9_.-]* and have at most 128 characters`},
		{"empty label key", ok(CreateOptions{Labels: []string{"=x"}}), `invalid label "=x": the key must not be empty`},
		{"empty option key", ok(CreateOptions{Options: []string{"=x"}}), `invalid option "=x": the key must not be empty`},
		{"gateway outside", ok(CreateOptions{Subnets: []string{"10.10.0.0/24"}, Gateways: []string{"10.9.0.1"}}),
			"no matching subnet for gateway 10.9.0.1"},
		{"ipam driver", ok(CreateOptions{IPAMDriver: "dhcp"}),
			"--ipam-driver dhcp is not supported: berth allocates addresses with its default IPAM driver only"},
		{"ipam opt", ok(CreateOptions{IPAMOptions: []string{"a=b"}}), "--ipam-opt is not supported: the default IPAM driver takes no options"},
		{"aux address", ok(CreateOptions{AuxAddresses: []string{"host1=10.10.0.5"}}),
			"--aux-address is not supported: use --ip-range to keep addresses out of the allocator's range"},
		{"swarm scope", ok(CreateOptions{Scope: "swarm"}), "--scope swarm is not supported: berth has no swarm, every network is local"},
		{"config from", ok(CreateOptions{ConfigFrom: "base"}),
			"--config-from and --config-only are not supported: give the network's configuration with its own flags"},
		{"config only", ok(CreateOptions{ConfigOnly: true}),
			"--config-from and --config-only are not supported: give the network's configuration with its own flags"},
		{"ingress", ok(CreateOptions{Ingress: true}), "--ingress is not supported: berth has no swarm routing mesh"},
		{"no ipv4", CreateOptions{Name: "app"}, "--ipv4=false is not supported: every berth network has an IPv4 subnet"},
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

func TestParseDriverOptions(t *testing.T) {
	m, err := parseDriverOptions([]string{"com.docker.network.bridge.name=br-app", "mtu=1400", "parent", "mode=a=b"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"com.docker.network.bridge.name": "br-app", "mtu": "1400", "parent": "", "mode": "a=b"}
	if len(m) != len(want) {
		t.Fatalf("got %v, want %v", m, want)
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %q, want %q", k, m[k], v)
		}
	}
}
