package network_test

import (
	"fmt"
	"strings"
	"testing"
)

// resolves reports whether `ping -c1 NAME` inside container from succeeds:
// the name resolves and the peer answers.
func resolves(t *testing.T, from, name string) (bool, string) {
	t.Helper()
	r := execIn(t, from, "ping", "-c", "1", "-W", "2", name)
	return r.ExitCode == 0, r.String()
}

// unresolved checks that name does not resolve inside container from.
// (A ping that fails is not enough: a stale entry fails it too.)
func unresolved(t *testing.T, from, name string) {
	t.Helper()
	r := execIn(t, from, "ping", "-c", "1", "-W", "2", name)
	if r.ExitCode == 0 || !strings.Contains(r.Stderr, "bad address") {
		t.Fatalf("%s must not resolve in %s:\n%s", name, from, r)
	}
}

// hostsOf is a running container's /etc/hosts.
func hostsOf(t *testing.T, name string) string {
	t.Helper()
	r := execIn(t, name, "cat", "/etc/hosts")
	if r.ExitCode != 0 {
		t.Fatalf("reading /etc/hosts of %s:\n%s", name, r)
	}
	return r.Stdout
}

// listed reports whether hosts maps ip to every one of names on one line.
func listed(hosts, ip string, names ...string) bool {
	for _, l := range strings.Split(hosts, "\n") {
		f := strings.Fields(l)
		if len(f) < 2 || f[0] != ip {
			continue
		}
		all := true
		for _, n := range names {
			found := false
			for _, x := range f[1:] {
				found = found || x == n
			}
			all = all && found
		}
		if all {
			return true
		}
	}
	return false
}

func TestNamesOnAUserNetwork(t *testing.T) {
	netCreate(t, "nm-net")
	runD(t, "nm-web", []string{"--network", "nm-net", "--network-alias", "nm-alias", "--hostname", "nm-host"}, sleeper...)
	runD(t, "nm-client", []string{"--network", "nm-net"}, sleeper...)
	ip := ipOn(t, "nm-web", "nm-net")
	if ip == "" {
		t.Fatalf("nm-web has no address on nm-net")
	}
	for _, name := range []string{"nm-web", "nm-alias", "nm-host"} {
		poll(t, "nm-client resolves "+name, func() (bool, string) { return resolves(t, "nm-client", name) })
	}
	if h := hostsOf(t, "nm-client"); !listed(h, ip, "nm-web", "nm-alias", "nm-host") {
		t.Fatalf("nm-client's /etc/hosts does not list nm-web at %s with its alias and host name:\n%s", ip, h)
	}
	// The name follows the container: gone when it stops, back when it
	// starts (perhaps at another address), gone when it is removed.
	engine.MustBerth(t, "stop", "nm-web")
	poll(t, "nm-web gone from nm-client's hosts after stop", func() (bool, string) {
		h := hostsOf(t, "nm-client")
		return !strings.Contains(h, "nm-web"), h
	})
	unresolved(t, "nm-client", "nm-web")
	engine.MustBerth(t, "start", "nm-web")
	poll(t, "nm-client resolves nm-web after start", func() (bool, string) { return resolves(t, "nm-client", "nm-web") })
	if h, ip := hostsOf(t, "nm-client"), ipOn(t, "nm-web", "nm-net"); !listed(h, ip, "nm-web", "nm-alias", "nm-host") {
		t.Fatalf("after start, nm-client's /etc/hosts must list nm-web at %s:\n%s", ip, h)
	}
	engine.MustBerth(t, "rm", "-f", "nm-web")
	poll(t, "nm-web gone from nm-client's hosts after rm", func() (bool, string) {
		h := hostsOf(t, "nm-client")
		return !strings.Contains(h, "nm-web") && !strings.Contains(h, "nm-alias"), h
	})
	unresolved(t, "nm-client", "nm-alias")
	unresolved(t, "nm-client", "nm-host")
}

func TestNamesStayOffTheDefaultNetwork(t *testing.T) {
	runD(t, "nm-def-a", nil, sleeper...)
	runD(t, "nm-def-b", nil, sleeper...)
	// docker resolves no container names on the default bridge.
	unresolved(t, "nm-def-b", "nm-def-a")
	if h := hostsOf(t, "nm-def-b"); strings.Contains(h, "nm-def-a") {
		t.Fatalf("the default network lists peers in /etc/hosts:\n%s", h)
	}
}

func TestNetworksAreIsolated(t *testing.T) {
	netCreate(t, "iso-one")
	netCreate(t, "iso-two")
	runD(t, "iso-server", []string{"--network", "iso-one"}, httpd("iso")...)
	runD(t, "iso-friend", []string{"--network", "iso-one"}, sleeper...)
	runD(t, "iso-stranger", []string{"--network", "iso-two"}, sleeper...)
	ip := ipOn(t, "iso-server", "iso-one")
	url := fmt.Sprintf("http://%s/", ip)
	// Control: the same request from the server's own network works.
	poll(t, "iso-friend fetches "+url, func() (bool, string) {
		r := execIn(t, "iso-friend", "wget", "-q", "-O", "-", url)
		return r.ExitCode == 0 && r.Stdout == "iso\n", r.String()
	})
	if r := execIn(t, "iso-stranger", "ping", "-c", "1", "-W", "2", ip); r.ExitCode == 0 {
		t.Fatalf("a container on another network pings %s:\n%s", ip, r)
	}
	if r := execIn(t, "iso-stranger", "nc", "-w", "2", ip, "80"); r.ExitCode == 0 {
		t.Fatalf("a container on another network connects to %s:80:\n%s", ip, r)
	}
	unresolved(t, "iso-stranger", "iso-server")
}

func TestInternalNetworkHasNoWayOut(t *testing.T) {
	netCreate(t, "int-net", "--internal")
	netCreate(t, "int-control")
	runD(t, "int-a", []string{"--network", "int-net"}, httpd("inside")...)
	runD(t, "int-b", []string{"--network", "int-net"}, sleeper...)
	runD(t, "int-out", []string{"--network", "int-control"}, sleeper...)
	// The gateway of the other network is an address of the host's.
	gw := inspect(t, "int-out", `{{with index .NetworkSettings.Networks "int-control"}}{{.Gateway}}{{end}}`)
	if r := execIn(t, "int-b", "ip", "route"); r.ExitCode != 0 || strings.Contains(r.Stdout, "default") {
		t.Fatalf("a container on an internal network has a default route:\n%s", r)
	}
	// Control: from a network that is not internal the host answers.
	if r := execIn(t, "int-out", "ping", "-c", "1", "-W", "2", gw); r.ExitCode != 0 {
		t.Fatalf("control: a container on a normal user network cannot ping the host at %s:\n%s", gw, r)
	}
	if r := execIn(t, "int-b", "ping", "-c", "1", "-W", "2", gw); r.ExitCode == 0 {
		t.Fatalf("a container on an internal network pings the host at %s:\n%s", gw, r)
	}
	if r := execIn(t, "int-b", "wget", "-q", "-O", "-", "http://"+gw+"/"); r.ExitCode == 0 {
		t.Fatalf("a container on an internal network reaches the host:\n%s", r)
	}
	// Inside the network, peers still reach each other by name.
	poll(t, "int-b fetches from int-a", func() (bool, string) {
		r := execIn(t, "int-b", "wget", "-q", "-O", "-", "http://int-a/")
		return r.ExitCode == 0 && r.Stdout == "inside\n", r.String()
	})
}
