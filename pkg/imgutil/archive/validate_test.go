package archive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/berth-project/berth/pkg/testutil"
)

// tarEntry is one entry of a test archive.
type tarEntry struct {
	name string
	typ  byte
	body []byte
	link string
}

func reg(name string, body []byte) tarEntry {
	return tarEntry{name: name, typ: tar.TypeReg, body: body}
}

func writeTar(t *testing.T, entries []tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Typeflag: e.typ, Linkname: e.link, Mode: 0o644, Size: int64(len(e.body))}
		if e.typ != tar.TypeReg {
			hdr.Size = 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(e.body); err != nil && e.typ == tar.TypeReg {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func blobEntry(b []byte) tarEntry {
	return reg("blobs/sha256/"+digest.FromBytes(b).Encoded(), b)
}

func desc(mt string, b []byte) ocispec.Descriptor {
	return ocispec.Descriptor{MediaType: mt, Digest: digest.FromBytes(b), Size: int64(len(b))}
}

// ociImage is a minimal valid OCI layout, as entries, with the blobs
// separate so cases can leave one out or change it.
type ociImage struct {
	layout, index, manifest, config, layer tarEntry
	manifestDigest                         digest.Digest
}

func newOCIImage(t *testing.T) ociImage {
	t.Helper()
	layer := []byte("not really a tar, the checks do not look inside layers")
	cfg := mustJSON(t, ocispec.Image{Platform: ocispec.Platform{OS: "linux", Architecture: "amd64"},
		RootFS: ocispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{digest.FromBytes(layer)}}})
	mfst := mustJSON(t, ocispec.Manifest{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageManifest,
		Config: desc(ocispec.MediaTypeImageConfig, cfg), Layers: []ocispec.Descriptor{desc(ocispec.MediaTypeImageLayer, layer)}})
	md := desc(ocispec.MediaTypeImageManifest, mfst)
	md.Annotations = map[string]string{"io.containerd.image.name": "docker.io/library/busybox:latest", ocispec.AnnotationRefName: "latest"}
	idx := mustJSON(t, ocispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, Manifests: []ocispec.Descriptor{md}})
	return ociImage{
		layout: reg("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)), index: reg("index.json", idx),
		manifest: blobEntry(mfst), config: blobEntry(cfg), layer: blobEntry(layer), manifestDigest: md.Digest,
	}
}

func (o ociImage) entries() []tarEntry {
	return []tarEntry{o.layout, o.index, o.manifest, o.config, o.layer}
}

func TestValidateAccepts(t *testing.T) {
	o := newOCIImage(t)
	c, err := Validate(bytes.NewReader(writeTar(t, o.entries())))
	if err != nil {
		t.Fatal(err)
	}
	want := &Contents{Format: "oci", Names: []string{"docker.io/library/busybox:latest"},
		Platforms: []ocispec.Platform{{OS: "linux", Architecture: "amd64"}}}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got %+v, want %+v", c, want)
	}

	// The same layout gzip-compressed, with "./" names and a symlinked blob
	// that stays inside.
	es := append(o.entries(), tarEntry{name: "./blobs/sha256/alias", typ: tar.TypeSymlink, link: o.layer.name[len("blobs/sha256/"):]})
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(writeTar(t, es))
	zw.Close()
	if _, err := Validate(&gz); err != nil {
		t.Errorf("gzip: %v", err)
	}
}

