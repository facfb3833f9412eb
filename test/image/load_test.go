package image_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/berth-project/berth/pkg/testutil"
)

func TestLoadOCIFile(t *testing.T) {
	img := newImage(t)
	load(t, ociArchive(t, img, "docker.io/berth-test/load-oci:1"), "Loaded image: berth-test/load-oci:1\n", "berth-test/load-oci:1")
	expect(t, berth(t, "images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}", "berth-test/load-oci"),
		0, "berth-test/load-oci:1 "+shortID(imageID(img))+"\n", "")
}

func TestLoadShortNameInOCIArchive(t *testing.T) {
	// io.containerd.image.name holds a short name here: it must be stored
	// normalised, so the usual short name finds it.
	img := newImage(t)
	load(t, ociArchive(t, img, "berth-test/load-short:1"), "Loaded image: berth-test/load-short:1\n", "berth-test/load-short:1")
	expect(t, berth(t, "image", "inspect", "--format", "{{.Id}}", "berth-test/load-short:1"), 0, imageID(img)+"\n", "")
}

func TestLoadDockerArchiveFromStdin(t *testing.T) {
	img := newImage(t, testutil.WithCmd("echo", "docker"))
	cleanupImages(t, "berth-test/load-docker:1", "berth-test/load-docker:gz")
	b, err := os.ReadFile(dockerArchive(t, img, "berth-test/load-docker:1"))
	if err != nil {
		t.Fatal(err)
	}
	expect(t, berthIn(t, bytes.NewReader(b), "load"), 0, "Loaded image: berth-test/load-docker:1\n", "")

	// The same, gzip-compressed and with -q, which keeps the result line as
	// docker's does.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if err := testutil.WriteDockerArchive(zw, img, "berth-test/load-docker:gz"); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	expect(t, berthIn(t, &gz, "image", "load", "-q"), 0, "Loaded image: berth-test/load-docker:gz\n", "")
	expect(t, berth(t, "images", "--format", "{{.Tag}} {{.ID}}", "berth-test/load-docker"),
		0, fmt.Sprintf("1 %[1]s\ngz %[1]s\n", shortID(imageID(img))), "")
	assertNoSpoolLeft(t)
}

func TestLoadUntagged(t *testing.T) {
	img := newImage(t, testutil.WithEnv("UNTAGGED=1"))
	load(t, dockerArchive(t, img, ""), "Loaded image ID: "+imageID(img)+"\n", imageID(img))
	expect(t, berth(t, "images", "--filter", "dangling=true", "--filter", "label=berth.test="+t.Name(),
		"--format", "{{.Repository}} {{.Tag}} {{.ID}}"), 0, "<none> <none> "+shortID(imageID(img))+"\n", "")
}

func TestLoadReplacesTag(t *testing.T) {
	old := newImage(t, testutil.WithEnv("GENERATION=1"))
	img := newImage(t, testutil.WithEnv("GENERATION=2"))
	load(t, ociArchive(t, old, "docker.io/berth-test/replace:1"), "Loaded image: berth-test/replace:1\n", imageID(old))
	load(t, ociArchive(t, img, "docker.io/berth-test/replace:1"),
		"The image berth-test/replace:1 already exists, renaming the old one with ID "+imageID(old)+" to empty string\n"+
			"Loaded image: berth-test/replace:1\n", "berth-test/replace:1")
	expect(t, berth(t, "images", "--filter", "label=berth.test="+t.Name(), "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"), 0,
		sortedLines("berth-test/replace:1 "+shortID(imageID(img)), "<none>:<none> "+shortID(imageID(old))), "")
}

func TestLoadPlatforms(t *testing.T) {
	foreign := ocispec.Platform{OS: "linux", Architecture: "s390x"}
	if testutil.PlatformString(foreign) == "linux/"+hostArch() {
		foreign.Architecture = "riscv64"
	}
	img := newImage(t, testutil.WithPlatform(foreign))
	path := ociArchive(t, img, "docker.io/berth-test/load-platform:1")
	before := imageIDs(t)
	expect(t, berth(t, "load", "--platform", "linux/"+hostArch(), "-i", path), 125, "",
		"berth: no image in the archive matches platform linux/"+hostArch()+"\n")
	expect(t, berth(t, "load", "--platform", "linux/"+hostArch(), "--all-platforms", "-i", path), 125, "",
		"berth: --platform and --all-platforms cannot be used together\n")
	expect(t, berth(t, "load", "--platform", "linux/", "-i", path), 125, "",
		"berth: invalid platform \"linux/\": \"\" is an invalid component of \"linux/\": platform specifier component must match \"^[A-Za-z0-9_.-]+$\": invalid argument\n")
	if after := imageIDs(t); after != before {
		t.Errorf("refused loads changed the store:\n%s\nthen\n%s", before, after)
	}
	// Without --platform, an image of another platform loads (not unpacked)
	// as docker loads it.
	load(t, path, "Loaded image: berth-test/load-platform:1\n", "berth-test/load-platform:1")
	expect(t, berth(t, "image", "inspect", "--format", "{{.Os}}/{{.Architecture}}", "berth-test/load-platform:1"),
		0, testutil.PlatformString(foreign)+"\n", "")
}

