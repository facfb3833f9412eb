package testutil

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// layerEntry is what a test needs to know of one tar entry.
type layerEntry struct {
	hdr  *tar.Header
	body []byte
}

// readLayer gunzips and untars a layer, checking that diffID is the digest of
// the uncompressed tar.
func readLayer(t *testing.T, r io.Reader, diffID digest.Digest) map[string]layerEntry {
	t.Helper()
	zr, err := gzip.NewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	diff := digest.Canonical.Digester()
	tr := tar.NewReader(io.TeeReader(zr, diff.Hash()))
	entries := map[string]layerEntry{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		entries[strings.TrimSuffix(hdr.Name, "/")] = layerEntry{hdr, body}
	}
	// The tar reader stops at the end-of-archive marker; the padding after it
	// is part of the diff too.
	if _, err := io.Copy(diff.Hash(), zr); err != nil {
		t.Fatal(err)
	}
	if diff.Digest() != diffID {
		t.Fatalf("diffID %s, uncompressed tar is %s", diffID, diff.Digest())
	}
	return entries
}

func TestImageBusyboxLayer(t *testing.T) {
	l, err := BusyboxLayer()
	if err != nil {
		t.Fatal(err)
	}
	entries := readLayer(t, bytes.NewReader(l.Blob), l.DiffID)
	host, err := os.ReadFile(BusyboxPath)
	if err != nil {
		t.Fatal(err)
	}
	bb := entries["bin/busybox"]
	if !bytes.Equal(bb.body, host) || bb.hdr.Mode != 0o755 {
		t.Fatalf("bin/busybox: %d bytes mode %o, host has %d bytes", len(bb.body), bb.hdr.Mode, len(host))
	}
	for _, a := range []string{"sh", "echo", "httpd", "nc", "nslookup", "timeout", "yes", "ip"} {
		e, ok := entries["bin/"+a]
		if !ok || e.hdr.Typeflag != tar.TypeSymlink || e.hdr.Linkname != "/bin/busybox" {
			t.Errorf("bin/%s should link to /bin/busybox, got %+v", a, e.hdr)
		}
	}
	if tmp := entries["tmp"].hdr; tmp == nil || tmp.Typeflag != tar.TypeDir || tmp.Mode != 0o1777 {
		t.Errorf("tmp should be a 1777 directory, got %+v", tmp)
	}
	if root := entries["root"].hdr; root == nil || root.Typeflag != tar.TypeDir {
		t.Errorf("root/ missing")
	}
	passwd := string(entries["etc/passwd"].body)
	if !strings.HasPrefix(passwd, "root:x:0:0:") || !strings.Contains(passwd, "\nnobody:x:65534:65534:") {
		t.Errorf("etc/passwd:\n%s", passwd)
	}
	if !strings.Contains(string(entries["etc/group"].body), "nobody:x:65534:") {
		t.Errorf("etc/group lacks nobody")
	}
	again, err := buildBusyboxLayer()
	if err != nil || digest.FromBytes(again.Blob) != digest.FromBytes(l.Blob) {
		t.Fatalf("busybox layer is not reproducible (err %v)", err)
	}
}

