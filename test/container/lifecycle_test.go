package container_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/containerd/console"

	"github.com/berth-project/berth/pkg/testutil"
)

// lcPollLimit bounds every wait of the lifecycle tests: generous, so that a
// slow machine passes, and a condition never reached still fails.
const lcPollLimit = 60 * time.Second

// lcPoll waits until cond holds; it fails with cond's last description of
// the state otherwise.
func lcPoll(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(lcPollLimit)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within %s; last state:\n%s", what, lcPollLimit, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
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

func TestTopShowsTheContainersProcesses(t *testing.T) {
	lcRunD(t, "lc-top", nil, "sh", "-c", "sleep 1001 & sleep 1002; true")
	lcWaitStatus(t, "lc-top", "running")
	var r testutil.Result
	lcPoll(t, "both sleeps", func() (bool, string) {
		r = engine.Berth(t, "top", "lc-top")
		return strings.Contains(r.Stdout, "sleep 1001") && strings.Contains(r.Stdout, "sleep 1002"), r.String()
	})
	lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	if !strings.HasPrefix(lines[0], "UID") || !strings.Contains(lines[0], "PID") || !strings.HasSuffix(lines[0], "CMD") || len(lines) != 4 {
		t.Fatalf("top prints ps -ef's header and the container's three processes:\n%s", r)
	}
	r = engine.MustBerth(t, "top", "lc-top", "-o", "pid,comm")
	lines = strings.Split(strings.TrimSpace(r.Stdout), "\n")
	if f := strings.Fields(lines[0]); len(f) != 2 || f[0] != "PID" || f[1] != "COMMAND" || len(lines) != 4 {
		t.Fatalf("top with ps options:\n%s", r)
	}
	engine.MustBerth(t, "stop", "-t", "0", "lc-top")
	id := lcInspect(t, "lc-top", "{{.Id}}")
	expectFail(t, engine.Berth(t, "top", "lc-top"), 125, "berth: container "+id+" is not running\n")
}

// statsRow is `stats --format json`, Docker's field names.
type statsRow struct {
	BlockIO, CPUPerc, Container, ID, MemPerc, MemUsage, Name, NetIO, PIDs string
}

func TestStatsNoStream(t *testing.T) {
	id := lcRunD(t, "lc-stats", nil, "sh", "-c", "sleep 1000 & while true; do :; done")
	lcWaitStatus(t, "lc-stats", "running")
	r := engine.MustBerth(t, "stats", "--no-stream", "--format", "json", "lc-stats")
	var row statsRow
	if err := json.Unmarshal([]byte(r.Stdout), &row); err != nil {
		t.Fatalf("stats json: %v\n%s", err, r)
	}
	if row.ID != id[:12] || row.Name != "lc-stats" || row.Container != "lc-stats" || row.PIDs != "2" {
		t.Fatalf("stats identity and pids: %+v", row)
	}
	cpu, err := strconv.ParseFloat(strings.TrimSuffix(row.CPUPerc, "%"), 64)
	if err != nil || cpu < 20 {
		t.Fatalf("a busy loop must show CPU use: %q", row.CPUPerc)
	}
	if !strings.Contains(row.MemUsage, "iB / ") || row.NetIO != "0B / 0B" || !strings.Contains(row.BlockIO, " / ") {
		t.Fatalf("memory, network (--net none) and block I/O columns: %+v", row)
	}
	engine.MustBerth(t, "update", "--memory", "64m", "lc-stats")
	r = engine.MustBerth(t, "stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}", "lc-stats")
	if !strings.HasPrefix(r.Stdout, "lc-stats ") || !strings.HasSuffix(r.Stdout, " / 64MiB\n") {
		t.Fatalf("the memory limit after update:\n%s", r)
	}
	r = engine.MustBerth(t, "stats", "--no-stream", "lc-stats")
	header := strings.Fields(strings.Split(r.Stdout, "\n")[0])
	if strings.Join(header, " ") != "CONTAINER ID NAME CPU % MEM USAGE / LIMIT MEM % NET I/O BLOCK I/O PIDS" {
		t.Fatalf("Docker's columns:\n%s", r)
	}
	// -a lists stopped containers too, with zeros.
	engine.MustBerth(t, "stop", "-t", "0", "lc-stats")
	r = engine.MustBerth(t, "stats", "--no-stream", "-a", "--format", "{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}")
	if !strings.Contains(r.Stdout, "lc-stats 0.00% 0B / 0B 0\n") {
		t.Fatalf("stats -a:\n%s", r)
	}
	if r := engine.MustBerth(t, "stats", "--no-stream", "--format", "{{.Name}}"); strings.Contains(r.Stdout, "lc-stats") {
		t.Fatalf("without -a, stopped containers are not listed:\n%s", r)
	}
}

// lcCgroupFile reads a file of the container's cgroup in a v1 controller
// (or the v2 unified hierarchy when controller is "").
func lcCgroupFile(t *testing.T, name, controller, file string) string {
	t.Helper()
	pid := lcInspect(t, name, "{{.State.Pid}}")
	data, err := os.ReadFile("/proc/" + pid + "/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 {
			continue
		}
		for _, c := range strings.Split(f[1], ",") {
			if c == controller {
				v, err := os.ReadFile("/sys/fs/cgroup/" + controller + f[2] + "/" + file)
				if err != nil {
					t.Fatal(err)
				}
				return strings.TrimSpace(string(v))
			}
		}
	}
	t.Fatalf("no %s cgroup for %s in\n%s", controller, name, data)
	return ""
}

