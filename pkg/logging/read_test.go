package logging

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// read runs Read without follow and returns stdout and stderr.
func (l testLog) read(t *testing.T, o ReadOptions) (string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	if err := Read(context.Background(), l.root, l.ns, l.id, o, &out, &errb, nil); err != nil {
		t.Fatalf("Read: %v", err)
	}
	return out.String(), errb.String()
}

var all = ReadOptions{Tail: -1}

func TestReadStreamsApart(t *testing.T) {
	l := newTestLog(t)
	w := l.writer(t, nil)
	w.WriteEntry("stdout", []byte("out 1\n"), time.Now())
	w.WriteEntry("stderr", []byte("err 1\n"), time.Now())
	w.WriteEntry("stdout", []byte("out 2\n"), time.Now())
	out, errs := l.read(t, all)
	if out != "out 1\nout 2\n" || errs != "err 1\n" {
		t.Fatalf("stdout %q stderr %q", out, errs)
	}
}

func TestReadMissing(t *testing.T) {
	l := newTestLog(t)
	err := Read(context.Background(), l.root, l.ns, "gone", all, &bytes.Buffer{}, &bytes.Buffer{}, nil)
	if !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(err.Error(), "no logs for container gone: ") {
		t.Fatalf("error %v", err)
	}
	// A container created but never started has a directory and no log.
	os.MkdirAll(l.root+"/default/containers/c0ffee", 0o700)
	if out, errs := l.read(t, all); out != "" || errs != "" {
		t.Fatalf("%q %q", out, errs)
	}
}

func TestReadPartialAndLongLines(t *testing.T) {
	l := newTestLog(t)
	w := l.writer(t, nil)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	big := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB
	for i := 0; i < len(big); i += maxLine {
		w.WriteEntry("stdout", []byte(big[i:i+maxLine]), t0)
	}
	w.WriteEntry("stderr", []byte("interleaved\n"), t0.Add(time.Second))
	w.WriteEntry("stdout", []byte("\n"), t0.Add(2*time.Second))
	w.WriteEntry("stdout", []byte("prompt> "), t0.Add(3*time.Second))
	out, errs := l.read(t, all)
	if out != big+"\nprompt> " || errs != "interleaved\n" {
		t.Fatalf("stdout %d bytes, stderr %q", len(out), errs)
	}
	// -t and --details prefix each line once, with the first piece's time.
	out, errs = l.read(t, ReadOptions{Tail: -1, Timestamps: true, Details: true})
	if out != "2024-01-01T00:00:00.000000000Z  "+big+"\n2024-01-01T00:00:03.000000000Z  prompt> " {
		t.Fatalf("stdout with -t: %.80q...", out)
	}
	if errs != "2024-01-01T00:00:01.000000000Z  interleaved\n" {
		t.Fatalf("stderr with -t: %q", errs)
	}
	// The long line is one line for --tail.
	out, _ = l.read(t, ReadOptions{Tail: 2})
	if out != big+"\nprompt> " {
		t.Fatalf("tail 2: %d bytes", len(out))
	}
	out, _ = l.read(t, ReadOptions{Tail: 1})
	if out != "prompt> " {
		t.Fatalf("tail 1: %q", out)
	}
}

func TestReadSinceUntil(t *testing.T) {
	l := newTestLog(t)
	w := l.writer(t, nil)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 10 {
		w.WriteEntry("stdout", fmt.Appendf(nil, "line %d\n", i), t0.Add(time.Duration(i)*time.Minute))
	}
	// A line whose first piece is before --since is left out whole.
	w.WriteEntry("stderr", []byte("early piece "), t0.Add(2*time.Minute))
	w.WriteEntry("stderr", []byte("late piece\n"), t0.Add(5*time.Minute))
	out, errs := l.read(t, ReadOptions{Tail: -1, Since: t0.Add(3 * time.Minute), Until: t0.Add(5 * time.Minute)})
	if out != "line 3\nline 4\nline 5\n" || errs != "" {
		t.Fatalf("stdout %q stderr %q", out, errs)
	}
	out, _ = l.read(t, ReadOptions{Tail: 2, Until: t0.Add(4 * time.Minute)})
	if out != "" {
		// Tail applies first (the last two lines), then until.
		t.Fatalf("tail+until: %q", out)
	}
}

func TestReadTailAcrossFiles(t *testing.T) {
	for _, compress := range []string{"false", "true"} {
		t.Run("compress="+compress, func(t *testing.T) {
			l := newTestLog(t)
			w := l.writer(t, map[string]string{"max-size": "1k", "max-file": "5", "compress": compress})
			writeLines(w, 0, 40)
			w.Close()
			if len(l.files(t)) != 5 {
				t.Fatalf("files %v", l.files(t))
			}
			for _, n := range []int{0, 1, 5, 9, 10, 11, 25, 39} {
				out, _ := l.read(t, ReadOptions{Tail: n})
				if got := strings.Count(out, "\n"); got != n {
					t.Fatalf("tail %d: %d lines", n, got)
				}
				if n > 0 {
					checkLines(t, out, 40-n, 39)
				}
			}
			out, _ := l.read(t, ReadOptions{Tail: 1000})
			full, _ := l.read(t, all)
			if out != full || !strings.HasSuffix(full, "line 000039 ........................................\n") {
				t.Fatalf("tail 1000 != all")
			}
		})
	}
}

// checkLines checks that out holds the numbered lines first..last in order.
func checkLines(t *testing.T, out string, first, last int) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for i, line := range lines {
		var n int
		if _, err := fmt.Sscanf(line, "line %d", &n); err != nil || n != first+i {
			t.Fatalf("line %d is %q, want line %d", i, line, first+i)
		}
	}
	if first+len(lines)-1 != last {
		t.Fatalf("got lines %d..%d, want ..%d", first, first+len(lines)-1, last)
	}
}

// An entry being written (no newline yet) is not shown, and a torn entry
// left by a crash is skipped.
func TestReadIncompleteAndTornEntries(t *testing.T) {
	l := newTestLog(t)
	w := l.writer(t, nil)
	w.WriteEntry("stdout", []byte("one\n"), time.Now())
	w.f.Write([]byte(`{"log":"torn`))
	w.f.Write([]byte("\n"))
	w.WriteEntry("stdout", []byte("two\n"), time.Now())
	w.f.Write([]byte(`{"log":"being written\n","str`))
	out, _ := l.read(t, all)
	if out != "one\ntwo\n" {
		t.Fatalf("%q", out)
	}
	out, _ = l.read(t, ReadOptions{Tail: 1})
	if out != "two\n" {
		t.Fatalf("tail 1: %q", out)
	}
}
