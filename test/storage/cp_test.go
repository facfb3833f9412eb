package storage_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// setupTree fills /src in a container: a file, a nested directory and a
// relative link, owned by 1000:1000.
const setupTree = `mkdir -p /src/sub && echo one > /src/a.txt && echo two > /src/sub/b.txt &&
ln -s a.txt /src/link && chown -R 1000:1000 /src && chmod 0750 /src/sub`

func TestCpFromRunningContainer(t *testing.T) {
	ctr := running(t)
	exec(t, ctr, setupTree)
	dir := t.TempDir()

	// A file into a directory, and to a new name.
	expect(t, berth(t, "cp", ctr+":/src/a.txt", dir), 0, "", "")
	expect(t, berth(t, "cp", ctr+":src/sub/b.txt", filepath.Join(dir, "renamed")), 0, "", "")
	// A directory to a new name, then into an existing directory, then its
	// contents with "/.".
	expect(t, berth(t, "cp", ctr+":/src", filepath.Join(dir, "copy")), 0, "", "")
	expect(t, berth(t, "cp", ctr+":/src", filepath.Join(dir, "copy")), 0, "", "")
	if err := os.Mkdir(filepath.Join(dir, "contents"), 0o755); err != nil {
		t.Fatal(err)
	}
	expect(t, berth(t, "cp", ctr+":/src/.", filepath.Join(dir, "contents")), 0, "", "")
	// A link is copied as a link, or followed with -L.
	expect(t, berth(t, "cp", ctr+":/src/link", filepath.Join(dir, "link")), 0, "", "")
	expect(t, berth(t, "cp", "-L", ctr+":/src/link", filepath.Join(dir, "followed")), 0, "", "")

	want := strings.Join([]string{
		"a.txt=one\n",
		"contents/", "contents/a.txt=one\n", "contents/link->a.txt", "contents/sub/", "contents/sub/b.txt=two\n",
		"copy/", "copy/a.txt=one\n", "copy/link->a.txt",
		"copy/src/", "copy/src/a.txt=one\n", "copy/src/link->a.txt", "copy/src/sub/", "copy/src/sub/b.txt=two\n",
		"copy/sub/", "copy/sub/b.txt=two\n",
		"followed=one\n", "link->a.txt", "renamed=two\n",
	}, "\n")
	if got := tree(t, dir); got != want {
		t.Errorf("copied tree:\n%s\nwant:\n%s", got, want)
	}
	// Out of the container, files belong to the caller; modes are kept.
	fi, err := os.Stat(filepath.Join(dir, "copy", "sub"))
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != uint32(os.Getuid()) || fi.Mode().Perm() != 0o750 {
		t.Errorf("copy/sub is %d:%d %v, want the caller's and 0750", st.Uid, st.Gid, fi.Mode())
	}
}

func TestCpArchiveModeKeepsOwners(t *testing.T) {
	ctr := running(t)
	exec(t, ctr, setupTree+` && cp /bin/busybox /src/suid && chown 1000:1000 /src/suid && chmod 4755 /src/suid &&
cp /bin/busybox /src/rootsuid && chmod 4755 /src/rootsuid`)
	dir := t.TempDir()
	expect(t, berth(t, "cp", ctr+":/src", filepath.Join(dir, "plain")), 0, "", "")
	expect(t, berth(t, "cp", "-a", ctr+":/src", filepath.Join(dir, "archive")), 0, "", "")
	for _, tc := range []struct {
		path     string
		uid      uint32
		setuid   bool
		describe string
	}{
		{"plain/a.txt", 0, false, "without -a, the caller's"},
		{"plain/suid", 0, false, "without -a, no set-user-ID bit"},
		{"plain/rootsuid", 0, false, "without -a, no set-user-ID bit, even for root's file"},
		{"archive/rootsuid", 0, true, "with -a, the set-user-ID bit kept"},
		{"archive/a.txt", 1000, false, "with -a, the container's owner"},
		{"archive/suid", 1000, true, "with -a, the set-user-ID bit kept"},
	} {
		fi, err := os.Lstat(filepath.Join(dir, tc.path))
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if st.Uid != tc.uid || (fi.Mode()&os.ModeSetuid != 0) != tc.setuid {
			t.Errorf("%s: uid %d, mode %v; want %s", tc.path, st.Uid, fi.Mode(), tc.describe)
		}
	}
}

