package events

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/berth-project/berth/pkg/fsutil"
)

// LogPath is the engine's event log in its run directory: like Docker's
// daemon, which keeps its last events in memory, berth keeps them as long
// as the host is up, across engine restarts.
func LogPath(runDir string) string { return filepath.Join(runDir, "events.log") }

// DefaultLogLimit bounds the log's size: past it, the older half goes. A
// line is about 300 bytes, so the log holds the last few thousand events.
const DefaultLogLimit = 1 << 20

// Record is one line of the log.
type Record struct {
	// Seq numbers the records; a reader that reopens the log after it was
	// trimmed skips what it has seen by it.
	Seq int64 `json:"seq"`
	// Namespace is the containerd namespace of the event; "" for events of
	// every namespace (networks are shared by all).
	Namespace string  `json:"ns,omitempty"`
	Event     Message `json:"event"`
}

// In reports whether a command working in namespace ns sees the record.
func (r Record) In(ns string) bool { return r.Namespace == "" || r.Namespace == ns }

// Log appends records to the event log. The engine's supervisor is its one
// writer; each record is one write of a whole line, and the trimmed log
// replaces the old one by a rename, so readers never see a torn file.
type Log struct {
	path  string
	limit int64

	mu   sync.Mutex
	f    *os.File
	size int64
	seq  int64
}

// OpenLog opens the log at path for appending, numbering on from its last
// record; limit 0 is DefaultLogLimit.
func OpenLog(path string, limit int64) (*Log, error) {
	if limit <= 0 {
		limit = DefaultLogLimit
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o711); err != nil {
		return nil, err
	}
	l := &Log{path: path, limit: limit}
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	l.seq = lastSeq(data)
	if err := l.reopen(); err != nil {
		return nil, err
	}
	return l, nil
}

// lastSeq is the number of the last whole record in data.
func lastSeq(data []byte) int64 {
	for len(data) > 0 {
		data = bytes.TrimRight(data, "\n")
		i := bytes.LastIndexByte(data, '\n')
		var r Record
		if json.Unmarshal(data[i+1:], &r) == nil {
			return r.Seq
		}
		data = data[:max(i, 0)]
	}
	return 0
}

func (l *Log) reopen() error {
	if l.f != nil {
		_ = l.f.Close()
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	l.f, l.size = f, fi.Size()
	return nil
}

// Append records msgs, events of namespace ns.
func (l *Log) Append(ns string, msgs ...Message) error {
	if len(msgs) == 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	seq := l.seq
	for _, m := range msgs {
		seq++
		if err := enc.Encode(Record{Seq: seq, Namespace: ns, Event: m}); err != nil {
			return err
		}
	}
	if l.size+int64(buf.Len()) > l.limit {
		if err := l.trim(); err != nil {
			return fmt.Errorf("trimming the event log: %w", err)
		}
	}
	n, err := l.f.Write(buf.Bytes())
	l.size += int64(n)
	if err != nil {
		return err
	}
	l.seq = seq
	return nil
}

// trim keeps the newer half of the log, from a line's start.
func (l *Log) trim() error {
	data, err := os.ReadFile(l.path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if cut := int64(len(data)) - l.limit/2; cut > 0 {
		data = data[cut:]
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			data = data[i+1:]
		} else {
			data = nil
		}
	}
	if err := fsutil.WriteFileAtomic(l.path, data, 0o600); err != nil {
		return err
	}
	return l.reopen()
}

// Close closes the log.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// ReadOptions say what Read reads.
type ReadOptions struct {
	// Past hands over the records already in the log; without it, Read
	// starts after them.
	Past bool
	// Follow waits for new records until the context ends.
	Follow bool
	// Poll is how often a followed log is looked at; 0 is 100ms.
	Poll time.Duration
}

// Read calls fn with the records of the log at path, in order, as o says.
// A log that does not exist yet reads as empty (and is waited for when
// followed). The end of ctx ends a follow without an error.
func Read(ctx context.Context, path string, o ReadOptions, fn func(Record) error) error {
	t := &tailer{path: path}
	defer t.close()
	if err := t.open(); err != nil {
		return err
	}
	if err := t.drain(fn, o.Past); err != nil || !o.Follow {
		return err
	}
	poll := o.Poll
	if poll <= 0 {
		poll = 100 * time.Millisecond
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if err := t.drain(fn, true); err != nil {
			return err
		}
		if !t.replaced() {
			continue
		}
		// Trimmed (or first made): what the old file still had is read,
		// the new one is read from its start, the records seen skipped.
		if err := t.open(); err != nil {
			return err
		}
		if err := t.drain(fn, true); err != nil {
			return err
		}
	}
}

// tailer reads a log that grows and is now and then replaced.
type tailer struct {
	path    string
	f       *os.File
	r       *bufio.Reader
	ino     uint64
	partial []byte
	last    int64
}

func (t *tailer) open() error {
	t.close()
	f, err := os.Open(t.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the event log: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	t.f, t.r, t.ino, t.partial = f, bufio.NewReader(f), inode(fi), nil
	return nil
}

func (t *tailer) close() {
	if t.f != nil {
		_ = t.f.Close()
		t.f = nil
	}
}

// replaced reports whether the path now names another file than the one
// being read.
func (t *tailer) replaced() bool {
	fi, err := os.Stat(t.path)
	if err != nil {
		return false
	}
	return t.f == nil || inode(fi) != t.ino
}

func inode(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}

// drain reads the whole lines written so far, calling fn for the records
// not seen yet when emit is set.
func (t *tailer) drain(fn func(Record) error, emit bool) error {
	if t.f == nil {
		return nil
	}
	for {
		line, err := t.r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			// A line being written: kept until its end arrives.
			t.partial = append(t.partial, line...)
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading the event log: %w", err)
		}
		if len(t.partial) > 0 {
			line = append(t.partial, line...)
			t.partial = nil
		}
		var r Record
		if json.Unmarshal(line, &r) != nil || r.Seq <= t.last {
			continue
		}
		t.last = r.Seq
		if emit {
			if err := fn(r); err != nil {
				return err
			}
		}
	}
}