func TestUpdateResourcesAndBadInput(t *testing.T) {
	lcRunD(t, "lc-update", nil, "sleep", "1000")
	lcWaitStatus(t, "lc-update", "running")
	before := lcCgroupFile(t, "lc-update", "memory", "memory.limit_in_bytes")
	r := engine.Berth(t, "update", "--memory", "1q", "lc-update")
	expectFail(t, r, 125, "berth: invalid argument \"1q\" for \"-m, --memory\" flag: invalid suffix: 'q'\nSee 'berth update --help'.\n")
	if after := lcCgroupFile(t, "lc-update", "memory", "memory.limit_in_bytes"); after != before {
		t.Fatalf("a refused update changed the limit: %s -> %s", before, after)
	}
	expectFail(t, engine.Berth(t, "update", "lc-update"), 125, "berth: you must provide one or more flags when using this command\n")
	expectFail(t, engine.Berth(t, "update", "--memory", "1m", "lc-update"), 125, "berth: Minimum memory limit allowed is 6MB\n")

	r = engine.MustBerth(t, "update", "--memory", "64m", "--memory-swap", "128m", "--cpus", "0.5", "--cpu-shares", "512", "--pids-limit", "50", "lc-update")
	if r.Stdout != "lc-update\n" {
		t.Fatalf("update prints the name:\n%s", r)
	}
	for _, c := range []struct{ controller, file, want string }{
		{"memory", "memory.limit_in_bytes", "67108864"},
		{"memory", "memory.memsw.limit_in_bytes", "134217728"},
		{"cpu", "cpu.cfs_quota_us", "50000"},
		{"cpu", "cpu.cfs_period_us", "100000"},
		{"cpu", "cpu.shares", "512"},
		{"pids", "pids.max", "50"},
	} {
		if got := lcCgroupFile(t, "lc-update", c.controller, c.file); got != c.want {
			t.Errorf("%s: %s, want %s", c.file, got, c.want)
		}
	}
	var hc struct{ Memory, NanoCpus, MemorySwap, CpuShares, PidsLimit int64 }
	if err := json.Unmarshal([]byte(lcInspect(t, "lc-update", "{{json .HostConfig}}")), &hc); err != nil ||
		hc.Memory != 64<<20 || hc.MemorySwap != 128<<20 || hc.NanoCpus != 5e8 || hc.CpuShares != 512 || hc.PidsLimit != 50 {
		got, _ := json.Marshal(hc)
		t.Errorf("inspect after update: %s", got)
	}
	// The new limits apply to later starts too.
	engine.MustBerth(t, "restart", "-t", "0", "lc-update")
	lcWaitStatus(t, "lc-update", "running")
	if got := lcCgroupFile(t, "lc-update", "memory", "memory.limit_in_bytes"); got != "67108864" {
		t.Errorf("memory limit after restart: %s", got)
	}
	r = engine.Berth(t, "update", "--memory", "256m", "lc-update")
	expectFail(t, r, 125, "berth: Cannot update container "+lcInspect(t, "lc-update", "{{.Id}}")+
		": Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time\n")
}

