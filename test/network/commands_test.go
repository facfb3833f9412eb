package network_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// The network verbs as a user types them: create with options, ls with a
// filter and a format, inspect's JSON with the attached container, prune
// of unused networks only.
func TestNetworkCommands(t *testing.T) {
	netCreate(t, "cmd-a", "--subnet", "10.91.0.0/24", "--gateway", "10.91.0.254", "--label", "team=blue",
		"-o", "com.docker.network.bridge.name=br-cmd-a", "-o", "mtu=1400")
	runD(t, "cmd-c1", []string{"--network", "cmd-a"}, sleeper...)
	waitRunning(t, "cmd-c1")

	ls := engine.MustBerth(t, "network", "ls", "--filter", "label=team=blue", "--format", "{{.Name}} {{.Driver}} {{.Scope}}")
	if strings.TrimSpace(ls.Stdout) != "cmd-a bridge local" {
		t.Errorf("network ls --filter label: %q", ls.Stdout)
	}
	all := engine.MustBerth(t, "network", "ls", "-q")
	if n := len(strings.Fields(all.Stdout)); n < 4 { // bridge, host, none, cmd-a
		t.Errorf("network ls -q lists %d networks:\n%s", n, all.Stdout)
	}

	var objs []struct {
		Name   string
		Driver string
		IPAM   struct {
			Config []struct{ Subnet, Gateway string }
		}
		Labels map[string]string
		// Containers by ID.
		Containers map[string]struct{ Name, IPv4Address string }
	}
	r := engine.MustBerth(t, "network", "inspect", "cmd-a")
	if err := json.Unmarshal([]byte(r.Stdout), &objs); err != nil || len(objs) != 1 {
		t.Fatalf("network inspect: %v\n%s", err, r.Stdout)
	}
	o := objs[0]
	if o.Driver != "bridge" || len(o.IPAM.Config) != 1 || o.IPAM.Config[0].Subnet != "10.91.0.0/24" ||
		o.IPAM.Config[0].Gateway != "10.91.0.254" || o.Labels["team"] != "blue" {
		t.Errorf("network inspect: %+v", o)
	}
	found := false
	for _, c := range o.Containers {
		found = found || (c.Name == "cmd-c1" && strings.HasPrefix(c.IPv4Address, "10.91.0."))
	}
	if !found {
		t.Errorf("network inspect does not list cmd-c1 with its address: %+v", o.Containers)
	}
	if mtu := strings.TrimSpace(sh(t, "cat", "/sys/class/net/br-cmd-a/mtu")); mtu != "1400" {
		t.Errorf("bridge br-cmd-a MTU %q, want 1400", mtu)
	}
	if gw := execIn(t, "cmd-c1", "ip", "route"); !strings.Contains(gw.Stdout, "default via 10.91.0.254") {
		t.Errorf("the container's default route is not the --gateway:\n%s", gw)
	}

	// Prune removes an unused network and keeps the used one.
	engine.MustBerth(t, "network", "create", "cmd-unused")
	p := engine.MustBerth(t, "network", "prune", "-f")
	if !strings.Contains(p.Stdout, "cmd-unused") || strings.Contains(p.Stdout, "cmd-a") {
		t.Errorf("network prune:\n%s", p)
	}
	if r := engine.Berth(t, "network", "inspect", "cmd-unused"); r.ExitCode == 0 {
		t.Errorf("cmd-unused survived prune:\n%s", r)
	}
}

// connect and disconnect change a running container's interfaces, its
// peers' view of it, and what it gets at its next start.
func TestConnectDisconnect(t *testing.T) {
	netCreate(t, "cd-a", "--subnet", "10.92.0.0/24")
	netCreate(t, "cd-b", "--subnet", "10.93.0.0/24")
	runD(t, "cd-peer", []string{"--network", "cd-b"}, sleeper...)
	runD(t, "cd-web", []string{"--network", "cd-a"}, sleeper...)
	waitRunning(t, "cd-web")
	waitRunning(t, "cd-peer")

	engine.MustBerth(t, "network", "connect", "--alias", "web-alias", "--ip", "10.93.0.50", "cd-b", "cd-web")
	addrs := execIn(t, "cd-web", "ip", "-4", "-o", "addr")
	if !strings.Contains(addrs.Stdout, "10.92.0.") || !strings.Contains(addrs.Stdout, "10.93.0.50/24") {
		t.Fatalf("after connect the container has both networks' addresses:\n%s", addrs)
	}
	poll(t, "the peer resolves the new alias", func() (bool, string) {
		r := execIn(t, "cd-peer", "ping", "-c1", "-W2", "web-alias")
		return r.ExitCode == 0, r.String()
	})
	if r := engine.Berth(t, "network", "connect", "cd-b", "cd-web"); r.ExitCode == 0 {
		t.Errorf("connecting twice must fail:\n%s", r)
	}

	engine.MustBerth(t, "network", "disconnect", "cd-b", "cd-web")
	addrs = execIn(t, "cd-web", "ip", "-4", "-o", "addr")
	if strings.Contains(addrs.Stdout, "10.93.0.") {
		t.Errorf("after disconnect the address is still there:\n%s", addrs)
	}
	poll(t, "the peer no longer resolves the alias", func() (bool, string) {
		r := execIn(t, "cd-peer", "ping", "-c1", "-W1", "web-alias")
		return r.ExitCode != 0 && strings.Contains(r.Stdout+r.Stderr, "bad address"), r.String()
	})

	// A stopped container is connected at its next start.
	engine.MustBerth(t, "stop", "-t", "1", "cd-web")
	engine.MustBerth(t, "network", "connect", "cd-b", "cd-web")
	engine.MustBerth(t, "start", "cd-web")
	waitRunning(t, "cd-web")
	if ip := ipOn(t, "cd-web", "cd-b"); !strings.HasPrefix(ip, "10.93.0.") {
		t.Errorf("after start the container is on cd-b: %q", ip)
	}
	if r := engine.Berth(t, "network", "connect", "nope", "cd-web"); r.ExitCode == 0 {
		t.Errorf("connecting to an unknown network must fail:\n%s", r)
	}
}
