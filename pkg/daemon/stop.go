package daemon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/berth-project/berth/pkg/fsutil"
)

// ErrNotRunning is returned by Stop when no engine owns the data root.
var ErrNotRunning = errors.New("the engine is not running")

// Status is what `berth daemon status` reports.
type Status struct {
	Running  bool   `json:"Running"`
	Serving  bool   `json:"Serving"`
	Pid      int    `json:"Pid"`
	Socket   string `json:"Socket"`
	DataRoot string `json:"DataRoot"`
	RunDir   string `json:"RunDir"`
	LogPath  string `json:"LogPath"`
}

// Status looks at the lock and the socket.
func (d *Daemon) Status(ctx context.Context) Status {
	pid := lockHolder(d.lockPath())
	return Status{
		Running:  pid != 0,
		Serving:  d.Serving(ctx),
		Pid:      pid,
		Socket:   d.Socket(),
		DataRoot: d.dataRoot,
		RunDir:   d.runDir,
		LogPath:  d.LogPath(),
	}
}

// Stop asks the engine to shut down and waits until it has. Containers keep
// running: their shims are not the engine's children and are found again
// when it comes back.
func (d *Daemon) Stop(ctx context.Context, timeout time.Duration) error {
	pid := lockHolder(d.lockPath())
	if pid == 0 {
		return ErrNotRunning
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		return fmt.Errorf("stopping the engine (pid %d): %w", pid, err)
	}
	deadline := time.Now().Add(timeout)
	for lockHolder(d.lockPath()) != 0 {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			deadline = time.Now().Add(5 * time.Second)
			timeout = 0
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// RootLock is the lock a foreground engine holds on its data root.
type RootLock struct{ l *fsutil.Lock }

// Release drops the lock.
func (r *RootLock) Release() { r.l.Unlock() }

// AcquireRoot takes the data root for a foreground engine, or says which
// engine already has it.
func (d *Daemon) AcquireRoot() (*RootLock, error) {
	l, err := fsutil.TryLockFile(d.lockPath())
	if errors.Is(err, fsutil.ErrLocked) {
		pid := lockHolder(d.lockPath())
		return nil, fmt.Errorf("another berth engine (pid %d) is already running on data root %s", pid, d.dataRoot)
	}
	if err != nil {
		return nil, err
	}
	if err := l.Record(strconv.Itoa(os.Getpid()) + "\n"); err != nil {
		l.Unlock()
		return nil, err
	}
	return &RootLock{l: l}, nil
}

// WriteConfig writes the rendered configuration atomically.
func (d *Daemon) WriteConfig() (string, error) {
	path := d.ConfigPath()
	tmp, err := os.CreateTemp(filepath.Dir(path), ".containerd.toml-")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(d.RenderConfig()); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(tmp.Name(), path)
}
