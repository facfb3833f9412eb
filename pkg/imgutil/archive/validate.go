package archive

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// ErrInvalid marks an archive refused before anything of it was imported.
// Every refusal reads "invalid archive: <what>, naming the entry".
var ErrInvalid = errors.New("invalid archive")

const (
	// maxJSONFile bounds one file kept in memory for the layout checks; an
	// image manifest is at most 4 MiB in a registry too.
	maxJSONFile = 4 << 20
	// maxJSONTotal bounds the memory all such files may take.
	maxJSONTotal = 64 << 20
)

// Contents is what a validated archive holds.
type Contents struct {
	// Format is "oci" for an OCI layout (possibly with a Docker manifest.json
	// beside it, as `docker save` writes since v25) or "docker".
	Format string
	// Names are the image names the archive carries, normalised
	// ("docker.io/library/busybox:latest"), in archive order.
	Names []string
	// Platforms lists the platform of each image manifest present.
	Platforms []ocispec.Platform
	// Partial reports an index whose manifests are not all in the archive,
	// as a single-platform save of a multi-platform image leaves it.
	Partial bool
}

// entry is one tar entry as the checks need it.
type entry struct {
	typ  byte
	size int64
	// target is the cleaned, root-relative target of a link.
	target string
	// digest of a regular file's body, in the algorithm its blob path names
	// (sha256 elsewhere).
	digest digest.Digest
	// json is the body of a small file that may be JSON the layout checks need.
	json []byte
}

// scan accumulates what one pass over the tar learnt.
type scan struct {
	entries   map[string]*entry
	links     map[string]bool
	jsonTotal int64
	// digests holds the digest of every regular file: the importer stores
	// files by content, so a blob is present when some file has its digest.
	digests  map[digest.Digest]*entry
	contents Contents
}

