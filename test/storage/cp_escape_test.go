package storage_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// containerPasswd is the busybox image's /etc/passwd: a copy through a
// link must give this file, never the host's.
const containerPasswd = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"

// hostSecret makes a host directory holding a file no container has.
func hostSecret(t *testing.T) (dir string) {
	t.Helper()
	dir = t.TempDir()
	writeFile(t, filepath.Join(dir, "probe", "secret"), "HOST-SECRET\n", 0o600)
	return dir
}

func TestCpReadThroughEscapingLinks(t *testing.T) {
	host := hostSecret(t)
	ctr := running(t)
	exec(t, ctr, fmt.Sprintf(`ln -s / /tmp/rootlink && ln -s ../../../../../../.. /tmp/up &&
ln -s /etc /tmp/etclink && ln -s /etc/passwd /tmp/passwdlink && ln -s %[1]s /tmp/hostlink &&
ln -s ../../../../../../..%[1]s/probe/secret /tmp/uphostlink`, host))
	out := t.TempDir()
	for i, src := range []string{"/tmp/rootlink/etc/passwd", "/tmp/up/etc/passwd", "/tmp/etclink/passwd", "/tmp/up/tmp/up/etc/passwd"} {
		dst := filepath.Join(out, fmt.Sprint(i))
		expect(t, berth(t, "cp", ctr+":"+src, dst), 0, "", "")
		if got := readFile(t, dst); got != containerPasswd {
			t.Errorf("cp %s gave %q, want the container's /etc/passwd", src, got)
		}
	}
	dst := filepath.Join(out, "followed")
	expect(t, berth(t, "cp", "-L", ctr+":/tmp/passwdlink", dst), 0, "", "")
	if got := readFile(t, dst); got != containerPasswd {
		t.Errorf("cp -L of a link to /etc/passwd gave %q", got)
	}
	// The host's directory is not in the container: nothing to find.
	for _, src := range []string{"/tmp/hostlink/probe/secret", "/tmp/uphostlink"} {
		expect(t, berth(t, "cp", "-L", ctr+":"+src, out), 125, "",
			fmt.Sprintf("berth: Could not find the file %s in container %s\n", src, ctr))
	}
	// Without -L a link is copied as a link, its target untouched.
	expect(t, berth(t, "cp", ctr+":/tmp/hostlink", filepath.Join(out, "link")), 0, "", "")
	if target, err := os.Readlink(filepath.Join(out, "link")); err != nil || target != host {
		t.Errorf("the link was not copied as a link: %q, %v", target, err)
	}
	assertNoSecret(t, out)
}

func TestCpWriteThroughEscapingLinks(t *testing.T) {
	host := t.TempDir()
	ctr := running(t)
	// The container has the host directory's path too, so writes through
	// the links succeed: they must land in the container.
	exec(t, ctr, fmt.Sprintf(`mkdir -p %[1]s && ln -s / /tmp/rootlink && ln -s ../../../../../../.. /tmp/up &&
ln -s %[1]s /tmp/hostlink && ln -s ../../../../../../..%[1]s/planted /tmp/plant && ln -s /etc /tmp/etclink`, host))
	src := filepath.Join(t.TempDir(), "payload")
	writeFile(t, src, "payload\n", 0o644)
	for _, dst := range []string{"/tmp/rootlink/tmp/", "/tmp/up/", "/tmp/hostlink/", "/tmp/hostlink/named", "/tmp/plant", "/tmp/etclink/"} {
		expect(t, berth(t, "cp", src, ctr+":"+dst), 0, "", "")
	}
	got := exec(t, ctr, fmt.Sprintf("cd %[1]s && ls; ls /tmp/payload /payload /etc/payload", host))
	if got != "named\npayload\nplanted\n/etc/payload\n/payload\n/tmp/payload\n" {
		t.Errorf("the copies in the container:\n%s", got)
	}
	if entries, _ := os.ReadDir(host); len(entries) != 0 {
		t.Errorf("cp wrote %d files into the host directory %s", len(entries), host)
	}
	if _, err := os.Stat("/etc/payload"); err == nil {
		t.Error("cp wrote /etc/payload on the host")
	}
	// A tar stream's links and entries stay inside the container too.
	stream := tarOf(t, map[string]string{"x/": "", "x/f": "f\n"})
	expect(t, berthIn(t, bytes.NewReader(stream), "cp", "-", ctr+":/tmp/hostlink"), 0, "", "")
	if entries, _ := os.ReadDir(host); len(entries) != 0 {
		t.Errorf("cp - wrote into the host directory %s", host)
	}
}