func TestImageOptions(t *testing.T) {
	plat := ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}
	img, err := NewImage(
		WithLabels(map[string]string{"a": "1"}), WithLabels(map[string]string{"b": "2"}),
		WithCmd("echo", "hi"), WithEntrypoint("/bin/sh", "-c"), WithEnv("FOO=bar"),
		WithExposedPorts("80/tcp"), WithPlatform(plat),
		WithFiles(File{Path: "srv/www/index.html", Content: []byte("hello")},
			File{Path: "usr/local/bin/run", Content: []byte("#!/bin/sh\n"), Mode: 0o755}),
	)
	if err != nil {
		t.Fatal(err)
	}
	c := img.Config
	want := ocispec.ImageConfig{
		Labels: map[string]string{"a": "1", "b": "2"}, Cmd: []string{"echo", "hi"},
		Entrypoint: []string{"/bin/sh", "-c"}, Env: []string{DefaultPath, "FOO=bar"},
		ExposedPorts: map[string]struct{}{"80/tcp": {}},
	}
	if !reflect.DeepEqual(c.Config, want) {
		t.Errorf("config %+v, want %+v", c.Config, want)
	}
	if c.Platform.Architecture != "arm64" || c.Platform.Variant != "v8" || img.Descriptor().Platform.Variant != "v8" {
		t.Errorf("platform %+v", c.Platform)
	}
	if len(img.Manifest.Layers) != 2 || len(c.RootFS.DiffIDs) != 2 || len(c.History) != 2 || c.RootFS.Type != "layers" {
		t.Fatalf("want 2 layers, diff_ids and history entries: %+v", c)
	}
	checkImageBlobs(t, img)
	top, err := img.OpenBlob(img.Manifest.Layers[1].Digest)
	if err != nil {
		t.Fatal(err)
	}
	entries := readLayer(t, top, c.RootFS.DiffIDs[1])
	if string(entries["srv/www/index.html"].body) != "hello" || entries["usr/local/bin/run"].hdr.Mode != 0o755 {
		t.Errorf("extra layer entries wrong: %v", entries)
	}
	if entries["srv/www"].hdr == nil || entries["srv/www"].hdr.Typeflag != tar.TypeDir {
		t.Errorf("parent directory srv/www not created")
	}
}

// checkImageBlobs checks that every descriptor matches its blob and that the
// manifest JSON is the Manifest field.
func checkImageBlobs(t *testing.T, img *Image) {
	t.Helper()
	var m ocispec.Manifest
	if err := json.Unmarshal(img.ManifestJSON, &m); err != nil || !reflect.DeepEqual(m, img.Manifest) {
		t.Fatalf("ManifestJSON does not match Manifest (err %v)", err)
	}
	for _, d := range append([]ocispec.Descriptor{m.Config}, m.Layers...) {
		b := img.Blobs[d.Digest]
		if digest.FromBytes(b) != d.Digest || int64(len(b)) != d.Size {
			t.Errorf("blob %s: %d bytes, digest %s", d.Digest, len(b), digest.FromBytes(b))
		}
	}
	var cfg ocispec.Image
	if err := json.Unmarshal(img.Blobs[m.Config.Digest], &cfg); err != nil || !reflect.DeepEqual(cfg.RootFS, img.Config.RootFS) {
		t.Errorf("config blob does not match Config (err %v)", err)
	}
}

func TestImagePushMultiPlatform(t *testing.T) {
	reg := startRegistry(t, RegistryTLS)
	plats := []ocispec.Platform{
		{OS: "linux", Architecture: "amd64"},
		{OS: "linux", Architecture: "arm64", Variant: "v8"},
		{OS: "linux", Architecture: "arm", Variant: "v7"},
	}
	want, err := PushMultiPlatform(t.Context(), reg, "multi:latest", plats)
	if err != nil {
		t.Fatal(err)
	}
	client := reg.HTTPClient()
	resp, body := get(t, client, reg, "/v2/multi/manifests/latest", ocispec.MediaTypeImageIndex, "", "")
	if resp.StatusCode != http.StatusOK || digest.FromBytes(body) != want ||
		resp.Header.Get("Content-Type") != ocispec.MediaTypeImageIndex {
		t.Fatalf("GET index: %s %s, digest %s want %s", resp.Status, resp.Header.Get("Content-Type"), digest.FromBytes(body), want)
	}
	var index ocispec.Index
	if err := json.Unmarshal(body, &index); err != nil || len(index.Manifests) != len(plats) {
		t.Fatalf("index %s (err %v)", body, err)
	}
	seen := map[digest.Digest]bool{}
	for i, d := range index.Manifests {
		if d.Platform == nil || PlatformString(*d.Platform) != PlatformString(plats[i]) {
			t.Errorf("manifest %d platform %+v, want %+v", i, d.Platform, plats[i])
		}
		seen[d.Digest] = true
		resp, body := get(t, client, reg, "/v2/multi/manifests/"+d.Digest.String(), ocispec.MediaTypeImageManifest, "", "")
		var m ocispec.Manifest
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &m) != nil || len(m.Layers) != 2 {
			t.Fatalf("GET manifest %s: %s: %s", d.Digest, resp.Status, body)
		}
		_, cfgJSON := get(t, client, reg, "/v2/multi/blobs/"+m.Config.Digest.String(), "", "", "")
		var cfg ocispec.Image
		if err := json.Unmarshal(cfgJSON, &cfg); err != nil || cfg.Architecture != plats[i].Architecture {
			t.Fatalf("config of %s: %s (err %v)", d.Digest, cfgJSON, err)
		}
		_, top := get(t, client, reg, "/v2/multi/blobs/"+m.Layers[1].Digest.String(), "", "", "")
		got := string(readLayer(t, bytes.NewReader(top), cfg.RootFS.DiffIDs[1])["etc/platform"].body)
		if got != PlatformString(plats[i])+"\n" {
			t.Errorf("etc/platform of %s is %q", PlatformString(plats[i]), got)
		}
	}
	if len(seen) != len(plats) {
		t.Errorf("manifests are not distinct: %v", index.Manifests)
	}
}

