package imgutil

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/docker/go-units"
	"github.com/opencontainers/go-digest"
)

// show prints a layer's state: on a terminal by rewriting its line in
// place; otherwise as a new line, except for bar updates (downloading,
// extracting, pushing), which docker does not print off a terminal.
func (p *Progress) show(l *layer) {
	switch p.mode {
	case ProgressPlain:
		if !l.step.bar {
			fmt.Fprintln(p.w, p.line(l))
		}
	case ProgressTTY:
		if !l.drawn {
			// A new row: rows are opened and drawn in order under the
			// lock, so it goes at the bottom, where the cursor rests.
			l.drawn = true
			fmt.Fprintln(p.w, p.line(l))
			return
		}
		// The cursor rests below the block; go up to the layer's row,
		// rewrite it, and come back, in one write so lines never tear.
		up := p.rows - l.row
		var b bytes.Buffer
		fmt.Fprintf(&b, "\x1b[%dA\r\x1b[2K%s\x1b[%dB\r", up, p.line(l), up)
		_, _ = p.w.Write(b.Bytes())
	}
}

// line is a layer's text: "<id>: Downloading [==>   ]  1.2MB/5MB".
func (p *Progress) line(l *layer) string {
	s := l.id + ": " + l.step.status
	if l.step.bar {
		if b := Bar(l.current, l.total, p.width); b != "" {
			s += " " + b
		}
	}
	if p.width > 0 && len(s) > p.width-1 {
		// A wrapped line would break the cursor arithmetic of the redraw.
		s = s[:p.width-1]
	}
	return s
}

// ShortID is the 12-digit form of a digest that docker shows for layers.
func ShortID(d digest.Digest) string {
	e := d.Encoded()
	if len(e) > 12 {
		e = e[:12]
	}
	return e
}

// Bar is docker's progress text for current of total bytes: a bar when the
// terminal is wide enough, then the sizes, "[=====>    ]  1.234MB/4.5MB".
// width 0 means unknown (no bar).
func Bar(current, total int64, width int) string {
	if current <= 0 && total <= 0 {
		return ""
	}
	if total <= 0 {
		return fmt.Sprintf("%8v", units.HumanSize(float64(current)))
	}
	size := 0
	switch {
	case width > 110:
		size = 50
	case width >= 80:
		size = 25
	}
	var box string
	if size > 0 {
		n := int(float64(current) / float64(total) * float64(size))
		n = min(max(n, 0), size)
		box = "[" + strings.Repeat("=", n) + ">" + strings.Repeat(" ", size-n) + "] "
	}
	if current > total {
		// A wonky total: docker drops the numbers rather than show 6MB/5MB.
		return strings.TrimSpace(box)
	}
	return box + fmt.Sprintf("%8v/%v", units.HumanSize(float64(current)), units.HumanSize(float64(total)))
}
