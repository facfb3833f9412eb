package network_test

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/berth-project/berth/pkg/netutil"
)

// inventory is what a refused command must not have created: containers,
// networks, endpoints and address allocations.
func inventory(t *testing.T) string {
	t.Helper()
	r := engine.MustBerth(t, "ps", "-a", "--format", "{{.Names}}")
	ctrs := strings.Fields(r.Stdout)
	sort.Strings(ctrs)
	nets, err := netutil.List(paths())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range nets {
		names = append(names, n.Name)
	}
	s := settled(t)
	return fmt.Sprintf("containers %q\nnetworks %q\nendpoints %d allocations %d veths %d port elements %d",
		ctrs, names, s.Endpoints, s.Allocations, s.Veths, s.ports())
}

func TestBadInputIsRefusedAndChangesNothing(t *testing.T) {
	img := image(t)
	netCreate(t, "bad-base", "--subnet", "10.252.40.0/24")
	runD(t, "bad-user", []string{"--network", "bad-base", "--ip", "10.252.40.5"}, sleeper...)
	taken := freePort(t)
	runD(t, "bad-holder", []string{"-p", fmt.Sprintf("%d:80", taken)}, sleeper...)
	// Ports that programs on the host listen on, on every address and on
	// loopback only.
	held, heldLo := freePort(t), freePort(t)
	holdPort(t, fmt.Sprintf(":%d", held))
	holdPort(t, fmt.Sprintf("127.0.0.1:%d", heldLo))
	run := func(flags ...string) []string {
		return append(append([]string{"run", "-d", "--name", "bad-new"}, flags...), img, "sleep", "100")
	}
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"overlapping subnet", []string{"network", "create", "--subnet", "10.252.40.128/25", "bad-overlap"},
			[]string{"10.252.40.128/25", "bad-base"}},
		{"subnet out of range", []string{"network", "create", "--subnet", "10.252.41.0/33", "bad-invalid"},
			[]string{"10.252.41.0/33"}},
		{"subnet not an address", []string{"network", "create", "--subnet", "notasubnet", "bad-invalid"},
			[]string{"notasubnet"}},
		{"ip outside the subnet", run("--network", "bad-base", "--ip", "10.252.99.5"), []string{"10.252.99.5"}},
		{"ip of another container", run("--network", "bad-base", "--ip", "10.252.40.5"), []string{"10.252.40.5"}},
		{"host port out of range", run("-p", "70000:80"), []string{"70000"}},
		{"malformed port", run("-p", "8o:80"), []string{"8o"}},
		{"malformed container port", run("-p", "80:http"), []string{"http"}},
		{"port held by a host program", run("-p", fmt.Sprintf("%d:80", held)), []string{strconv.Itoa(held)}},
		{"loopback port held by a host program", run("-p", fmt.Sprintf("%d:80", heldLo)), []string{strconv.Itoa(heldLo)}},
		{"port held on every address, published on loopback", run("-p", fmt.Sprintf("127.0.0.1:%d:80", held)),
			[]string{strconv.Itoa(held)}},
		{"port held by a container", run("-p", fmt.Sprintf("%d:80", taken)), []string{strconv.Itoa(taken)}},
		{"removing a network in use", []string{"network", "rm", "bad-base"}, []string{"bad-base", "bad-user"}},
		{"unknown network", run("--network", "bad-nosuch"), []string{"bad-nosuch"}},
		{"add-host with a newline", run("--add-host", "evil:10.252.0.9\n10.252.0.10 other"), []string{"add-host"}},
		{"add-host with a bad address", run("--add-host", "name:10.252.0.999"), []string{"10.252.0.999"}},
		{"ip on the default network", run("--ip", "10.4.0.200"), []string{"user defined networks"}},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "-"), func(t *testing.T) {
			forceRemove(t, "bad-new")
			before := inventory(t)
			failsWith(t, engine.Berth(t, c.args...), c.want...)
			if after := inventory(t); after != before {
				t.Fatalf("a refused command changed things:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
	// The network in use is still there and still works.
	if ip := ipOn(t, "bad-user", "bad-base"); ip != "10.252.40.5" {
		t.Fatalf("bad-user lost its address on bad-base: %q", ip)
	}
}
