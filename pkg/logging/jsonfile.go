package logging

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// fileWriter appends json-file entries to a container's log and rotates it.
//
// Rotation happens after the write that brings the file to max-size: the
// file is closed, older files shift up (<log>.1 -> <log>.2 ...; the oldest
// beyond max-file is removed), the file is renamed to <log>.1 and a new one
// is created. Every step is a rename, so a reader holding a file open keeps
// reading it whole; see chain.go for how a follower finds its successor.
// With compress, <log>.1 is gzipped in the background to <log>.1.gz (through
// a temporary name, then a rename); the next rotation waits for it.
//
// The container must never block on its log: when a write fails (disk full,
// quota, I/O error) the entry is dropped and counted, any torn bytes are cut
// off so the file stays line-aligned, and the pipes keep draining. Writing
// resumes by itself once it succeeds again; the count of dropped entries is
// in Dropped and is reported on the logger's stderr when it exits.
type fileWriter struct {
	mu       sync.Mutex
	path     string
	maxSize  int64
	maxFile  int
	compress bool

	f       *os.File
	size    int64
	buf     []byte
	reopen  time.Time // when to try again to open a file that failed to open
	dropped uint64
	lastErr error

	compressing sync.WaitGroup
}

// bigBuffer is the encode buffer size above which it is released after use:
// a rare long line must not keep its memory for the container's lifetime.
const bigBuffer = 32 << 10

// newFileWriter opens (creating) the log at path for appending, tidies what
// an interrupted logger may have left, and rotates a file already full.
// The writer is usable even when the open failed (the error is returned
// for the record): it drops entries and tries again later.
func newFileWriter(path string, o options) (*fileWriter, error) {
	w := &fileWriter{path: path, maxSize: o.maxSize, maxFile: o.maxFile, compress: o.compress}
	w.tidy()
	if err := w.open(); err != nil {
		w.reopen = time.Now().Add(time.Second)
		w.lastErr = err
		return w, err
	}
	if w.size >= w.maxSize {
		w.rotate()
	}
	return w, nil
}

func (w *fileWriter) open() error {
	if err := os.MkdirAll(filepath.Dir(w.path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	w.f, w.size = f, fi.Size()
	return nil
}

// tidy removes temporary files of an interrupted compression and compresses
// rotated files left uncompressed.
func (w *fileWriter) tidy() {
	tmps, _ := filepath.Glob(globQuote(w.path) + ".*.tmp")
	for _, t := range tmps {
		_ = os.Remove(t)
	}
	if !w.compress {
		return
	}
	for i := 1; i < w.maxFile; i++ {
		p := rotatedName(w.path, i, false)
		if _, err := os.Stat(p); err == nil {
			w.compressing.Add(1)
			go w.compressFile(p)
		}
	}
}

// WriteEntry appends one entry; see the type's comment for failures.
func (w *fileWriter) WriteEntry(stream string, line []byte, t time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		if time.Now().Before(w.reopen) {
			w.drop(w.lastErr)
			return
		}
		if err := w.open(); err != nil {
			w.reopen = time.Now().Add(time.Second)
			w.drop(err)
			return
		}
	}
	w.buf = appendEntry(w.buf[:0], line, stream, t)
	n, err := w.f.Write(w.buf)
	if err != nil {
		// Cut a torn entry so that the next one starts a line.
		if n > 0 {
			_ = w.f.Truncate(w.size)
		}
		w.drop(err)
	} else {
		w.size += int64(n)
	}
	if cap(w.buf) > bigBuffer {
		w.buf = nil
	}
	if w.size >= w.maxSize {
		w.rotate()
	}
}

func (w *fileWriter) drop(err error) {
	w.dropped++
	w.lastErr = err
}

// rotate shifts the files and starts a new one. Called with mu held.
func (w *fileWriter) rotate() {
	w.compressing.Wait()
	if w.f != nil {
		_ = w.f.Close()
		w.f = nil
	}
	if w.maxFile <= 1 {
		_ = os.Remove(w.path)
	} else {
		for _, gz := range []bool{false, true} {
			_ = os.Remove(rotatedName(w.path, w.maxFile-1, gz))
		}
		for i := w.maxFile - 2; i >= 1; i-- {
			for _, gz := range []bool{false, true} {
				_ = os.Rename(rotatedName(w.path, i, gz), rotatedName(w.path, i+1, gz))
			}
		}
		if err := os.Rename(w.path, rotatedName(w.path, 1, false)); err != nil {
			w.lastErr = err
		} else if w.compress {
			w.compressing.Add(1)
			go w.compressFile(rotatedName(w.path, 1, false))
		}
	}
	if err := w.open(); err != nil {
		w.reopen = time.Now().Add(time.Second)
		w.lastErr = err
	}
}

// Dropped is the number of entries that could not be written.
func (w *fileWriter) Dropped() (uint64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.dropped, w.lastErr
}

// Close waits for a compression under way and closes the file.
func (w *fileWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.compressing.Wait()
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}

// rotatedName is the name of the i-th rotated file (i >= 1).
func rotatedName(path string, i int, gz bool) string {
	p := fmt.Sprintf("%s.%d", path, i)
	if gz {
		p += ".gz"
	}
	return p
}

// globQuote escapes the glob metacharacters of a literal path.
func globQuote(p string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`).Replace(p)
}

// fileID identifies a log file: its device and inode and, for a compressed
// file, the size and modification time the plain file had when it was
// compressed. An inode number is reused once its file is gone, so a
// compressed file's recorded inode alone could match a newer file.
type fileID struct {
	dev, ino    uint64
	size, mtime int64 // compressed files only
}

func (id fileID) String() string {
	return fmt.Sprintf("%d:%d size=%d mtime=%d", id.dev, id.ino, id.size, id.mtime)
}

func (id fileID) sameInode(o fileID) bool { return id.dev == o.dev && id.ino == o.ino }

// idOf is a plain file's identity.
func idOf(fi os.FileInfo) fileID {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}
	}
	return fileID{dev: uint64(st.Dev), ino: st.Ino}
}