func TestValidateDockerArchive(t *testing.T) {
	img, err := testutil.NewImage()
	if err != nil {
		t.Skip(err)
	}
	var buf bytes.Buffer
	if err := testutil.WriteDockerArchive(&buf, img, "busybox:1.36"); err != nil {
		t.Fatal(err)
	}
	c, err := Validate(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if c.Format != "docker" || !reflect.DeepEqual(c.Names, []string{"docker.io/library/busybox:1.36"}) || len(c.Platforms) != 1 {
		t.Errorf("got %+v", c)
	}
}

func TestValidateRefuses(t *testing.T) {
	o := newOCIImage(t)
	cfgName := o.config.name
	badIndex := mustJSON(t, ocispec.Index{Versioned: specs.Versioned{SchemaVersion: 2},
		Manifests: []ocispec.Descriptor{{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.FromString("x"), Size: 1}}})
	dockerMfst := func(paths ...string) tarEntry {
		return reg("manifest.json", mustJSON(t, []dockerManifest{{Config: paths[0], RepoTags: []string{"evil:latest"}, Layers: paths[1:]}}))
	}
	full := writeTar(t, o.entries())
	cases := []struct {
		name string
		tar  []byte
		want string
	}{
		{"dotdot", writeTar(t, append([]tarEntry{reg("../evil", []byte("x"))}, o.entries()...)),
			`invalid archive: entry "../evil" escapes the archive`},
		{"inner dotdot", writeTar(t, append([]tarEntry{reg("blobs/../../evil", []byte("x"))}, o.entries()...)),
			`invalid archive: entry "blobs/../../evil" escapes the archive`},
		{"absolute", writeTar(t, append([]tarEntry{reg("/tmp/evil", []byte("x"))}, o.entries()...)),
			`invalid archive: entry "/tmp/evil" is an absolute path`},
		{"symlink absolute", writeTar(t, append([]tarEntry{{name: "blobs/sha256/passwd", typ: tar.TypeSymlink, link: "/etc/passwd"}}, o.entries()...)),
			`invalid archive: link "blobs/sha256/passwd" points outside the archive (to "/etc/passwd")`},
		{"symlink up", writeTar(t, append([]tarEntry{{name: "blobs/sha256/up", typ: tar.TypeSymlink, link: "../../../etc"}}, o.entries()...)),
			`invalid archive: link "blobs/sha256/up" points outside the archive (to "../../../etc")`},
		{"hardlink up", writeTar(t, append([]tarEntry{{name: "x", typ: tar.TypeLink, link: "../etc/shadow"}}, o.entries()...)),
			`invalid archive: link "x" points outside the archive (to "../etc/shadow")`},
		{"hardlink absolute", writeTar(t, append([]tarEntry{{name: "x", typ: tar.TypeLink, link: "/etc/shadow"}}, o.entries()...)),
			`invalid archive: link "x" points outside the archive (to "/etc/shadow")`},
		{"through link", writeTar(t, append([]tarEntry{{name: "d", typ: tar.TypeSymlink, link: "blobs"}, reg("d/x", nil)}, o.entries()...)),
			`invalid archive: entry "d/x" is inside link "d"`},
		{"char device", writeTar(t, append([]tarEntry{{name: "null", typ: tar.TypeChar}}, o.entries()...)),
			`invalid archive: entry "null" is a character device`},
		{"block device", writeTar(t, append([]tarEntry{{name: "sda", typ: tar.TypeBlock}}, o.entries()...)),
			`invalid archive: entry "sda" is a block device`},
		{"fifo", writeTar(t, append([]tarEntry{{name: "pipe", typ: tar.TypeFifo}}, o.entries()...)),
			`invalid archive: entry "pipe" is a fifo`},
		{"corrupt blob", writeTar(t, []tarEntry{o.layout, o.index, o.manifest, reg(cfgName, []byte("{}")), o.layer}),
			`invalid archive: entry "` + cfgName + `" does not match its digest`},
		{"missing config", writeTar(t, []tarEntry{o.layout, o.index, o.manifest, o.layer}),
			`invalid archive: manifest ` + o.manifestDigest.String() + ` names ` + digest.Digest("sha256:"+cfgName[len("blobs/sha256/"):]).String() + `, which is not in the archive`},
		{"missing manifest", writeTar(t, []tarEntry{o.layout, reg("index.json", badIndex)}),
			`invalid archive: index.json names ` + digest.FromString("x").String() + `, which is not in the archive`},
		{"no index", writeTar(t, []tarEntry{o.layout, o.manifest}),
			`invalid archive: oci-layout without index.json`},
		{"layout version", writeTar(t, []tarEntry{reg("oci-layout", []byte(`{"imageLayoutVersion":"9"}`)), o.index}),
			`invalid archive: unsupported OCI layout version "9"`},
		{"not an image", writeTar(t, []tarEntry{reg("hello", []byte("hi"))}),
			`invalid archive: no manifest.json or oci-layout: not a Docker or OCI image archive`},
		{"manifest escapes", writeTar(t, []tarEntry{o.config, dockerMfst(cfgName, "../../etc/passwd")}),
			`invalid archive: manifest.json names "../../etc/passwd", which escapes the archive`},
		{"manifest absolute", writeTar(t, []tarEntry{o.config, dockerMfst("/etc/passwd")}),
			`invalid archive: manifest.json names "/etc/passwd", which escapes the archive`},
		{"manifest missing layer", writeTar(t, []tarEntry{o.config, dockerMfst(cfgName, "abc/layer.tar")}),
			`invalid archive: manifest.json names "abc/layer.tar", which is not in the archive`},
		{"manifest not json", writeTar(t, []tarEntry{reg("manifest.json", []byte("[nope"))}),
			`invalid archive: manifest.json is not valid JSON: invalid character 'o' in literal null (expecting 'u')`},
		{"bad tag", writeTar(t, []tarEntry{o.config, reg("manifest.json", mustJSON(t, []dockerManifest{{Config: cfgName, RepoTags: []string{"Evil:latest"}}}))}),
			`invalid archive: manifest.json has an invalid tag "Evil:latest": invalid reference format: repository name (library/Evil) must be lowercase`},
		{"truncated body", full[:len(full)-1024-512+20],
			`invalid archive: entry "` + o.layer.name + `" is truncated`},
		{"truncated header", full[:512+512+100],
			`invalid archive: the archive is truncated after entry "oci-layout"`},
		{"empty", nil, `invalid archive: the archive is empty`},
		{"not tar", bytes.Repeat([]byte("garbage!"), 200), `invalid archive: not a tar archive (archive/tar: invalid tar header)`},
		{"bad gzip", []byte{0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, `invalid archive: corrupt gzip stream: gzip: invalid header`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Validate(bytes.NewReader(c.tar))
			if err == nil {
				t.Fatalf("accepted, want %s", c.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			if err.Error() != c.want {
				t.Errorf("got  %s\nwant %s", err, c.want)
			}
		})
	}
}

// TestValidateEvilArchives runs the hostile archives the integration tests
// load through the checks alone.
func TestValidateEvilArchives(t *testing.T) {
	cases := map[testutil.EvilKind]string{
		testutil.EvilDotDot:       `invalid archive: entry "../berth-evil" escapes the archive`,
		testutil.EvilAbsolute:     `invalid archive: entry "/tmp/berth-evil" is an absolute path`,
		testutil.EvilSymlink:      `invalid archive: link "blobs/sha256/passwd" points outside the archive (to "/etc/passwd")`,
		testutil.EvilManifestPath: `invalid archive: manifest.json names "../../etc/passwd", which escapes the archive`,
		testutil.EvilCorrupt:      `invalid archive: not a tar archive (archive/tar: invalid tar header)`,
	}
	for kind, want := range cases {
		var buf bytes.Buffer
		if err := testutil.WriteEvilArchive(&buf, kind); err != nil {
			t.Fatal(err)
		}
		if _, err := Validate(&buf); err == nil || err.Error() != want {
			t.Errorf("kind %d: got %v, want %s", kind, err, want)
		}
	}
	var buf bytes.Buffer
	if err := testutil.WriteEvilArchive(&buf, testutil.EvilTruncated); err != nil {
		t.Fatal(err)
	}
	if _, err := Validate(&buf); err == nil || !errors.Is(err, ErrInvalid) {
		t.Errorf("truncated: got %v", err)
	}
}

func TestSpool(t *testing.T) {
	dir := t.TempDir()
	f, err := Spool(dir, bytes.NewReader([]byte("hello")))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 5)
	if _, err := f.Read(b); err != nil || string(b) != "hello" {
		t.Fatalf("read %q, %v", b, err)
	}
	if left, _ := filepathGlob(dir); len(left) != 0 {
		t.Errorf("spool left files: %v", left)
	}
}

func filepathGlob(dir string) ([]string, error) { return filepath.Glob(filepath.Join(dir, "*")) }
