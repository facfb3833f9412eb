package logging

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// A log is a chain of files, oldest first: <log>.N ... <log>.1, <log>. Each
// may be compressed (<log>.i.gz). A reader opens the whole chain at once and
// holds every file open, so rotations that happen while it reads cannot
// take a file from under it.
//
// To follow the log across rotations with no gap and no duplicate, a
// follower that has read file A to its end and sees that <log> is another
// file asks for A's successors: the files newer than A. It finds A in a
// fresh chain by identity — the device and inode of a plain file, or, for a
// compressed one, the identity the plain file had, which the writer records
// in the gzip header. Because the follower still holds A open, A's inode
// cannot be reused meanwhile, so the identity is unambiguous. A file the
// follower has not seen can only have been removed when it was the oldest,
// so when A is not in the chain any more every listed file is newer.

// segment is one open file of the chain.
type segment struct {
	name string
	id   fileID
	gz   bool
	f    *os.File
	r    *lineReader
}

func (s *segment) Close() error { return s.f.Close() }

// errChainMoved means the chain rotated while it was being opened.
var errChainMoved = errors.New("log rotated while opening")

// openChain opens the files of the log at path, oldest first. The current
// file may be missing (not created yet, or between a removal and its
// re-creation with max-file=1).
func openChain(path string) ([]*segment, error) {
	for range 50 {
		segs, err := tryOpenChain(path)
		if !errors.Is(err, errChainMoved) {
			return segs, err
		}
	}
	return nil, fmt.Errorf("%s: %w", path, errChainMoved)
}

// tryOpenChain opens the files newest first. A rotation while it runs
// shifts files to higher indices, so the file found at the next index is
// then one already opened (maybe compressed since): seeing a file twice
// means the chain moved, and the caller tries again.
func tryOpenChain(path string) (segs []*segment, err error) {
	defer func() {
		if err != nil {
			closeAll(segs)
			segs = nil
		}
	}()
	add := func(s *segment) error {
		for _, o := range segs {
			if sameFile(o, s) {
				s.Close()
				return errChainMoved
			}
		}
		segs = append(segs, s)
		return nil
	}
	if s, err := openSegment(path, false); err == nil {
		if err := add(s); err != nil {
			return segs, err
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return segs, err
	}
	// The rotated files are probed by name rather than listed: a directory
	// read while files are renamed may skip some. A rotation leaves at most
	// one index empty at a time, so two empty ones in a row end the chain.
	last := rotatedMax(path)
	for i, misses := 1, 0; i <= last || misses < 2; i++ {
		// A plain file and its .gz can both exist while it is compressed;
		// they are the same file, and the plain one is cheaper to read.
		s, err := openSegment(rotatedName(path, i, false), false)
		if errors.Is(err, os.ErrNotExist) {
			s, err = openSegment(rotatedName(path, i, true), true)
		}
		if errors.Is(err, os.ErrNotExist) {
			misses++
			continue
		}
		if err != nil {
			return segs, err
		}
		misses = 0
		if err := add(s); err != nil {
			return segs, err
		}
	}
	// Newest first -> oldest first.
	for i, j := 0, len(segs)-1; i < j; i, j = i+1, j-1 {
		segs[i], segs[j] = segs[j], segs[i]
	}
	return segs, nil
}

// successors returns the segments of a fresh chain that are newer than
// last, closing the others.
func successors(path string, last *segment) ([]*segment, error) {
	segs, err := openChain(path)
	if err != nil {
		return nil, err
	}
	for i, s := range segs {
		if sameFile(s, last) {
			closeAll(segs[:i+1])
			return segs[i+1:], nil
		}
	}
	return segs, nil
}

// sameFile reports whether two open segments are the same log file, maybe
// one plain and one compressed.
func sameFile(a, b *segment) bool {
	if !a.id.sameInode(b.id) {
		return false
	}
	switch {
	case !a.gz && !b.gz:
		return true // both open: the inode cannot have been reused
	case a.gz && b.gz:
		return a.id == b.id
	}
	plain, gz := a, b
	if plain.gz {
		plain, gz = b, a
	}
	fi, err := plain.f.Stat()
	return err == nil && fi.Size() == gz.id.size && fi.ModTime().UnixNano() == gz.id.mtime
}

// openSegment opens one file and reads its identity.
func openSegment(name string, gz bool) (*segment, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	s := &segment{name: name, gz: gz, f: f}
	if !gz {
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, err
		}
		s.id = idOf(fi)
		s.r = newLineReader(f)
		return s, nil
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	id, ok := parseGzComment(zr.Comment)
	if !ok {
		// Not written by berth's logger: identify it by its own inode.
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, err
		}
		id = idOf(fi)
		id.size, id.mtime = fi.Size(), fi.ModTime().UnixNano()
	}
	s.id = id
	s.r = newLineReader(zr)
	return s, nil
}

// rewind makes the segment read from the start of its (uncompressed) data.
func (s *segment) rewind() error {
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if !s.gz {
		s.r = newLineReader(s.f)
		return nil
	}
	zr, err := gzip.NewReader(s.f)
	if err != nil {
		return err
	}
	s.r = newLineReader(zr)
	return nil
}

// seek makes the segment read from offset off of its uncompressed data.
func (s *segment) seek(off int64) error {
	if !s.gz {
		if _, err := s.f.Seek(off, io.SeekStart); err != nil {
			return err
		}
		s.r = newLineReader(s.f)
		return nil
	}
	if err := s.rewind(); err != nil {
		return err
	}
	return s.r.skip(off)
}

// rotatedMax is the highest index of <path>.N and <path>.N.gz listed.
func rotatedMax(path string) int {
	names, _ := filepath.Glob(globQuote(path) + ".*")
	m := 0
	for _, n := range names {
		rest := strings.TrimSuffix(strings.TrimPrefix(n, path+"."), ".gz")
		if i, err := strconv.Atoi(rest); err == nil && i > m {
			m = i
		}
	}
	return m
}

func closeAll(segs []*segment) {
	for _, s := range segs {
		s.Close()
	}
}
