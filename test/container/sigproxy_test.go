package container_test

import (
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Ctrl-C in an attached run reaches the container (--sig-proxy).
func TestAttachedRunForwardsSignals(t *testing.T) {
	img := loadBusybox(t)
	forceRemove(t, "sigproxy")
	cmd := engine.Cmd("run", "--rm", "--name", "sigproxy", img, "sh", "-c",
		`trap "echo got-int; exit 42" INT; echo ready; while true; do sleep 0.1; done`)
	out := &lockedBuffer{}
	cmd.Stdout = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 500 && !strings.Contains(out.String(), "ready"); i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 42 || !strings.Contains(out.String(), "got-int") {
		t.Fatalf("want the container's trap to run and exit 42, got %v, output %q", err, out.String())
	}
}