// hostArch is the architecture of the test images: the host's busybox.
func hostArch() string { return runtime.GOARCH }

// TestLoadEvil loads every hostile archive from a file and from stdin:
// each is refused with its one-line error and exit 125, nothing is
// imported, and no file lands outside the store.
func TestLoadEvil(t *testing.T) {
	truncated := evilArchive(t, testutil.EvilTruncated)
	cases := []struct {
		name string
		kind testutil.EvilKind
		want string
	}{
		{"dotdot", testutil.EvilDotDot, `entry "../berth-evil" escapes the archive`},
		{"absolute", testutil.EvilAbsolute, `entry "/tmp/berth-evil" is an absolute path`},
		{"symlink", testutil.EvilSymlink, `link "blobs/sha256/passwd" points outside the archive (to "/etc/passwd")`},
		{"manifest path", testutil.EvilManifestPath, `manifest.json names "../../etc/passwd", which escapes the archive`},
		{"truncated", testutil.EvilTruncated, fmt.Sprintf("entry %q is truncated", lastEntry(t, truncated))},
		{"corrupt", testutil.EvilCorrupt, "not a tar archive (archive/tar: invalid tar header)"},
	}
	imagesBefore, contentBefore := imageIDs(t), contentList(t)
	markerBefore := markerPaths(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := evilArchive(t, c.kind)
			path := filepath.Join(t.TempDir(), "evil.tar")
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			want := "berth: invalid archive: " + c.want + "\n"
			expect(t, berth(t, "load", "-i", path), 125, "", want)
			expect(t, berthIn(t, bytes.NewReader(b), "load"), 125, "", want)
		})
	}
	if after := imageIDs(t); after != imagesBefore {
		t.Errorf("images changed:\n%s\nthen\n%s", imagesBefore, after)
	}
	if after := contentList(t); after != contentBefore {
		t.Errorf("content changed:\n%s\nthen\n%s", contentBefore, after)
	}
	if after := markerPaths(t); after != markerBefore {
		t.Errorf("%s files appeared: %s", testutil.EvilMarker, after)
	}
	assertNoSpoolLeft(t)
}

func evilArchive(t *testing.T, kind testutil.EvilKind) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := testutil.WriteEvilArchive(&buf, kind); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// lastEntry is the name of the last header a truncated archive still has.
func lastEntry(t *testing.T, b []byte) string {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(b))
	last := ""
	for {
		hdr, err := tr.Next()
		if err != nil {
			return last
		}
		last = hdr.Name
		if _, err := io.Copy(io.Discard, tr); err != nil {
			return last
		}
	}
}

// contentList is the engine's content store, one digest a line.
func contentList(t *testing.T) string {
	t.Helper()
	return mustCtr(t, "content", "ls", "-q")
}

// markerPaths lists files named after testutil.EvilMarker where an escaping
// archive could have put them.
func markerPaths(t *testing.T) string {
	t.Helper()
	var found []string
	for _, p := range []string{"/" + testutil.EvilMarker, "/tmp/" + testutil.EvilMarker, "/etc/" + testutil.EvilMarker} {
		if _, err := os.Lstat(p); err == nil {
			found = append(found, p)
		}
	}
	_ = filepath.Walk(engine.Dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Name() == testutil.EvilMarker {
			found = append(found, p)
		}
		return nil
	})
	return strings.Join(found, " ")
}

// assertNoSpoolLeft checks that load left no temporary file behind.
func assertNoSpoolLeft(t *testing.T) {
	t.Helper()
	left, _ := filepath.Glob(filepath.Join(engine.DataRoot, "tmp", "*"))
	if len(left) > 0 {
		t.Errorf("load left files: %v", left)
	}
}

// TestLoadLayerEscape loads an image whose layer holds "../" entries: the
// archive is sound, so it loads, and containerd's differ must keep the
// entries inside the image's root filesystem.
func TestLoadLayerEscape(t *testing.T) {
	marker := "berth-layer-escape-" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
	img := newImage(t, testutil.WithFiles(
		testutil.File{Path: "../" + marker, Content: []byte("escaped\n")},
		testutil.File{Path: "../../../../../../../../../tmp/" + marker, Content: []byte("escaped\n")},
	))
	load(t, ociArchive(t, img, "docker.io/berth-test/layer-escape:1"), "Loaded image: berth-test/layer-escape:1\n", "berth-test/layer-escape:1")
	if _, err := os.Lstat("/tmp/" + marker); err == nil {
		os.Remove("/tmp/" + marker)
		t.Fatalf("the layer wrote /tmp/%s", marker)
	}
	var inside int
	_ = filepath.Walk(engine.Dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || !strings.HasPrefix(fi.Name(), marker) {
			return nil
		}
		// Only inside a snapshot's root: .../snapshots/<n>/fs/...
		rel := strings.TrimPrefix(p, engine.Dir)
		if i := strings.Index(rel, "/snapshots/"); i < 0 || !strings.Contains(rel[i:], "/fs/") {
			t.Errorf("layer entry landed outside the root filesystem: %s", p)
		}
		inside++
		return nil
	})
	if inside == 0 {
		t.Errorf("the layer's entries are nowhere; was the image unpacked?")
	}
}
