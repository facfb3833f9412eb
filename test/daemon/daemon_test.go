// Package daemon_test checks the embedded engine's supervision: start on
// demand, one engine for concurrent CLIs, status and stop, failures that say
// why, and the permissions of what it creates.
package daemon_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/berth-project/berth/pkg/testutil"
)

// newEngine lays out a fresh, not yet started engine that the test owns.
func newEngine(t *testing.T) *testutil.Engine {
	t.Helper()
	dir, err := os.MkdirTemp("", "berth-daemon-test-")
	if err != nil {
		t.Fatal(err)
	}
	e, err := testutil.PrepareEngine(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("engine log:\n%s", e.LogTail(40))
		}
		if err := e.Close(context.Background()); err != nil {
			t.Errorf("cleaning up: %v", err)
		}
	})
	return e
}

// enginePIDs lists the `berth daemon` processes serving dataRoot.
func enginePIDs(t *testing.T, dataRoot string) []string {
	t.Helper()
	var pids []string
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		args := strings.Split(strings.TrimRight(string(data), "\x00"), "\x00")
		if len(args) > 3 && filepath.Base(args[0]) == "berth-engine" && strings.Contains(string(data), "\x00"+dataRoot+"\x00") {
			pids = append(pids, filepath.Base(filepath.Dir(p)))
		}
	}
	return pids
}

func TestTenConcurrentCommandsStartOneEngine(t *testing.T) {
	e := newEngine(t)
	var wg sync.WaitGroup
	results := make([]testutil.Result, 10)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = e.Berth(t, "version", "--format", "{{(index .Server.Components 1).Version}}")
		}()
	}
	wg.Wait()
	for _, r := range results {
		if r.ExitCode != 0 || !strings.Contains(r.Stdout, "2.4") {
			t.Errorf("want the containerd version:\n%s", r)
		}
	}
	if pids := enginePIDs(t, e.DataRoot); len(pids) != 1 {
		t.Fatalf("want exactly one engine for %s, found pids %v", e.DataRoot, pids)
	}
}

func TestStatusStopAndComeBack(t *testing.T) {
	e := newEngine(t)
	r := e.Berth(t, "daemon", "status", "--format", "{{.Running}} {{.Serving}}")
	if r.ExitCode != 0 || strings.TrimSpace(r.Stdout) != "false false" {
		t.Fatalf("a fresh engine must be stopped:\n%s", r)
	}
	e.MustBerth(t, "info", "--format", "{{.ServerVersion}}")
	r = e.MustBerth(t, "daemon", "status", "--format", "{{.Running}} {{.Serving}} {{.Pid}}")
	var running, serving bool
	var pid int
	if _, err := fmt.Sscan(r.Stdout, &running, &serving, &pid); err != nil || !running || !serving || pid == 0 {
		t.Fatalf("engine must run after a command needed it:\n%s", r)
	}
	r = e.MustBerth(t, "daemon", "stop")
	if !strings.Contains(r.Stdout, "The engine stopped") {
		t.Errorf("stop output:\n%s", r)
	}
	if pids := enginePIDs(t, e.DataRoot); len(pids) != 0 {
		t.Fatalf("engine still running after stop: %v", pids)
	}
	r = e.MustBerth(t, "daemon", "stop")
	if !strings.Contains(r.Stdout, "The engine is not running.") {
		t.Errorf("second stop output:\n%s", r)
	}
	// Any command brings it back.
	e.MustBerth(t, "namespace", "ls")
	if pids := enginePIDs(t, e.DataRoot); len(pids) != 1 {
		t.Fatalf("want the engine back, found %v", pids)
	}
}

func TestContainersOutliveEngineStop(t *testing.T) {
	e := newEngine(t)
	loadBusybox(t, e, "berth.local/busybox:daemon")
	id := "outlive"
	r := e.Ctr(t, "run", "-d", "berth.local/busybox:daemon", id, "sleep", "300")
	if r.ExitCode != 0 {
		t.Fatalf("starting a detached container:\n%s", r)
	}
	t.Cleanup(func() {
		e.Ctr(t, "task", "kill", "-s", "SIGKILL", id)
		e.Ctr(t, "task", "rm", "-f", id)
		e.Ctr(t, "container", "rm", id)
	})
	pid := taskPID(t, e, id)
	e.MustBerth(t, "daemon", "stop")
	if _, err := os.Stat(filepath.Join("/proc", pid)); err != nil {
		t.Fatalf("container process %s died with the engine: %v", pid, err)
	}
	e.MustBerth(t, "version")
	if got := taskPID(t, e, id); got != pid {
		t.Fatalf("after the engine came back the task has pid %q, want %q", got, pid)
	}
}

