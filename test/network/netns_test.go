package network_test

import (
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A neighbour is a second network namespace the test creates, linked to the
// host by a veth pair with a /30, its default route through the host: a
// machine next to the host, as far as the host's rules can tell.
type neighbour struct {
	name, hostIf, nsIf, hostIP, nsIP string
}

func newNeighbour(t *testing.T) *neighbour {
	t.Helper()
	n := &neighbour{name: testNetns, hostIf: testLinkPrefix + "nbh", nsIf: testLinkPrefix + "nbn",
		hostIP: "10.253.0.1", nsIP: "10.253.0.2"}
	_ = exec.Command("ip", "netns", "del", n.name).Run()
	_ = exec.Command("ip", "link", "del", n.hostIf).Run()
	sh(t, "ip", "netns", "add", n.name)
	t.Cleanup(func() {
		_ = exec.Command("ip", "link", "del", n.hostIf).Run()
		_ = exec.Command("ip", "netns", "del", n.name).Run()
	})
	sh(t, "ip", "link", "add", n.hostIf, "type", "veth", "peer", "name", n.nsIf, "netns", n.name)
	sh(t, "ip", "addr", "add", n.hostIP+"/30", "dev", n.hostIf)
	sh(t, "ip", "link", "set", n.hostIf, "up")
	n.ip(t, "addr", "add", n.nsIP+"/30", "dev", n.nsIf)
	n.ip(t, "link", "set", n.nsIf, "up")
	n.ip(t, "link", "set", "lo", "up")
	n.ip(t, "route", "add", "default", "via", n.hostIP)
	return n
}

// ip runs `ip` in the neighbour.
func (n *neighbour) ip(t *testing.T, args ...string) string {
	t.Helper()
	return sh(t, "ip", append([]string{"-n", n.name}, args...)...)
}

// run runs a host program in the neighbour and returns its output and
// whether it succeeded.
func (n *neighbour) run(args ...string) (string, bool) {
	return n.runIn("", args...)
}

// runIn is run with stdin.
func (n *neighbour) runIn(stdin string, args ...string) (string, bool) {
	cmd := exec.Command("ip", append([]string{"netns", "exec", n.name}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err == nil
}

// fetch gets a page from the neighbour with the host's busybox wget.
func (n *neighbour) fetch(url string) (string, bool) {
	return n.run("busybox", "wget", "-q", "-O", "-", url)
}

// connects reports whether an HTTP request from the neighbour to ip:port
// gets through. busybox nc's -w bounds the wait for an answer to the SYNs,
// which a dropped packet never gets.
func (n *neighbour) connects(ip string, port int) (string, bool) {
	out, ok := n.runIn("GET / HTTP/1.0\r\n\r\n", "busybox", "nc", "-w", "3", ip, strconv.Itoa(port))
	return out, ok && strings.Contains(out, "HTTP/1.")
}

// routeLoopbackToHost makes the neighbour send packets for 127.0.0.1 to the
// host, as an attacker on the host's link can: route_localnet lets the
// kernel route loopback addresses, the local 127 routes go, and a route
// through the host's veth address takes their place.
func (n *neighbour) routeLoopbackToHost(t *testing.T) {
	t.Helper()
	for _, key := range []string{"all", "default", n.nsIf, "lo"} {
		n.run("sysctl", "-q", "-w", "net.ipv4.conf."+key+".route_localnet=1")
	}
	n.ip(t, "route", "del", "local", "127.0.0.1", "dev", "lo", "table", "local")
	n.ip(t, "route", "del", "local", "127.0.0.0/8", "dev", "lo", "table", "local")
	n.ip(t, "route", "add", "127.0.0.1/32", "via", n.hostIP, "dev", n.nsIf)
	if got := n.ip(t, "route", "get", "127.0.0.1"); !regexp.MustCompile(`via ` + regexp.QuoteMeta(n.hostIP)).MatchString(got) {
		t.Fatalf("the neighbour does not route 127.0.0.1 to the host: %s", got)
	}
}

// probe counts, in a table of the test's own that sees packets before any
// of berth's rules, the TCP packets for 127.0.0.1:port arriving from the
// neighbour.
func (n *neighbour) probe(t *testing.T, port int) func() int {
	t.Helper()
	_ = exec.Command("nft", "delete", "table", "inet", testProbeTable).Run()
	rules := fmt.Sprintf("table inet %s {\n\tchain pre {\n\t\ttype filter hook prerouting priority -400; policy accept;\n"+
		"\t\tiifname %q ip daddr 127.0.0.1 tcp dport %d counter\n\t}\n}\n", testProbeTable, n.hostIf, port)
	cmd := exec.Command("nft", "-f", "-")
	cmd.Stdin = strings.NewReader(rules)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nft: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("nft", "delete", "table", "inet", testProbeTable).Run() })
	re := regexp.MustCompile(`counter packets (\d+)`)
	return func() int {
		out := sh(t, "nft", "list", "table", "inet", testProbeTable)
		m := re.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no counter in the probe table:\n%s", out)
		}
		c, _ := strconv.Atoi(m[1])
		return c
	}
}

func TestPortsFromANeighbour(t *testing.T) {
	all, lo := freePort(t), freePort(t)
	runD(t, "nb-all", []string{"-p", fmt.Sprintf("%d:80", all)}, httpd("to-everyone")...)
	runD(t, "nb-lo", []string{"-p", fmt.Sprintf("127.0.0.1:%d:80", lo)}, httpd("host-only")...)
	waitHTTP(t, fmt.Sprintf("http://127.0.0.1:%d/", lo), "host-only")
	n := newNeighbour(t)

	// The port bound on every address answers through the host's veth
	// address; the loopback one does not exist there.
	allURL := fmt.Sprintf("http://%s:%d/", n.hostIP, all)
	poll(t, "the neighbour fetches "+allURL, func() (bool, string) {
		out, ok := n.fetch(allURL)
		return ok && out == "to-everyone\n", out
	})
	if out, ok := n.connects(n.hostIP, all); !ok {
		t.Fatalf("control: the request through nc does not get through to the port on every address:\n%s", out)
	}
	if out, ok := n.connects(n.hostIP, lo); ok {
		t.Fatalf("a port published on 127.0.0.1 answers on the host's veth address:\n%s", out)
	}

	// The neighbour sends 127.0.0.1 to the host: the packets arrive
	// (the probe counts them), and the port still does not answer.
	n.routeLoopbackToHost(t)
	arrived := n.probe(t, lo)
	if out, ok := n.connects("127.0.0.1", lo); ok {
		t.Fatalf("a port published on 127.0.0.1 is reachable from a neighbour that routes 127.0.0.1 to the host:\n%s", out)
	}
	if c := arrived(); c == 0 {
		t.Fatalf("control: the neighbour's packets for 127.0.0.1:%d never reached the host, so the check above proves nothing", lo)
	}
	// The same routes still carry the neighbour's other traffic.
	if out, ok := n.fetch(allURL); !ok || out != "to-everyone\n" {
		t.Fatalf("control: with loopback routed to the host, the neighbour lost the port on every address:\n%s", out)
	}
}
