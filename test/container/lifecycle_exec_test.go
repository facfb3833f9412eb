package container_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/containerd/console"
)

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

func TestLifecycleAttachFollowsOutputAndRefusesStdinWithoutTTY(t *testing.T) {
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

// TestLifecycleAttachStdinOfInteractiveTTYContainer types into a -i -t container's
// shell through attach from a terminal (a pty here), as a user would.
func TestLifecycleAttachStdinOfInteractiveTTYContainer(t *testing.T) {
	img := loadBusybox(t)
	forceRemove(t, "lc-tty")
	engine.MustBerth(t, "create", "-i", "-t", "--name", "lc-tty", img, "sh")
	engine.MustBerth(t, "start", "lc-tty")
	lcWaitStatus(t, "lc-tty", "running")
	// As Docker: a container's terminal takes input from a terminal only.
	expectFail(t, engine.BerthIn(t, strings.NewReader("exit 1\n"), "attach", "lc-tty"), 125, "berth: the input device is not a TTY\n")

	// The detach keys leave the container running, and it takes input again.
	ptySession(t, "\x10\x11", 0, "attach", "lc-tty")
	if st := lcStatus(t, "lc-tty"); st != "running" {
		t.Fatalf("detaching must leave the container running: %s", st)
	}
	ptySession(t, "exit 7\n", 7, "attach", "lc-tty")
	if r := engine.MustBerth(t, "wait", "lc-tty"); r.Stdout != "7\n" {
		t.Fatalf("wait:\n%s", r)
	}
	// start -ai gives the new run a terminal session too.
	ptySession(t, "exit 7\n", 7, "start", "-ai", "lc-tty")
	// exec -it runs its own terminal beside the container's.
	engine.MustBerth(t, "start", "lc-tty")
	lcWaitStatus(t, "lc-tty", "running")
	ptySession(t, "exit 7\n", 7, "exec", "-it", "lc-tty", "sh")
	if st := lcStatus(t, "lc-tty"); st != "running" {
		t.Fatalf("the container must outlive the exec session: %s", st)
	}
}

// ptySession runs berth with a terminal (a pty) as stdin, types a command
// into the shell on the other side until its answer shows, then last, and
// checks that berth exits with status.
func ptySession(t *testing.T, last string, status int, args ...string) {
	t.Helper()
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
	cmd := engine.Cmd(args...)
	out := &lockedBuffer{}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	lcPoll(t, "the shell's answer to berth "+strings.Join(args, " "), func() (bool, string) {
		_, _ = master.Write([]byte("echo from-attach-$((40+2))\n"))
		time.Sleep(200 * time.Millisecond)
		return strings.Contains(out.String(), "from-attach-42"), out.String()
	})
	_, _ = master.Write([]byte(last))
	select {
	case err = <-done:
	case <-time.After(lcPollLimit):
		_ = cmd.Process.Kill()
		t.Fatalf("berth %s did not end with the shell:\n%s", strings.Join(args, " "), out.String())
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code != status {
		t.Fatalf("berth %s exits with %d, want %d:\n%s", strings.Join(args, " "), code, status, out.String())
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
