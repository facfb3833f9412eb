// Package image_test runs the image store commands of the built berth
// (images, tag, rmi, inspect, history, prune, save, load) against a real
// engine, with images built at test time from the host's busybox.
package image_test

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/berth-project/berth/pkg/testutil"
)

var engine *testutil.Engine

func TestMain(m *testing.M) { os.Exit(testutil.Main(m, &engine)) }

// berth runs berth against the test engine.
func berth(t *testing.T, args ...string) testutil.Result {
	t.Helper()
	return berthIn(t, nil, args...)
}

// berthIn is berth with stdin.
func berthIn(t *testing.T, stdin io.Reader, args ...string) testutil.Result {
	t.Helper()
	return engine.BerthIn(t, stdin, args...)
}

// mustBerth runs berth and fails the test unless it exits 0.
func mustBerth(t *testing.T, args ...string) testutil.Result {
	t.Helper()
	r := berth(t, args...)
	if r.ExitCode != 0 {
		t.Fatalf("command failed:\n%s", r)
	}
	return r
}

// expect checks a command's exit code, stdout and stderr exactly.
func expect(t *testing.T, r testutil.Result, code int, stdout, stderr string) {
	t.Helper()
	if r.ExitCode != code || r.Stdout != stdout || r.Stderr != stderr {
		t.Errorf("want exit %d\nstdout:\n%s\nstderr:\n%s\ngot %s", code, stdout, stderr, r)
	}
}

// newImage builds a busybox image labelled with the test's name, so label
// filters only ever see the test's own images.
func newImage(t *testing.T, opts ...testutil.ImageOpt) *testutil.Image {
	t.Helper()
	opts = append([]testutil.ImageOpt{testutil.WithLabels(map[string]string{"berth.test": t.Name()})}, opts...)
	img, err := testutil.NewImage(opts...)
	if err != nil {
		t.Fatalf("building the test image: %v", err)
	}
	return img
}

// withCreated gives img another creation time, rewriting its config and
// manifest: the test images all share one fixed time otherwise.
func withCreated(t *testing.T, img *testutil.Image, created time.Time) *testutil.Image {
	t.Helper()
	created = created.UTC().Truncate(time.Second)
	img.Config.Created = &created
	for i := range img.Config.History {
		img.Config.History[i].Created = &created
	}
	cfg, err := json.Marshal(img.Config)
	if err != nil {
		t.Fatal(err)
	}
	delete(img.Blobs, img.Manifest.Config.Digest)
	d := digest.FromBytes(cfg)
	img.Blobs[d] = cfg
	img.Manifest.Config.Digest, img.Manifest.Config.Size = d, int64(len(cfg))
	if img.ManifestJSON, err = json.Marshal(img.Manifest); err != nil {
		t.Fatal(err)
	}
	return img
}

// imageID is the ID berth shows for img: its config digest.
func imageID(img *testutil.Image) string { return img.Manifest.Config.Digest.String() }

// shortID is the 12-character form of an ID.
func shortID(id string) string { return strings.TrimPrefix(id, "sha256:")[:12] }

// ociArchive writes img as an OCI archive named ref and returns its path.
func ociArchive(t *testing.T, img *testutil.Image, ref string) string {
	t.Helper()
	return writeArchive(t, func(w io.Writer) error { return testutil.WriteOCIArchive(w, img, ref) })
}

// dockerArchive writes img as a `docker save` archive and returns its path.
func dockerArchive(t *testing.T, img *testutil.Image, repoTag string) string {
	t.Helper()
	return writeArchive(t, func(w io.Writer) error { return testutil.WriteDockerArchive(w, img, repoTag) })
}

func writeArchive(t *testing.T, write func(io.Writer) error) string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "archive-*.tar")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := write(f); err != nil {
		t.Fatalf("writing the archive: %v", err)
	}
	return f.Name()
}

// load loads the archive at path, expecting exactly want on stdout, and
// removes the images refs (names or IDs) when the test ends.
func load(t *testing.T, path, want string, refs ...string) {
	t.Helper()
	cleanupImages(t, refs...)
	expect(t, berth(t, "load", "-i", path), 0, want, "")
}

// cleanupImages removes images when the test ends, passed or failed.
func cleanupImages(t *testing.T, refs ...string) {
	t.Helper()
	t.Cleanup(func() {
		if len(refs) > 0 {
			berth(t, append([]string{"rmi", "-f"}, refs...)...)
		}
	})
}

// imageIDs lists the full IDs of every image in the store.
func imageIDs(t *testing.T) string {
	t.Helper()
	return mustBerth(t, "images", "-q", "--no-trunc").Stdout
}

// ctr runs the bundled ctr against the test engine.
func ctr(t *testing.T, args ...string) (string, error) {
	t.Helper()
	bin := filepath.Join(testutil.RepoRoot(), "libexec", "berth", "ctr")
	cmd := exec.Command(bin, append([]string{"-a", filepath.Join(engine.RunDir, "containerd.sock"), "-n", "default"}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	// Every ctr call warns about cgroup v1 on stderr; keep the rest.
	var lines []string
	for _, l := range strings.Split(out.String(), "\n") {
		if l != "" && !strings.Contains(l, "deprecat") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n"), err
}

// mustCtr runs ctr and fails the test on an error.
func mustCtr(t *testing.T, args ...string) string {
	t.Helper()
	out, err := ctr(t, args...)
	if err != nil {
		t.Fatalf("ctr %v: %v\n%s", args, err, out)
	}
	return out
}
