package network_test

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-project/berth/pkg/netutil"
)

// netState counts what containers add to the host's and the engine's
// network state: what a container that is gone must not leave behind.
type netState struct {
	// Endpoints are the records under <data root>/network/endpoints.
	Endpoints int
	// Allocations are host-local's files named by an address.
	Allocations int
	// Cached are libcni's cached results, one per attachment.
	Cached int
	// Veths are the host ends of veth pairs on this engine's bridges.
	Veths int
	// Elements counts the published-port map elements, by map.
	Elements map[string]int
	// Rules are the rules of berth's table, SetElements the elements of
	// its set of bridges.
	Rules, SetElements int
	// IPTables and IP6Tables are the line counts of iptables-save and
	// ip6tables-save: berth's rules must all be in its own table.
	IPTables, IP6Tables int
}

func (s netState) String() string {
	return fmt.Sprintf("endpoints=%d allocations=%d cached=%d veths=%d ports4=%d ports4ip=%d ports6=%d ports6ip=%d rules=%d set-elements=%d iptables-lines=%d ip6tables-lines=%d",
		s.Endpoints, s.Allocations, s.Cached, s.Veths, s.Elements["ports4"], s.Elements["ports4ip"], s.Elements["ports6"],
		s.Elements["ports6ip"], s.Rules, s.SetElements, s.IPTables, s.IP6Tables)
}

// plus is the state with one more container wired: one more endpoint,
// allocation, cached result and veth, and one more element in the port map
// named ports ("" for none).
func (s netState) plus(ports string) netState {
	c := s
	c.Elements = map[string]int{}
	for k, v := range s.Elements {
		c.Elements[k] = v
	}
	c.Endpoints++
	c.Allocations++
	c.Cached++
	c.Veths++
	if ports != "" {
		c.Elements[ports]++
	}
	return c
}

// ports is the number of published-port elements in all four maps.
func (s netState) ports() int {
	n := 0
	for _, v := range s.Elements {
		n += v
	}
	return n
}

// paths are the test engine's network paths.
func paths() netutil.Paths { return netutil.NewPaths(engine.DataRoot, engine.RunDir, "", "") }

// snapshot counts the network state now.
func snapshot(t *testing.T) netState {
	t.Helper()
	s := netState{Elements: map[string]int{}}
	p := paths()
	eps, _ := filepath.Glob(filepath.Join(p.StateDir, "endpoints", "*.json"))
	s.Endpoints = len(eps)
	files, _ := filepath.Glob(filepath.Join(p.StateDir, "ipam", "*", "*"))
	for _, f := range files {
		if _, err := netip.ParseAddr(filepath.Base(f)); err == nil {
			s.Allocations++
		}
	}
	cached, _ := filepath.Glob(filepath.Join(p.StateDir, "cache", "results", "*"))
	s.Cached = len(cached)
	s.Veths = len(engineVeths(t))
	countTable(t, p.Table, &s)
	s.IPTables = lines(t, "iptables-save")
	s.IP6Tables = lines(t, "ip6tables-save")
	return s
}

// engineVeths lists the veths enslaved to one of this engine's bridges.
// Only those: another engine on the host (a developer's) has veths of its
// own, though on the default bridge, which every data root uses, theirs
// count too.
func engineVeths(t *testing.T) []string {
	t.Helper()
	bridges := map[string]bool{}
	nets, err := netutil.List(paths())
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nets {
		if n.Bridge != "" {
			bridges[n.Bridge] = true
		}
	}
	out, err := exec.Command("ip", "-o", "link", "show", "type", "veth").CombinedOutput()
	if err != nil {
		t.Fatalf("ip link: %v: %s", err, out)
	}
	var veths []string
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		for i := 0; i+1 < len(f); i++ {
			if f[i] == "master" && bridges[f[i+1]] {
				veths = append(veths, strings.TrimSuffix(f[1], ":"))
			}
		}
	}
	return veths
}

// countTable counts the rules and elements of berth's nftables table; a
// table that does not exist counts nothing.
func countTable(t *testing.T, table string, s *netState) {
	t.Helper()
	out, err := exec.Command("nft", "-j", "list", "table", "inet", table).Output()
	if err != nil {
		return
	}
	var doc struct {
		Nftables []struct {
			Rule *json.RawMessage `json:"rule"`
			Map  *struct {
				Name string            `json:"name"`
				Elem []json.RawMessage `json:"elem"`
			} `json:"map"`
			Set *struct {
				Elem []json.RawMessage `json:"elem"`
			} `json:"set"`
		} `json:"nftables"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("nft -j list table inet %s: %v", table, err)
	}
	for _, o := range doc.Nftables {
		switch {
		case o.Rule != nil:
			s.Rules++
		case o.Map != nil:
			s.Elements[o.Map.Name] += len(o.Map.Elem)
		case o.Set != nil:
			s.SetElements += len(o.Set.Elem)
		}
	}
}

// lines is the number of lines a command prints.
func lines(t *testing.T, name string, args ...string) int {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return strings.Count(string(out), "\n")
}

// hostsLines is the number of lines of a running container's /etc/hosts.
func hostsLines(t *testing.T, name string) int {
	t.Helper()
	r := execIn(t, name, "cat", "/etc/hosts")
	if r.ExitCode != 0 {
		t.Fatalf("reading the hosts file of %s:\n%s", name, r)
	}
	return strings.Count(r.Stdout, "\n")
}

// waitState waits until the network state is want and the peer's
// hosts file has wantHosts lines (peer "" skips that check).
func waitState(t *testing.T, what string, want netState, peer string, wantHosts int) {
	t.Helper()
	poll(t, what, func() (bool, string) {
		got := snapshot(t)
		hosts := 0
		if peer != "" {
			hosts = hostsLines(t, peer)
		}
		ok := got.String() == want.String() && hosts == wantHosts
		return ok, fmt.Sprintf("want %s, hosts lines %d\ngot  %s, hosts lines %d", want, wantHosts, got, hosts)
	})
}

// settled waits until the host has the veths of the live endpoints and no
// more (the kernel removes those of a gone namespace a moment later) and
// returns the state then.
func settled(t *testing.T) netState {
	t.Helper()
	var s netState
	poll(t, "the veths of gone containers removed", func() (bool, string) {
		eps, err := netutil.Endpoints(paths())
		if err != nil {
			t.Fatal(err)
		}
		attached := 0
		for _, e := range eps {
			for _, a := range e.Attached {
				if a.Bridge != "" {
					attached++
				}
			}
		}
		s = snapshot(t)
		return s.Veths == attached, fmt.Sprintf("%d attachments to bridges, %s", attached, s)
	})
	return s
}
