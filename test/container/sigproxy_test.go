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

// Ctrl-C at any moment of an attached `run --rm`, even while the container
// is still being created, ends the run: it is never lost between the CLI's
// start and the container's, and nothing is left behind.
func TestRunInterruptedEarly(t *testing.T) {
	img := loadBusybox(t)
	forceRemove(t, "sigearly")
	for round, delay := range []time.Duration{0, 10, 20, 40, 60, 80, 100, 150, 200, 300} {
		cmd := engine.Cmd("run", "--rm", "--name", "sigearly", img, "sh", "-c",
			`trap "exit 42" INT; while true; do sleep 0.1; done`)
		out := &lockedBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var err error
		select {
		case err = <-done:
		case <-time.After(time.Minute):
			// Not a speed limit: a run that ignored the signal would wait
			// for ever.
			_ = cmd.Process.Kill()
			<-done
			t.Fatalf("round %d (SIGINT after %d ms): the run ignored it; output %q", round, delay, out.String())
		}
		var ee *exec.ExitError
		if err == nil || !errors.As(err, &ee) {
			t.Fatalf("round %d (SIGINT after %d ms): want a non-zero exit, got %v; output %q", round, delay, err, out.String())
		}
		if got := engine.MustBerth(t, "ps", "-a", "--filter", "name=sigearly", "--format", "{{.Names}}").Stdout; got != "" {
			t.Fatalf("round %d (SIGINT after %d ms, exit %d): left %q behind; output %q", round, delay, ee.ExitCode(), got, out.String())
		}
		t.Logf("SIGINT after %d ms: exit %d %q", delay, ee.ExitCode(), out.String())
	}
}
