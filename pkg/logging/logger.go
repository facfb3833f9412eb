package logging

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Line handling, as Docker's: an output line longer than maxLine is cut
// into maxLine pieces, each written as a partial entry (no trailing "\n")
// that Read joins again. A line left without a newline is written as a
// partial entry once its stream has been quiet for partialFlush: the shim
// keeps its end of the pipes open until the task is deleted, so a
// container's exit brings no EOF, and the last unfinished line (or a
// prompt) must not wait for one. Continuous output is never cut by this;
// only a pause makes a piece, and Read joins the pieces.
const (
	maxLine      = 16 << 10
	partialFlush = 20 * time.Millisecond
)

// drainLimit bounds how long the logger keeps reading after SIGTERM: the
// shim has closed its ends of the pipes by then, so EOF comes as soon as
// the pipes are drained, unless a stray process still holds one. (A
// variable for tests.)
var drainLimit = 5 * time.Second

// LoggerSpec is what the logger was started with: the driver's options
// from its arguments, the container from its environment.
type LoggerSpec struct {
	DataRoot  string
	Namespace string
	ID        string
	opts      options
}

// Driver is the spec's log driver.
func (s LoggerSpec) Driver() string { return s.opts.driver }

// ParseLoggerArgs reads the arguments the shim builds from the log URI's
// query — `key value` pairs in no particular order — and the container's
// ID and namespace from CONTAINER_ID and CONTAINER_NAMESPACE.
func ParseLoggerArgs(args []string, getenv func(string) string) (LoggerSpec, error) {
	var s LoggerSpec
	if len(args)%2 != 0 {
		return s, fmt.Errorf("arguments must be key value pairs, got %d arguments", len(args))
	}
	c := Config{Config: map[string]string{}}
	for i := 0; i < len(args); i += 2 {
		switch k, v := args[i], args[i+1]; k {
		case argDriver:
			c.Type = v
		case argDataRoot:
			s.DataRoot = v
		default:
			c.Config[k] = v
		}
	}
	if c.Type == "" {
		return s, errors.New("no driver argument")
	}
	if s.DataRoot == "" || s.DataRoot[0] != '/' {
		return s, fmt.Errorf("data-root %q must be an absolute path", s.DataRoot)
	}
	s.ID, s.Namespace = getenv("CONTAINER_ID"), getenv("CONTAINER_NAMESPACE")
	if err := checkName("container ID (CONTAINER_ID)", s.ID); err != nil {
		return s, err
	}
	if err := checkName("namespace (CONTAINER_NAMESPACE)", s.Namespace); err != nil {
		return s, err
	}
	var err error
	s.opts, err = parseOptions(c)
	return s, err
}

// sink is where a driver sends entries. line ends in "\n" unless partial.
// A sink never blocks for long and never fails: it drops what it cannot
// deliver and counts it.
type sink interface {
	WriteEntry(stream string, line []byte, t time.Time)
	Dropped() (uint64, error)
	Close() error
}

func newSink(s LoggerSpec) (sink, error) {
	switch s.opts.driver {
	case JSONFile, Local:
		return newFileWriter(LogPath(s.DataRoot, s.Namespace, s.ID), s.opts)
	case Syslog:
		return newSyslogWriter(s.opts, s.ID), nil
	case Journald:
		return newJournalWriter(s.opts, s.ID), nil
	}
	return discard{}, nil
}

type discard struct{}

func (discard) WriteEntry(string, []byte, time.Time) {}
func (discard) Dropped() (uint64, error)             { return 0, nil }
func (discard) Close() error                         { return nil }