// TestCpRaceWithSwappedDirectory swaps a directory of the container for a
// link to a host path, over and over, while large copies run both ways:
// no copy may read or write the host's files.
func TestCpRaceWithSwappedDirectory(t *testing.T) {
	host := hostSecret(t)
	target := t.TempDir() // where writes through the swapped link would land
	ctr := running(t)
	exec(t, ctr, fmt.Sprintf(`mkdir -p /data/d/probe /data/w && i=0; while [ $i -lt 300 ]; do
dd if=/dev/zero of=/data/d/probe/f$i bs=4k count=1 2>/dev/null; i=$((i+1)); done && echo container > /data/d/probe/secret &&
ln -s %s /data/dlink && ln -s %s /data/wlink`, host, target))
	mustBerth(t, "exec", "-d", ctr, "sh", "-c", `while true; do
mv /data/d /data/d.real; mv /data/dlink /data/d; mv /data/d /data/dlink; mv /data/d.real /data/d;
mv /data/w /data/w.real; mv /data/wlink /data/w; mv /data/w /data/wlink; mv /data/w.real /data/w; done`)

	src := filepath.Join(t.TempDir(), "src")
	for i := 0; i < 300; i++ {
		writeFile(t, filepath.Join(src, "probe", fmt.Sprintf("f%d", i)), strings.Repeat("x", 4096), 0o644)
	}
	out := t.TempDir()
	deadline := time.Now().Add(6 * time.Second)
	rounds := 0
	for time.Now().Before(deadline) {
		rounds++
		dst := filepath.Join(out, fmt.Sprint(rounds))
		// The copies may fail when they catch the link mid-swap: what
		// matters is where they read and write.
		berth(t, "cp", ctr+":/data/d", dst)
		berth(t, "cp", ctr+":/data/d/.", dst+"-contents")
		berth(t, "cp", src+"/.", ctr+":/data/w")
		berth(t, "cp", src, ctr+":/data/w/")
	}
	// Some copies caught the link: the race was run, not dodged.
	links := 0
	for i := 1; i <= rounds; i++ {
		if fi, err := os.Lstat(filepath.Join(out, fmt.Sprint(i))); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			links++
		}
	}
	t.Logf("%d rounds, %d copies of the link itself", rounds, links)
	assertNoSecret(t, out)
	if entries, _ := os.ReadDir(target); len(entries) != 0 {
		t.Errorf("copies into the container wrote %d entries into the host directory %s", len(entries), target)
	}
}

// assertNoSecret fails if any file under dir holds the host's secret.
func assertNoSecret(t *testing.T, dir string) {
	t.Helper()
	_ = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte("HOST-SECRET")) {
				t.Errorf("%s holds the host's secret", p)
			}
		}
		return nil
	})
}

func TestCpIntoReadOnlyRoot(t *testing.T) {
	src := filepath.Join(t.TempDir(), "f")
	writeFile(t, src, "x\n", 0o644)
	ctr := running(t, "--read-only", "--tmpfs", "/scratch", "--tmpfs", "/ro:ro")
	expect(t, berth(t, "cp", src, ctr+":/tmp/"), 125, "", "berth: container rootfs is marked read-only\n")
	expect(t, berth(t, "cp", src, ctr+":/"), 125, "", "berth: container rootfs is marked read-only\n")
	expect(t, berth(t, "cp", src, ctr+":/ro/"), 125, "", "berth: mounted volume is marked read-only\n")
	// A writable mount of a read-only container takes the copy.
	expect(t, berth(t, "cp", src, ctr+":/scratch/"), 0, "", "")
	if got := exec(t, ctr, "cat /scratch/f"); got != "x\n" {
		t.Errorf("/scratch/f = %q", got)
	}
	if got := exec(t, ctr, "ls /tmp"); got != "" {
		t.Errorf("the read-only root got files: %q", got)
	}
	// Stopped, the container's root is still read-only for cp.
	mustBerth(t, "stop", "-t", "0", ctr)
	expect(t, berth(t, "cp", src, ctr+":/tmp/"), 125, "", "berth: container rootfs is marked read-only\n")
	// Reading is fine.
	expect(t, berth(t, "cp", ctr+":/etc/passwd", t.TempDir()), 0, "", "")
}

