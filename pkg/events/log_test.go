package events

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func msg(i int) Message {
	return New(TypeContainer, "start", fmt.Sprintf("c%04d", i), map[string]string{"name": "n"}, time.Unix(int64(i), 0))
}

func readAll(t *testing.T, path string) []Record {
	t.Helper()
	var out []Record
	if err := Read(context.Background(), path, ReadOptions{Past: true}, func(r Record) error {
		out = append(out, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLogAppendAndReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run", "events.log")
	if recs := readAll(t, path); len(recs) != 0 {
		t.Fatalf("a missing log read %v", recs)
	}
	l, err := OpenLog(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append("default", msg(1), msg(2)); err != nil {
		t.Fatal(err)
	}
	if err := l.Append("", msg(3)); err != nil {
		t.Fatal(err)
	}
	l.Close()
	// An engine restart numbers on.
	l, err = OpenLog(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append("other", msg(4)); err != nil {
		t.Fatal(err)
	}
	l.Close()
	recs := readAll(t, path)
	if len(recs) != 4 {
		t.Fatalf("read %d records", len(recs))
	}
	for i, r := range recs {
		if r.Seq != int64(i+1) || r.Event.Actor.ID != fmt.Sprintf("c%04d", i+1) {
			t.Errorf("record %d: %+v", i, r)
		}
	}
	if !recs[0].In("default") || recs[0].In("other") || !recs[2].In("other") || recs[3].In("default") {
		t.Error("namespaces: a network's event is everyone's, the others their namespace's")
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("log mode %v", fi.Mode())
	}
}

func TestLogStaysBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.log")
	const limit = 4096
	l, err := OpenLog(path, limit)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := 1; i <= 200; i++ {
		if err := l.Append("default", msg(i)); err != nil {
			t.Fatal(err)
		}
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Size() > limit {
		t.Fatalf("log size %d, limit %d (%v)", fi.Size(), limit, err)
	}
	recs := readAll(t, path)
	if len(recs) < 5 || recs[len(recs)-1].Seq != 200 {
		t.Fatalf("kept %d records, last %+v", len(recs), recs[len(recs)-1])
	}
	for i := 1; i < len(recs); i++ {
		if recs[i].Seq != recs[i-1].Seq+1 {
			t.Fatalf("a gap or torn line after trimming: %d then %d", recs[i-1].Seq, recs[i].Seq)
		}
	}
}

// TestReadFollows reads as `events` does while the engine writes: only
// the records written after it started (without Past), each once, across
// the log's trimming.
func TestReadFollows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.log")
	l, err := OpenLog(path, 16<<10) // trimmed a few times on the way
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Append("default", msg(1)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var got []int64
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		close(started)
		done <- Read(ctx, path, ReadOptions{Follow: true, Poll: 5 * time.Millisecond}, func(r Record) error {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, r.Seq)
			if r.Seq == 100 {
				cancel()
			}
			return nil
		})
	}()
	<-started
	time.Sleep(50 * time.Millisecond) // the reader is at the end
	for i := 2; i <= 100; i++ {
		if err := l.Append("default", msg(i)); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the reader did not see record 100")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 99 || got[0] != 2 {
		t.Fatalf("read %d records from %v", len(got), got[:min(len(got), 3)])
	}
	for i := 1; i < len(got); i++ {
		if got[i] != got[i-1]+1 {
			t.Fatalf("records out of order or twice: %v", got)
		}
	}
}
