package logging

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// testLog is a container log under a temporary data root.
type testLog struct {
	root, ns, id string
}

func newTestLog(t *testing.T) testLog {
	return testLog{root: t.TempDir(), ns: "default", id: "c0ffee"}
}

func (l testLog) path() string { return LogPath(l.root, l.ns, l.id) }

func (l testLog) writer(t *testing.T, opts map[string]string) *fileWriter {
	t.Helper()
	o, err := parseOptions(Config{Type: JSONFile, Config: opts})
	if err != nil {
		t.Fatal(err)
	}
	w, err := newFileWriter(l.path(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// files lists the log's files by base name.
func (l testLog) files(t *testing.T) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Dir(l.path()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// content returns a file's (decompressed) text.
func content(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestFileWriterFormat(t *testing.T) {
	l := newTestLog(t)
	w := l.writer(t, nil)
	ts := time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC)
	w.WriteEntry("stdout", []byte("out\n"), ts)
	w.WriteEntry("stderr", []byte("err no newline"), ts)
	w.Close()
	want := `{"log":"out\n","stream":"stdout","time":"2024-01-02T03:04:05.000000006Z"}` + "\n" +
		`{"log":"err no newline","stream":"stderr","time":"2024-01-02T03:04:05.000000006Z"}` + "\n"
	if got := content(t, l.path()); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	fi, _ := os.Stat(l.path())
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("log mode %v", fi.Mode())
	}
}

// writeLines writes n numbered lines of about 100 bytes each.
func writeLines(w *fileWriter, from, n int) {
	for i := from; i < from+n; i++ {
		w.WriteEntry("stdout", fmt.Appendf(nil, "line %06d %s\n", i, strings.Repeat(".", 40)), time.Now())
	}
}

func TestRotation(t *testing.T) {
	l := newTestLog(t)
	w := l.writer(t, map[string]string{"max-size": "1k", "max-file": "3"})
	writeLines(w, 0, 100)
	w.Close()
	want := []string{"c0ffee-json.log", "c0ffee-json.log.1", "c0ffee-json.log.2"}
	if got := l.files(t); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("files %v, want %v", got, want)
	}
	for _, f := range want {
		if fi, _ := os.Stat(filepath.Join(filepath.Dir(l.path()), f)); fi.Size() > 1000+200 {
			t.Errorf("%s is %d bytes, over max-size by more than an entry", f, fi.Size())
		}
	}
	// The files hold the last lines, in order and contiguous.
	all := content(t, l.path()+".2") + content(t, l.path()+".1") + content(t, l.path())
	checkContiguous(t, all, 99)
}

func TestRotationMaxFileOne(t *testing.T) {
	l := newTestLog(t)
	w := l.writer(t, map[string]string{"max-size": "1k"})
	writeLines(w, 0, 25)
	w.Close()
	if got := l.files(t); len(got) != 1 {
		t.Fatalf("files %v", got)
	}
	checkContiguous(t, content(t, l.path()), 24)
}

func TestRotationCompress(t *testing.T) {
	l := newTestLog(t)
	w := l.writer(t, map[string]string{"max-size": "1k", "max-file": "4", "compress": "true"})
	writeLines(w, 0, 100)
	w.Close()
	want := []string{"c0ffee-json.log", "c0ffee-json.log.1.gz", "c0ffee-json.log.2.gz", "c0ffee-json.log.3.gz"}
	if got := l.files(t); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("files %v, want %v", got, want)
	}
	all := content(t, l.path()+".3.gz") + content(t, l.path()+".2.gz") + content(t, l.path()+".1.gz") + content(t, l.path())
	checkContiguous(t, all, 99)
	// Each compressed file names the identity its plain file had.
	f, _ := os.Open(l.path() + ".1.gz")
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := parseGzComment(zr.Comment); !ok {
		t.Fatalf("gzip comment %q", zr.Comment)
	}
}

// A new logger (a restarted container) appends, and tidies what an
// interrupted one left.
func TestFileWriterReopen(t *testing.T) {
	l := newTestLog(t)
	w := l.writer(t, map[string]string{"max-size": "1k", "max-file": "3", "compress": "true"})
	writeLines(w, 0, 5)
	w.Close()
	dir := filepath.Dir(l.path())
	os.WriteFile(l.path()+".1.gz.tmp", []byte("torn"), 0o640)
	os.WriteFile(l.path()+".2", []byte(`{"log":"old\n","stream":"stdout","time":"2024-01-01T00:00:00Z"}`+"\n"), 0o640)
	w = l.writer(t, map[string]string{"max-size": "1k", "max-file": "3", "compress": "true"})
	writeLines(w, 5, 3)
	w.Close()
	want := []string{"c0ffee-json.log", "c0ffee-json.log.2.gz"}
	if got := l.files(t); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("files in %s: %v, want %v", dir, got, want)
	}
	checkContiguous(t, content(t, l.path()), 7)
}

// A full disk drops entries, counts them, and keeps the file line-aligned.
func TestFileWriterDiskFull(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full")
	}
	l := newTestLog(t)
	w := l.writer(t, nil)
	good := w.f
	w.f = full
	done := make(chan struct{})
	go func() {
		writeLines(w, 0, 10)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("writes blocked on a full disk")
	}
	n, lastErr := w.Dropped()
	if n != 10 || lastErr == nil || !strings.Contains(lastErr.Error(), "no space left") {
		t.Fatalf("dropped %d, last error %v", n, lastErr)
	}
	w.f = good
	writeLines(w, 10, 2)
	w.Close()
	full.Close()
	if got := content(t, l.path()); !strings.HasPrefix(got, `{"log":"line 000010`) || strings.Count(got, "\n") != 2 {
		t.Fatalf("log after recovery:\n%s", got)
	}
}

// checkContiguous checks that the log text holds whole entries with lines
// numbered up to last, each once and in order.
func checkContiguous(t *testing.T, text string, last int) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	first := -1
	for i, raw := range lines {
		var e entry
		if err := decodeEntry([]byte(raw), &e); err != nil {
			t.Fatalf("entry %d %q: %v", i, raw, err)
		}
		var n int
		if _, err := fmt.Sscanf(e.Log, "line %d", &n); err != nil {
			t.Fatalf("entry %d: %q", i, e.Log)
		}
		if first < 0 {
			first = n
		}
		if n != first+i {
			t.Fatalf("entry %d is line %d, want %d", i, n, first+i)
		}
	}
	if first+len(lines)-1 != last {
		t.Fatalf("last line %d, want %d", first+len(lines)-1, last)
	}
}
