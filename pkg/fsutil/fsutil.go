// Package fsutil holds the two primitives every write to berth's own state
// goes through: an atomic file write and a file lock.
package fsutil

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// WriteFileAtomic writes data to path through a temporary file in the same
// directory, fsynced and renamed over path, so a crash half-way leaves the
// old content or the new one, never a torn file.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer os.Remove(name)
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(name, path); err != nil {
		return err
	}
	// The rename itself is durable only once the directory is synced.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// Lock is an exclusive flock(2); the kernel drops it when the process dies,
// so a crashed command never leaves a lock held by nothing.
type Lock struct{ f *os.File }

// ErrLocked is TryLockFile's answer when another process holds the lock.
var ErrLocked = errors.New("locked")

// LockFile takes an exclusive lock on path, creating it, and waits for it.
func LockFile(path string) (*Lock, error) { return lockFile(path, unix.LOCK_EX) }

// LockFileShared takes a shared lock on path, creating it, and waits for
// it: any number of shared holders, but none while LockFile's holds it.
func LockFileShared(path string) (*Lock, error) { return lockFile(path, unix.LOCK_SH) }

// TryLockFile takes an exclusive lock on path, creating it, or returns
// ErrLocked at once.
func TryLockFile(path string) (*Lock, error) { return lockFile(path, unix.LOCK_EX|unix.LOCK_NB) }

func lockFile(path string, how int) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	for {
		err = unix.Flock(int(f.Fd()), how)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	return &Lock{f: f}, nil
}

// Record replaces the lock file's content, e.g. with the holder's pid.
func (l *Lock) Record(content string) error {
	if err := l.f.Truncate(0); err != nil {
		return err
	}
	_, err := l.f.WriteAt([]byte(content), 0)
	return err
}

// Unlock releases the lock.
func (l *Lock) Unlock() {
	if l == nil || l.f == nil {
		return
	}
	_ = unix.Flock(int(l.f.Fd()), unix.LOCK_UN)
	l.f.Close()
	l.f = nil
}
