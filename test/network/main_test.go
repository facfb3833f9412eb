// Package network_test runs berth's networking as a user meets it: the built
// binary against a real engine, containers made from the host's
// busybox-static, and checks from the host, from the containers and from a
// second network namespace. The tests share the host's network state
// (bridges, nftables, namespaces), so none runs in parallel, and each removes
// what it created, also when it fails.
package network_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/berth-project/berth/pkg/testutil"
)

var engine *testutil.Engine

func TestMain(m *testing.M) { os.Exit(testutil.Main(m, &engine)) }

// pollLimit bounds every wait: generous, so that a slow machine passes, and
// a condition never reached still fails.
const pollLimit = 30 * time.Second

// poll waits until cond holds; it fails with cond's last description of the
// state otherwise.
func poll(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	testutil.Poll(t, what, pollLimit, cond)
}

// image is the busybox test image, loaded once.
func image(t *testing.T) string {
	t.Helper()
	return engine.LoadBusybox(t)
}

// forceRemove removes containers at the end of the test, whatever happened.
func forceRemove(t *testing.T, names ...string) {
	t.Helper()
	t.Cleanup(func() {
		engine.Berth(t, append([]string{"rm", "-f"}, names...)...)
	})
}

// runD starts a detached container with the run flags given; it is removed
// at the end of the test. It returns the container's ID.
func runD(t *testing.T, name string, flags []string, cmd ...string) string {
	t.Helper()
	forceRemove(t, name)
	args := append(append([]string{"run", "-d", "--name", name}, flags...), image(t))
	r := engine.MustBerth(t, append(args, cmd...)...)
	return strings.TrimSpace(r.Stdout)
}

// sleeper is a command that runs until stopped and exits at once on SIGTERM
// (a shell as PID 1 ignores signals it has no trap for).
var sleeper = []string{"sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"}

// httpd serves body at / on the container's port 80 (and 81 with body81,
// when given).
func httpd(body string, body81 ...string) []string {
	script := fmt.Sprintf("mkdir -p /www && echo %s > /www/index.html", body)
	if len(body81) > 0 {
		script += fmt.Sprintf(" && mkdir -p /www81 && echo %s > /www81/index.html && httpd -p 81 -h /www81", body81[0])
	}
	return []string{"sh", "-c", script + " && exec httpd -f -p 80 -h /www"}
}

// inspect reads one field of a container through `inspect --format`.
func inspect(t *testing.T, name, format string) string {
	t.Helper()
	r := engine.MustBerth(t, "inspect", "--format", format, name)
	return strings.TrimSpace(r.Stdout)
}

// ipOn is the container's IPv4 address on network.
func ipOn(t *testing.T, name, network string) string {
	t.Helper()
	return inspect(t, name, fmt.Sprintf(`{{with index .NetworkSettings.Networks %q}}{{.IPAddress}}{{end}}`, network))
}

// pidOf is the host pid of the container's process.
func pidOf(t *testing.T, name string) int {
	t.Helper()
	var pid int
	if _, err := fmt.Sscan(inspect(t, name, "{{.State.Pid}}"), &pid); err != nil || pid <= 0 {
		t.Fatalf("pid of %s: %q", name, inspect(t, name, "{{.State.Pid}}"))
	}
	return pid
}

// execIn runs a command in a running container.
func execIn(t *testing.T, name string, cmd ...string) testutil.Result {
	t.Helper()
	return engine.Berth(t, append([]string{"exec", name}, cmd...)...)
}

// waitRunning waits until the container runs.
func waitRunning(t *testing.T, name string) {
	t.Helper()
	poll(t, name+" running", func() (bool, string) {
		r := engine.Berth(t, "inspect", "--format", "{{.State.Status}}", name)
		return strings.TrimSpace(r.Stdout) == "running", r.String()
	})
}

// netCreate creates a user network with `network create` and removes it at
// the end of the test (after the containers created later, as cleanups run
// last first).
func netCreate(t *testing.T, name string, flags ...string) {
	t.Helper()
	args := append(append([]string{"network", "create"}, flags...), name)
	r := engine.MustBerth(t, args...)
	if id := strings.TrimSpace(r.Stdout); len(id) != 64 {
		t.Fatalf("network create prints the network's ID:\n%s", r)
	}
	t.Cleanup(func() {
		if r := engine.Berth(t, "network", "rm", name); r.ExitCode != 0 {
			t.Errorf("removing network %s:\n%s", name, r)
		}
	})
}

// failsWith checks that a command failed with a one-line message on stderr
// that contains each of want.
func failsWith(t *testing.T, r testutil.Result, want ...string) {
	t.Helper()
	if r.ExitCode == 0 {
		t.Fatalf("want a failure:\n%s", r)
	}
	if strings.Count(r.Stderr, "\n") != 1 || !strings.HasSuffix(r.Stderr, "\n") {
		t.Errorf("want a one-line message:\n%s", r)
	}
	for _, w := range want {
		if !strings.Contains(r.Stderr, w) {
			t.Errorf("the message must say %q:\n%s", w, r)
		}
	}
}
