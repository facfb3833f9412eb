package network

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/berth-project/berth/pkg/netutil"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// golden compares got with testdata/name.golden, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", path, got, want)
	}
}

var testCreated = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// testNetworks are the default network, host, none and three user
// networks, as all returns them.
func testNetworks() []*netutil.Network {
	def := &netutil.Network{Name: "bridge", ID: "5f1e7d4c3b2a19080706050403020100ffeeddccbbaa99887766554433221100",
		Created: testCreated, Driver: "bridge", Subnets: []netutil.Subnet{{Subnet: "10.4.0.0/24", Gateway: "10.4.0.1"}},
		Options: map[string]string{}, Labels: map[string]string{}, Bridge: "berth0"}
	app := &netutil.Network{Name: "app", ID: "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90",
		Created: testCreated.Add(time.Hour), Driver: "bridge",
		Subnets: []netutil.Subnet{{Subnet: "10.10.0.0/24", Gateway: "10.10.0.254", IPRange: "10.10.0.128/25"},
			{Subnet: "fd00:10::/64", Gateway: "fd00:10::1"}},
		IPv6: true, Options: map[string]string{"com.docker.network.driver.mtu": "1400"},
		Labels: map[string]string{"stage": "test", "team": "a"}, Bridge: "br-a1b2c3d4e5f6", MTU: 1400}
	net10 := &netutil.Network{Name: "net10", ID: "10aa10aa10aa10aa10aa10aa10aa10aa10aa10aa10aa10aa10aa10aa10aa10aa",
		Created: testCreated.Add(2 * time.Hour), Driver: "macvlan", Subnets: []netutil.Subnet{{Subnet: "192.168.1.0/24"}},
		Internal: true, Options: map[string]string{"parent": "eth0"}, Labels: map[string]string{}, Parent: "eth0"}
	net2 := &netutil.Network{Name: "net2", ID: "22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb",
		Created: testCreated.Add(3 * time.Hour), Driver: "bridge", Subnets: []netutil.Subnet{{Subnet: "10.4.1.0/24", Gateway: "10.4.1.1"}},
		Options: map[string]string{}, Labels: map[string]string{"stage": "prod"}, Bridge: "br-22bb22bb22bb"}
	nets := append(pseudoNetworks(def), def, net10, app, net2)
	sortNetworks(nets)
	return nets
}

func TestSortNetworks(t *testing.T) {
	var names []string
	for _, n := range testNetworks() {
		names = append(names, n.Name)
	}
	want := []string{"app", "bridge", "host", "net2", "net10", "none"}
	if !slices.Equal(names, want) {
		t.Errorf("order %q, want %q", names, want)
	}
}

func TestNaturalLess(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"net2", "net10", true},
		{"net10", "net2", false},
		{"net", "net2", true},
		{"a", "b", true},
		{"b", "a", false},
		{"a", "a", false},
		{"net01", "net1", false},
		{"net1", "net01", true},
		{"10", "9a", false},
		{"app-2", "app-10", true},
		{"app", "app-1", true},
		{"Z", "a", true},
	} {
		if got := naturalLess(tc.a, tc.b); got != tc.want {
			t.Errorf("naturalLess(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestLookup(t *testing.T) {
	nets := testNetworks()
	for _, tc := range []struct {
		q, want, err string
	}{
		{q: "app", want: "app"},
		{q: "a1b2c3d4e5f6", want: "app"},
		{q: "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90", want: "app"},
		{q: "host", want: "host"},
		{q: pseudoID("none")[:12], want: "none"},
		{q: "22bb", want: "net2"},
		{q: "nope", err: "network nope not found"},
		{q: "", err: "network  not found"},
	} {
		n, err := lookup(nets, tc.q)
		switch {
		case tc.err != "":
			if err == nil || err.Error() != tc.err {
				t.Errorf("lookup(%q) error %v, want %q", tc.q, err, tc.err)
			}
		case err != nil:
			t.Errorf("lookup(%q): %v", tc.q, err)
		case n.Name != tc.want:
			t.Errorf("lookup(%q) = %s, want %s", tc.q, n.Name, tc.want)
		}
	}
	// An ID prefix two networks share is ambiguous.
	twin := *nets[0]
	twin.Name, twin.ID = "twin", nets[0].ID[:4]+"ffff"
	_, err := lookup(append(nets, &twin), nets[0].ID[:4])
	if want := "network " + nets[0].ID[:4] + " is ambiguous (2 matches found based on ID prefix)"; err == nil || err.Error() != want {
		t.Errorf("ambiguous prefix: error %v, want %q", err, want)
	}
}

func TestPseudoIDsAreStable(t *testing.T) {
	if got, want := pseudoID("host"), "4740ae6347b0172c01254ff55bae5aff5199f4446e7f6d643d40185b3f475145"; got != want {
		t.Errorf("pseudoID(host) = %s, want %s", got, want)
	}
}