// RunLogger copies a container's stdout and stderr to the spec's driver
// until both reach EOF. It signals readiness on ready (one byte, then
// close: what the shim waits for with both `binary` and `binary-v2` URIs)
// once the driver is set up. After term is closed it keeps reading for at
// most drainLimit. Problems are reported on diag; the return is nil unless
// the logger could not run at all.
func RunLogger(s LoggerSpec, stdout, stderr *os.File, ready io.WriteCloser, term <-chan struct{}, diag io.Writer) error {
	out, err := newSink(s)
	if err != nil {
		// The sink retries by itself; the container must start anyway.
		fmt.Fprintf(diag, "berth-logger: %s: %v (retrying)\n", s.ID, err)
	}
	if s.opts.driver == JSONFile || s.opts.driver == Local {
		// Held until exit: readers learn from it that the log is complete.
		if lock, err := lockDir(filepath.Dir(LogPath(s.DataRoot, s.Namespace, s.ID))); err == nil {
			defer lock.Close()
		}
	}
	if ready != nil {
		_, _ = ready.Write([]byte{1})
		_ = ready.Close()
	}
	streams := []*pipeReader{
		{f: stdout, stream: stdoutStream, sink: out},
		{f: stderr, stream: stderrStream, sink: out},
	}
	var wg sync.WaitGroup
	for _, p := range streams {
		if p.f == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.run()
		}()
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-term:
			for _, p := range streams {
				p.stopBy(time.Now().Add(drainLimit))
			}
		case <-done:
		}
	}()
	wg.Wait()
	close(done)
	cerr := out.Close()
	if n, lastErr := out.Dropped(); n > 0 {
		fmt.Fprintf(diag, "berth-logger: %s: dropped %d log entries, last error: %v\n", s.ID, n, lastErr)
	}
	if cerr != nil {
		fmt.Fprintf(diag, "berth-logger: %s: %v\n", s.ID, cerr)
	}
	return nil
}

// pipeReader turns one output stream into entries.
type pipeReader struct {
	f      *os.File
	stream string
	sink   sink

	mu       sync.Mutex // orders deadline changes between run and stopBy
	hard     time.Time  // set once the logger was told to stop
	deadline time.Time  // the read deadline currently set
}

// setDeadline sets the read deadline for the next read: the partial-line
// flush when a partial line is pending, capped by the stop deadline.
func (p *pipeReader) setDeadline(pending bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.hard
	if pending {
		if f := time.Now().Add(partialFlush); d.IsZero() || f.Before(d) {
			d = f
		}
	}
	if !d.Equal(p.deadline) {
		// A pipe that is not pollable takes no deadline: no partial flush.
		_ = p.f.SetReadDeadline(d)
		p.deadline = d
	}
}

func (p *pipeReader) stopBy(t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hard = t
	p.deadline = t
	_ = p.f.SetReadDeadline(t)
}

func (p *pipeReader) stopped() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.hard.IsZero() && !time.Now().Before(p.hard)
}

func (p *pipeReader) run() {
	buf := make([]byte, maxLine)
	n := 0 // bytes of a line not yet written
	for {
		p.setDeadline(n > 0)
		m, err := p.f.Read(buf[n:])
		now := time.Now()
		n += m
		start := 0
		for {
			i := bytes.IndexByte(buf[start:n], '\n')
			if i < 0 {
				break
			}
			p.sink.WriteEntry(p.stream, buf[start:start+i+1], now)
			start += i + 1
		}
		if start > 0 {
			n = copy(buf, buf[start:n])
		}
		if n == len(buf) {
			p.sink.WriteEntry(p.stream, buf[:n], now)
			n = 0
		}
		if err == nil {
			continue
		}
		if n > 0 {
			p.sink.WriteEntry(p.stream, buf[:n], now)
			n = 0
		}
		if errors.Is(err, os.ErrDeadlineExceeded) && !p.stopped() {
			continue
		}
		return
	}
}

// SpecFor is the LoggerSpec of container id with configuration c, for a
// logger run in-process: an attached `run` logs its container's output from
// the CLI that already copies it to the terminal.
func SpecFor(dataRoot, namespace, id string, c Config) (LoggerSpec, error) {
	s := LoggerSpec{DataRoot: dataRoot, Namespace: namespace, ID: id}
	var err error
	s.opts, err = parseOptions(c)
	return s, err
}
