package logging

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// watcher wakes a follower when something changes in the log directory
// (a write, a rename, a new file). Without inotify (its limits reached) it
// degrades to plain bounded polling.
type watcher struct {
	fd  int
	buf []byte
}

func newWatcher(dir string) *watcher {
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return &watcher{fd: -1}
	}
	mask := uint32(unix.IN_MODIFY | unix.IN_CREATE | unix.IN_MOVED_FROM | unix.IN_MOVED_TO |
		unix.IN_DELETE | unix.IN_CLOSE_WRITE)
	if _, err := unix.InotifyAddWatch(fd, dir, mask); err != nil {
		unix.Close(fd)
		return &watcher{fd: -1}
	}
	return &watcher{fd: fd, buf: make([]byte, 4096)}
}

// wait returns after an event or after timeout, whichever comes first, with
// the pending events consumed.
func (w *watcher) wait(timeout time.Duration) {
	if w == nil || w.fd < 0 {
		time.Sleep(min(timeout, 100*time.Millisecond))
		return
	}
	fds := []unix.PollFd{{Fd: int32(w.fd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, int(timeout/time.Millisecond))
	if err != nil && !errors.Is(err, unix.EINTR) {
		time.Sleep(min(timeout, 100*time.Millisecond))
		return
	}
	if n <= 0 {
		return
	}
	for {
		if _, err := unix.Read(w.fd, w.buf); err != nil {
			return
		}
	}
}

func (w *watcher) Close() {
	if w != nil && w.fd >= 0 {
		unix.Close(w.fd)
		w.fd = -1
	}
}

// A logger holds a shared lock on its log directory while it runs, so that
// a reader can tell when every logger of the container has exited and its
// log is complete.

// lockDir takes the logger's shared lock on dir; the lock goes with the
// returned file's closing (or the process's exit). A reader holds the lock
// exclusively only for an instant; should one be stuck holding it, the
// logger goes on without the lock rather than delay the container's start
// (readers then fall back to waiting for quiet).
func lockDir(dir string) (*os.File, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	for range 100 {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// HoldLog takes a logger's shared lock on container id's log directory and
// keeps it until the returned file is closed. The CLI of an attached `run
// --rm` holds it from create to removal: the engine's supervisor leaves
// such a container to the CLI while the lock is held.
func HoldLog(dataRoot, namespace, id string) (*os.File, error) {
	return lockDir(filepath.Dir(LogPath(dataRoot, namespace, id)))
}

// loggersGone reports whether no logger holds dir's lock.
func loggersGone(dir string) bool {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return true
	}
	defer unix.Close(fd)
	if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		return false
	}
	_ = unix.Flock(fd, unix.LOCK_UN)
	return true
}

// LoggerRunning reports whether a logger still holds container id's log:
// its last partial line may not be written yet.
func LoggerRunning(dataRoot, namespace, id string) bool {
	return !loggersGone(filepath.Dir(LogPath(dataRoot, namespace, id)))
}

// FlushDelay is how long a logger may hold back a line that has no newline
// yet; a reader of an exited container's log waits that long, and a little
// more, for the logger to write it.
const FlushDelay = 2 * partialFlush
