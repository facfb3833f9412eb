package logging

import (
	"bytes"
	"compress/gzip"
	"io"
)

// --tail N counts output lines, not entries: a long line written as several
// partial entries is one line, and each stream's line left unfinished at the
// end of the log counts as one. The files are searched from the newest
// backwards (plain files block by block from their end; compressed ones in
// one forward pass) for the position after which the last N lines start.
//
// stdout and stderr interleave, so a position may fall inside a line of the
// other stream (a long stdout line with a stderr line in its middle). Such a
// position is not taken: the search goes on to the next one back where both
// streams are between lines, so that a line is not shown without its
// start, at the price of a few more lines. The search for the other
// stream's state looks back at most tailLookBack bytes: an older line still
// open then is shown from the position on.
const tailLookBack = 256 << 10

// tailCounter counts lines while entries are visited newest first.
type tailCounter struct {
	n     int     // lines wanted
	lines int     // lines after the position being visited
	seen  [2]bool // an entry of the stream was visited
	seg   int     // the segment being visited
	// A candidate position where the last n lines start: it ends a line of
	// one stream and is taken once the next older entry of the other
	// stream (need) shows that stream is between lines there too.
	pending bool
	pendSeg int
	pendPos int64
	need    int
	past    int // bytes visited since the candidate
}

// tailPos is a position in the chain: a segment and an offset in it.
type tailPos struct {
	seg int
	off int64
}

// visit takes the next older entry, of stream s (0 stdout, 1 stderr) and
// size bytes, ending at offset end of the current segment. It returns the
// position where the wanted lines start once that is known.
func (c *tailCounter) visit(s int, term bool, end int64, size int) (tailPos, bool) {
	if c.pending {
		c.past += size
		switch {
		case s == c.need && term, c.past > tailLookBack:
			return tailPos{c.pendSeg, c.pendPos}, true
		case s == c.need:
			c.pending = false // the other stream is mid-line there
		}
	}
	if !term {
		if !c.seen[s] {
			c.lines++ // the stream's unfinished last line
		}
		c.seen[s] = true
		return tailPos{}, false
	}
	c.seen[s] = true
	if c.lines >= c.n && !c.pending {
		c.pending, c.pendSeg, c.pendPos, c.need, c.past = true, c.seg, end, 1-s, 0
	}
	c.lines++
	return tailPos{}, false
}

// seekTail positions the chain at the start of its last n lines (n >= 0)
// and returns the segments from there on; older segments are closed.
func seekTail(segs []*segment, n int) ([]*segment, error) {
	c := &tailCounter{n: n}
	for k := len(segs) - 1; k >= 0; k-- {
		c.seg = k
		s := segs[k]
		var at tailPos
		var found bool
		var err error
		if s.gz {
			at, found, err = scanBackGzip(s, c, n == 0)
		} else {
			at, found, err = scanBackPlain(s, c, n == 0)
		}
		if err != nil {
			return segs, err
		}
		if !found && k == 0 && c.pending {
			// Nothing older: the other stream is between lines.
			at, found = tailPos{c.pendSeg, c.pendPos}, true
		}
		if found {
			closeAll(segs[:at.seg])
			if err := segs[at.seg].seek(at.off); err != nil {
				return segs[at.seg:], err
			}
			return segs[at.seg:], nil
		}
	}
	return segs, nil // fewer lines than wanted: everything
}

