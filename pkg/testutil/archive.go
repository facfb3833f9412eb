package testutil

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/identity"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// layerTime stamps every entry and config so the same inputs always give the
// same digests: tests can compare digests across runs and pushes.
var layerTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// File is one entry of a layer built by NewLayer.
type File struct {
	// Path is slash-separated and relative to the root, e.g. "etc/platform".
	Path    string
	Content []byte
	// Mode holds the permission bits plus os.ModeDir, os.ModeSymlink or
	// os.ModeSticky; zero means a regular 0644 file.
	Mode os.FileMode
	// Link is the target of a symlink.
	Link string
}

// Layer is a gzip-compressed tar layer and the digest of its uncompressed tar.
type Layer struct {
	Blob   []byte
	DiffID digest.Digest
}

func (l Layer) descriptor() ocispec.Descriptor {
	return ocispec.Descriptor{
		MediaType: ocispec.MediaTypeImageLayerGzip,
		Digest:    digest.FromBytes(l.Blob),
		Size:      int64(len(l.Blob)),
	}
}

// NewLayer builds a layer holding files, in order, after any parent
// directories they need that are not listed.
func NewLayer(files []File) (Layer, error) {
	var gz bytes.Buffer
	diff := digest.Canonical.Digester()
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
	if err != nil {
		return Layer{}, err
	}
	if err := writeLayerTar(io.MultiWriter(diff.Hash(), zw), files); err != nil {
		return Layer{}, err
	}
	if err := zw.Close(); err != nil {
		return Layer{}, err
	}
	return Layer{Blob: gz.Bytes(), DiffID: diff.Digest()}, nil
}

func writeLayerTar(w io.Writer, files []File) error {
	tw := tar.NewWriter(w)
	seen := map[string]bool{}
	for _, f := range files {
		seen[strings.TrimSuffix(f.Path, "/")] = true
	}
	for _, f := range files {
		for _, dir := range parentDirs(f.Path) {
			if !seen[dir] {
				seen[dir] = true
				if err := writeTarEntry(tw, File{Path: dir, Mode: os.ModeDir | 0o755}, 0, nil); err != nil {
					return err
				}
			}
		}
		if err := writeTarEntry(tw, f, int64(len(f.Content)), bytes.NewReader(f.Content)); err != nil {
			return err
		}
	}
	return tw.Close()
}

func parentDirs(p string) []string {
	var dirs []string
	for d := path.Dir(strings.TrimSuffix(p, "/")); d != "." && d != "/"; d = path.Dir(d) {
		dirs = append([]string{d}, dirs...)
	}
	return dirs
}

// writeTarEntry writes f's header and, for a regular file, size bytes of
// body, which lets large files stream instead of sitting in f.Content.
func writeTarEntry(tw *tar.Writer, f File, size int64, body io.Reader) error {
	hdr := &tar.Header{Name: f.Path, ModTime: layerTime, Mode: int64(f.Mode.Perm()), Format: tar.FormatPAX}
	if f.Mode&os.ModeSticky != 0 {
		hdr.Mode |= 0o1000
	}
	switch {
	case f.Mode&os.ModeDir != 0:
		hdr.Typeflag, hdr.Name = tar.TypeDir, strings.TrimSuffix(f.Path, "/")+"/"
	case f.Mode&os.ModeSymlink != 0:
		hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, f.Link
	default:
		hdr.Typeflag, hdr.Size = tar.TypeReg, size
		if f.Mode == 0 {
			hdr.Mode = 0o644
		}
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("tar entry %s: %w", f.Path, err)
	}
	if hdr.Typeflag == tar.TypeReg && body != nil {
		if _, err := io.CopyN(tw, body, size); err != nil {
			return fmt.Errorf("tar entry %s: %w", f.Path, err)
		}
	}
	return nil
}

// WriteOCIArchive writes img as a tar of an OCI image layout, as
// `docker save` (v25+) and `ctr export` do. refName ("name:tag"), unless
// empty, is recorded in index.json the way Docker records it: the full name
// in io.containerd.image.name and the tag in org.opencontainers.image.ref.name.
func WriteOCIArchive(w io.Writer, img *Image, refName string) error {
	tw := tar.NewWriter(w)
	if err := writeOCILayout(tw, img, refName); err != nil {
		return err
	}
	return tw.Close()
}

