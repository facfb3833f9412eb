package network_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// What the tests create on the host carries these names, so that the
// leftovers check can find them.
const (
	testLinkPrefix = "bt-"
	testNetns      = "bt-peer"
	testProbeTable = "bt_probe"
)

// sh runs a host command and fails the test unless it succeeds.
func sh(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// usedPorts are the host ports handed out in this run: a port published by
// a container still looks free to the kernel, as nothing listens on it.
var usedPorts = map[int]bool{}

// freePorts returns n consecutive host ports that nothing listens on, for
// TCP and UDP on every address.
func freePorts(t *testing.T, n int) int {
	t.Helper()
	for try := 0; try < 1000; try++ {
		l, err := net.Listen("tcp", ":0")
		if err != nil {
			t.Fatal(err)
		}
		first := l.Addr().(*net.TCPAddr).Port
		l.Close()
		ok := first+n <= 65535
		for p := first; ok && p < first+n; p++ {
			ok = !usedPorts[p] && bindable(p)
		}
		if ok {
			for p := first; p < first+n; p++ {
				usedPorts[p] = true
			}
			return first
		}
	}
	t.Fatalf("no %d free consecutive ports", n)
	return 0
}

func freePort(t *testing.T) int { t.Helper(); return freePorts(t, 1) }

func bindable(port int) bool {
	l, err := net.Listen("tcp", ":"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	l.Close()
	u, err := net.ListenPacket("udp", ":"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	u.Close()
	return true
}

// hostLink creates a link of its own in the host's namespace for the rest
// of the test: one end of a veth pair whose other end stays beside it
// (kernels without the dummy driver have veth, which berth needs anyway).
func hostLink(t *testing.T, name string) {
	t.Helper()
	_ = exec.Command("ip", "link", "del", name).Run()
	sh(t, "ip", "link", "add", name, "type", "veth", "peer", "name", name+"p")
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", name).Run() })
	sh(t, "ip", "link", "set", name+"p", "up")
	sh(t, "ip", "link", "set", name, "up")
}

// hostAddress gives the host an address of its own beside loopback, on a
// link the test removes: traffic to it stays on this machine.
func hostAddress(t *testing.T) string {
	t.Helper()
	const link, addr = testLinkPrefix + "addr", "10.252.0.1"
	hostLink(t, link)
	sh(t, "ip", "addr", "add", addr+"/32", "dev", link)
	return addr
}

// httpGet fetches url once. The client's timeout bounds one attempt only:
// callers that expect an answer retry through poll.
func httpGet(url string) (string, error) {
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return strings.TrimSpace(string(body)), err
}

// waitHTTP waits until url answers with body want.
func waitHTTP(t *testing.T, url, want string) {
	t.Helper()
	poll(t, "GET "+url, func() (bool, string) {
		body, err := httpGet(url)
		return err == nil && body == want, fmt.Sprintf("body %q, error %v", body, err)
	})
}

// refused checks that a TCP connection to addr is refused: nothing listens
// there and nothing forwards it. The answer is immediate (a reset).
func refused(t *testing.T, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err == nil {
		c.Close()
		t.Fatalf("%s accepted a connection; it must not be reachable", addr)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("%s: want connection refused, got %v", addr, err)
	}
}

// holdPort listens on a host port for the rest of the test, as a program
// on the host would.
func holdPort(t *testing.T, addr string) {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
}

// inNetns runs fn on a thread in the network namespace at nsPath, for the
// sockets fn creates to live there. The thread is given up afterwards when
// it cannot be brought back to the host's namespace.
func inNetns(t *testing.T, nsPath string, fn func() error) {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		self, err := os.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()))
		if err != nil {
			errc <- err
			return
		}
		defer self.Close()
		target, err := os.Open(nsPath)
		if err != nil {
			errc <- err
			return
		}
		defer target.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns %s: %w", nsPath, err)
			return
		}
		ferr := fn()
		if err := unix.Setns(int(self.Fd()), unix.CLONE_NEWNET); err == nil {
			runtime.UnlockOSThread()
		}
		errc <- ferr
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// udpEcho serves a UDP echo on port in the network namespace of the
// container's process pid, until the end of the test. Debian's busybox nc
// has no UDP mode, so the server is the test's own socket, opened inside
// the container's namespace.
func udpEcho(t *testing.T, pid, port int) {
	t.Helper()
	var conn net.PacketConn
	inNetns(t, fmt.Sprintf("/proc/%d/ns/net", pid), func() error {
		var err error
		conn, err = net.ListenPacket("udp4", ":"+strconv.Itoa(port))
		return err
	})
	t.Cleanup(func() { conn.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := conn.ReadFrom(buf)
			if err != nil {
				return
			}
			_, _ = conn.WriteTo(append([]byte("echo:"), buf[:n]...), from)
		}
	}()
}

// udpAsk sends msg to addr and returns the answer; one attempt, bounded
// for the retries of poll.
func udpAsk(addr, msg string) (string, error) {
	c, err := net.Dial("udp", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if _, err := c.Write([]byte(msg)); err != nil {
		return "", err
	}
	_ = c.SetReadDeadline(time.Now().Add(time.Second))
	buf := make([]byte, 1500)
	n, err := c.Read(buf)
	return string(buf[:n]), err
}
