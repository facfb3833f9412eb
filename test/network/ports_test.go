package network_test

import (
	"encoding/json"
	"fmt"
	"net"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// portLines are the lines of `berth port NAME`, sorted.
func portLines(t *testing.T, name string) []string {
	t.Helper()
	r := engine.MustBerth(t, "port", name)
	l := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
	sort.Strings(l)
	return l
}

// chosenPort reads the host port `berth port` reports for a container port
// bound on every address, as docker prints it: "80/tcp -> 0.0.0.0:PORT".
func chosenPort(t *testing.T, name, key string) int {
	t.Helper()
	l := portLines(t, name)
	re := regexp.MustCompile(`^` + regexp.QuoteMeta(key) + ` -> 0\.0\.0\.0:(\d+)$`)
	if len(l) != 1 || !re.MatchString(l[0]) {
		t.Fatalf("berth port %s: want one line %q, got %q", name, key+" -> 0.0.0.0:PORT", l)
	}
	p, _ := strconv.Atoi(re.FindStringSubmatch(l[0])[1])
	if p < 1024 || p > 65535 {
		t.Fatalf("berth port %s: chosen port %d", name, p)
	}
	return p
}

// psPorts is the PORTS column of `berth ps` for one container.
func psPorts(t *testing.T, name string) string {
	t.Helper()
	r := engine.MustBerth(t, "ps", "--format", "{{.Names}}|{{.Ports}}")
	for _, l := range strings.Split(r.Stdout, "\n") {
		if n, ports, ok := strings.Cut(l, "|"); ok && n == name {
			return ports
		}
	}
	t.Fatalf("%s not in ps:\n%s", name, r)
	return ""
}

type portBinding struct {
	HostIP   string `json:"HostIp"`
	HostPort string `json:"HostPort"`
}

// inspectPorts is NetworkSettings.Ports of `berth inspect`.
func inspectPorts(t *testing.T, name string) map[string][]portBinding {
	t.Helper()
	var ports map[string][]portBinding
	out := inspect(t, name, "{{json .NetworkSettings.Ports}}")
	if err := json.Unmarshal([]byte(out), &ports); err != nil {
		t.Fatalf("NetworkSettings.Ports of %s: %v: %s", name, err, out)
	}
	return ports
}

func TestPortsPublishedOnEveryAddress(t *testing.T) {
	addr := hostAddress(t)
	hp := freePort(t)
	runD(t, "pt-all", []string{"-p", fmt.Sprintf("%d:80", hp), "--expose", "81"}, httpd("all-addresses")...)
	waitHTTP(t, fmt.Sprintf("http://127.0.0.1:%d/", hp), "all-addresses")
	waitHTTP(t, fmt.Sprintf("http://%s:%d/", addr, hp), "all-addresses")

	if l := portLines(t, "pt-all"); strings.Join(l, ",") != fmt.Sprintf("80/tcp -> 0.0.0.0:%d", hp) {
		t.Errorf("berth port pt-all: %q", l)
	}
	if r := engine.MustBerth(t, "port", "pt-all", "80"); r.Stdout != fmt.Sprintf("0.0.0.0:%d\n", hp) {
		t.Errorf("berth port pt-all 80:\n%s", r)
	}
	if r := engine.MustBerth(t, "port", "pt-all", "80/tcp"); r.Stdout != fmt.Sprintf("0.0.0.0:%d\n", hp) {
		t.Errorf("berth port pt-all 80/tcp:\n%s", r)
	}
	// docker ps lists exposed-only ports first, then the mappings.
	if got, want := psPorts(t, "pt-all"), fmt.Sprintf("81/tcp, 0.0.0.0:%d->80/tcp", hp); got != want {
		t.Errorf("ps PORTS: want %q, got %q", want, got)
	}
	r := engine.MustBerth(t, "ps")
	if l := strings.Split(r.Stdout, "\n"); !strings.Contains(l[0], "   PORTS   ") ||
		!strings.Contains(r.Stdout, fmt.Sprintf("0.0.0.0:%d->80/tcp", hp)) {
		t.Errorf("ps lists the ports in its PORTS column:\n%s", r)
	}
	ports := inspectPorts(t, "pt-all")
	if b := ports["80/tcp"]; len(b) == 0 || b[0] != (portBinding{"0.0.0.0", strconv.Itoa(hp)}) {
		t.Errorf("NetworkSettings.Ports[80/tcp]: %+v", ports)
	}
	if b, ok := ports["81/tcp"]; !ok || b != nil {
		t.Errorf("an exposed, unpublished port is listed with null: %+v", ports)
	}
}

func TestPortsPublishedOnLoopbackOnly(t *testing.T) {
	addr := hostAddress(t)
	hp := freePort(t)
	runD(t, "pt-lo", []string{"-p", fmt.Sprintf("127.0.0.1:%d:80", hp)}, httpd("loopback-only")...)
	waitHTTP(t, fmt.Sprintf("http://127.0.0.1:%d/", hp), "loopback-only")
	refused(t, net.JoinHostPort(addr, strconv.Itoa(hp)))
	if l := portLines(t, "pt-lo"); strings.Join(l, ",") != fmt.Sprintf("80/tcp -> 127.0.0.1:%d", hp) {
		t.Errorf("berth port pt-lo: %q", l)
	}
	if got, want := psPorts(t, "pt-lo"), fmt.Sprintf("127.0.0.1:%d->80/tcp", hp); got != want {
		t.Errorf("ps PORTS: want %q, got %q", want, got)
	}
	if b := inspectPorts(t, "pt-lo")["80/tcp"]; len(b) != 1 || b[0] != (portBinding{"127.0.0.1", strconv.Itoa(hp)}) {
		t.Errorf("NetworkSettings.Ports[80/tcp]: %+v", b)
	}
}

func TestPortsChosenByTheEngine(t *testing.T) {
	runD(t, "pt-any", []string{"-p", "80"}, httpd("any-port")...)
	runD(t, "pt-all-exposed", []string{"-P", "--expose", "80"}, httpd("publish-all")...)
	p1 := chosenPort(t, "pt-any", "80/tcp")
	p2 := chosenPort(t, "pt-all-exposed", "80/tcp")
	if p1 == p2 {
		t.Fatalf("two containers got the same host port %d", p1)
	}
	waitHTTP(t, fmt.Sprintf("http://127.0.0.1:%d/", p1), "any-port")
	waitHTTP(t, fmt.Sprintf("http://127.0.0.1:%d/", p2), "publish-all")
	if got, want := psPorts(t, "pt-all-exposed"), fmt.Sprintf("0.0.0.0:%d->80/tcp", p2); got != want {
		t.Errorf("ps PORTS: want %q, got %q", want, got)
	}
	if b := inspectPorts(t, "pt-any")["80/tcp"]; len(b) != 1 || b[0] != (portBinding{"0.0.0.0", strconv.Itoa(p1)}) {
		t.Errorf("NetworkSettings.Ports[80/tcp]: %+v", b)
	}
}

func TestPortsUDP(t *testing.T) {
	hp := freePort(t)
	runD(t, "pt-udp", []string{"-p", fmt.Sprintf("%d:53/udp", hp)}, sleeper...)
	udpEcho(t, pidOf(t, "pt-udp"), 53)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(hp))
	poll(t, "UDP echo through "+addr, func() (bool, string) {
		got, err := udpAsk(addr, "hello")
		return got == "echo:hello", fmt.Sprintf("answer %q, error %v", got, err)
	})
	if l := portLines(t, "pt-udp"); strings.Join(l, ",") != fmt.Sprintf("53/udp -> 0.0.0.0:%d", hp) {
		t.Errorf("berth port pt-udp: %q", l)
	}
	if got, want := psPorts(t, "pt-udp"), fmt.Sprintf("0.0.0.0:%d->53/udp", hp); got != want {
		t.Errorf("ps PORTS: want %q, got %q", want, got)
	}
	// The TCP port of the same number is not published.
	refused(t, addr)
}

func TestPortsRange(t *testing.T) {
	a := freePorts(t, 2)
	b := a + 1
	runD(t, "pt-range", []string{"-p", fmt.Sprintf("%d-%d:80-81", a, b)}, httpd("eighty", "eighty-one")...)
	waitHTTP(t, fmt.Sprintf("http://127.0.0.1:%d/", a), "eighty")
	waitHTTP(t, fmt.Sprintf("http://127.0.0.1:%d/", b), "eighty-one")
	want := []string{fmt.Sprintf("80/tcp -> 0.0.0.0:%d", a), fmt.Sprintf("81/tcp -> 0.0.0.0:%d", b)}
	if l := portLines(t, "pt-range"); strings.Join(l, ",") != strings.Join(want, ",") {
		t.Errorf("berth port pt-range: want %q, got %q", want, l)
	}
	// docker groups a range only where host and container ports are equal.
	if got, want := psPorts(t, "pt-range"), fmt.Sprintf("0.0.0.0:%d->80/tcp, 0.0.0.0:%d->81/tcp", a, b); got != want {
		t.Errorf("ps PORTS: want %q, got %q", want, got)
	}
}
