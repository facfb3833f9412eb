package container_test

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/berth-project/berth/pkg/testutil"
)

// monitorQuiet is long enough for the restart monitor (1 s interval in
// berth's engine) to have acted more than twice: what it has not done by
// then, it will not do.
const monitorQuiet = 3 * time.Second

// rsCount is the container's RestartCount.
func rsCount(t *testing.T, name string) int {
	t.Helper()
	n, err := strconv.Atoi(lcInspect(t, name, "{{.RestartCount}}"))
	if err != nil {
		return -1
	}
	return n
}

// rsStays checks that the containers keep their state and restart count
// while the monitor has time to act. It first lets a start the monitor
// decided on before a stop come and be undone (see the engine's restart
// guard): a moment of "running" is the price of containerd's monitor.
func rsStays(t *testing.T, names ...string) {
	t.Helper()
	time.Sleep(monitorQuiet)
	before := lcDescribe(t, names...)
	time.Sleep(monitorQuiet)
	if after := lcDescribe(t, names...); after != before {
		t.Fatalf("the state changed:\nbefore:\n%safter:\n%s", before, after)
	}
}

func TestRestartAlwaysComesBackButStopHolds(t *testing.T) {
	for _, policy := range []string{"always", "unless-stopped"} {
		name := "rs-" + policy
		lcRunD(t, name, []string{"--restart", policy}, "sh", "-c", "echo run; sleep 0.3; exit 1")
		lcPoll(t, name+" restarted twice", func() (bool, string) {
			return rsCount(t, name) >= 2, lcDescribe(t, name)
		})
		if p := lcInspect(t, name, "{{.HostConfig.RestartPolicy.Name}}"); p != policy {
			t.Fatalf("policy in inspect: %s", p)
		}
		engine.MustBerth(t, "stop", "-t", "1", name)
		if st := lcStatus(t, name); st != "exited" {
			t.Fatalf("%s after stop: %s", name, st)
		}
		rsStays(t, name)
		if st := lcInspect(t, name, "{{.State.Status}} {{.State.ExitCode}}"); st != "exited 1" && st != "exited 137" {
			t.Fatalf("%s must stay stopped with its last exit: %s", name, st)
		}
		// start puts it back under its policy.
		count := rsCount(t, name)
		engine.MustBerth(t, "start", name)
		lcPoll(t, name+" restarting again after start", func() (bool, string) {
			return rsCount(t, name) > count, lcDescribe(t, name)
		})
	}
}

func TestRestartOnFailureStopsAfterMaxRetries(t *testing.T) {
	lcRunD(t, "rs-onfail", []string{"--restart", "on-failure:2"}, "sh", "-c", "sleep 0.2; exit 3")
	lcRunD(t, "rs-onfail-ok", []string{"--restart", "on-failure"}, "sh", "-c", "sleep 0.2; exit 0")
	lcPoll(t, "two retries, then exited", func() (bool, string) {
		d := lcDescribe(t, "rs-onfail")
		return strings.Contains(d, "exited") && strings.Contains(d, "restarts=2 exit=3"), d
	})
	lcWaitStatus(t, "rs-onfail-ok", "exited")
	rsStays(t, "rs-onfail", "rs-onfail-ok")
	if n := rsCount(t, "rs-onfail-ok"); n != 0 {
		t.Fatalf("a successful exit is not a failure: %d restarts", n)
	}
}

func TestRestartPolicyUpdate(t *testing.T) {
	lcRunD(t, "rs-update", nil, "sh", "-c", "sleep 0.5; exit 1")
	engine.MustBerth(t, "update", "--restart", "always", "rs-update")
	lcPoll(t, "restarts under the updated policy", func() (bool, string) {
		return rsCount(t, "rs-update") >= 1, lcDescribe(t, "rs-update")
	})
	engine.MustBerth(t, "update", "--restart", "no", "rs-update")
	lcWaitStatus(t, "rs-update", "exited")
	rsStays(t, "rs-update")
	expectFail(t, engine.Berth(t, "update", "--restart", "sometimes", "rs-update"), 125,
		"berth: invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'\n")
}

// rsEnginePID is the pid of the running test engine.
func rsEnginePID(t *testing.T) int {
	t.Helper()
	r := engine.MustBerth(t, "daemon", "status", "--format", "{{.Pid}}")
	pid, err := strconv.Atoi(strings.TrimSpace(r.Stdout))
	if err != nil || pid <= 0 {
		t.Fatalf("engine pid:\n%s", r)
	}
	return pid
}