func writeOCILayout(tw *tar.Writer, img *Image, refName string) error {
	desc := img.Descriptor()
	if refName != "" {
		_, tag := splitRepoTag(refName)
		desc.Annotations = map[string]string{
			"io.containerd.image.name": refName,
			ocispec.AnnotationRefName:  tag,
		}
	}
	index, err := json.Marshal(ocispec.Index{Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: ocispec.MediaTypeImageIndex, Manifests: []ocispec.Descriptor{desc}})
	if err != nil {
		return err
	}
	layout := []File{
		{Path: ocispec.ImageLayoutFile, Content: []byte(`{"imageLayoutVersion":"` + ocispec.ImageLayoutVersion + `"}`)},
		{Path: "index.json", Content: index},
		{Path: "blobs", Mode: os.ModeDir | 0o755},
		{Path: "blobs/sha256", Mode: os.ModeDir | 0o755},
		{Path: "blobs/sha256/" + img.Digest().Encoded(), Content: img.ManifestJSON},
	}
	for _, f := range layout {
		if err := writeTarEntry(tw, f, int64(len(f.Content)), bytes.NewReader(f.Content)); err != nil {
			return err
		}
	}
	for _, d := range append([]ocispec.Descriptor{img.Manifest.Config}, img.Manifest.Layers...) {
		if err := copyBlob(tw, img, "blobs/sha256/"+d.Digest.Encoded(), d); err != nil {
			return err
		}
	}
	return nil
}

func copyBlob(tw *tar.Writer, img *Image, name string, d ocispec.Descriptor) error {
	rc, err := img.OpenBlob(d.Digest)
	if err != nil {
		return err
	}
	defer rc.Close()
	return writeTarEntry(tw, File{Path: name}, d.Size, rc)
}

// dockerManifest is one entry of a `docker save` manifest.json.
type dockerManifest struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// WriteDockerArchive writes img in the layout of Docker's classic
// `docker save`: manifest.json, <config id>.json, <layer id>/layer.tar
// (uncompressed, with VERSION and json beside it) and repositories. repoTag
// ("name:tag") may be empty for an untagged image.
func WriteDockerArchive(w io.Writer, img *Image, repoTag string) error {
	tw := tar.NewWriter(w)
	cfg := img.Manifest.Config
	m := dockerManifest{Config: cfg.Digest.Encoded() + ".json"}
	if err := copyBlob(tw, img, m.Config, cfg); err != nil {
		return err
	}
	var parent string
	for i, l := range img.Manifest.Layers {
		// Chain IDs stand in for Docker's v1 layer IDs: unique per position
		// in the stack, as those are.
		id := identity.ChainID(img.Config.RootFS.DiffIDs[:i+1]).Encoded()
		v1, err := json.Marshal(map[string]string{"id": id, "parent": parent, "created": layerTime.Format(time.RFC3339)})
		if err != nil {
			return err
		}
		for _, f := range []File{{Path: id, Mode: os.ModeDir | 0o755}, {Path: id + "/VERSION", Content: []byte("1.0")}, {Path: id + "/json", Content: v1}} {
			if err := writeTarEntry(tw, f, int64(len(f.Content)), bytes.NewReader(f.Content)); err != nil {
				return err
			}
		}
		if err := writeUncompressedLayer(tw, img, id+"/layer.tar", l); err != nil {
			return err
		}
		m.Layers, parent = append(m.Layers, id+"/layer.tar"), id
	}
	repos := map[string]map[string]string{}
	if repoTag != "" {
		m.RepoTags = []string{repoTag}
		repo, tag := splitRepoTag(repoTag)
		repos[repo] = map[string]string{tag: parent}
	}
	if err := writeJSONEntries(tw, map[string]any{"manifest.json": []dockerManifest{m}, "repositories": repos}); err != nil {
		return err
	}
	return tw.Close()
}

// writeUncompressedLayer gunzips layer l into the archive. tar needs the size
// before the body, so the layer is decompressed twice rather than held in memory.
func writeUncompressedLayer(tw *tar.Writer, img *Image, name string, l ocispec.Descriptor) error {
	size, err := gunzipBlob(img, l.Digest, io.Discard)
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: size, ModTime: layerTime}); err != nil {
		return err
	}
	_, err = gunzipBlob(img, l.Digest, tw)
	return err
}

func gunzipBlob(img *Image, d digest.Digest, w io.Writer) (int64, error) {
	rc, err := img.OpenBlob(d)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	zr, err := gzip.NewReader(rc)
	if err != nil {
		return 0, fmt.Errorf("layer %s: %w", d, err)
	}
	return io.Copy(w, zr)
}

// writeJSONEntries writes each value as a JSON file, in sorted order of name
// so archives are reproducible.
func writeJSONEntries(tw *tar.Writer, entries map[string]any) error {
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		b, err := json.Marshal(entries[n])
		if err != nil {
			return err
		}
		if err := writeTarEntry(tw, File{Path: n}, int64(len(b)), bytes.NewReader(b)); err != nil {
			return err
		}
	}
	return nil
}

