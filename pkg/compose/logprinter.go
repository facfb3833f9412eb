package compose

import (
	"bytes"
	"fmt"
	"io"
	"sync"
)

// logPrinter writes the output of several containers to one stream, a
// whole line at a time, each with its container's prefix ("web-1  | "),
// coloured on a terminal as Docker Compose colours them.
type logPrinter struct {
	mu    sync.Mutex
	w     io.Writer
	width int
	// color gives each container its own colour; nil prints none.
	color  func(i int) string
	prefix bool
}

// ANSI colours, in Docker Compose's order.
var rainbow = []string{"36", "33", "32", "35", "34", "96", "93", "92", "95", "94"}

func colorFor(i int) string { return rainbow[i%len(rainbow)] }

// newLogPrinter prepares a printer for containers named names.
func newLogPrinter(w io.Writer, names []string, color, prefix bool) *logPrinter {
	lp := &logPrinter{w: w, prefix: prefix}
	for _, n := range names {
		lp.width = max(lp.width, len(n)+1)
	}
	if color {
		lp.color = colorFor
	}
	return lp
}

// paint colours s with the i-th colour, when colours are on.
func (lp *logPrinter) paint(i int, s string) string {
	if lp.color == nil {
		return s
	}
	return "\033[" + lp.color(i) + "m" + s + "\033[0m"
}

// writer returns the stream of the i-th container, named name.
func (lp *logPrinter) writer(i int, name string) *lineWriter {
	p := ""
	if lp.prefix {
		p = lp.paint(i, fmt.Sprintf("%-*s| ", lp.width+1, name))
	}
	return &lineWriter{lp: lp, prefix: p}
}

// event prints a line about a container ("web-1 exited with code 0").
func (lp *logPrinter) event(i int, name, what string) {
	lp.mu.Lock()
	defer lp.mu.Unlock()
	fmt.Fprintf(lp.w, "%s %s\n", lp.paint(i, name), what)
}

// lineWriter prefixes each line written to it; a last line without a
// newline is written by Flush.
type lineWriter struct {
	lp     *logPrinter
	prefix string
	mu     sync.Mutex
	buf    []byte
}

func (l *lineWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, b...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		l.emit(l.buf[:i+1])
		l.buf = l.buf[i+1:]
	}
	return len(b), nil
}

// Flush writes what is left of an unfinished line.
func (l *lineWriter) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.emit(append(l.buf, '\n'))
		l.buf = nil
	}
}

func (l *lineWriter) emit(line []byte) {
	l.lp.mu.Lock()
	defer l.lp.mu.Unlock()
	_, _ = io.WriteString(l.lp.w, l.prefix)
	_, _ = l.lp.w.Write(line)
}