// rsScenario creates one container of each kind the engine must bring back
// (or not) after a crash; it returns the names by expected state.
func rsScenario(t *testing.T, prefix string) (running, exited, created []string) {
	t.Helper()
	for _, p := range []string{"always", "unless-stopped"} {
		lcRunD(t, prefix+p, []string{"--restart", p}, "sh", "-c", "echo boot; exec sleep 1000")
		lcRunD(t, prefix+p+"-stopped", []string{"--restart", p}, "sleep", "1000")
		engine.MustBerth(t, "stop", "-t", "0", prefix+p+"-stopped")
		running = append(running, prefix+p)
		exited = append(exited, prefix+p+"-stopped")
	}
	forceRemove(t, prefix+"created")
	engine.MustBerth(t, "create", "--restart", "always", "--name", prefix+"created", loadBusybox(t), "sleep", "1000")
	created = append(created, prefix+"created")
	for _, n := range running {
		lcWaitStatus(t, n, "running")
	}
	return running, exited, created
}

func rsExpect(t *testing.T, running, exited, created []string) {
	t.Helper()
	for _, n := range running {
		lcWaitStatus(t, n, "running")
	}
	time.Sleep(monitorQuiet)
	for want, names := range map[string][]string{"running": running, "exited": exited, "created": created} {
		for _, n := range names {
			if st := lcStatus(t, n); st != want {
				t.Errorf("%s: %s, want %s\n%s", n, st, want, lcDescribe(t, append(append(running, exited...), created...)...))
			}
		}
	}
}

func TestRestartAfterEngineKilled(t *testing.T) {
	running, exited, created := rsScenario(t, "rs-k-")
	// One more that dies while the engine is down: the monitor starts it
	// again once the engine is back.
	lcRunD(t, "rs-k-dies", []string{"--restart", "always"}, "sleep", "1000")
	lcWaitStatus(t, "rs-k-dies", "running")
	diesPid, _ := strconv.Atoi(lcInspect(t, "rs-k-dies", "{{.State.Pid}}"))
	pids := map[string]string{}
	for _, n := range running {
		pids[n] = lcInspect(t, n, "{{.State.Pid}}")
	}
	testutil.KillAndWait(t, rsEnginePID(t))
	testutil.KillAndWait(t, diesPid)
	// Any command starts the engine again.
	engine.MustBerth(t, "ps", "-a")
	rsExpect(t, append(running, "rs-k-dies"), exited, created)
	for _, n := range running {
		if pid := lcInspect(t, n, "{{.State.Pid}}"); pid != pids[n] {
			t.Errorf("%s kept running through the engine's crash: pid %s, was %s", n, pid, pids[n])
		}
	}
	if pid := lcInspect(t, "rs-k-dies", "{{.State.Pid}}"); pid == strconv.Itoa(diesPid) {
		t.Errorf("rs-k-dies must run a new process")
	}
}

func TestRestartAfterSimulatedReboot(t *testing.T) {
	running, exited, created := rsScenario(t, "rs-b-")
	var pids []int
	for _, n := range running {
		pid, _ := strconv.Atoi(lcInspect(t, n, "{{.State.Pid}}"))
		pids = append(pids, pid)
	}
	// A reboot: the engine, the shims, the loggers and the containers die,
	// mounts go away and the run dir (a tmpfs) is empty again.
	testutil.KillAndWait(t, rsEnginePID(t))
	for _, pid := range append(pids, rsProcessesUnder(t, engine.Dir)...) {
		testutil.KillAndWait(t, pid)
	}
	rsUnmountUnder(engine.RunDir)
	if err := os.RemoveAll(engine.RunDir); err != nil {
		t.Fatal(err)
	}
	engine.MustBerth(t, "ps", "-a")
	rsExpect(t, running, exited, created)
	for _, n := range running {
		lcPoll(t, n+" logs its new run", func() (bool, string) {
			logs := engine.Berth(t, "logs", n).Stdout
			return strings.Count(logs, "boot\n") == 2, logs
		})
	}
}

// rsProcessesUnder lists the processes whose command line names dir: the
// engine's shims and loggers.
func rsProcessesUnder(t *testing.T, dir string) []int {
	t.Helper()
	var pids []int
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		data, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(data), dir) {
			continue
		}
		if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p))); err == nil && pid != os.Getpid() {
			pids = append(pids, pid)
		}
	}
	return pids
}

// rsUnmountUnder detaches every mount below dir, deepest first.
func rsUnmountUnder(dir string) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return
	}
	var mounts []string
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 4 && strings.HasPrefix(f[4], dir+"/") {
			mounts = append(mounts, f[4])
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(mounts)))
	for _, m := range mounts {
		_ = unix.Unmount(m, unix.MNT_DETACH)
	}
}
