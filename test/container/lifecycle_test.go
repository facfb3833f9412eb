package container_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/berth-project/berth/pkg/testutil"
)

// lcPollLimit bounds every wait of the lifecycle tests: generous, so that a
// slow machine passes, and a condition never reached still fails.
const lcPollLimit = 60 * time.Second

// lcPoll waits until cond holds; it fails with cond's last description of
// the state otherwise.
func lcPoll(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	testutil.Poll(t, what, lcPollLimit, cond)
}

// lcInspect reads one field of a container through `inspect --format`.
func lcInspect(t *testing.T, name, format string) string {
	t.Helper()
	r := engine.Berth(t, "inspect", "--format", format, name)
	if r.ExitCode != 0 {
		return "inspect failed: " + r.String()
	}
	return strings.TrimSpace(r.Stdout)
}

// lcStatus is the container's State.Status.
func lcStatus(t *testing.T, name string) string { return lcInspect(t, name, "{{.State.Status}}") }

// lcWaitStatus waits for the container to reach a state.
func lcWaitStatus(t *testing.T, name, want string) {
	t.Helper()
	lcPoll(t, name+" "+want, func() (bool, string) {
		got := lcStatus(t, name)
		return got == want, got
	})
}

// lcRunD starts a detached container named name with the run flags given
// and cmd, removes it at the end and returns its ID.
func lcRunD(t *testing.T, name string, flags []string, cmd ...string) string {
	t.Helper()
	img := loadBusybox(t)
	forceRemove(t, name)
	args := append(append([]string{"run", "-d", "--name", name}, flags...), img)
	r := engine.MustBerth(t, append(args, cmd...)...)
	return strings.TrimSpace(r.Stdout)
}

// lcTaskListed reports whether the engine still has a task for id.
func lcTaskListed(t *testing.T, id string) bool {
	t.Helper()
	r := engine.Ctr(t, "-n", "default", "tasks", "ls")
	return strings.Contains(r.Stdout, id)
}

// expectFail checks a failed command's exit code and its exact stderr.
func expectFail(t *testing.T, r testutil.Result, code int, stderr string) {
	t.Helper()
	if r.ExitCode != code || r.Stderr != stderr || r.Stdout != "" {
		t.Fatalf("want exit %d, empty stdout and stderr %q:\n%s", code, stderr, r)
	}
}

func TestLifecycleStopStartRestart(t *testing.T) {
	id := lcRunD(t, "lc-stop", nil, "sh", "-c", `trap "echo bye; exit 3" TERM; echo up; while true; do sleep 0.1; done`)
	lcWaitStatus(t, "lc-stop", "running")
	r := engine.MustBerth(t, "stop", "lc-stop")
	if r.Stdout != "lc-stop\n" {
		t.Fatalf("stop prints the name it was given:\n%s", r)
	}
	if st := lcInspect(t, "lc-stop", "{{.State.Status}} {{.State.ExitCode}}"); st != "exited 3" {
		t.Fatalf("after stop: %s", st)
	}
	if lcTaskListed(t, id) {
		t.Fatalf("stop must delete the task so that its shim exits")
	}
	if r := engine.MustBerth(t, "wait", "lc-stop"); r.Stdout != "3\n" {
		t.Fatalf("wait on a stopped container:\n%s", r)
	}
	// Stopping a stopped container is fine, as in Docker.
	engine.MustBerth(t, "stop", "lc-stop")

	r = engine.MustBerth(t, "start", "lc-stop")
	if r.Stdout != "lc-stop\n" {
		t.Fatalf("start prints the name:\n%s", r)
	}
	lcWaitStatus(t, "lc-stop", "running")
	pid := lcInspect(t, "lc-stop", "{{.State.Pid}}")
	engine.MustBerth(t, "restart", "-t", "5", "lc-stop")
	lcWaitStatus(t, "lc-stop", "running")
	if again := lcInspect(t, "lc-stop", "{{.State.Pid}}"); again == pid {
		t.Fatalf("restart must run a new process, pid still %s", pid)
	}
	logs := engine.MustBerth(t, "logs", "lc-stop").Stdout
	if strings.Count(logs, "up\n") != 3 || strings.Count(logs, "bye\n") != 2 {
		t.Fatalf("the logs must keep all three runs:\n%s", logs)
	}
}

func TestLifecycleStopTimeoutAndSignal(t *testing.T) {
	// sleep as PID 1 ignores SIGTERM: stop must fall back to SIGKILL.
	lcRunD(t, "lc-stubborn", nil, "sleep", "1000")
	lcWaitStatus(t, "lc-stubborn", "running")
	began := time.Now()
	engine.MustBerth(t, "stop", "-t", "1", "lc-stubborn")
	if took := time.Since(began); took < time.Second {
		t.Fatalf("stop -t 1 must wait a second before SIGKILL, took %s", took)
	}
	if st := lcInspect(t, "lc-stubborn", "{{.State.Status}} {{.State.ExitCode}}"); st != "exited 137" {
		t.Fatalf("after SIGKILL: %s", st)
	}
	// --stop-signal is the container's own stop signal; -s overrides it.
	lcRunD(t, "lc-usr1", []string{"--stop-signal", "USR1"}, "sh", "-c", `trap "exit 5" USR1; trap "exit 6" HUP; while true; do sleep 0.1; done`)
	lcWaitStatus(t, "lc-usr1", "running")
	engine.MustBerth(t, "stop", "lc-usr1")
	if code := lcInspect(t, "lc-usr1", "{{.State.ExitCode}}"); code != "5" {
		t.Fatalf("stop must send the container's stop signal: exit %s", code)
	}
	engine.MustBerth(t, "start", "lc-usr1")
	lcWaitStatus(t, "lc-usr1", "running")
	engine.MustBerth(t, "stop", "-s", "HUP", "lc-usr1")
	if code := lcInspect(t, "lc-usr1", "{{.State.ExitCode}}"); code != "6" {
		t.Fatalf("stop -s HUP: exit %s", code)
	}
}

