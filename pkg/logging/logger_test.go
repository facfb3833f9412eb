package logging

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// runLogger is a logger running in the test process on real pipes, as the
// shim would connect it.
type runLogger struct {
	out, err *os.File // the container's ends
	term     chan struct{}
	done     chan error
	diag     *syncBuffer
}

func startLogger(t *testing.T, l testLog, c Config) *runLogger {
	t.Helper()
	u, err := LogURI("/bin/logger", l.root, l.ns, l.id, c)
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	for k, v := range u.Query() {
		args = append(args, k, v[0])
	}
	spec, err := ParseLoggerArgs(args, mapEnv(map[string]string{"CONTAINER_ID": l.id, "CONTAINER_NAMESPACE": l.ns}))
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, _ := os.Pipe()
	errR, errW, _ := os.Pipe()
	readyR, readyW, _ := os.Pipe()
	r := &runLogger{out: outW, err: errW, term: make(chan struct{}), done: make(chan error, 1), diag: &syncBuffer{}}
	go func() {
		r.done <- RunLogger(spec, outR, errR, readyW, r.term, r.diag)
		outR.Close()
		errR.Close()
	}()
	b := make([]byte, 1)
	if n, _ := readyR.Read(b); n != 1 {
		t.Fatal("logger did not say it was ready")
	}
	readyR.Close()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// stop closes the container's ends, as the shim does, then signals.
func (r *runLogger) stop(t *testing.T) {
	t.Helper()
	if r.out == nil {
		return
	}
	r.out.Close()
	r.err.Close()
	r.out = nil
	close(r.term)
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("logger did not exit")
	}
}

func TestLoggerLines(t *testing.T) {
	l := newTestLog(t)
	r := startLogger(t, l, Config{})
	r.out.WriteString("one\ntwo\nthr")
	r.err.WriteString("err\n")
	r.out.WriteString("ee\n")
	big := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB, no newline inside
	r.out.WriteString(big + "\n")
	r.out.WriteString("no newline at exit")
	r.stop(t)
	out, errs := l.read(t, all)
	if want := "one\ntwo\nthree\n" + big + "\nno newline at exit"; out != want {
		t.Fatalf("stdout: %d bytes, want %d; starts %.40q", len(out), len(want), out)
	}
	if errs != "err\n" {
		t.Fatalf("stderr %q", errs)
	}
	// The long line was stored in 16 KiB pieces, as Docker does.
	text := content(t, l.path())
	if n := strings.Count(text, "\n"); n != 3+64+1+1+1 {
		t.Errorf("%d entries", n)
	}
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		var e entry
		if err := decodeEntry([]byte(line), &e); err != nil || len(e.Log) > maxLine {
			t.Fatalf("entry of %d bytes: %v", len(e.Log), err)
		}
	}
}

// A prompt without newline reaches the log once the stream is quiet.
func TestLoggerFlushesPartialLine(t *testing.T) {
	l := newTestLog(t)
	r := startLogger(t, l, Config{})
	r.out.WriteString("Password: ")
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		if out, _ := l.read(t, all); out == "Password: " {
			r.out.WriteString("ok\n")
			r.stop(t)
			if out, _ := l.read(t, ReadOptions{Tail: -1, Timestamps: true}); strings.Count(out, "Z ") != 1 || !strings.HasSuffix(out, "Z Password: ok\n") {
				t.Fatalf("joined with -t: %q", out)
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("partial line not flushed")
}

// After SIGTERM the logger stops even if a process still holds a pipe.
func TestLoggerDrainLimit(t *testing.T) {
	defer func(d time.Duration) { drainLimit = d }(drainLimit)
	drainLimit = 200 * time.Millisecond
	l := newTestLog(t)
	r := startLogger(t, l, Config{})
	r.out.WriteString("last words\n")
	start := time.Now()
	close(r.term)
	select {
	case <-r.done:
	case <-time.After(5 * time.Second):
		t.Fatal("logger did not stop")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("stopped after %s", d)
	}
	r.out.Close()
	r.err.Close()
	r.out = nil
	if out, _ := l.read(t, all); out != "last words\n" {
		t.Fatalf("%q", out)
	}
}

func TestLoggerSyslog(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "syslog.sock")
	msgs := listenUnixgram(t, sock)
	l := newTestLog(t)
	r := startLogger(t, l, Config{Type: Syslog, Config: map[string]string{
		"syslog-address": "unixgram://" + sock, "syslog-facility": "local0", "tag": "app/{{.ID}}"}})
	r.out.WriteString("hello\n")
	r.err.WriteString("oops\n")
	got := []string{string(recv(t, msgs)), string(recv(t, msgs))}
	r.stop(t)
	pid := os.Getpid()
	for _, want := range []string{
		"<134>", "app/c0ffee[" + strconv.Itoa(pid) + "]: hello", // local0.info
		"<131>", "app/c0ffee[" + strconv.Itoa(pid) + "]: oops", // local0.err
	} {
		if !strings.Contains(strings.Join(got, "|"), want) {
			t.Errorf("messages %q lack %q", got, want)
		}
	}
	if _, err := os.Stat(l.path()); err == nil {
		t.Error("syslog driver wrote a json log")
	}
}

func TestLoggerSyslogTCPRFC5424(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	lines := make(chan string, 10)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		sc := bufio.NewScanner(c)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	l := newTestLog(t)
	r := startLogger(t, l, Config{Type: Syslog, Config: map[string]string{
		"syslog-address": "tcp://" + ln.Addr().String(), "syslog-format": "rfc5424micro"}})
	r.out.WriteString("a\nb\n")
	for _, want := range []string{"a", "b"} {
		select {
		case got := <-lines:
			if !strings.HasPrefix(got, "<30>1 ") || !strings.HasSuffix(got, " c0ffee - "+want) {
				t.Errorf("message %q", got)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no message")
		}
	}
}

func TestLoggerJournald(t *testing.T) {
	defer func(s string) { journalSocket = s }(journalSocket)
	journalSocket = filepath.Join(t.TempDir(), "journal.sock")
	msgs := listenUnixgram(t, journalSocket)
	l := newTestLog(t)
	l.id = strings.Repeat("ab", 32)
	r := startLogger(t, l, Config{Type: Journald})
	r.err.WriteString("multi\x00byte\n")
	got := recv(t, msgs)
	r.stop(t)
	want := "MESSAGE\n\x0a\x00\x00\x00\x00\x00\x00\x00multi\x00byte\nPRIORITY=3\nSYSLOG_IDENTIFIER=abababababab\n" +
		"CONTAINER_ID=abababababab\nCONTAINER_ID_FULL=" + l.id + "\nCONTAINER_TAG=abababababab\n"
	if string(got) != want {
		t.Fatalf("datagram %q\nwant     %q", got, want)
	}
}

// An unreachable syslog drops and counts, without blocking the container.
func TestLoggerSyslogDown(t *testing.T) {
	l := newTestLog(t)
	r := startLogger(t, l, Config{Type: Syslog, Config: map[string]string{"syslog-address": "unixgram:///nonexistent.sock"}})
	for range 100 {
		r.out.WriteString("lost\n")
	}
	r.stop(t)
	if d := r.diag.String(); !strings.Contains(d, "dropped 100 log entries") {
		t.Fatalf("diagnostics %q", d)
	}
}

func recv(t *testing.T, ch <-chan []byte) []byte {
	t.Helper()
	select {
	case b := <-ch:
		return b
	case <-time.After(5 * time.Second):
		t.Fatal("no message")
		return nil
	}
}
