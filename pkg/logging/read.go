package logging

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// ReadOptions are the options of `logs`.
type ReadOptions struct {
	// Follow keeps reading as the container writes, until it has stopped.
	Follow bool
	// Since and Until bound the entries' times; zero means no bound.
	// ParseTime reads them from Docker's notations.
	Since, Until time.Time
	// Tail is the number of last lines to show; -1 (ParseTail's "all")
	// shows everything.
	Tail int
	// Timestamps prefixes each line with its time (-t).
	Timestamps bool
	// Details prefixes each line with the entry's extra attributes
	// (--details); berth's drivers record none, so this is a space, as
	// Docker prints for a container without labels or env log options.
	Details bool
}

// Following timing: how long a follower waits for a change when nothing
// tells it of one, and how it ends once the container has stopped. Writes
// wake a follower at once (inotify); the poll is for noticing stopped and
// ctx. It starts short and backs off as the log stays quiet (a quarter of
// the quiet time, up to followPoll), so that a short run ends promptly and
// an idle long one costs a few wake-ups a second.
const (
	followPoll = 250 * time.Millisecond
	firstPoll  = 5 * time.Millisecond
	// stopPoll is the poll interval once the container has stopped.
	stopPoll = 10 * time.Millisecond
	// stopQuiet: a stopped container whose logger is still running (its
	// task not deleted yet) is done once its log was quiet this long. The
	// logger writes a line within microseconds of reading it, and an
	// unfinished last line after partialFlush (20 ms).
	stopQuiet = 100 * time.Millisecond
	// stopLimit bounds the drain after the container stopped.
	stopLimit = 5 * time.Second
)

// Read writes the logs of container id in namespace to stdout and stderr,
// as `docker logs` shows them. It is for the json-file and local drivers
// (see Readable). A container whose log directory does not exist (removed,
// or never created) is an error wrapping os.ErrNotExist.
//
// With o.Follow it then waits for more until ctx is cancelled or the
// container has stopped: stopped (nil means never) reports that. Once
// stopped is true, Read drains what is left and returns: at once when the
// container's loggers have exited (they hold a shared lock on the log
// directory while they run; the shim ends a logger when the task is
// deleted), else after the log has been quiet for 100 ms. So callers get
// the last lines of a run without waiting when stopped reports a deleted
// task, and still return promptly when it reports only an exit. Following
// continues across rotations with no entry lost or repeated; it waits on
// inotify with a bounded poll, never in a busy loop.
func Read(ctx context.Context, dataRoot, namespace, id string, o ReadOptions, stdout, stderr io.Writer, stopped func() bool) error {
	path := LogPath(dataRoot, namespace, id)
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("no logs for container %s: %w", id, err)
	}
	r := &reader{path: path, dir: dir, p: newPrinter(o, stdout, stderr), o: o}
	if o.Follow {
		// Watch before reading, so that no change goes unnoticed.
		r.w = newWatcher(dir)
		defer r.w.Close()
	}
	segs, err := openChain(path)
	if err != nil {
		return err
	}
	if o.Tail >= 0 {
		segs, err = seekTail(segs, o.Tail)
		if err != nil {
			closeAll(segs)
			return err
		}
	}
	// Every file but the newest is complete; the newest is followed.
	var cur *segment
	for i, s := range segs {
		_, done, err := r.drain(s)
		if err != nil || done || i < len(segs)-1 || !o.Follow {
			s.Close()
		} else {
			cur = s
		}
		if err != nil || done {
			closeAll(segs[i+1:])
			return errors.Join(err, r.p.flush())
		}
	}
	if err := r.p.flush(); err != nil || !o.Follow {
		if cur != nil {
			cur.Close()
		}
		return err
	}
	return r.follow(ctx, cur, stopped)
}

type reader struct {
	path, dir string
	p         *printer
	o         ReadOptions
	w         *watcher
}

// drain prints the complete entries s has now; n counts them.
func (r *reader) drain(s *segment) (n int, done bool, err error) {
	for {
		line, ok, err := s.r.next()
		if err != nil || !ok {
			return n, false, err
		}
		n++
		if done, err := r.p.line(line); err != nil || done {
			return n, done, err
		}
	}
}

// follow reads cur's new entries and those of its successors.
func (r *reader) follow(ctx context.Context, cur *segment, stopped func() bool) error {
	defer func() {
		if cur != nil {
			cur.Close()
		}
	}()
	var st stopState
	for {
		n := 0
		if cur != nil {
			m, done, err := r.drain(cur)
			if err != nil || done {
				return errors.Join(err, r.p.flush())
			}
			n = m
		}
		next, m, done, err := r.rotate(cur)
		moved := next != cur
		cur = next
		if err != nil || done {
			return errors.Join(err, r.p.flush())
		}
		if err := r.p.flush(); err != nil {
			return err
		}
		now := time.Now()
		if n+m > 0 || st.quietSince.IsZero() {
			st.quietSince = now
		}
		if moved {
			continue // read the new file before anything else
		}
		if st.final || (!r.o.Until.IsZero() && now.After(r.o.Until)) {
			return nil
		}
		wait := st.update(now, stopped, r.dir)
		if st.final {
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		r.w.wait(wait)
	}
}

// stopState tracks how a follow ends once the container has stopped.
type stopState struct {
	stopAt, quietSince time.Time
	// final: one more pass and done. It catches the loggers' last writes
	// (and a rotation they made at the end).
	final bool
}

// update checks stopped and returns how long to wait for a change.
func (st *stopState) update(now time.Time, stopped func() bool, dir string) time.Duration {
	if st.stopAt.IsZero() && stopped != nil && stopped() {
		st.stopAt = now
	}
	if st.stopAt.IsZero() {
		return min(followPoll, max(firstPoll, now.Sub(st.quietSince)/4))
	}
	st.final = loggersGone(dir) || now.Sub(st.stopAt) > stopLimit ||
		(now.Sub(st.quietSince) >= stopQuiet && now.Sub(st.stopAt) >= stopQuiet)
	return stopPoll
}

// rotate checks whether the log moved on from cur (the current file is
// another one, or cur is nil and a file exists) and if so reads cur to its
// end, which it has reached for good since the writer renames a file only
// after its last write, then reads the successors but the newest, which it
// returns as the new current segment.
func (r *reader) rotate(cur *segment) (next *segment, n int, done bool, err error) {
	fi, err := os.Stat(r.path)
	switch {
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return cur, 0, false, err
	case cur == nil && err != nil:
		return cur, 0, false, nil
	case cur != nil && err == nil && !cur.gz && idOf(fi).sameInode(cur.id):
		// (The current file is never compressed; a compressed cur has
		// been rotated, whatever inode its header names.)
		return cur, 0, false, nil
	}
	var segs []*segment
	if cur == nil {
		segs, err = openChain(r.path)
	} else {
		if n, done, err = r.drain(cur); err != nil || done {
			return cur, n, done, err
		}
		segs, err = successors(r.path, cur)
	}
	if err != nil || len(segs) == 0 {
		return cur, n, false, err
	}
	for i, s := range segs[:len(segs)-1] {
		m, done, err := r.drain(s)
		n += m
		s.Close()
		if err != nil || done {
			closeAll(segs[i+1:])
			return cur, n, done, err
		}
	}
	if cur != nil {
		cur.Close()
	}
	return segs[len(segs)-1], n, false, nil
}