func taskPID(t *testing.T, e *testutil.Engine, id string) string {
	t.Helper()
	r := e.Ctr(t, "task", "ls")
	for _, line := range strings.Split(r.Stdout, "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && f[0] == id && f[2] == "RUNNING" {
			return f[1]
		}
	}
	t.Fatalf("task %s is not running:\n%s", id, r)
	return ""
}

func loadBusybox(t *testing.T, e *testutil.Engine, ref string) {
	t.Helper()
	img, err := testutil.NewImage()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(e.Dir, "busybox.tar")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := testutil.WriteOCIArchive(f, img, ref); err != nil {
		t.Fatal(err)
	}
	f.Close()
	e.MustBerth(t, "load", "-q", "-i", path)
}

func TestRunOnEngineStartedByRun(t *testing.T) {
	e := newEngine(t)
	loadBusybox(t, e, "berth.local/busybox:run")
	r := e.Berth(t, "run", "--rm", "berth.local/busybox:run", "sh", "-c", "echo out; echo err >&2; exit 7")
	if r.ExitCode != 7 || r.Stdout != "out\n" || r.Stderr != "err\n" {
		t.Fatalf("want exit 7 with separate streams:\n%s", r)
	}
	r = e.Berth(t, "run", "--rm", "berth.local/busybox:run", "no-such-command")
	if r.ExitCode != 127 || !strings.Contains(r.Stderr, `exec: "no-such-command": executable file not found`) {
		t.Fatalf("want 127 for a missing command:\n%s", r)
	}
	r = e.Berth(t, "run", "--rm", "berth.local/busybox:run", "/etc/passwd")
	if r.ExitCode != 126 {
		t.Fatalf("want 126 for a command that cannot be executed:\n%s", r)
	}
	if ls := e.Ctr(t, "containers", "ls", "-q"); strings.TrimSpace(ls.Stdout) != "" {
		t.Fatalf("run --rm left containers behind: %q", ls.Stdout)
	}
	r = e.Berth(t, "run", "--rm", "berth.local/busybox:none")
	if r.ExitCode != 125 || !strings.Contains(r.Stderr, "Unable to find image 'berth.local/busybox:none' locally") {
		t.Fatalf("want 125 for a missing image:\n%s", r)
	}
}

func TestSecondEngineOnSameRootIsRefused(t *testing.T) {
	e := newEngine(t)
	e.MustBerth(t, "version")
	pids := enginePIDs(t, e.DataRoot)
	// A foreground engine on another run dir but the same data root.
	other := filepath.Join(e.Dir, "run2")
	r := e.Berth(t, "--run-dir", other, "daemon")
	want := fmt.Sprintf("berth: another berth engine (pid %s) is already running on data root %s\n", pids[0], e.DataRoot)
	if r.ExitCode != 125 || r.Stderr != want {
		t.Fatalf("want %q:\n%s", want, r)
	}
	// The refused engine created nothing and the first one serves on.
	if _, err := os.Stat(other); !os.IsNotExist(err) {
		t.Fatalf("the refused engine left its run dir behind (%v)", err)
	}
	if now := enginePIDs(t, e.DataRoot); len(now) != 1 || now[0] != pids[0] {
		t.Fatalf("engines on the data root: %v, want only %s", now, pids[0])
	}
	e.MustBerth(t, "version")
}

