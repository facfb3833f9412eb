package archive

import (
	"archive/tar"
	"errors"
	"io"
	"path"
	"strings"
)

// RootfsInfo is what a validated filesystem archive (`import`'s input)
// holds.
type RootfsInfo struct {
	// Entries counts the tar entries.
	Entries int
	// Size is the uncompressed size of the tar stream.
	Size int64
}

// ValidateRootfs reads a whole filesystem archive, a tar possibly
// compressed, as `docker export` writes and `import` takes, and refuses it
// unless it is complete and no entry, hard link target included, leaves
// the archive's root. A leading "/" is fine: names are taken below the root
// as tar(1) does. Symlinks may point anywhere: they are resolved inside the
// container that uses the image.
func ValidateRootfs(r io.Reader) (*RootfsInfo, error) {
	rc, err := Open(r)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	cr := &countingReader{r: rc}
	tr := tar.NewReader(cr)
	info := &RootfsInfo{}
	last := ""
	for {
		hdr, err := tr.Next()
		switch {
		case err == io.EOF && last == "":
			return nil, invalid("the archive is empty")
		case err == io.EOF:
			info.Size = cr.n
			return info, nil
		case err != nil && last == "":
			return nil, invalid("not a tar archive (%v)", err)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, invalid("the archive is truncated after entry %q", last)
		case err != nil:
			return nil, invalid("after entry %q: %v", last, err)
		}
		last = hdr.Name
		info.Entries++
		if err := checkRootfsEntry(hdr); err != nil {
			return nil, err
		}
		if _, err := io.Copy(io.Discard, tr); err != nil {
			return nil, invalid("entry %q is truncated", hdr.Name)
		}
	}
}

// checkRootfsEntry refuses a name or a hard link that leaves the root.
func checkRootfsEntry(hdr *tar.Header) error {
	if hdr.Name == "" {
		return invalid("an entry has an empty name")
	}
	if escapes(hdr.Name) {
		return invalid("entry %q escapes the archive", hdr.Name)
	}
	if hdr.Typeflag == tar.TypeLink && (hdr.Linkname == "" || escapes(hdr.Linkname)) {
		return invalid("link %q points outside the archive (to %q)", hdr.Name, hdr.Linkname)
	}
	return nil
}

// escapes reports a name that, taken below a root, leaves it.
func escapes(name string) bool {
	rel := path.Clean(strings.TrimLeft(name, "/"))
	return rel == ".." || strings.HasPrefix(rel, "../")
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
