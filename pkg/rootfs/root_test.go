package rootfs

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// escapeTree lays out a root with links that would leave it if the kernel
// followed them, beside a host directory holding a secret. It returns the
// root's path.
func escapeTree(t *testing.T) string {
	t.Helper()
	host := t.TempDir()
	must(t, os.WriteFile(filepath.Join(host, "secret"), []byte("host secret"), 0o600))
	root := filepath.Join(host, "a", "b", "root")
	must(t, os.MkdirAll(filepath.Join(root, "dir", "sub"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "inroot"), []byte("in root"), 0o644))
	must(t, os.WriteFile(filepath.Join(root, "dir", "file"), []byte("file"), 0o644))
	for name, target := range map[string]string{
		"abs":       "/",
		"up":        "../../..",
		"deepup":    "dir/sub/../../../../../..",
		"hostetc":   "/etc",
		"hostpath":  host,
		"loop":      "loop",
		"chain1":    "chain2",
		"chain2":    "/dir",
		"dangling":  "/made-up",
		"dir/rel":   "../inroot",
		"dir/toabs": "/dir/sub",
	} {
		must(t, os.Symlink(target, filepath.Join(root, name)))
	}
	return root
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func openRoot(t *testing.T, p string) *Root {
	t.Helper()
	r, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestResolveStaysInRoot(t *testing.T) {
	r := openRoot(t, escapeTree(t))
	for _, tc := range []struct {
		path     string
		follow   bool
		wantPath string
		wantErr  error
	}{
		{"/", false, "/", nil},
		{"", false, "/", nil},
		{"inroot", false, "/inroot", nil},
		{"/../../../inroot", false, "/inroot", nil},
		{"abs/inroot", false, "/inroot", nil},
		{"abs", true, "/", nil},
		{"abs", false, "/abs", nil},
		{"abs/", false, "/", nil},
		{"abs/.", false, "/", nil},
		{"up/inroot", false, "/inroot", nil},
		{"up/secret", false, "", unix.ENOENT},
		{"up/../../secret", false, "", unix.ENOENT},
		{"deepup/inroot", false, "/inroot", nil},
		{"deepup/secret", false, "", unix.ENOENT},
		{"hostetc/passwd", false, "", unix.ENOENT},
		{"hostetc", true, "", unix.ENOENT},
		{"hostpath/secret", false, "", unix.ENOENT},
		{"loop", true, "", unix.ELOOP},
		{"loop", false, "/loop", nil},
		{"chain1/file", false, "/dir/file", nil},
		{"chain1", true, "/dir", nil},
		{"dir/rel", true, "/inroot", nil},
		{"dir/toabs/../file", false, "/dir/file", nil},
		{"inroot/", false, "", unix.ENOTDIR},
		{"inroot/x", false, "", unix.ENOTDIR},
		{"dangling", true, "", unix.ENOENT},
		{"nope", false, "", unix.ENOENT},
	} {
		n, err := r.Resolve(tc.path, tc.follow)
		if tc.wantErr != nil {
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("Resolve(%q, %v) = %v, want %v", tc.path, tc.follow, err, tc.wantErr)
			}
			if n != nil {
				n.Close()
			}
			continue
		}
		if err != nil {
			t.Errorf("Resolve(%q, %v): %v", tc.path, tc.follow, err)
			continue
		}
		if n.Path != tc.wantPath {
			t.Errorf("Resolve(%q, %v).Path = %q, want %q", tc.path, tc.follow, n.Path, tc.wantPath)
		}
		n.Close()
	}
}

func TestResolveReadsInsideRoot(t *testing.T) {
	r := openRoot(t, escapeTree(t))
	n, err := r.Resolve("up/../../../abs/inroot", true)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	f, err := n.OpenFile()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 64)
	k, _ := f.Read(b)
	if string(b[:k]) != "in root" {
		t.Errorf("read %q through the links, want the root's file", b[:k])
	}
}

func TestLookupMissing(t *testing.T) {
	r := openRoot(t, escapeTree(t))
	for _, tc := range []struct {
		path, wantDir, wantName string
	}{
		{"new", "/", "new"},
		{"dir/new", "/dir", "new"},
		{"up/new", "/", "new"},
		{"dangling", "/", "made-up"},
		{"abs/dir/new", "/dir", "new"},
	} {
		n, m, err := r.Lookup(tc.path, true)
		if err != nil || n != nil || m == nil {
			t.Errorf("Lookup(%q) = %v, %v, %v; want a missing entry", tc.path, n, m, err)
			continue
		}
		if m.Dir.Path != tc.wantDir || m.Name != tc.wantName {
			t.Errorf("Lookup(%q) = missing %s in %s, want %s in %s", tc.path, m.Name, m.Dir.Path, tc.wantName, tc.wantDir)
		}
		m.Dir.Close()
	}
	if _, _, err := r.Lookup("nodir/new", true); !errors.Is(err, unix.ENOENT) {
		t.Errorf("Lookup(nodir/new) = %v, want ENOENT: its directory is missing", err)
	}
}

func TestMkdirAllStaysInRoot(t *testing.T) {
	root := escapeTree(t)
	r := openRoot(t, root)
	n, err := r.MkdirAll("up/made/by/test")
	if err != nil {
		t.Fatal(err)
	}
	n.Close()
	if n.Path != "/made/by/test" {
		t.Errorf("MkdirAll path = %q", n.Path)
	}
	if _, err := os.Stat(filepath.Join(root, "made", "by", "test")); err != nil {
		t.Errorf("the directories are not in the root: %v", err)
	}
	n, err = r.MkdirAll("dangling/x")
	if err != nil {
		t.Fatal(err)
	}
	n.Close()
	if _, err := os.Stat(filepath.Join(root, "made-up", "x")); err != nil {
		t.Errorf("a dangling link's target was not created in the root: %v", err)
	}
}

func TestOpenFileRefusesNonRegular(t *testing.T) {
	root := t.TempDir()
	must(t, unix.Mkfifo(filepath.Join(root, "fifo"), 0o600))
	r := openRoot(t, root)
	n, err := r.Resolve("fifo", false)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if _, err := n.OpenFile(); err == nil {
		t.Error("a fifo was opened as a file")
	}
}
