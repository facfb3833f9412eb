package container_test

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestAttachedRunKeepsLogs(t *testing.T) {
	img := loadBusybox(t)
	forceRemove(t, "attachedlogs")
	r := engine.Berth(t, "run", "--name", "attachedlogs", img, "sh", "-c", "echo to-out; echo to-err >&2")
	if r.ExitCode != 0 || r.Stdout != "to-out\n" || r.Stderr != "to-err\n" {
		t.Fatalf("attached run:\n%s", r)
	}
	r = engine.MustBerth(t, "logs", "attachedlogs")
	if r.Stdout != "to-out\n" || r.Stderr != "to-err\n" {
		t.Fatalf("logs of an attached run must keep both streams apart:\n%s", r)
	}
}

func TestNameChurnNeverLeavesANameHeldByNothing(t *testing.T) {
	img := loadBusybox(t)
	forceRemove(t, "churn")
	before := containerIDs(t)
	for i := 0; i < 50; i++ {
		if r := engine.Berth(t, "rm", "-f", "churn"); r.ExitCode != 0 {
			t.Fatalf("round %d:\n%s", i, r)
		}
		r := engine.Berth(t, "run", "-d", "--name", "churn", "--restart", "always", img, "sleep", "300")
		if r.ExitCode != 0 {
			t.Fatalf("round %d:\n%s", i, r)
		}
	}
	engine.MustBerth(t, "rm", "-f", "churn")
	if ids := newContainers(t, before); len(ids) != 0 {
		t.Fatalf("the churn left containers behind: %v", ids)
	}
}

func TestEngineKilledWhileContainersRun(t *testing.T) {
	img := loadBusybox(t)
	forceRemove(t, "survivor")
	engine.MustBerth(t, "run", "-d", "--name", "survivor", img, "sh", "-c", "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done")
	pid := enginePID(t)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitGone(t, pid)
	time.Sleep(500 * time.Millisecond)
	// The next command starts the engine again.
	r := engine.MustBerth(t, "ps", "--format", "{{.Names}} {{.State}}")
	if !strings.Contains(r.Stdout, "survivor running") {
		t.Fatalf("ps after the engine came back:\n%s", r)
	}
	first := lastTick(t)
	time.Sleep(time.Second)
	if second := lastTick(t); second <= first {
		t.Fatalf("logs stopped flowing after the engine restart: %d then %d", first, second)
	}
}

func enginePID(t *testing.T) int {
	t.Helper()
	r := engine.MustBerth(t, "daemon", "status", "--format", "{{.Pid}}")
	pid, err := strconv.Atoi(strings.TrimSpace(r.Stdout))
	if err != nil || pid == 0 {
		t.Fatalf("engine pid: %q", r.Stdout)
	}
	return pid
}

func waitGone(t *testing.T, pid int) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err != nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("process %d did not exit", pid)
}

func lastTick(t *testing.T) int {
	t.Helper()
	r := engine.MustBerth(t, "logs", "--tail", "1", "survivor")
	n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(r.Stdout), "tick "))
	if err != nil {
		t.Fatalf("last log line %q", r.Stdout)
	}
	return n
}

func TestDetachedRmIsRemovedByTheEngine(t *testing.T) {
	img := loadBusybox(t)
	forceRemove(t, "detachedrm")
	before := len(containerIDs(t))
	engine.MustBerth(t, "run", "-d", "--rm", "--name", "detachedrm", img, "sh", "-c", "sleep 0.3")
	for i := 0; i < 300; i++ {
		if len(containerIDs(t)) == before {
			// The name is free again.
			engine.MustBerth(t, "create", "--name", "detachedrm", img, "true")
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("a detached --rm container was not removed after it exited: %v", containerIDs(t))
}
