package testutil

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/identity"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// readArchive reads every entry of an archive with archive/tar.
func readArchive(t *testing.T, b []byte) (map[string]layerEntry, []string) {
	t.Helper()
	entries, order, err := readArchiveErr(b)
	if err != nil {
		t.Fatalf("reading archive: %v", err)
	}
	return entries, order
}

func readArchiveErr(b []byte) (map[string]layerEntry, []string, error) {
	tr := tar.NewReader(bytes.NewReader(b))
	entries := map[string]layerEntry{}
	var order []string
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return entries, order, nil
		}
		if err != nil {
			return entries, order, err
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			return entries, order, err
		}
		entries[hdr.Name] = layerEntry{hdr, body}
		order = append(order, hdr.Name)
	}
}

func TestArchiveOCIRoundTrip(t *testing.T) {
	img, err := NewImage(WithFiles(File{Path: "etc/motd", Content: []byte("hi\n")}))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteOCIArchive(&buf, img, "example.com/tools/busybox:1.0"); err != nil {
		t.Fatal(err)
	}
	entries, _ := readArchive(t, buf.Bytes())
	if got := string(entries["oci-layout"].body); got != `{"imageLayoutVersion":"1.0.0"}` {
		t.Errorf("oci-layout %q", got)
	}
	var index ocispec.Index
	if err := json.Unmarshal(entries["index.json"].body, &index); err != nil || len(index.Manifests) != 1 {
		t.Fatalf("index.json %s (err %v)", entries["index.json"].body, err)
	}
	desc := index.Manifests[0]
	if desc.Annotations["io.containerd.image.name"] != "example.com/tools/busybox:1.0" ||
		desc.Annotations[ocispec.AnnotationRefName] != "1.0" || desc.Digest != img.Digest() {
		t.Errorf("index descriptor %+v", desc)
	}
	blob := func(d digest.Digest) []byte {
		e, ok := entries["blobs/sha256/"+d.Encoded()]
		if !ok || digest.FromBytes(e.body) != d {
			t.Fatalf("blob %s missing or corrupt", d)
		}
		return e.body
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(blob(desc.Digest), &m); err != nil || !reflect.DeepEqual(m, img.Manifest) {
		t.Fatalf("manifest in archive differs (err %v)", err)
	}
	for _, d := range append([]ocispec.Descriptor{m.Config}, m.Layers...) {
		if !bytes.Equal(blob(d.Digest), img.Blobs[d.Digest]) {
			t.Errorf("blob %s differs from the image's", d.Digest)
		}
	}
	if len(entries) != 5+len(m.Layers)+1 {
		t.Errorf("unexpected entries: %d", len(entries))
	}
}

func TestArchiveDockerRoundTrip(t *testing.T) {
	img, err := NewImage(WithFiles(File{Path: "etc/motd", Content: []byte("hi\n")}))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteDockerArchive(&buf, img, "127.0.0.1:5000/tools/busybox:1.0"); err != nil {
		t.Fatal(err)
	}
	entries, _ := readArchive(t, buf.Bytes())
	var manifest []dockerManifest
	if err := json.Unmarshal(entries["manifest.json"].body, &manifest); err != nil || len(manifest) != 1 {
		t.Fatalf("manifest.json %s (err %v)", entries["manifest.json"].body, err)
	}
	m := manifest[0]
	if !reflect.DeepEqual(m.RepoTags, []string{"127.0.0.1:5000/tools/busybox:1.0"}) {
		t.Errorf("RepoTags %v", m.RepoTags)
	}
	cfg := entries[m.Config].body
	if m.Config != img.Manifest.Config.Digest.Encoded()+".json" || !bytes.Equal(cfg, img.Blobs[img.Manifest.Config.Digest]) {
		t.Errorf("config %s does not hold the image config", m.Config)
	}
	diffIDs := img.Config.RootFS.DiffIDs
	if len(m.Layers) != len(diffIDs) {
		t.Fatalf("Layers %v for %d diff_ids", m.Layers, len(diffIDs))
	}
	for i, name := range m.Layers {
		// Docker loads a layer.tar by checking it against the config's diff_id.
		if got := digest.FromBytes(entries[name].body); got != diffIDs[i] {
			t.Errorf("%s is %s, diff_id is %s", name, got, diffIDs[i])
		}
		id := identity.ChainID(diffIDs[:i+1]).Encoded()
		if name != id+"/layer.tar" || string(entries[id+"/VERSION"].body) != "1.0" {
			t.Errorf("layer %d stored as %s", i, name)
		}
	}
	var repos map[string]map[string]string
	if err := json.Unmarshal(entries["repositories"].body, &repos); err != nil {
		t.Fatal(err)
	}
	if top := identity.ChainID(diffIDs).Encoded(); repos["127.0.0.1:5000/tools/busybox"]["1.0"] != top {
		t.Errorf("repositories %v, want tag 1.0 -> %s", repos, top)
	}
}

func TestArchiveEvil(t *testing.T) {
	for _, c := range []struct {
		name  string
		kind  EvilKind
		check func(t *testing.T, entries map[string]layerEntry, order []string, readErr error)
	}{
		{"dotdot", EvilDotDot, wantEntry("../"+EvilMarker, tar.TypeReg, "")},
		{"absolute", EvilAbsolute, wantEntry("/tmp/"+EvilMarker, tar.TypeReg, "")},
		{"symlink", EvilSymlink, func(t *testing.T, e map[string]layerEntry, o []string, err error) {
			wantEntry("blobs/sha256/passwd", tar.TypeSymlink, "/etc/passwd")(t, e, o, err)
			wantEntry("blobs/sha256/escape", tar.TypeSymlink, "../../../../../../../../etc")(t, e, o, err)
			wantEntry("blobs/sha256/escape/"+EvilMarker, tar.TypeReg, "")(t, e, o, err)
		}},
		{"manifest path", EvilManifestPath, func(t *testing.T, e map[string]layerEntry, _ []string, err error) {
			var m []dockerManifest
			if err != nil || json.Unmarshal(e["manifest.json"].body, &m) != nil || len(m) != 1 ||
				!reflect.DeepEqual(m[0].Layers, []string{"../../etc/passwd"}) || e[m[0].Config].hdr == nil {
				t.Errorf("manifest.json %s (read error %v)", e["manifest.json"].body, err)
			}
		}},
		{"truncated", EvilTruncated, func(t *testing.T, e map[string]layerEntry, _ []string, err error) {
			if !errors.Is(err, io.ErrUnexpectedEOF) || len(e) == 0 {
				t.Errorf("want some entries then an unexpected EOF, got %d entries and %v", len(e), err)
			}
		}},
		{"corrupt", EvilCorrupt, func(t *testing.T, e map[string]layerEntry, _ []string, err error) {
			if err == nil || len(e) != 0 {
				t.Errorf("random bytes read as a tar: %d entries, err %v", len(e), err)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteEvilArchive(&buf, c.kind); err != nil {
				t.Fatal(err)
			}
			entries, order, err := readArchiveErr(buf.Bytes())
			c.check(t, entries, order, err)
		})
	}
	if err := WriteEvilArchive(io.Discard, EvilKind(99)); err == nil {
		t.Error("an unknown kind should be an error")
	}
}

// wantEntry checks that the archive read cleanly, has the hostile entry name
// with the given type (and link target), before a still valid OCI layout.
func wantEntry(name string, typ byte, link string) func(*testing.T, map[string]layerEntry, []string, error) {
	return func(t *testing.T, entries map[string]layerEntry, order []string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("archive should be a well-formed tar: %v", err)
		}
		e, ok := entries[name]
		if !ok || e.hdr.Typeflag != typ || e.hdr.Linkname != link {
			t.Fatalf("want entry %q type %c -> %q, got %+v", name, typ, link, e.hdr)
		}
		if order[0] != name && order[0] != "blobs/sha256/passwd" {
			t.Errorf("hostile entry should come first, order %v", order)
		}
		var index ocispec.Index
		if json.Unmarshal(entries["index.json"].body, &index) != nil || len(index.Manifests) != 1 {
			t.Errorf("the rest should be a valid OCI layout, index.json %s", entries["index.json"].body)
		}
	}
}