func TestLifecycleStartAttached(t *testing.T) {
	img := loadBusybox(t)
	forceRemove(t, "lc-attached")
	engine.MustBerth(t, "create", "--name", "lc-attached", img, "sh", "-c", "echo out; echo err >&2; exit 4")
	for i := 0; i < 2; i++ {
		r := engine.Berth(t, "start", "-a", "lc-attached")
		// Each start shows its own run's output only.
		if r.ExitCode != 4 || r.Stdout != "out\n" || r.Stderr != "err\n" {
			t.Fatalf("start -a, round %d: want exit 4 with separate streams:\n%s", i, r)
		}
	}
	if r := engine.MustBerth(t, "wait", "lc-attached"); r.Stdout != "4\n" {
		t.Fatalf("wait:\n%s", r)
	}
	r := engine.Berth(t, "start", "-a", "lc-attached", "lc-other")
	expectFail(t, r, 125, "berth: you cannot start and attach multiple containers at once\n")
}

func TestLifecycleKillPauseWait(t *testing.T) {
	id := lcRunD(t, "lc-kill", nil, "sh", "-c", `trap "echo got-usr1" USR1; while true; do sleep 0.1; done`)
	lcWaitStatus(t, "lc-kill", "running")
	engine.MustBerth(t, "kill", "-s", "USR1", "lc-kill")
	lcPoll(t, "the USR1 trap", func() (bool, string) {
		logs := engine.Berth(t, "logs", "lc-kill").Stdout
		return strings.Contains(logs, "got-usr1"), logs
	})
	if st := lcStatus(t, "lc-kill"); st != "running" {
		t.Fatalf("a trapped signal leaves it running: %s", st)
	}

	engine.MustBerth(t, "pause", "lc-kill")
	if st := lcStatus(t, "lc-kill"); st != "paused" {
		t.Fatalf("after pause: %s", st)
	}
	expectFail(t, engine.Berth(t, "pause", "lc-kill"), 125, "berth: container "+id+" is already paused\n")
	engine.MustBerth(t, "unpause", "lc-kill")
	if st := lcStatus(t, "lc-kill"); st != "running" {
		t.Fatalf("after unpause: %s", st)
	}
	expectFail(t, engine.Berth(t, "unpause", "lc-kill"), 125, "berth: container "+id+" is not paused\n")

	// wait blocks until the container stops, and prints its status.
	waiter := engine.Cmd("wait", "lc-kill")
	out := &strings.Builder{}
	waiter.Stdout = out
	if err := waiter.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	engine.MustBerth(t, "kill", "lc-kill")
	if err := waiter.Wait(); err != nil || out.String() != "137\n" {
		t.Fatalf("wait on a killed container: %v, %q", err, out.String())
	}
	if st := lcInspect(t, "lc-kill", "{{.State.Status}} {{.State.ExitCode}}"); st != "exited 137" {
		t.Fatalf("after kill: %s", st)
	}
	expectFail(t, engine.Berth(t, "kill", "lc-kill"), 125,
		"berth: cannot kill container: lc-kill: container "+id+" is not running\n")
	expectFail(t, engine.Berth(t, "pause", "lc-kill"), 125, "berth: container "+id+" is not running\n")
	// A container that never ran waits for nothing.
	forceRemove(t, "lc-created")
	engine.MustBerth(t, "create", "--name", "lc-created", loadBusybox(t), "true")
	if r := engine.MustBerth(t, "wait", "lc-created"); r.Stdout != "0\n" {
		t.Fatalf("wait on a created container:\n%s", r)
	}
}

func TestLifecycleUnknownContainerChangesNothing(t *testing.T) {
	before := containerIDs(t)
	for _, verb := range [][]string{{"stop"}, {"kill"}, {"start"}, {"restart"}, {"pause"}, {"unpause"}, {"wait"}, {"update", "--memory", "64m"}} {
		r := engine.Berth(t, append(verb, "lc-nosuch")...)
		expectFail(t, r, 125, "berth: No such container: lc-nosuch\n")
	}
	expectFail(t, engine.Berth(t, "kill", "-s", "BOGUS", "lc-nosuch"), 125, "berth: invalid signal: BOGUS\n")
	expectFail(t, engine.Berth(t, "stop", "-s", "BOGUS", "lc-nosuch"), 125, "berth: invalid signal: BOGUS\n")
	if after := containerIDs(t); strings.Join(after, " ") != strings.Join(before, " ") {
		t.Fatalf("containers changed: before %v, after %v", before, after)
	}
}

// lcDescribe is the state of several containers, for failure messages.
func lcDescribe(t *testing.T, names ...string) string {
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%s: %s\n", n, lcInspect(t, n, "{{.State.Status}} pid={{.State.Pid}} restarts={{.RestartCount}} exit={{.State.ExitCode}}"))
	}
	return b.String()
}