func TestExecInRunningAndStoppedContainers(t *testing.T) {
	id := lcRunD(t, "lc-exec", []string{"-e", "FROM_RUN=1"}, "sleep", "1000")
	lcWaitStatus(t, "lc-exec", "running")
	r := engine.Berth(t, "exec", "lc-exec", "sh", "-c", "echo out $FROM_RUN; echo err >&2; exit 9")
	if r.ExitCode != 9 || r.Stdout != "out 1\n" || r.Stderr != "err\n" {
		t.Fatalf("exec streams and exit status:\n%s", r)
	}
	r = engine.MustBerth(t, "exec", "-e", "A=b", "-w", "/tmp", "-u", "65534:65534", "lc-exec", "sh", "-c", "echo $A $(pwd) $(id -u):$(id -g)")
	if r.Stdout != "b /tmp 65534:65534\n" {
		t.Fatalf("exec -e -w -u:\n%s", r)
	}
	r = engine.BerthIn(t, strings.NewReader("piped\n"), "exec", "-i", "lc-exec", "cat")
	if r.ExitCode != 0 || r.Stdout != "piped\n" {
		t.Fatalf("exec -i:\n%s", r)
	}
	r = engine.Berth(t, "exec", "lc-exec", "no-such-command")
	if r.ExitCode != 127 || !strings.Contains(r.Stderr, "executable file not found") {
		t.Fatalf("a missing command is 127:\n%s", r)
	}
	r = engine.Berth(t, "exec", "lc-exec", "/etc/passwd")
	if r.ExitCode != 126 {
		t.Fatalf("a file that is not executable is 126:\n%s", r)
	}
	engine.MustBerth(t, "exec", "-d", "lc-exec", "sh", "-c", "echo detached > /tmp/d")
	lcPoll(t, "the detached exec", func() (bool, string) {
		r := engine.Berth(t, "exec", "lc-exec", "cat", "/tmp/d")
		return r.Stdout == "detached\n", r.String()
	})
	expectFail(t, engine.Berth(t, "exec", "-w", "rel", "lc-exec", "true"), 125,
		"berth: the working directory 'rel' is invalid, it needs to be an absolute path\n")

	engine.MustBerth(t, "stop", "-t", "0", "lc-exec")
	before := containerIDs(t)
	expectFail(t, engine.Berth(t, "exec", "lc-exec", "true"), 125, "berth: container "+id+" is not running\n")
	if after := containerIDs(t); strings.Join(after, " ") != strings.Join(before, " ") || lcTaskListed(t, id) {
		t.Fatalf("exec in a stopped container must leave nothing: containers %v -> %v", before, after)
	}
	if st := lcStatus(t, "lc-exec"); st != "exited" {
		t.Fatalf("exec must not start the container: %s", st)
	}
}

func TestAttachFollowsOutputAndRefusesStdinWithoutTTY(t *testing.T) {
	lcRunD(t, "lc-attach", []string{"-i"}, "sh", "-c", `i=0; while [ $i -lt 40 ]; do echo tick $i; i=$((i+1)); sleep 0.1; done; exit 2`)
	lcPoll(t, "the first ticks", func() (bool, string) {
		logs := engine.Berth(t, "logs", "lc-attach").Stdout
		return strings.Contains(logs, "tick 2\n"), logs
	})
	r := engine.Berth(t, "attach", "lc-attach")
	expectFail(t, r, 125, "berth: cannot attach stdin to lc-attach: berth feeds stdin only to containers created with -i -t (use --no-stdin to follow its output)\n")
	r = engine.Berth(t, "attach", "--no-stdin", "lc-attach")
	if r.ExitCode != 2 || !strings.HasSuffix(r.Stdout, "tick 39\n") || strings.Contains(r.Stdout, "tick 0\n") {
		t.Fatalf("attach follows from now until the exit, and exits with its status:\n%s", r)
	}
	expectFail(t, engine.Berth(t, "attach", "lc-attach"), 125, "berth: You cannot attach to a stopped container, start it first\n")
}

// TestAttachStdinOfInteractiveTTYContainer types into a -i -t container's
// shell through attach from a terminal (a pty here), as a user would.
func TestAttachStdinOfInteractiveTTYContainer(t *testing.T) {
	img := loadBusybox(t)
	forceRemove(t, "lc-tty")
	engine.MustBerth(t, "create", "-i", "-t", "--name", "lc-tty", img, "sh")
	engine.MustBerth(t, "start", "lc-tty")
	lcWaitStatus(t, "lc-tty", "running")
	// As Docker: a container's terminal takes input from a terminal only.
	expectFail(t, engine.BerthIn(t, strings.NewReader("exit 1\n"), "attach", "lc-tty"), 125, "berth: the input device is not a TTY\n")

	master, slavePath, err := console.NewPty()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	slave, err := os.OpenFile(slavePath, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer slave.Close()
	cmd := engine.Cmd("attach", "lc-tty")
	out := &lockedBuffer{}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	lcPoll(t, "the shell's answer", func() (bool, string) {
		_, _ = master.Write([]byte("echo from-attach-$((40+2))\n"))
		time.Sleep(200 * time.Millisecond)
		return strings.Contains(out.String(), "from-attach-42"), out.String()
	})
	_, _ = master.Write([]byte("exit 7\n"))
	select {
	case err = <-done:
	case <-time.After(lcPollLimit):
		_ = cmd.Process.Kill()
		t.Fatalf("attach did not end with the shell:\n%s", out.String())
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 7 {
		t.Fatalf("attach exits with the container's status 7: %v\n%s", err, out.String())
	}
	if r := engine.MustBerth(t, "wait", "lc-tty"); r.Stdout != "7\n" {
		t.Fatalf("wait:\n%s", r)
	}
}

// lockedBuffer is an output buffer a test reads while a command writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// lcDescribe is the state of several containers, for failure messages.
func lcDescribe(t *testing.T, names ...string) string {
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%s: %s\n", n, lcInspect(t, n, "{{.State.Status}} pid={{.State.Pid}} restarts={{.RestartCount}} exit={{.State.ExitCode}}"))
	}
	return b.String()
}
