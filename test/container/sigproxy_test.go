package container_test

import (
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/berth-project/berth/pkg/testutil"
)

// Ctrl-C in an attached run reaches the container (--sig-proxy).
func TestAttachedRunForwardsSignals(t *testing.T) {
	img := loadBusybox(t)
	forceRemove(t, "sigproxy")
	cmd, out := startUntilReady(t, "run", "--rm", "--name", "sigproxy", img, "sh", "-c",
		`trap "echo got-int; exit 42" INT; echo ready; while true; do sleep 0.1; done`)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 42 || !strings.Contains(out.String(), "got-int") {
		t.Fatalf("want the container's trap to run and exit 42, got %v, output %q", err, out.String())
	}
}

// An attached `run --rm` whose CLI is killed leaves nothing behind once the
// container exits: the engine removes it, as Docker's engine does, and
// frees its name. While the CLI lives, the container stays the CLI's.
func TestRunRmOutlivedByContainer(t *testing.T) {
	img := loadBusybox(t)
	forceRemove(t, "orphan-rm")
	cmd, _ := startUntilReady(t, "run", "--rm", "--name", "orphan-rm", "--log-driver", "none", img, "sh", "-c",
		"echo ready; sleep 2")
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	// The CLI is gone; the container runs on until its sleep ends.
	if got := engine.MustBerth(t, "ps", "-a", "--filter", "name=orphan-rm", "--format", "{{.Names}}").Stdout; got != "orphan-rm\n" {
		t.Fatalf("right after the CLI died: ps -a = %q, want the container still there", got)
	}
	testutil.Poll(t, "the engine to remove the container", time.Minute, func() (bool, string) {
		out := engine.MustBerth(t, "ps", "-a", "--filter", "name=orphan-rm").Stdout
		return !strings.Contains(out, "orphan-rm"), out
	})
	// The name is free again.
	engine.MustBerth(t, "run", "--rm", "--name", "orphan-rm", img, "true")
}

// startUntilReady starts berth with args and waits until the container has
// printed "ready" on the stdout it returns.
func startUntilReady(t *testing.T, args ...string) (*exec.Cmd, *lockedBuffer) {
	t.Helper()
	cmd := engine.Cmd(args...)
	out := &lockedBuffer{}
	cmd.Stdout = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 500 && !strings.Contains(out.String(), "ready"); i++ {
		time.Sleep(20 * time.Millisecond)
	}
	return cmd, out
}