func TestCpIntoReadOnlyBindMount(t *testing.T) {
	hostDir := t.TempDir()
	name := ctrName(t)
	r := berth(t, "run", "-d", "--name", name, "-v", hostDir+":/data:ro", "-v", hostDir+":/rw", busybox(t), "sleep", "600")
	t.Cleanup(func() { berth(t, "rm", "-f", name) })
	if r.ExitCode != 0 {
		t.Skipf("bind mounts are not available: %s", r.Stderr)
	}
	src := filepath.Join(t.TempDir(), "f")
	writeFile(t, src, "x\n", 0o644)
	expect(t, berth(t, "cp", src, name+":/data/"), 125, "", "berth: mounted volume is marked read-only\n")
	expect(t, berth(t, "cp", src, name+":/data/sub/f"), 125, "", "berth: Could not find the file /data/sub in container "+name+"\n")
	if entries, _ := os.ReadDir(hostDir); len(entries) != 0 {
		t.Errorf("the read-only mount's directory got %d entries", len(entries))
	}
	// The writable mount of a running container is where a copy to it goes.
	expect(t, berth(t, "cp", src, name+":/rw/"), 0, "", "")
	if got := readFile(t, filepath.Join(hostDir, "f")); got != "x\n" {
		t.Errorf("the copy into the volume: %q", got)
	}
}

func TestCpRefusesKernelFilesystems(t *testing.T) {
	ctr := running(t)
	src := filepath.Join(t.TempDir(), "f")
	writeFile(t, src, "x\n", 0o644)
	expect(t, berth(t, "cp", src, ctr+":/proc/sys/kernel/"), 125, "",
		"berth: cannot copy to /proc/sys/kernel: it is on the container's proc filesystem\n")
	stream := tarOf(t, map[string]string{"proc/sys/kernel/berth-test": "x"})
	expect(t, berthIn(t, bytes.NewReader(stream), "cp", "-", ctr+":/"), 125, "",
		"berth: cannot write into /proc/sys/kernel: it is on a proc filesystem\n")
	expect(t, berth(t, "cp", ctr+":/proc/1/environ", t.TempDir()), 125, "",
		"berth: cannot copy /proc/1/environ: it is on the container's proc filesystem, which holds no files to copy\n")
	// /proc itself is copied empty.
	r := berth(t, "cp", ctr+":/proc", "-")
	if got := tarNames(t, []byte(r.Stdout)); r.ExitCode != 0 || got != "proc/" {
		t.Errorf("cp /proc: %q\n%s", got, r)
	}
}

func TestCpErrors(t *testing.T) {
	ctr := running(t)
	exec(t, ctr, "mkdir /dir && touch /file")
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "file"), "x", 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{ctr + ":/nope", dir}, "berth: Could not find the file /nope in container " + ctr + "\n"},
		{[]string{ctr + ":nope/x", dir}, "berth: Could not find the file nope/x in container " + ctr + "\n"},
		{[]string{ctr + ":/dir", filepath.Join(dir, "file")}, "berth: cannot copy directory\n"},
		{[]string{ctr + ":/file", filepath.Join(dir, "newdir") + "/"}, "berth: no such directory\n"},
		{[]string{ctr + ":/file", filepath.Join(dir, "a", "b")}, "berth: invalid output path: directory \"" + filepath.Join(dir, "a") + "\" does not exist\n"},
		{[]string{filepath.Join(dir, "file"), ctr + ":/nope/x"}, "berth: Could not find the file /nope in container " + ctr + "\n"},
		{[]string{filepath.Join(dir, "missing"), ctr + ":/tmp"}, "berth: lstat " + filepath.Join(dir, "missing") + ": no such file or directory\n"},
		{[]string{dir, ctr + ":/file"}, "berth: cannot copy directory\n"},
		{[]string{filepath.Join(dir, "file"), ctr + ":/dir/file/"}, "berth: no such directory\n"},
		{[]string{filepath.Join(dir, "file"), ctr + ":/dev/null"}, "berth: destination \"" + ctr + ":/dev/null\" must be a directory or a regular file: got a device\n"},
		{[]string{"a", "b"}, "berth: must specify at least one container source\n"},
		{[]string{ctr + ":/a", ctr + ":/b"}, "berth: copying between containers is not supported\n"},
		{[]string{"nosuch:/a", dir}, "berth: No such container: nosuch\n"},
	} {
		expect(t, berth(t, append([]string{"cp"}, tc.args...)...), 125, "", tc.want)
	}
	// A directory is not replaced by a file, nor a file by a directory.
	exec(t, ctr, "mkdir -p /x/d && touch /x/f")
	stream := tarOf(t, map[string]string{"d": "file now"})
	expect(t, berthIn(t, bytes.NewReader(stream), "cp", "-", ctr+":/x"), 125, "",
		"berth: cannot overwrite directory \"/x/d\" with non-directory \"d\"\n")
	stream = tarOf(t, map[string]string{"f/": ""})
	expect(t, berthIn(t, bytes.NewReader(stream), "cp", "-", ctr+":/x"), 125, "",
		"berth: cannot overwrite non-directory \"/x/f\" with directory \"f/\"\n")
}
