// Package logging_test runs containers with the built berth against a real
// engine and checks what `logs` shows of them: the logger binary
// (libexec/berth/berth-logger) that containerd's shim starts for each
// container, and the reader behind `logs`.
package logging_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/berth-project/berth/pkg/testutil"
)

var engine *testutil.Engine

func TestMain(m *testing.M) { os.Exit(testutil.Main(m, &engine)) }

// loadBusybox makes sure the busybox test image is in the engine.
func loadBusybox(t *testing.T) string { return engine.LoadBusybox(t) }

// runDetached starts a named container and removes it when the test ends.
func runDetached(t *testing.T, name string, args ...string) string {
	t.Helper()
	t.Cleanup(func() { engine.Berth(t, "rm", "-f", name) })
	r := engine.MustBerth(t, append([]string{"run", "-d", "--name", name}, args...)...)
	return strings.TrimSpace(r.Stdout)
}

// waitExit waits for the container to exit and checks its status.
func waitExit(t *testing.T, name string, code int) {
	t.Helper()
	r := engine.MustBerth(t, "wait", name)
	if strings.TrimSpace(r.Stdout) != strconv.Itoa(code) {
		t.Fatalf("container %s exited with %q, want %d", name, r.Stdout, code)
	}
}

// processOf finds the process whose executable has the given base name and
// whose environment names the container: how the shim starts the logger.
func processOf(t *testing.T, exe, id string) int {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		procs, _ := filepath.Glob("/proc/[0-9]*")
		for _, p := range procs {
			link, err := os.Readlink(p + "/exe")
			if err != nil || filepath.Base(link) != exe {
				continue
			}
			env, _ := os.ReadFile(p + "/environ")
			cmdline, _ := os.ReadFile(p + "/cmdline")
			if strings.Contains(string(env), "CONTAINER_ID="+id) || strings.Contains(string(cmdline), id) {
				pid, _ := strconv.Atoi(filepath.Base(p))
				return pid
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no %s process for container %s", exe, id)
	return 0
}

// rssKiB is a process's resident set size.
func rssKiB(t *testing.T, pid int) int {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	t.Fatalf("no VmRSS for %d", pid)
	return 0
}
