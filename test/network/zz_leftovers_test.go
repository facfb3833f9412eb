package network_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestZZNothingLeftBehind runs last (files run in name order): every test
// removes what it created, also when it fails.
func TestZZNothingLeftBehind(t *testing.T) {
	r := engine.MustBerth(t, "ps", "-a", "--format", "{{.Names}} {{.Status}}")
	if strings.TrimSpace(r.Stdout) != "" {
		t.Errorf("containers left behind:\n%s", r.Stdout)
	}
	r = engine.MustBerth(t, "network", "ls", "--format", "{{.Name}}")
	for _, n := range strings.Fields(r.Stdout) {
		if n != "bridge" && n != "host" && n != "none" {
			t.Errorf("network %s left behind:\n%s", n, r.Stdout)
		}
	}
	if s := settled(t); s.Endpoints != 0 || s.Allocations != 0 || s.Veths != 0 || s.ports() != 0 {
		t.Errorf("network state left behind: %s", s)
	}
	if out, _ := exec.Command("ip", "-o", "link", "show").Output(); strings.Contains(string(out), ": "+testLinkPrefix) {
		t.Errorf("links left behind:\n%s", out)
	}
	if out, _ := exec.Command("ip", "netns", "list").Output(); strings.Contains(string(out), testNetns) {
		t.Errorf("network namespace left behind:\n%s", out)
	}
	if out, _ := exec.Command("nft", "list", "tables").Output(); strings.Contains(string(out), testProbeTable) {
		t.Errorf("nftables table left behind:\n%s", out)
	}
}
