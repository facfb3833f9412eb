package server

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// dirWatch signals when an entry is made or removed in one of the
// directories it watches: the volume stores and the network configs, which
// berth changes without the engine. A signal only prompts a scan (see
// eventRecorder.scan); it is not read for what changed, so a missed or a
// spurious one costs nothing but a scan.
type dirWatch struct {
	fd int
	f  *os.File
	// C has a value when something changed since it was last read.
	C chan struct{}
}

func newDirWatch() (*dirWatch, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, os.NewSyscallError("inotify_init1", err)
	}
	// A non-blocking descriptor goes through Go's poller, so that Close
	// ends the read below.
	w := &dirWatch{fd: fd, f: os.NewFile(uintptr(fd), "inotify"), C: make(chan struct{}, 1)}
	go w.read()
	return w, nil
}

func (w *dirWatch) read() {
	buf := make([]byte, 16<<10)
	for {
		if _, err := w.f.Read(buf); err != nil {
			return
		}
		select {
		case w.C <- struct{}{}:
		default:
		}
	}
}

// add watches the directories that exist among dirs and the matches of
// the patterns among them; adding one watched already changes nothing.
func (w *dirWatch) add(patterns ...string) {
	const mask = unix.IN_CREATE | unix.IN_DELETE | unix.IN_MOVED_TO | unix.IN_MOVED_FROM | unix.IN_ONLYDIR
	for _, p := range patterns {
		dirs, _ := filepath.Glob(p)
		for _, d := range dirs {
			_, _ = unix.InotifyAddWatch(w.fd, d, mask)
		}
	}
}

func (w *dirWatch) close() { _ = w.f.Close() }
