package daemon

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/log"

	"github.com/berth-project/berth/pkg/fsutil"
)

// Serving reports whether an engine answers on the socket.
func (d *Daemon) Serving(ctx context.Context) bool {
	return serving(ctx, d.Socket())
}

func listening(socket string) bool {
	conn, err := net.DialTimeout("unix", socket, time.Second)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

func serving(ctx context.Context, socket string) bool {
	// A cheap connect first: most calls find the engine up or the socket absent.
	if !listening(socket) {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	c, err := client.New(socket, client.WithTimeout(time.Second))
	if err != nil {
		return false
	}
	defer c.Close()
	ok, err := c.IsServing(ctx)
	return err == nil && ok
}

// PrepareDirs creates the data root and run dir readable by their owner only,
// so no other user can read the engine's root or talk to its socket.
func (d *Daemon) PrepareDirs() error {
	if err := d.PrepareDataRoot(); err != nil {
		return err
	}
	return d.PrepareRunDir()
}

// PrepareDataRoot creates the data root alone: an engine takes its lock
// there before it creates anything else, so that a second engine refused
// the root leaves nothing behind.
func (d *Daemon) PrepareDataRoot() error { return privateDir("data root", d.dataRoot) }

// PrepareRunDir creates the run dir.
func (d *Daemon) PrepareRunDir() error { return privateDir("run dir", d.runDir) }

// DirError is a data root or run dir the engine cannot have.
type DirError struct {
	What, Dir string
	Err       error
}

func (e *DirError) Error() string {
	if errors.Is(e.Err, syscall.ENOTDIR) {
		return fmt.Sprintf("cannot start the engine: the %s %s is not a directory", e.What, e.Dir)
	}
	return fmt.Sprintf("cannot start the engine: the %s %s: %v", e.What, e.Dir, e.Err)
}

func (e *DirError) Unwrap() error { return e.Err }

func privateDir(what, dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return &DirError{What: what, Dir: dir, Err: err}
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return &DirError{What: what, Dir: dir, Err: err}
	}
	return nil
}

// Start makes sure the engine serves: it returns at once when it does, and
// otherwise starts `berth daemon` in its own session and waits for it. A lock
// makes concurrent callers start one engine between them.
func (d *Daemon) Start(ctx context.Context) error {
	// Something accepts on the socket: the caller's own client will find out
	// whether it is a healthy engine. A second client just to ask would cost
	// every command a few milliseconds.
	// An engine killed a moment ago may still hold its socket open while
	// its threads exit: trust the socket only while an engine holds the
	// data root's lock.
	if listening(d.Socket()) {
		if pid := lockHolder(d.lockPath()); pid != 0 && !exiting(pid) {
			return nil
		}
	}
	if err := d.PrepareDirs(); err != nil {
		return err
	}
	lock, err := fsutil.LockFile(d.startLockPath())
	if err != nil {
		return err
	}
	defer lock.Unlock()
	// Another CLI may have started it while this one waited for the lock.
	if d.Serving(ctx) {
		return nil
	}
	if pid := lockHolder(d.lockPath()); pid != 0 {
		if !exiting(pid) {
			// An engine owns the data root but does not serve yet (or any
			// more): give it the same deadline before calling it broken.
			return d.waitReady(ctx, nil, pid)
		}
		// A killed engine on its way out: once its lock is free, a new one
		// can take the data root.
		if err := d.waitLockFree(ctx, pid); err != nil {
			return err
		}
	}
	log.G(ctx).Debugf("the engine is not serving on %s: starting it (log: %s)", d.Socket(), d.LogPath())
	began := time.Now()
	cmd, err := d.spawn()
	if err != nil {
		return err
	}
	if err := d.waitReady(ctx, cmd, 0); err != nil {
		return err
	}
	log.G(ctx).Debugf("the engine serves after %s", time.Since(began).Round(time.Millisecond))
	return nil
}

func (d *Daemon) spawn() (*exec.Cmd, error) {
	logf, err := os.OpenFile(d.LogPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening engine log: %w", err)
	}
	defer logf.Close()
	// Mark where this start begins, so an error shows this start's lines only.
	fmt.Fprintf(logf, "%s\n", startMarker(time.Now()))
	cmd := exec.Command(d.binary, d.Args()...)
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.Dir = "/"
	cmd.Env = append(os.Environ(), d.env...)
	// Its own session: the engine and its containers outlive this CLI, and a
	// Ctrl-C in the user's terminal does not reach it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the engine (%s): %w", d.binary, err)
	}
	return cmd, nil
}