// EvilKind selects a malformed or hostile archive for WriteEvilArchive.
type EvilKind int

const (
	// EvilDotDot is an OCI archive with an entry named "../berth-evil".
	EvilDotDot EvilKind = iota
	// EvilAbsolute is an OCI archive with an entry named "/tmp/berth-evil".
	EvilAbsolute
	// EvilSymlink is an OCI archive with blobs/sha256/passwd -> /etc/passwd,
	// and blobs/sha256/escape -> ../../../../../../../../etc followed by a file
	// blobs/sha256/escape/berth-evil written through that link.
	EvilSymlink
	// EvilManifestPath is a docker archive whose manifest.json names
	// "../../etc/passwd" as a layer.
	EvilManifestPath
	// EvilTruncated is a valid docker archive cut in the middle.
	EvilTruncated
	// EvilCorrupt is random bytes.
	EvilCorrupt
)

// EvilMarker is the name of the file the evil archives try to create outside
// their extraction root; tests check that no file of that name appeared.
const EvilMarker = "berth-evil"

// WriteEvilArchive writes an archive that `berth load` must refuse without
// touching anything outside its own store. Apart from the hostile part, each
// holds a small valid image, so only that part can be the reason for refusal.
func WriteEvilArchive(w io.Writer, kind EvilKind) error {
	img, err := tinyImage()
	if err != nil {
		return err
	}
	evil := []byte("evil\n")
	var extra []File
	switch kind {
	case EvilDotDot:
		extra = []File{{Path: "../" + EvilMarker, Content: evil}}
	case EvilAbsolute:
		extra = []File{{Path: "/tmp/" + EvilMarker, Content: evil}}
	case EvilSymlink:
		extra = []File{
			{Path: "blobs/sha256/passwd", Mode: os.ModeSymlink | 0o777, Link: "/etc/passwd"},
			{Path: "blobs/sha256/escape", Mode: os.ModeSymlink | 0o777, Link: "../../../../../../../../etc"},
			{Path: "blobs/sha256/escape/" + EvilMarker, Content: evil},
		}
	case EvilManifestPath:
		return writeEvilManifest(w, img)
	case EvilTruncated:
		var buf bytes.Buffer
		if err := WriteDockerArchive(&buf, img, "truncated:latest"); err != nil {
			return err
		}
		_, err := w.Write(buf.Bytes()[:buf.Len()/2])
		return err
	case EvilCorrupt:
		// Seeded, so a failure reproduces with the same bytes.
		_, err := io.CopyN(w, rand.NewChaCha8([32]byte{'b', 'e', 'r', 't', 'h'}), 64<<10)
		return err
	default:
		return fmt.Errorf("unknown EvilKind %d", int(kind))
	}
	tw := tar.NewWriter(w)
	// The hostile entries come first, so a loader that acts entry by entry
	// meets them before anything that could make it stop early.
	for _, f := range extra {
		if err := writeTarEntry(tw, f, int64(len(f.Content)), bytes.NewReader(f.Content)); err != nil {
			return err
		}
	}
	if err := writeOCILayout(tw, img, "evil:latest"); err != nil {
		return err
	}
	return tw.Close()
}

func writeEvilManifest(w io.Writer, img *Image) error {
	tw := tar.NewWriter(w)
	cfg := img.Manifest.Config
	m := dockerManifest{Config: cfg.Digest.Encoded() + ".json", RepoTags: []string{"evil:latest"}, Layers: []string{"../../etc/passwd"}}
	if err := copyBlob(tw, img, m.Config, cfg); err != nil {
		return err
	}
	if err := writeJSONEntries(tw, map[string]any{"manifest.json": []dockerManifest{m}}); err != nil {
		return err
	}
	return tw.Close()
}

// tinyImage is a one-layer image with a single small file: enough to be a
// valid image, small enough to build for every evil archive.
func tinyImage() (*Image, error) {
	l, err := NewLayer([]File{{Path: "hello", Content: []byte("hello\n")}})
	if err != nil {
		return nil, err
	}
	img := &Image{Blobs: map[digest.Digest][]byte{}}
	d := l.descriptor()
	img.Blobs[d.Digest] = l.Blob
	return img, img.finish(ocispec.ImageConfig{Env: []string{DefaultPath}, Cmd: []string{"sh"}}, defaultPlatform(),
		[]ocispec.Descriptor{d}, []digest.Digest{l.DiffID})
}