func TestImageGenerateLarge(t *testing.T) {
	reg := startRegistry(t, RegistryPlain)
	const totalMB, files = 8, 6
	want, err := GenerateLargeImage(t.Context(), reg, "large:8m", totalMB, files)
	if err != nil {
		t.Fatal(err)
	}
	client := reg.HTTPClient()
	resp, body := get(t, client, reg, "/v2/large/manifests/8m", ocispec.MediaTypeImageManifest, "", "")
	if resp.StatusCode != http.StatusOK || digest.FromBytes(body) != want {
		t.Fatalf("GET manifest: %s, digest %s want %s", resp.Status, digest.FromBytes(body), want)
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(body, &m); err != nil || len(m.Layers) != 5 {
		t.Fatalf("want busybox + 4 layers: %s (err %v)", body, err)
	}
	_, cfgJSON := get(t, client, reg, "/v2/large/blobs/"+m.Config.Digest.String(), "", "", "")
	var cfg ocispec.Image
	if err := json.Unmarshal(cfgJSON, &cfg); err != nil {
		t.Fatal(err)
	}
	var nfiles, nbytes, compressed int64
	for i, l := range m.Layers[1:] {
		resp, blob := get(t, client, reg, "/v2/large/blobs/"+l.Digest.String(), "", "", "")
		if resp.StatusCode != http.StatusOK || digest.FromBytes(blob) != l.Digest {
			t.Fatalf("layer %s: %s", l.Digest, resp.Status)
		}
		compressed += int64(len(blob))
		for _, e := range readLayer(t, bytes.NewReader(blob), cfg.RootFS.DiffIDs[i+1]) {
			if e.hdr.Typeflag == tar.TypeReg {
				nfiles, nbytes = nfiles+1, nbytes+int64(len(e.body))
			}
		}
	}
	if nfiles != files || nbytes != totalMB<<20 {
		t.Errorf("got %d files, %d bytes; want %d files, %d bytes", nfiles, nbytes, files, totalMB<<20)
	}
	if compressed < nbytes {
		t.Errorf("data compressed to %d of %d bytes: not incompressible", compressed, nbytes)
	}
	again, err := GenerateLargeImage(t.Context(), reg, "large:8m", totalMB, files)
	if err != nil || again != want {
		t.Errorf("same tag gave %s, then %s (err %v)", want, again, err)
	}
}

func TestImageSplitRepoTag(t *testing.T) {
	for _, c := range []struct{ in, repo, tag string }{
		{"busybox", "busybox", "latest"},
		{"a/b:1.0", "a/b", "1.0"},
		{"127.0.0.1:5000/x", "127.0.0.1:5000/x", "latest"},
		{"127.0.0.1:5000/x:t", "127.0.0.1:5000/x", "t"},
	} {
		if repo, tag := splitRepoTag(c.in); repo != c.repo || tag != c.tag {
			t.Errorf("splitRepoTag(%q) = %q, %q; want %q, %q", c.in, repo, tag, c.repo, c.tag)
		}
	}
}
