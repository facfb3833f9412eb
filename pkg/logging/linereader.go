package logging

import (
	"bytes"
	"io"
)

// lineReader reads the lines of a log file that may be growing: a line
// without its newline yet (an entry being written) is kept, not returned,
// and completed by a later call once the rest has been written.
type lineReader struct {
	r          io.Reader
	buf        []byte
	start, end int
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: r}
}

// next returns the next complete line without its newline, or ok false
// when none is complete at the moment. The line is valid until next call.
func (l *lineReader) next() (line []byte, ok bool, err error) {
	for {
		if i := bytes.IndexByte(l.buf[l.start:l.end], '\n'); i >= 0 {
			line = l.buf[l.start : l.start+i]
			l.start += i + 1
			return line, true, nil
		}
		if l.start > 0 {
			l.end = copy(l.buf, l.buf[l.start:l.end])
			l.start = 0
		}
		if l.end == len(l.buf) {
			l.grow()
		}
		n, err := l.r.Read(l.buf[l.end:])
		l.end += n
		if n == 0 {
			if err == io.EOF {
				err = nil
			}
			return nil, false, err
		}
	}
}

func (l *lineReader) grow() {
	size := 2 * len(l.buf)
	if size == 0 {
		size = 32 << 10
	}
	b := make([]byte, size)
	copy(b, l.buf[:l.end])
	l.buf = b
}

// skip discards n bytes of the underlying reader (the buffer is empty
// after a (re)open, which is when it is used).
func (l *lineReader) skip(n int64) error {
	_, err := io.CopyN(io.Discard, l.r, n)
	return err
}
