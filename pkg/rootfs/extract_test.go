package rootfs

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tarOf builds an archive from headers; a regular file's body is its
// Linkname field's job elsewhere, so bodies come from the map.
func tarOf(t *testing.T, hdrs []*tar.Header, bodies map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range hdrs {
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(bodies[h.Name]))
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		if h.ModTime.IsZero() {
			h.ModTime = time.Unix(1700000000, 0)
		}
		must(t, tw.WriteHeader(h))
		if h.Typeflag == tar.TypeReg {
			_, err := tw.Write([]byte(bodies[h.Name]))
			must(t, err)
		}
	}
	must(t, tw.Close())
	return buf.Bytes()
}

func extract(t *testing.T, r *Root, dir string, b []byte, o ExtractOptions) error {
	t.Helper()
	n, err := r.Resolve(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	_, err = r.Extract(bytes.NewReader(b), n, o)
	return err
}

func TestExtractStaysInRoot(t *testing.T) {
	root := escapeTree(t)
	host := filepath.Dir(filepath.Dir(filepath.Dir(root)))
	r := openRoot(t, root)
	// Entries written through links land inside the root.
	b := tarOf(t, []*tar.Header{
		{Name: "abs/through-abs", Typeflag: tar.TypeReg},
		{Name: "up/through-up", Typeflag: tar.TypeReg},
		{Name: "/absolute-name", Typeflag: tar.TypeReg},
		{Name: "newlink", Typeflag: tar.TypeSymlink, Linkname: "/"},
		{Name: "newlink/through-new-link", Typeflag: tar.TypeReg},
		{Name: "hostpath/through-hostpath", Typeflag: tar.TypeReg},
	}, nil)
	if err := extract(t, r, "/", b, ExtractOptions{}); err != nil {
		t.Fatal(err)
	}
	b = tarOf(t, []*tar.Header{{Name: "toabs/through-toabs", Typeflag: tar.TypeReg}}, nil)
	if err := extract(t, r, "/dir", b, ExtractOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"through-abs", "through-up", "absolute-name", "through-new-link", "dir/sub/through-toabs"} {
		if _, err := os.Lstat(filepath.Join(root, p)); err != nil {
			t.Errorf("%s was not written inside the root: %v", p, err)
		}
	}
	// hostpath is a link to the host directory by its host path: inside the
	// root that path does not exist, and is made there.
	if _, err := os.Lstat(filepath.Join(root, host, "through-hostpath")); err != nil {
		t.Errorf("through-hostpath was not written inside the root: %v", err)
	}
	entries, _ := os.ReadDir(host)
	for _, e := range entries {
		if e.Name() != "secret" && e.Name() != "a" {
			t.Errorf("%s was written to the host directory", e.Name())
		}
	}
}

func TestExtractRefusesEscapingEntries(t *testing.T) {
	root := escapeTree(t)
	r := openRoot(t, root)
	r.ShowPathsInside()
	for _, tc := range []struct {
		hdr  *tar.Header
		want string
	}{
		{&tar.Header{Name: "../escape", Typeflag: tar.TypeReg}, `invalid archive entry "../escape": it is outside of "/dir"`},
		{&tar.Header{Name: "a/../../escape", Typeflag: tar.TypeReg}, `invalid archive entry "a/../../escape": it is outside of "/dir"`},
		{&tar.Header{Name: "hard", Typeflag: tar.TypeLink, Linkname: "../inroot"}, `invalid archive entry "hard": hard link to "../inroot" is outside of "/dir"`},
	} {
		err := extract(t, r, "/dir", tarOf(t, []*tar.Header{tc.hdr}, nil), ExtractOptions{})
		if err == nil || err.Error() != tc.want {
			t.Errorf("extracting %q: %v, want %q", tc.hdr.Name, err, tc.want)
		}
	}
	if _, err := os.Lstat(filepath.Join(root, "escape")); err == nil {
		t.Error("an escaping entry was written")
	}
}

func TestExtractOwnersAndModes(t *testing.T) {
	root := t.TempDir()
	r := openRoot(t, root)
	b := tarOf(t, []*tar.Header{
		{Name: "d/", Typeflag: tar.TypeDir, Mode: 0o750, Uid: 1000, Gid: 1000},
		{Name: "d/suid", Typeflag: tar.TypeReg, Mode: 0o4755, Uid: 1000, Gid: 1000},
		{Name: "d/link", Typeflag: tar.TypeSymlink, Linkname: "suid", Uid: 1000, Gid: 1000},
		{Name: "d/hard", Typeflag: tar.TypeLink, Linkname: "d/suid"},
		{Name: "d/fifo", Typeflag: tar.TypeFifo, Mode: 0o640},
		{Name: "d/null", Typeflag: tar.TypeChar, Devmajor: 1, Devminor: 3},
	}, map[string]string{"d/suid": "content"})

	if err := extract(t, r, "/", b, ExtractOptions{}); err != nil {
		t.Fatal(err)
	}
	assertOwner(t, filepath.Join(root, "d", "suid"), 1000, 1000, 0o755|os.ModeSetuid)
	assertOwner(t, filepath.Join(root, "d"), 1000, 1000, 0o750|os.ModeDir)
	if fi, err := os.Lstat(filepath.Join(root, "d", "null")); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Errorf("the device node was not made: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(root, "d", "hard")); err != nil || fi.Size() != 7 {
		t.Errorf("the hard link was not made: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(root, "d")); err != nil || !fi.ModTime().Equal(time.Unix(1700000000, 0)) {
		t.Errorf("the directory's time was not set: %v", fi.ModTime())
	}

	// Owned by someone else, the set-user-ID bit goes; devices are skipped.
	other := t.TempDir()
	r2 := openRoot(t, other)
	if err := extract(t, r2, "/", b, ExtractOptions{Owner: &Owner{0, 0}, NoDevices: true}); err != nil {
		t.Fatal(err)
	}
	assertOwner(t, filepath.Join(other, "d", "suid"), 0, 0, 0o755)
	if _, err := os.Lstat(filepath.Join(other, "d", "null")); err == nil {
		t.Error("a device node was made with NoDevices")
	}
}

func assertOwner(t *testing.T, p string, uid, gid int, mode os.FileMode) {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if int(st.Uid) != uid || int(st.Gid) != gid || fi.Mode() != mode {
		t.Errorf("%s: %d:%d %v, want %d:%d %v", p, st.Uid, st.Gid, fi.Mode(), uid, gid, mode)
	}
}

func TestExtractNoOverwriteDirNonDir(t *testing.T) {
	root := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(root, "dir"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "file"), nil, 0o644))
	r := openRoot(t, root)
	o := ExtractOptions{NoOverwriteDirNonDir: true}
	err := extract(t, r, "/", tarOf(t, []*tar.Header{{Name: "dir", Typeflag: tar.TypeReg}}, nil), o)
	want := `cannot overwrite directory "` + filepath.Join(root, "dir") + `" with non-directory "dir"`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	err = extract(t, r, "/", tarOf(t, []*tar.Header{{Name: "file/", Typeflag: tar.TypeDir}}, nil), o)
	want = `cannot overwrite non-directory "` + filepath.Join(root, "file") + `" with directory "file/"`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	// Without the option a file replaces a link rather than writing through it.
	must(t, os.Symlink("/etc/passwd", filepath.Join(root, "link")))
	b := tarOf(t, []*tar.Header{{Name: "link", Typeflag: tar.TypeReg}}, map[string]string{"link": "new"})
	if err := extract(t, r, "/", b, ExtractOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(root, "link")); string(got) != "new" {
		t.Errorf("link = %q", got)
	}
	if got, _ := os.ReadFile("/etc/passwd"); strings.Contains(string(got), "new") && len(got) == 3 {
		t.Fatal("wrote through the link")
	}
}

