package logging

import (
	"bufio"
	"io"
)

// timestampLayout is Docker's `logs -t` timestamp: UTC, nanoseconds always
// nine digits so that columns line up.
const timestampLayout = "2006-01-02T15:04:05.000000000Z07:00"

// printer writes entries to stdout and stderr as `logs` shows them. Partial
// entries of a stream are joined back into their line: -t and --details
// prefix a line once, and --since keeps or skips a line as a whole by the
// time of its first piece.
type printer struct {
	o         ReadOptions
	w         [2]*bufio.Writer
	last      int     // the writer that may hold buffered output
	midLine   [2]bool // a stream's last entry was partial
	including [2]bool // the current line of a stream passed --since
	e         entry
	ts        []byte
}

func newPrinter(o ReadOptions, stdout, stderr io.Writer) *printer {
	return &printer{o: o, w: [2]*bufio.Writer{bufio.NewWriter(stdout), bufio.NewWriter(stderr)}}
}

// line prints one raw entry. done is true once an entry is past --until.
// An entry that does not decode (a torn write after a crash) is skipped.
func (p *printer) line(raw []byte) (done bool, err error) {
	e := &p.e
	if decodeEntry(raw, e) != nil {
		return false, nil
	}
	if !p.o.Until.IsZero() && e.Time.After(p.o.Until) {
		return true, nil
	}
	i := 0
	if e.Stream == stderrStream {
		i = 1
	}
	if !p.midLine[i] {
		p.including[i] = p.o.Since.IsZero() || !e.Time.Before(p.o.Since)
	}
	start := !p.midLine[i]
	p.midLine[i] = e.partial()
	if !p.including[i] {
		return false, nil
	}
	// Keep the order of stdout and stderr writes when both go to one
	// terminal: flush one stream's buffer before writing to the other.
	if i != p.last {
		if err := p.w[p.last].Flush(); err != nil {
			return false, err
		}
		p.last = i
	}
	w := p.w[i]
	if start && p.o.Timestamps {
		p.ts = e.Time.UTC().AppendFormat(p.ts[:0], timestampLayout)
		p.ts = append(p.ts, ' ')
		_, _ = w.Write(p.ts)
	}
	if start && p.o.Details {
		// Docker prints the entry's attributes (from labels and env log
		// options, which berth's drivers do not record) and a space.
		_ = w.WriteByte(' ')
	}
	_, err = w.WriteString(e.Log)
	return false, err
}

// flush writes out what is buffered.
func (p *printer) flush() error {
	if err := p.w[0].Flush(); err != nil {
		return err
	}
	return p.w[1].Flush()
}