func TestCpToContainer(t *testing.T) {
	ctr := running(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "site", "index.html"), "hello\n", 0o644)
	writeFile(t, filepath.Join(dir, "site", "css", "main.css"), "body{}\n", 0o600)
	writeFile(t, filepath.Join(dir, "one.txt"), "one\n", 0o640)
	if err := os.Chown(filepath.Join(dir, "one.txt"), 1234, 1234); err != nil {
		t.Fatal(err)
	}

	expect(t, berth(t, "cp", filepath.Join(dir, "one.txt"), ctr+":/tmp"), 0, "", "")
	expect(t, berth(t, "cp", filepath.Join(dir, "one.txt"), ctr+":/tmp/renamed.txt"), 0, "", "")
	expect(t, berth(t, "cp", "-a", filepath.Join(dir, "one.txt"), ctr+":/tmp/kept.txt"), 0, "", "")
	expect(t, berth(t, "container", "cp", filepath.Join(dir, "site"), ctr+":/www"), 0, "", "")
	expect(t, berth(t, "cp", filepath.Join(dir, "site")+"/.", ctr+":/www"), 0, "", "")
	// A relative local path with a colon needs "./".
	t.Chdir(dir)
	writeFile(t, filepath.Join(dir, "a:b"), "colon\n", 0o644)
	expect(t, berth(t, "cp", "./a:b", ctr+":/tmp/"), 0, "", "")

	got := exec(t, ctr, `cd / && find /www /tmp -print | sort | while read f; do
if [ -f "$f" ]; then echo "$f $(stat -c %u:%g:%a "$f") $(cat "$f")"; else echo "$f"; fi; done`)
	want := `/tmp
/tmp/a:b 0:0:644 colon
/tmp/kept.txt 1234:1234:640 one
/tmp/one.txt 0:0:640 one
/tmp/renamed.txt 0:0:640 one
/www
/www/css
/www/css/main.css 0:0:600 body{}
/www/index.html 0:0:644 hello
`
	if got != want {
		t.Errorf("container files:\n%s\nwant:\n%s", got, want)
	}
}

func TestCpStoppedContainer(t *testing.T) {
	ctr := stopped(t, "cat /made/new 2>/dev/null; mkdir -p /made && echo inside > /made/file")
	dir := t.TempDir()
	expect(t, berth(t, "cp", ctr+":/made/file", dir), 0, "", "")
	if got := readFile(t, filepath.Join(dir, "file")); got != "inside\n" {
		t.Errorf("file = %q", got)
	}
	writeFile(t, filepath.Join(dir, "new"), "from the host\n", 0o644)
	expect(t, berth(t, "cp", filepath.Join(dir, "new"), ctr+":/made/"), 0, "", "")
	// The copy is in the container's filesystem when it runs again.
	expect(t, berth(t, "start", "-a", ctr), 0, "from the host\n", "")
}

func TestCpTarStreams(t *testing.T) {
	ctr := running(t)
	exec(t, ctr, setupTree)
	r := berth(t, "cp", ctr+":/src", "-")
	if r.ExitCode != 0 {
		t.Fatalf("cp to stdout:\n%s", r)
	}
	want := "src/\nsrc/a.txt=one\n\nsrc/link->a.txt\nsrc/sub/\nsrc/sub/b.txt=two\n"
	if got := tarNames(t, []byte(r.Stdout)); got != want {
		t.Errorf("archive:\n%s\nwant:\n%s", got, want)
	}
	r = berth(t, "cp", ctr+":/src/.", "-")
	if got := tarNames(t, []byte(r.Stdout)); !strings.HasPrefix(got, "./\n./a.txt=one") {
		t.Errorf("archive of /src/.:\n%s", got)
	}

	stream := tarOf(t, map[string]string{"conf/": "", "conf/app.ini": "x=1\n"})
	expect(t, berthIn(t, bytes.NewReader(stream), "cp", "-", ctr+":/etc"), 0, "", "")
	if got := exec(t, ctr, "cat /etc/conf/app.ini"); got != "x=1\n" {
		t.Errorf("extracted file = %q", got)
	}
	expect(t, berthIn(t, bytes.NewReader(stream), "cp", "-", ctr+":/src/a.txt"), 125, "",
		"berth: destination \""+ctr+":/src/a.txt\" must be a directory\n")
}