// Validate reads a whole image archive (a tar, possibly compressed) and
// refuses it unless every entry stays inside the archive root, no entry is a
// device or fifo, every blob matches its digest, the stream is complete, and
// the manifest.json or index.json it carries names only blobs it contains.
// Layer contents are not looked into: applying them safely is the differ's
// job.
func Validate(r io.Reader) (*Contents, error) {
	tr, err := Open(r)
	if err != nil {
		return nil, err
	}
	defer tr.Close()
	s := &scan{entries: map[string]*entry{}, links: map[string]bool{},
		digests: map[digest.Digest]*entry{}}
	if err := s.walk(tar.NewReader(tr)); err != nil {
		return nil, err
	}
	if err := s.checkLayout(); err != nil {
		return nil, err
	}
	return &s.contents, nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// walk reads every entry, checking its name and type and hashing its body.
func (s *scan) walk(tr *tar.Reader) error {
	last := ""
	for {
		hdr, err := tr.Next()
		switch {
		case err == io.EOF && last == "":
			return invalid("the archive is empty")
		case err == io.EOF:
			return nil
		case err != nil && last == "":
			return invalid("not a tar archive (%v)", err)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return invalid("the archive is truncated after entry %q", last)
		case err != nil:
			return invalid("after entry %q: %v", last, err)
		}
		last = hdr.Name
		name, err := s.checkEntry(hdr)
		if err != nil {
			return err
		}
		if hdr.Typeflag == tar.TypeReg || hdr.Typeflag == tar.TypeRegA {
			if err := s.readBody(tr, name, hdr); err != nil {
				return err
			}
		}
	}
}

// checkEntry refuses names and types that could reach outside the archive
// and records the entry under its cleaned name.
func (s *scan) checkEntry(hdr *tar.Header) (string, error) {
	raw := hdr.Name
	if raw == "" {
		return "", invalid("an entry has an empty name")
	}
	if strings.HasPrefix(raw, "/") {
		return "", invalid("entry %q is an absolute path", raw)
	}
	if hasDotDot(raw) {
		return "", invalid("entry %q escapes the archive", raw)
	}
	name := path.Clean(raw)
	for dir := path.Dir(name); dir != "."; dir = path.Dir(dir) {
		if s.links[dir] {
			return "", invalid("entry %q is inside link %q", raw, dir)
		}
	}
	e := &entry{typ: hdr.Typeflag, size: hdr.Size}
	switch hdr.Typeflag {
	case tar.TypeReg, tar.TypeRegA, tar.TypeDir:
	case tar.TypeSymlink:
		target, ok := symlinkTarget(name, hdr.Linkname)
		if !ok {
			return "", invalid("link %q points outside the archive (to %q)", raw, hdr.Linkname)
		}
		e.target, s.links[name] = target, true
	case tar.TypeLink:
		target := path.Clean(hdr.Linkname)
		if strings.HasPrefix(hdr.Linkname, "/") || target == ".." || strings.HasPrefix(target, "../") {
			return "", invalid("link %q points outside the archive (to %q)", raw, hdr.Linkname)
		}
		e.target, s.links[name] = target, true
	case tar.TypeChar:
		return "", invalid("entry %q is a character device", raw)
	case tar.TypeBlock:
		return "", invalid("entry %q is a block device", raw)
	case tar.TypeFifo:
		return "", invalid("entry %q is a fifo", raw)
	default:
		return "", invalid("entry %q has unsupported type %q", raw, string(hdr.Typeflag))
	}
	s.entries[name] = e
	return name, nil
}

// hasDotDot reports a ".." component anywhere in a slash-separated name.
func hasDotDot(name string) bool {
	for _, c := range strings.Split(name, "/") {
		if c == ".." {
			return true
		}
	}
	return false
}

// symlinkTarget resolves a symlink's target against its directory and
// reports whether it stays inside the archive root.
func symlinkTarget(name, linkname string) (string, bool) {
	if linkname == "" || strings.HasPrefix(linkname, "/") {
		return "", false
	}
	target := path.Join(path.Dir(name), linkname)
	if target == ".." || strings.HasPrefix(target, "../") {
		return "", false
	}
	return target, true
}

// readBody hashes a regular file, keeps it when it may be JSON the layout
// checks need, and verifies a blob against the digest its path names.
func (s *scan) readBody(tr io.Reader, name string, hdr *tar.Header) error {
	alg := digest.Canonical
	want, isBlob := blobDigest(name)
	if isBlob {
		alg = want.Algorithm()
	}
	d := alg.Digester()
	var keep bytes.Buffer
	var w io.Writer = d.Hash()
	if hdr.Size <= maxJSONFile {
		w = io.MultiWriter(w, &keep)
	}
	n, err := io.Copy(w, tr)
	if err != nil || n != hdr.Size {
		if errors.Is(err, io.ErrUnexpectedEOF) || err == nil {
			return invalid("entry %q is truncated", hdr.Name)
		}
		return invalid("reading entry %q: %v", hdr.Name, err)
	}
	e := s.entries[name]
	e.digest = d.Digest()
	if isBlob && e.digest != want {
		return invalid("entry %q does not match its digest", hdr.Name)
	}
	s.digests[e.digest] = e
	if b := bytes.TrimLeft(keep.Bytes(), " \t\r\n"); len(b) > 0 && (b[0] == '{' || b[0] == '[') {
		s.jsonTotal += int64(keep.Len())
		if s.jsonTotal > maxJSONTotal {
			return invalid("more than %d MiB of JSON files (at entry %q)", maxJSONTotal>>20, hdr.Name)
		}
		e.json = keep.Bytes()
	}
	return nil
}

// blobDigest returns the digest a path of the form blobs/<alg>/<hex> names.
func blobDigest(name string) (digest.Digest, bool) {
	parts := strings.Split(name, "/")
	if len(parts) != 3 || parts[0] != ocispec.ImageBlobsDir {
		return "", false
	}
	d := digest.NewDigestFromEncoded(digest.Algorithm(parts[1]), parts[2])
	if d.Validate() != nil {
		return "", false
	}
	return d, true
}

// lookup resolves name, following one symlink as containerd's importer
// does, to a regular file. Hard links are not followed: the importer
// ignores them.
func (s *scan) lookup(name string) (*entry, bool) {
	e, ok := s.entries[path.Clean(name)]
	if ok && e.typ == tar.TypeSymlink {
		e, ok = s.entries[e.target]
	}
	if !ok || (e.typ != tar.TypeReg && e.typ != tar.TypeRegA) {
		return nil, false
	}
	return e, true
}