// TestExtractRaceWithSwappedDirectory swaps the destination's directories
// for links to a host directory while archives are extracted into them:
// nothing may ever land in the host directory.
func TestExtractRaceWithSwappedDirectory(t *testing.T) {
	host := t.TempDir()
	root := filepath.Join(host, "root")
	data := filepath.Join(root, "data")
	must(t, os.MkdirAll(filepath.Join(data, "d", "sub"), 0o755))
	var hdrs []*tar.Header
	bodies := map[string]string{}
	for i := 0; i < 40; i++ {
		name := "sub/f" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		hdrs = append(hdrs, &tar.Header{Name: name, Typeflag: tar.TypeReg})
		bodies[name] = strings.Repeat("x", 1024)
	}
	b := tarOf(t, hdrs, bodies)
	r := openRoot(t, root)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		sub, moved, link := filepath.Join(data, "d", "sub"), filepath.Join(data, "d", "sub.moved"), filepath.Join(data, "d", "sub.link")
		_ = os.Symlink(host, link)
		for {
			select {
			case <-stop:
				return
			default:
			}
			_ = os.Rename(sub, moved)
			_ = os.Rename(link, sub)
			_ = os.Rename(sub, link)
			_ = os.Rename(moved, sub)
		}
	}()
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		n, err := r.Resolve("/data/d", true)
		if err != nil {
			continue
		}
		_, _ = r.Extract(bytes.NewReader(b), n, ExtractOptions{})
		n.Close()
	}
	close(stop)
	<-done
	entries, _ := os.ReadDir(host)
	for _, e := range entries {
		if e.Name() != "root" {
			t.Errorf("%s was written to the host directory", e.Name())
		}
	}
}

func TestExtractRefusesKernelFilesystems(t *testing.T) {
	r := openRoot(t, "/")
	n, err := r.Resolve("/proc/sys", true)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	b := tarOf(t, []*tar.Header{{Name: "kernel/berth-test", Typeflag: tar.TypeReg}}, nil)
	if _, err := r.Extract(bytes.NewReader(b), n, ExtractOptions{}); err == nil || err.Error() != "cannot write into /proc/sys: it is on a proc filesystem" {
		t.Errorf("extracting into /proc/sys: %v", err)
	}
	root := t.TempDir()
	must(t, os.Symlink("/proc", filepath.Join(root, "p")))
	must(t, os.Mkdir(filepath.Join(root, "proc"), 0o755))
	r2 := openRoot(t, root)
	top, err := r2.Resolve("/", true)
	if err != nil {
		t.Fatal(err)
	}
	defer top.Close()
	// The link resolves inside the root: to its own, ordinary /proc.
	b = tarOf(t, []*tar.Header{{Name: "p/x", Typeflag: tar.TypeReg}}, nil)
	if _, err := r2.Extract(bytes.NewReader(b), top, ExtractOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "proc", "x")); err != nil {
		t.Error(err)
	}
}
