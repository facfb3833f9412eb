// Package archive checks image archives (`docker save` and OCI layouts in a
// tar) before any of their content reaches the engine, and reads them
// through the compressions `docker load` accepts.
package archive

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"fmt"
	"io"
	"os"

	"github.com/containerd/containerd/v2/pkg/archive/compression"
)

var (
	gzipMagic  = []byte{0x1f, 0x8b}
	bzip2Magic = []byte("BZh")
	xzMagic    = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
)

// Open returns the tar stream inside r: r itself, or r decompressed when it
// is gzip, bzip2 or zstd. gzip is read in-process rather than through
// containerd's helper, which may run unpigz and would turn a corrupt stream
// into a bare "exit status 1".
func Open(r io.Reader) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(8)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%w: corrupt gzip stream: %w", ErrInvalid, err)
		}
		return zr, nil
	case bytes.HasPrefix(head, bzip2Magic):
		return io.NopCloser(bzip2.NewReader(br)), nil
	case bytes.HasPrefix(head, xzMagic):
		return nil, fmt.Errorf("%w: xz-compressed archives are not supported: decompress it first (xz -d)", ErrInvalid)
	}
	// zstd or plain tar.
	rc, err := compression.DecompressStream(br)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return rc, nil
}

// Spool copies r into a new file in dir and returns that file rewound. The
// file is unlinked at once, so it is gone when closed whatever happens to
// the process, and nothing else can open it between the checks and the
// import. It lets an archive that arrives on a pipe be read twice.
func Spool(dir string, r io.Reader) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "load-*.tar")
	if err != nil {
		return nil, err
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return nil, fmt.Errorf("reading the archive: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
