// Package storage_test runs cp, commit, diff, export and import of the built
// berth against a real engine, with images built from the host's busybox,
// and checks that no symlink inside a container makes cp touch the host.
package storage_test

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/berth-project/berth/pkg/testutil"
)

var engine *testutil.Engine

func TestMain(m *testing.M) { os.Exit(testutil.Main(m, &engine)) }

func berth(t *testing.T, args ...string) testutil.Result {
	t.Helper()
	return engine.Berth(t, args...)
}

func berthIn(t *testing.T, stdin io.Reader, args ...string) testutil.Result {
	t.Helper()
	return engine.BerthIn(t, stdin, args...)
}

func mustBerth(t *testing.T, args ...string) testutil.Result {
	t.Helper()
	return engine.MustBerth(t, args...)
}

// expect checks a command's exit code, stdout and stderr exactly.
func expect(t *testing.T, r testutil.Result, code int, stdout, stderr string) {
	t.Helper()
	if r.ExitCode != code || r.Stdout != stdout || r.Stderr != stderr {
		t.Errorf("want exit %d\nstdout:\n%s\nstderr:\n%s\ngot %s", code, stdout, stderr, r)
	}
}

// busybox makes sure the busybox test image is loaded.
func busybox(t *testing.T) string { return engine.LoadBusybox(t) }

// running starts a container that sleeps, named after the test, and
// removes it when the test ends.
func running(t *testing.T, extra ...string) string {
	t.Helper()
	name := ctrName(t)
	args := append(append([]string{"run", "-d", "--name", name}, extra...), busybox(t), "sleep", "600")
	mustBerth(t, args...)
	t.Cleanup(func() { berth(t, "rm", "-f", name) })
	return name
}

// stopped creates a container that ran script and exited.
func stopped(t *testing.T, script string, extra ...string) string {
	t.Helper()
	name := ctrName(t)
	args := append(append([]string{"run", "--name", name}, extra...), busybox(t), "sh", "-c", script)
	mustBerth(t, args...)
	t.Cleanup(func() { berth(t, "rm", "-f", name) })
	return name
}

func ctrName(t *testing.T) string {
	r := strings.NewReplacer("/", "-", "_", "-")
	return "st-" + strings.ToLower(r.Replace(t.Name()))
}

// cleanupImages removes images when the test ends.
func cleanupImages(t *testing.T, refs ...string) {
	t.Helper()
	t.Cleanup(func() { berth(t, append([]string{"rmi", "-f"}, refs...)...) })
}

// exec runs a shell script in a running container and returns its output.
func exec(t *testing.T, ctr, script string) string {
	t.Helper()
	return mustBerth(t, "exec", ctr, "sh", "-c", script).Stdout
}

// writeFile writes a host file, making its directory.
func writeFile(t *testing.T, p, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// tree lists a host directory: "path" for directories and
// "path=content" for files, "path->target" for links, sorted.
func tree(t *testing.T, root string) string {
	t.Helper()
	var out []string
	err := filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case rel == ".":
		case fi.Mode()&os.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			out = append(out, rel+"->"+target)
		case fi.IsDir():
			out = append(out, rel+"/")
		default:
			out = append(out, rel+"="+readFile(t, p))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// tarNames lists a tar stream's entries with their types and contents.
func tarNames(t *testing.T, b []byte) string {
	t.Helper()
	var out []string
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading the archive: %v", err)
		}
		switch hdr.Typeflag {
		case tar.TypeReg:
			body, _ := io.ReadAll(tr)
			out = append(out, hdr.Name+"="+string(body))
		case tar.TypeSymlink:
			out = append(out, hdr.Name+"->"+hdr.Linkname)
		default:
			out = append(out, hdr.Name)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// tarEntryNames lists a tar stream's entry names.
func tarEntryNames(t *testing.T, b []byte) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("reading the archive: %v", err)
		}
		out[hdr.Name] = true
	}
}

// tarOf builds a tar stream of files (name -> content; a name ending in
// "/" is a directory).
func tarOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range names {
		hdr := &tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), Typeflag: tar.TypeReg, ModTime: time.Unix(1700000000, 0)}
		if strings.HasSuffix(n, "/") {
			hdr.Typeflag, hdr.Mode, hdr.Size = tar.TypeDir, 0o755, 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if hdr.Typeflag == tar.TypeReg {
			if _, err := tw.Write([]byte(files[n])); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