// scanBackPlain visits the complete lines of a plain file from its end. With
// atEnd it returns the end of the last complete line at once.
func scanBackPlain(s *segment, c *tailCounter, atEnd bool) (tailPos, bool, error) {
	fi, err := s.f.Stat()
	if err != nil {
		return tailPos{}, false, err
	}
	const block = 32 << 10
	pos := fi.Size()
	var buf []byte    // file bytes [pos, pos+len(buf))
	complete := false // buf ends at the end of a complete line
	for pos > 0 {
		n := int64(block)
		if pos < n {
			n = pos
		}
		pos -= n
		chunk := make([]byte, n, int(n)+len(buf))
		if _, err := s.f.ReadAt(chunk, pos); err != nil && err != io.EOF {
			return tailPos{}, false, err
		}
		buf = append(chunk, buf...)
		if !complete {
			// Bytes after the last newline are an entry being written.
			i := bytes.LastIndexByte(buf, '\n')
			if i < 0 {
				continue
			}
			buf, complete = buf[:i+1], true
			if atEnd {
				return tailPos{c.seg, pos + int64(len(buf))}, true, nil
			}
		}
		for {
			j := bytes.LastIndexByte(buf[:len(buf)-1], '\n')
			if j < 0 && pos > 0 {
				break // the line starts in an earlier block
			}
			st, term := rawInfo(buf[j+1 : len(buf)-1])
			if at, ok := c.visit(st, term, pos+int64(len(buf)), len(buf)-j-1); ok {
				return at, true, nil
			}
			buf = buf[:j+1]
			if len(buf) == 0 {
				break
			}
		}
	}
	return tailPos{}, false, nil
}

// scanBackGzip reads a compressed file once, keeping the end offsets of the
// entries that end a line, and visits them backwards.
func scanBackGzip(s *segment, c *tailCounter, atEnd bool) (tailPos, bool, error) {
	fi, err := s.f.Stat()
	if err != nil {
		return tailPos{}, false, err
	}
	zr, err := gzip.NewReader(io.NewSectionReader(s.f, 0, fi.Size()))
	if err != nil {
		return tailPos{}, false, err
	}
	lr := newLineReader(zr)
	// Two words per entry: its end offset, and its size, stream and
	// whether it ends a line.
	var marks []int64
	var off int64
	for {
		line, ok, err := lr.next()
		if err != nil {
			return tailPos{}, false, err
		}
		if !ok {
			break
		}
		off += int64(len(line)) + 1
		st, term := rawInfo(line)
		m := int64(len(line)+1)<<2 | int64(st)<<1
		if term {
			m |= 1
		}
		marks = append(marks, off, m)
	}
	if atEnd {
		return tailPos{c.seg, off}, true, nil
	}
	for i := len(marks) - 2; i >= 0; i -= 2 {
		end, m := marks[i], marks[i+1]
		if at, ok := c.visit(int(m>>1&1), m&1 == 1, end, int(m>>2)); ok {
			return at, true, nil
		}
	}
	return tailPos{}, false, nil
}

// streamKey ends the log field in the json-file format; inside the log's
// JSON string every quote is escaped, so its first occurrence is the end.
var streamKey = []byte(`","stream":"`)

// rawInfo returns an entry's stream (0 stdout, 1 stderr) and whether it
// ends an output line, mostly without decoding it.
func rawInfo(raw []byte) (stream int, term bool) {
	k := bytes.Index(raw, streamKey)
	if k < 0 {
		var e entry
		if decodeEntry(raw, &e) != nil {
			return 0, false
		}
		if e.Stream == stderrStream {
			stream = 1
		}
		return stream, !e.partial()
	}
	if bytes.HasPrefix(raw[k+len(streamKey):], []byte(stderrStream)) {
		stream = 1
	}
	return stream, isTerminator(raw)
}

// isTerminator reports whether the raw entry ends an output line, that is
// whether its log ends in a newline, without decoding the entry.
func isTerminator(raw []byte) bool {
	k := bytes.Index(raw, streamKey)
	if k < 0 {
		var e entry
		if decodeEntry(raw, &e) != nil {
			return false
		}
		return !e.partial()
	}
	v := raw[:k]
	if len(v) < 2 || v[len(v)-1] != 'n' {
		return false
	}
	// The n is an escaped newline when an odd number of backslashes
	// precede it (\\n is a backslash then the letter n).
	slashes := 0
	for i := len(v) - 2; i >= 0 && v[i] == '\\'; i-- {
		slashes++
	}
	return slashes%2 == 1
}
