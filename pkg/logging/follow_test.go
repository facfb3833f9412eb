package logging

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// follow starts Read with Follow in the background.
func (l testLog) follow(o ReadOptions, stopped func() bool) (*syncBuffer, *syncBuffer, <-chan error, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	out, errb := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	o.Follow = true
	go func() { done <- Read(ctx, l.root, l.ns, l.id, o, out, errb, stopped) }()
	return out, errb, done, cancel
}

// caughtUp waits until the follower has shown line.
func caughtUp(t *testing.T, out *syncBuffer, line string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), line); {
		if time.Now().After(deadline) {
			t.Fatalf("the follower did not show %q within 10s", line)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

func waitDone(t *testing.T, done <-chan error, within time.Duration) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(within):
		t.Fatalf("Read did not return within %s", within)
		return nil
	}
}

// Following while a writer rotates the log many times shows every line
// exactly once and in order, with and without compression.
func TestFollowAcrossRotation(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts map[string]string
	}{
		{"plain", map[string]string{"max-size": "4k", "max-file": "20"}},
		{"compress", map[string]string{"max-size": "4k", "max-file": "20", "compress": "true"}},
		{"max-file=2", map[string]string{"max-size": "64k", "max-file": "2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newTestLog(t)
			w := l.writer(t, tc.opts)
			writeLines(w, 0, 10) // before the follower starts
			var finished atomic.Bool
			out, _, done, cancel := l.follow(ReadOptions{Tail: -1}, finished.Load)
			defer cancel()
			const total = 10 + 200*100
			for i := 10; i < total; i += 100 {
				writeLines(w, i, 100)
				// A follower more than max-file rotations behind loses
				// lines, in Docker too: the writer waits for it, so that
				// what is tested is the hand-over between files, not the
				// machine's speed.
				caughtUp(t, out, fmt.Sprintf("line %06d ", i+99))
			}
			w.Close()
			finished.Store(true)
			if err := waitDone(t, done, 10*time.Second); err != nil {
				t.Fatal(err)
			}
			checkLines(t, out.String(), 0, total-1)
		})
	}
}

// A follower started before the container ever wrote picks up the file
// when it appears; --tail 0 shows only new lines.
func TestFollowFromNothingAndTailZero(t *testing.T) {
	l := newTestLog(t)
	os.MkdirAll(filepath.Dir(l.path()), 0o700)
	var finished atomic.Bool
	out, _, done, cancel := l.follow(ReadOptions{Tail: -1}, finished.Load)
	defer cancel()
	time.Sleep(50 * time.Millisecond)
	w := l.writer(t, nil)
	writeLines(w, 0, 3)

	out0, _, done0, cancel0 := l.follow(ReadOptions{Tail: 0}, finished.Load)
	defer cancel0()
	time.Sleep(100 * time.Millisecond)
	writeLines(w, 3, 2)
	time.Sleep(100 * time.Millisecond)
	finished.Store(true)
	if err := waitDone(t, done, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := waitDone(t, done0, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	checkLines(t, out.String(), 0, 4)
	checkLines(t, out0.String(), 3, 4)
}

// While a logger holds the directory lock, a stopped container's follower
// waits for the log to be quiet; once the loggers are gone it returns at
// once. Cancelling the context ends following too.
func TestFollowStopAndCancel(t *testing.T) {
	l := newTestLog(t)
	w := l.writer(t, nil)
	writeLines(w, 0, 1)
	lock, err := lockDir(filepath.Dir(l.path()))
	if err != nil {
		t.Fatal(err)
	}
	stopped := func() bool { return true }

	start := time.Now()
	out, _, done, cancel := l.follow(ReadOptions{Tail: -1}, stopped)
	defer cancel()
	if err := waitDone(t, done, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < stopQuiet {
		t.Errorf("returned after %s with a logger alive, before the log was quiet", d)
	}
	checkLines(t, out.String(), 0, 0)

	lock.Close()
	start = time.Now()
	_, _, done, cancel = l.follow(ReadOptions{Tail: -1}, stopped)
	defer cancel()
	if err := waitDone(t, done, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("took %s with no logger left", d)
	}

	_, _, done, cancel = l.follow(ReadOptions{Tail: -1}, nil)
	time.Sleep(50 * time.Millisecond)
	cancel()
	if err := waitDone(t, done, time.Second); !errors.Is(err, context.Canceled) {
		t.Fatalf("after cancel: %v", err)
	}
}

// --until ends following once it has passed.
func TestFollowUntil(t *testing.T) {
	l := newTestLog(t)
	w := l.writer(t, nil)
	writeLines(w, 0, 2)
	out, _, done, cancel := l.follow(ReadOptions{Tail: -1, Until: time.Now().Add(300 * time.Millisecond)}, nil)
	defer cancel()
	if err := waitDone(t, done, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	checkLines(t, out.String(), 0, 1)
}

func TestTailInterleavedStreams(t *testing.T) {
	l := newTestLog(t)
	w := l.writer(t, nil)
	now := time.Now()
	w.WriteEntry("stderr", []byte("Loading..."), now)
	writeLines(w, 0, 10)
	w.WriteEntry("stderr", []byte("done\n"), now)
	// The stderr line is open across the stdout lines: a tail that would
	// cut it goes back to its start.
	out, errs := l.read(t, ReadOptions{Tail: 3})
	checkLines(t, out, 0, 9)
	if errs != "Loading...done\n" {
		t.Fatalf("stderr %q", errs)
	}
	// Far enough back, it is cut rather than searched for.
	writeLines(w, 10, 3000)
	w.WriteEntry("stderr", []byte("again "), now)
	w.WriteEntry("stdout", []byte(strings.Repeat("x", 10)+"\n"), now)
	w.WriteEntry("stderr", []byte("end\n"), now)
	out, errs = l.read(t, ReadOptions{Tail: 3})
	if out != fmt.Sprintf("line %06d %s\nxxxxxxxxxx\n", 3009, strings.Repeat(".", 40)) || errs != "again end\n" {
		t.Fatalf("stdout %q stderr %q", out, errs)
	}
}