func TestEngineThatCannotStartSaysWhy(t *testing.T) {
	e := newEngine(t)
	// A directory where the socket should be: the engine cannot listen.
	if err := os.MkdirAll(filepath.Join(e.RunDir, "containerd.sock", "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	r := e.Berth(t, "images")
	logPath := filepath.Join(e.RunDir, "daemon.log")
	if r.ExitCode != 125 ||
		!strings.HasPrefix(r.Stderr, "berth: cannot start the engine: the engine exited during start-up") ||
		!strings.Contains(r.Stderr, "log: "+logPath) ||
		!strings.Contains(r.Stderr, "last lines:") ||
		!strings.Contains(r.Stderr, "containerd.sock") {
		t.Fatalf("want the cause, the log path and its last lines:\n%s", r)
	}
	if pids := enginePIDs(t, e.DataRoot); len(pids) != 0 {
		t.Fatalf("a failed start left engines running: %v", pids)
	}
}

// A data root that cannot be one (here a file) is refused before any
// engine starts, and nothing is created.
func TestDataRootThatIsAFile(t *testing.T) {
	e := newEngine(t)
	file := filepath.Join(e.Dir, "not-a-dir")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.Dir, "berth.toml"), []byte(fmt.Sprintf("data_root = %q\n", file)), 0o600); err != nil {
		t.Fatal(err)
	}
	// The file, not the test's environment, says where the data root is.
	cmd := e.Cmd("images")
	cmd.Env = slices.DeleteFunc(cmd.Env, func(kv string) bool { return strings.HasPrefix(kv, "BERTH_DATA_ROOT=") })
	out, err := cmd.CombinedOutput()
	want := "berth: cannot start the engine: the data root " + file + " is not a directory\n"
	if code := cmd.ProcessState.ExitCode(); err == nil || code != 125 || string(out) != want {
		t.Fatalf("want %q, exit 125; got exit %d:\n%s", want, code, out)
	}
	if _, err := os.Stat(e.RunDir); !os.IsNotExist(err) {
		t.Fatalf("a failed start created the run dir (%v)", err)
	}
	if pids := enginePIDs(t, file); len(pids) != 0 {
		t.Fatalf("engines started: %v", pids)
	}
}

func TestUnknownConfigKeyIsNamed(t *testing.T) {
	e := newEngine(t)
	if err := os.WriteFile(filepath.Join(e.Dir, "berth.toml"), []byte("namespace = \"x\"\nsnapshoter = \"native\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := e.Berth(t, "images")
	want := fmt.Sprintf("berth: config file %s: unknown key \"snapshoter\"\n", filepath.Join(e.Dir, "berth.toml"))
	if r.ExitCode != 125 || r.Stderr != want {
		t.Fatalf("want %q:\n%s", want, r)
	}
	if _, err := os.Stat(e.RunDir); !os.IsNotExist(err) {
		t.Fatalf("a bad config must not start the engine (run dir: %v)", err)
	}
}

func TestConfigFileSetsGlobals(t *testing.T) {
	e := newEngine(t)
	if err := os.WriteFile(filepath.Join(e.Dir, "berth.toml"), []byte("namespace = \"fromfile\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := e.MustBerth(t, "info", "--format", "{{.Namespace}}")
	if strings.TrimSpace(r.Stdout) != "fromfile" {
		t.Fatalf("namespace from berth.toml not used:\n%s", r)
	}
	r = e.MustBerth(t, "--namespace", "fromflag", "info", "--format", "{{.Namespace}}")
	if strings.TrimSpace(r.Stdout) != "fromflag" {
		t.Fatalf("flag must override the file:\n%s", r)
	}
}

func TestOnlyOwnerCanReachTheEngine(t *testing.T) {
	e := newEngine(t)
	e.MustBerth(t, "version")
	for _, dir := range []string{e.DataRoot, e.RunDir} {
		st, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o700 {
			t.Errorf("%s has mode %v, want 0700", dir, st.Mode().Perm())
		}
	}
	// As nobody, with the socket named explicitly: the kernel says no.
	cmd := exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
		testutil.BerthBinary(), "--address", filepath.Join(e.RunDir, "containerd.sock"), "version")
	cmd.Env = e.Env()
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "permission denied") {
		t.Fatalf("another user must not reach the socket: err=%v\n%s", err, out)
	}
}

func TestAddressNeverStartsOrStopsAnEngine(t *testing.T) {
	e := newEngine(t)
	missing := filepath.Join(e.Dir, "nothing.sock")
	r := e.Berth(t, "--address", missing, "images")
	want := fmt.Sprintf("berth: cannot connect to the engine at %s: no such socket (is containerd running there?)\n", missing)
	if r.ExitCode != 125 || r.Stderr != want {
		t.Fatalf("want %q:\n%s", want, r)
	}
	if _, err := os.Stat(e.RunDir); !os.IsNotExist(err) {
		t.Fatalf("--address must not start berth's engine (run dir: %v)", err)
	}
	// CONTAINERD_ADDRESS does the same.
	cmd := e.Cmd("images")
	cmd.Env = append(cmd.Env, "CONTAINERD_ADDRESS="+missing)
	out, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); err == nil || code != 125 || string(out) != want {
		t.Fatalf("CONTAINERD_ADDRESS: exit %d, output %q, want %q", code, out, want)
	}
	if _, err := os.Stat(e.RunDir); !os.IsNotExist(err) {
		t.Fatalf("CONTAINERD_ADDRESS must not start berth's engine (run dir: %v)", err)
	}
	e.MustBerth(t, "version")
	sock := filepath.Join(e.RunDir, "containerd.sock")
	r = e.Berth(t, "-a", sock, "daemon", "stop")
	if r.ExitCode != 125 || !strings.Contains(r.Stderr, "it does not start, stop or supervise that engine") {
		t.Fatalf("daemon stop with --address must refuse:\n%s", r)
	}
	r = e.MustBerth(t, "-a", sock, "version", "--format", "{{.Server.Version}}")
	if !strings.Contains(r.Stdout, "2.4") {
		t.Fatalf("version against an existing containerd:\n%s", r)
	}
}

func TestDebugShowsTheEngineStart(t *testing.T) {
	e := newEngine(t)
	r := e.MustBerth(t, "--debug", "namespace", "ls", "-q")
	for _, want := range []string{"level=debug", "berth's own engine: true", "starting it (log: " + filepath.Join(e.RunDir, "daemon.log"), "the engine serves after"} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("--debug output lacks %q:\n%s", want, r.Stderr)
		}
	}
	r = e.MustBerth(t, "namespace", "ls", "-q")
	if r.Stderr != "" {
		t.Errorf("without --debug nothing goes to stderr:\n%s", r)
	}
}

