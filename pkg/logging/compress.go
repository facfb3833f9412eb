package logging

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
)

// gzCommentPrefix starts the gzip header comment of a compressed rotated
// log. The comment holds the identity the file had before it was compressed
// (device:inode, size and mtime), so that a follower that was reading the
// plain file can still place it in the chain after it was replaced by its
// .gz (chain.go).
const gzCommentPrefix = "berth-log id="

func (w *fileWriter) compressFile(plain string) {
	defer w.compressing.Done()
	// A failure leaves the plain file, which readers read as well; the next
	// logger start tries again.
	_ = gzipFile(plain)
	// The compressor's tables are garbage now: give the memory back, the
	// logger lives as long as the container.
	debug.FreeOSMemory()
}

// gzipFile replaces plain by plain.gz, atomically: the compressed data goes
// to a temporary file that is synced and renamed before plain is removed.
func gzipFile(plain string) error {
	in, err := os.Open(plain)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	dst := plain + ".gz"
	tmp := dst + ".tmp"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	id := idOf(fi)
	id.size, id.mtime = fi.Size(), fi.ModTime().UnixNano()
	err = writeGzip(out, in, id, fi)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return os.Remove(plain)
}

func writeGzip(out *os.File, in io.Reader, id fileID, fi os.FileInfo) error {
	// BestSpeed uses the small fast encoder: little memory in the logger.
	zw, err := gzip.NewWriterLevel(out, gzip.BestSpeed)
	if err != nil {
		return err
	}
	zw.Comment = gzCommentPrefix + id.String()
	zw.ModTime = fi.ModTime()
	buf := make([]byte, 16<<10)
	if _, err := io.CopyBuffer(zw, in, buf); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return out.Sync()
}

// parseGzComment returns the identity recorded in a compressed log's header.
func parseGzComment(c string) (fileID, bool) {
	s, ok := strings.CutPrefix(c, gzCommentPrefix)
	if !ok {
		return fileID{}, false
	}
	var id fileID
	if _, err := fmt.Sscanf(s, "%d:%d size=%d mtime=%d", &id.dev, &id.ino, &id.size, &id.mtime); err != nil {
		return fileID{}, false
	}
	return id, true
}