// startMarkerPrefix starts the line spawn writes to the log before each start.
const startMarkerPrefix = "---- berth: engine start"

func startMarker(t time.Time) string {
	return startMarkerPrefix + " " + t.UTC().Format(time.RFC3339Nano)
}

// waitReady polls the socket until the engine serves, the process exits, or
// the deadline passes; failures carry the log's last lines.
func (d *Daemon) waitReady(ctx context.Context, cmd *exec.Cmd, pid int) error {
	exited := make(chan error, 1)
	if cmd != nil {
		go func() { exited <- cmd.Wait() }()
	}
	deadline := time.NewTimer(d.readyTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if d.Serving(ctx) {
			if cmd != nil {
				// Not waited for any more: release it so it is not a zombie of ours.
				_ = cmd.Process.Release()
			}
			return nil
		}
		select {
		case err := <-exited:
			return d.startError(fmt.Errorf("the engine exited during start-up (%v)", exitText(err)))
		case <-deadline.C:
			if cmd != nil {
				_ = cmd.Process.Kill()
			}
			return d.startError(fmt.Errorf("the engine did not serve on %s within %s", d.Socket(), d.readyTimeout))
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
			if pid != 0 && syscall.Kill(pid, 0) != nil {
				return d.startError(fmt.Errorf("the engine (pid %d) exited during start-up", pid))
			}
		}
	}
}

// waitLockFree waits, within the start deadline, for an exiting engine to
// let go of the data root's lock.
func (d *Daemon) waitLockFree(ctx context.Context, pid int) error {
	deadline := time.Now().Add(d.readyTimeout)
	for lockHolder(d.lockPath()) != 0 {
		if time.Now().After(deadline) {
			return d.startError(fmt.Errorf("the engine (pid %d) was killed but still holds %s after %s", pid, d.lockPath(), d.readyTimeout))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

func exitText(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ProcessState.String()
	}
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// StartError is a failed start: the cause, the log's path and its last lines.
type StartError struct {
	Cause   error
	LogPath string
	Tail    []string
}

func (e *StartError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cannot start the engine: %v; log: %s", e.Cause, e.LogPath)
	if len(e.Tail) > 0 {
		b.WriteString("; last lines:\n  ")
		b.WriteString(strings.Join(e.Tail, "\n  "))
	}
	return b.String()
}

func (e *StartError) Unwrap() error { return e.Cause }

func (d *Daemon) startError(cause error) error {
	return &StartError{Cause: cause, LogPath: d.LogPath(), Tail: d.LogTail(15)}
}

// LogTail returns the last n lines of the current start's part of the log:
// the lines after the last start marker, or the whole log when it has none.
func (d *Daemon) LogTail(n int) []string {
	data, err := os.ReadFile(d.LogPath())
	if err != nil || n <= 0 {
		return nil
	}
	if i := lastStartMarker(data); i >= 0 {
		data = data[i:]
		j := bytes.IndexByte(data, '\n')
		if j < 0 {
			// The marker is the last line: this start has logged nothing yet.
			return nil
		}
		data = data[j+1:]
	}
	text := strings.TrimRight(string(data), "\n")
	if text == "" {
		return nil
	}
	lines := strings.Split(text, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}

// lastStartMarker is the offset of the last line that is a start marker, or
// -1. Only a marker at the start of a line counts: the engine may log a line
// that quotes one.
func lastStartMarker(data []byte) int {
	if i := bytes.LastIndex(data, []byte("\n"+startMarkerPrefix)); i >= 0 {
		return i + 1
	}
	if bytes.HasPrefix(data, []byte(startMarkerPrefix)) {
		return 0
	}
	return -1
}