// A command run the moment the engine was SIGKILLed, while its threads are
// still exiting and its socket still accepts, waits for it to be gone and
// starts a new one instead of failing on the dying one's socket.
func TestCommandRightAfterEngineKill(t *testing.T) {
	e := newEngine(t)
	for round := 0; round < 5; round++ {
		e.MustBerth(t, "version")
		pids := enginePIDs(t, e.DataRoot)
		if len(pids) != 1 {
			t.Fatalf("round %d: engines: %v", round, pids)
		}
		pid, _ := strconv.Atoi(pids[0])
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		r := e.Berth(t, "namespace", "ls", "-q")
		if r.ExitCode != 0 {
			t.Fatalf("round %d: a command right after the kill:\n%s", round, r)
		}
		if now := enginePIDs(t, e.DataRoot); len(now) != 1 || now[0] == pids[0] {
			t.Fatalf("round %d: engines after the kill: %v (killed %s)", round, now, pids[0])
		}
	}
}

// `berth daemon` serves in the foreground, in the process that ran it (a
// supervisor's child), until it is signalled; commands use it meanwhile.
func TestForegroundDaemon(t *testing.T) {
	e := newEngine(t)
	fg := e.Cmd("daemon")
	var logs strings.Builder
	fg.Stdout, fg.Stderr = &logs, &logs
	if err := fg.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- fg.Wait() }()
	t.Cleanup(func() {
		_ = fg.Process.Kill()
		<-done
	})
	for {
		r := e.MustBerth(t, "daemon", "status", "--format", "{{.Serving}} {{.Pid}}")
		if r.Stdout == fmt.Sprintf("true %d\n", fg.Process.Pid) {
			break
		}
		select {
		case err := <-done:
			done <- err
			t.Fatalf("berth daemon exited before serving (%v):\n%s", err, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	e.MustBerth(t, "namespace", "create", "fg")
	r := e.MustBerth(t, "namespace", "ls", "-q")
	if !strings.Contains(r.Stdout, "fg\n") {
		t.Fatalf("namespace ls:\n%s", r)
	}
	if pids := enginePIDs(t, e.DataRoot); len(pids) != 1 || pids[0] != strconv.Itoa(fg.Process.Pid) {
		t.Fatalf("engines %v, want only the foreground one (%d)", pids, fg.Process.Pid)
	}
	if err := fg.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := <-done
	done <- err
	if err != nil {
		t.Fatalf("berth daemon after SIGTERM: %v\n%s", err, logs.String())
	}
	r = e.MustBerth(t, "daemon", "status", "--format", "{{.Running}}")
	if r.Stdout != "false\n" {
		t.Fatalf("status after SIGTERM:\n%s", r)
	}
}
