package volume_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestNamedVolumeDataPersists(t *testing.T) {
	img := busybox(t)
	cleanup(t, nil, "persist")
	before := volumes(t)
	engine.MustBerth(t, "run", "--rm", "-v", "persist:/data", img, "sh", "-c", "echo kept > /data/f")
	if got := added(before, volumes(t)); strings.Join(got, " ") != "persist" {
		t.Fatalf("run -v persist:/data made volumes %v", got)
	}
	// run --rm keeps a named volume, and the next container sees its data.
	expect(t, engine.Berth(t, "run", "--rm", "--mount", "source=persist,target=/other", img, "cat", "/other/f"), 0, "kept\n", "")
	data := filepath.Join(engine.DataRoot, "default", "volumes", "persist", "_data", "f")
	if b, err := os.ReadFile(data); err != nil || string(b) != "kept\n" {
		t.Fatalf("the data is not under the data root: %q, %v", b, err)
	}
	// The engine stops; the volume and its data are still there after.
	engine.MustBerth(t, "daemon", "stop")
	expect(t, engine.Berth(t, "volume", "ls", "-q", "--filter", "name=persist"), 0, "persist\n", "")
	expect(t, engine.Berth(t, "run", "--rm", "-v", "persist:/data:ro", img, "cat", "/data/f"), 0, "kept\n", "")
}

func TestCopyUpFromImage(t *testing.T) {
	img := volImage(t)
	cleanup(t, []string{"cu-anon"}, "cu-new", "cu-nocopy", "cu-full", "cu-sub")
	// A new volume is filled from the image, with the directory's mode.
	expect(t, engine.Berth(t, "run", "--rm", "-v", "cu-new:/srv/data", img, "sh", "-c", "cat /srv/data/a.txt /srv/data/sub/b.txt; stat -c %a /srv/data"),
		0, "from the image\nb\n750\n", "")
	// Not empty any more: it is not filled again.
	engine.MustBerth(t, "run", "--rm", "-v", "cu-new:/srv/data", img, "rm", "/srv/data/a.txt")
	expect(t, engine.Berth(t, "run", "--rm", "-v", "cu-new:/srv/data", img, "ls", "/srv/data"), 0, "sub\n", "")
	// Anywhere in the image, by --mount too.
	expect(t, engine.Berth(t, "run", "--rm", "--mount", "src=cu-sub,dst=/srv/other", img, "cat", "/srv/other/c.txt"), 0, "c\n", "")
	// nocopy, and a volume that has data already, are left alone.
	expect(t, engine.Berth(t, "run", "--rm", "-v", "cu-nocopy:/srv/data:nocopy", img, "ls", "-A", "/srv/data"), 0, "", "")
	engine.MustBerth(t, "run", "--rm", "-v", "cu-full:/x", img, "touch", "/x/mine")
	expect(t, engine.Berth(t, "run", "--rm", "-v", "cu-full:/srv/data", img, "ls", "/srv/data"), 0, "mine\n", "")
	// A bind mount is never filled.
	dir := t.TempDir()
	expect(t, engine.Berth(t, "run", "--rm", "-v", dir+":/srv/data", img, "ls", "-A", "/srv/data"), 0, "", "")

	// The image's VOLUME is an anonymous volume, filled as well.
	before := volumes(t)
	expect(t, engine.Berth(t, "run", "--name", "cu-anon", img, "cat", "/srv/data/a.txt"), 0, "from the image\n", "")
	anon := added(before, volumes(t))
	if len(anon) != 1 || !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(anon[0]) {
		t.Fatalf("anonymous volumes %v", anon)
	}
	expect(t, engine.Berth(t, "volume", "inspect", "-f", `{{json .Labels}}`, anon[0]), 0, `{"com.docker.volume.anonymous":""}`+"\n", "")
	r := engine.MustBerth(t, "inspect", "-f", "{{json .Mounts}} {{json .Config.Volumes}}", "cu-anon")
	want := `[{"Type":"volume","Name":"` + anon[0] + `","Source":"` + filepath.Join(engine.DataRoot, "default", "volumes", anon[0], "_data") +
		`","Destination":"/srv/data","Driver":"local","Mode":"","RW":true,"Propagation":""}] {"/srv/data":{}}` + "\n"
	if r.Stdout != want {
		t.Fatalf("inspect Mounts:\n%s\nwant:\n%s", r.Stdout, want)
	}
}

func TestAnonymousVolumesRemoval(t *testing.T) {
	img := busybox(t)
	cleanup(t, []string{"av-keep", "av-rmv", "av-d"}, "av-named")
	before := volumes(t)
	// run --rm: the anonymous volume goes, the named one stays.
	engine.MustBerth(t, "run", "--rm", "-v", "av-named:/n", "-v", "/anon", "--mount", "type=volume,dst=/anon2", img, "true")
	if got := added(before, volumes(t)); strings.Join(got, " ") != "av-named" {
		t.Fatalf("after run --rm: new volumes %v, want av-named only", got)
	}
	// rm without -v keeps the anonymous volume; rm -v removes it.
	engine.MustBerth(t, "create", "--name", "av-keep", "-v", "/anon", img)
	kept := added(before, volumes(t))
	engine.MustBerth(t, "rm", "av-keep")
	if got := added(before, volumes(t)); len(got) != 2 {
		t.Fatalf("rm without -v removed a volume: %v -> %v", kept, got)
	}
	dangling := added(before, volumes(t))
	engine.MustBerth(t, "create", "--name", "av-rmv", "-v", "av-named:/n", "-v", "/anon", img)
	engine.MustBerth(t, "rm", "-v", "av-rmv")
	if got := added(before, volumes(t)); strings.Join(got, " ") != strings.Join(dangling, " ") {
		t.Fatalf("rm -v: volumes %v, want %v", got, dangling)
	}
	// -d --rm: the engine removes the container and its anonymous volume.
	engine.MustBerth(t, "run", "-d", "--rm", "--name", "av-d", "-v", "av-named:/n", "-v", "/anon", img, "sleep", "0.5")
	poll(t, "the -d --rm container's removal", func() bool { return engine.Berth(t, "inspect", "av-d").ExitCode != 0 })
	poll(t, "the -d --rm container's anonymous volume's removal", func() bool {
		return strings.Join(added(before, volumes(t)), " ") == strings.Join(dangling, " ")
	})
	for _, v := range dangling {
		if v != "av-named" {
			engine.MustBerth(t, "volume", "rm", v)
		}
	}
}

func TestBindMounts(t *testing.T) {
	img := busybox(t)
	cleanup(t, []string{"bm-inspect"})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "in"), []byte("host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	expect(t, engine.Berth(t, "run", "--rm", "-v", dir+":/b", img, "sh", "-c", "cat /b/in; echo out > /b/out"), 0, "host\n", "")
	if b, err := os.ReadFile(filepath.Join(dir, "out")); err != nil || string(b) != "out\n" {
		t.Fatalf("a rw bind's write: %q, %v", b, err)
	}
	r := engine.Berth(t, "run", "--rm", "-v", dir+":/b:ro", img, "sh", "-c", "cat /b/in; echo x > /b/ro")
	if r.ExitCode == 0 || r.Stdout != "host\n" || !strings.Contains(r.Stderr, "Read-only file system") {
		t.Fatalf("a ro bind:\n%s", r)
	}
	r = engine.Berth(t, "run", "--rm", "--mount", "type=bind,src="+dir+",dst=/b,readonly", img, "touch", "/b/ro")
	if r.ExitCode == 0 || !strings.Contains(r.Stderr, "Read-only file system") {
		t.Fatalf("a readonly --mount bind:\n%s", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "ro")); err == nil {
		t.Fatal("wrote through a read-only bind")
	}
	// -v makes a missing host directory.
	missing := filepath.Join(dir, "made", "here")
	expect(t, engine.Berth(t, "run", "--rm", "-v", missing+":/m", img, "touch", "/m/f"), 0, "", "")
	if _, err := os.Stat(filepath.Join(missing, "f")); err != nil {
		t.Fatalf("-v did not make the host directory: %v", err)
	}
	// A host path starting with "." is relative to berth's directory.
	cmd := engine.Cmd("run", "--rm", "-v", "./rel:/r", img, "touch", "/r/f")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("-v ./rel:/r: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "rel", "f")); err != nil {
		t.Fatalf("-v ./rel did not bind %s/rel: %v", dir, err)
	}

	engine.MustBerth(t, "create", "--name", "bm-inspect", "-v", dir+":/b:ro", "--mount", "type=bind,src="+dir+",dst=/c,bind-propagation=private", "-v", "bm-x:/x", img)
	cleanup(t, nil, "bm-x")
	r = engine.MustBerth(t, "inspect", "-f", "{{json .HostConfig.Binds}} {{json .HostConfig.Mounts}} {{json .Mounts}}", "bm-inspect")
	want := `["` + dir + `:/b:ro","bm-x:/x"] [{"Type":"bind","Source":"` + dir + `","Target":"/c","BindOptions":{"Propagation":"private"}}] ` +
		`[{"Type":"bind","Source":"` + dir + `","Destination":"/b","Mode":"ro","RW":false,"Propagation":"rprivate"},` +
		`{"Type":"bind","Source":"` + dir + `","Destination":"/c","Mode":"","RW":true,"Propagation":"private"},` +
		`{"Type":"volume","Name":"bm-x","Source":"` + filepath.Join(engine.DataRoot, "default", "volumes", "bm-x", "_data") + `","Destination":"/x","Driver":"local","Mode":"z","RW":true,"Propagation":""}]` + "\n"
	if r.Stdout != want {
		t.Fatalf("inspect:\n%s\nwant:\n%s", r.Stdout, want)
	}
}

// TestBindPropagation: a slave bind needs a source on a shared or slave
// mount; where the host has none, Docker's refusal.
func TestBindPropagation(t *testing.T) {
	img := busybox(t)
	dir := t.TempDir()
	r := engine.Berth(t, "run", "--rm", "-v", dir+":/b:rslave", img, "grep", " /b ", "/proc/self/mountinfo")
	if r.ExitCode == 0 {
		if !strings.Contains(r.Stdout, "master:") {
			t.Fatalf("an rslave bind is not a slave mount:\n%s", r)
		}
		return
	}
	if !regexp.MustCompile(`^berth: path `+regexp.QuoteMeta(dir)+` is mounted on /\S* but it is not a shared or slave mount\n$`).MatchString(r.Stderr) || r.ExitCode != 125 {
		t.Fatalf("an rslave bind on a private mount:\n%s", r)
	}
	r = engine.Berth(t, "run", "--rm", "--mount", "type=bind,src="+dir+",dst=/b,bind-propagation=shared", img, "true")
	if r.Stderr != "berth: path "+dir+" is mounted on "+mountOf(t, dir)+" but it is not a shared mount\n" || r.ExitCode != 125 {
		t.Fatalf("a shared bind on a private mount:\n%s", r)
	}
	// Made a shared mount, the source can be bound rshared: a mount made
	// under it on the host then shows in the container.
	if err := unix.Mount(dir, dir, "", unix.MS_BIND, ""); err != nil {
		t.Skipf("cannot make a shared mount here: %v", err)
	}
	t.Cleanup(func() { _ = unix.Unmount(dir, unix.MNT_DETACH) })
	if err := unix.Mount("", dir, "", unix.MS_SHARED, ""); err != nil {
		t.Fatal(err)
	}
	r = engine.MustBerth(t, "run", "--rm", "-v", dir+":/b:rshared", img, "grep", " /b ", "/proc/self/mountinfo")
	if !strings.Contains(r.Stdout, "shared:") {
		t.Fatalf("an rshared bind is not shared:\n%s", r)
	}
}

// mountOf is the mount point holding path on the host.
func mountOf(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	best := "/"
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) > 4 && (path == f[4] || strings.HasPrefix(path, strings.TrimSuffix(f[4], "/")+"/")) && len(f[4]) > len(best) {
			best = f[4]
		}
	}
	return best
}

func TestTmpfsMounts(t *testing.T) {
	img := busybox(t)
	cleanup(t, nil, "tm-vol", "tm-bind")
	r := engine.MustBerth(t, "run", "--rm", "--mount", "type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=1770", "--tmpfs", "/t2:size=2m", img, "grep", " /t", "/proc/mounts")
	if !regexp.MustCompile(`(?m)^tmpfs /t tmpfs rw,nosuid,nodev,noexec,.*size=1024k,mode=1770`).MatchString(r.Stdout) ||
		!regexp.MustCompile(`(?m)^tmpfs /t2 tmpfs .*size=2048k`).MatchString(r.Stdout) {
		t.Fatalf("tmpfs mounts:\n%s", r.Stdout)
	}
	// A tmpfs volume of the local driver.
	engine.MustBerth(t, "volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=3m", "tm-vol")
	r = engine.MustBerth(t, "run", "--rm", "-v", "tm-vol:/v", img, "grep", " /v ", "/proc/mounts")
	if !regexp.MustCompile(`^tmpfs /v tmpfs rw,.*size=3072k`).MatchString(r.Stdout) {
		t.Fatalf("tmpfs volume:\n%s", r.Stdout)
	}
	// A volume bound to a host directory.
	dir := t.TempDir()
	engine.MustBerth(t, "volume", "create", "-o", "type=none", "-o", "device="+dir, "-o", "o=bind", "tm-bind")
	engine.MustBerth(t, "run", "--rm", "-v", "tm-bind:/v", img, "touch", "/v/f")
	if _, err := os.Stat(filepath.Join(dir, "f")); err != nil {
		t.Fatalf("the bound volume's file is not in its device directory: %v", err)
	}
}

func TestVolumesFrom(t *testing.T) {
	img := busybox(t)
	cleanup(t, []string{"vf-data", "vf-user"}, "vf-shared")
	engine.MustBerth(t, "create", "--name", "vf-data", "-v", "vf-shared:/shared", "-v", "/anon", img)
	engine.MustBerth(t, "run", "--rm", "--volumes-from", "vf-data", img, "sh", "-c", "echo s > /shared/f; echo a > /anon/f")
	expect(t, engine.Berth(t, "run", "--rm", "--volumes-from", "vf-data:ro", img, "cat", "/shared/f", "/anon/f"), 0, "s\na\n", "")
	r := engine.Berth(t, "run", "--rm", "--volumes-from", "vf-data:ro", img, "touch", "/shared/g")
	if r.ExitCode == 0 || !strings.Contains(r.Stderr, "Read-only file system") {
		t.Fatalf("--volumes-from :ro:\n%s", r)
	}
	engine.MustBerth(t, "create", "--name", "vf-user", "--volumes-from", "vf-data:ro", img)
	r = engine.MustBerth(t, "inspect", "-f", "{{json .HostConfig.VolumesFrom}} {{range .Mounts}}{{.Destination}}:{{.RW}} {{end}}", "vf-user")
	if r.Stdout != `["vf-data:ro"] /anon:false /shared:false `+"\n" {
		t.Fatalf("inspect:\n%s", r.Stdout)
	}
	// The data container's anonymous volume is in use by vf-user: rm -v
	// of vf-data keeps it, and rm -v of its last user removes it.
	anon := engine.MustBerth(t, "inspect", "-f", `{{range .Mounts}}{{if eq .Destination "/anon"}}{{.Name}}{{end}}{{end}}`, "vf-data").Stdout
	anon = strings.TrimSpace(anon)
	engine.MustBerth(t, "rm", "-v", "vf-data")
	expect(t, engine.Berth(t, "volume", "ls", "-q", "--filter", "name="+anon), 0, anon+"\n", "")
	engine.MustBerth(t, "rm", "-v", "vf-user")
	expect(t, engine.Berth(t, "volume", "ls", "-q", "--filter", "name="+anon), 0, "", "")
}

func TestVolumeInUse(t *testing.T) {
	img := busybox(t)
	cleanup(t, []string{"iu-stopped", "iu-running"}, "iu-vol")
	id := strings.TrimSpace(engine.MustBerth(t, "create", "--name", "iu-stopped", "-v", "iu-vol:/v", img).Stdout)
	id2 := strings.TrimSpace(engine.MustBerth(t, "run", "-d", "--name", "iu-running", "--mount", "src=iu-vol,dst=/w", img, "sleep", "60").Stdout)
	ids := []string{id, id2}
	if id2 < id {
		ids = []string{id2, id}
	}
	expect(t, engine.Berth(t, "volume", "rm", "iu-vol"), 125, "", "berth: remove iu-vol: volume is in use - ["+ids[0]+", "+ids[1]+"]\n")
	// ps shows the mounts, and finds the containers by volume.
	expect(t, engine.Berth(t, "ps", "-a", "--filter", "volume=iu-vol", "--format", "{{.Names}} {{.Mounts}} {{.LocalVolumes}}"),
		0, "iu-running iu-vol 1\niu-stopped iu-vol 1\n", "")
	expect(t, engine.Berth(t, "ps", "-a", "--filter", "volume=/w", "--format", "{{.Names}}"), 0, "iu-running\n", "")
	expect(t, engine.Berth(t, "volume", "rm", "-f", "iu-vol"), 125, "", "berth: remove iu-vol: volume is in use - ["+ids[0]+", "+ids[1]+"]\n")
	expect(t, engine.Berth(t, "volume", "ls", "-q", "--filter", "name=iu-vol", "--filter", "dangling=true"), 0, "", "")
	expect(t, engine.Berth(t, "volume", "ls", "-q", "--filter", "name=iu-vol", "--filter", "dangling=false"), 0, "iu-vol\n", "")
	r := engine.MustBerth(t, "volume", "prune", "-a", "-f")
	if strings.Contains(r.Stdout, "iu-vol") {
		t.Fatalf("prune removed a volume in use:\n%s", r)
	}
	engine.MustBerth(t, "rm", "-f", "iu-running")
	expect(t, engine.Berth(t, "volume", "rm", "iu-vol"), 125, "", "berth: remove iu-vol: volume is in use - ["+id+"]\n")
	engine.MustBerth(t, "rm", "iu-stopped")
	expect(t, engine.Berth(t, "volume", "rm", "iu-vol"), 0, "iu-vol\n", "")
}

func TestVolumePrune(t *testing.T) {
	img := busybox(t)
	cleanup(t, nil, "pr-named", "pr-label")
	engine.MustBerth(t, "volume", "create", "pr-named")
	engine.MustBerth(t, "volume", "create", "--label", "stage=test", "pr-label")
	before := volumes(t)
	engine.MustBerth(t, "run", "--name", "pr-ctr", "-v", "/anon", img, "sh", "-c", "echo 12345 > /anon/f")
	engine.MustBerth(t, "rm", "pr-ctr")
	anon := added(before, volumes(t))
	if len(anon) != 1 {
		t.Fatalf("anonymous volumes %v", anon)
	}
	// Declined: nothing happens.
	r := engine.BerthIn(t, strings.NewReader("n\n"), "volume", "prune")
	expect(t, r, 0, "WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] ", "")
	// Without -a, only the anonymous ones.
	r = engine.BerthIn(t, strings.NewReader("y\n"), "volume", "prune")
	expect(t, r, 0, "WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] "+
		"Deleted Volumes:\n"+anon[0]+"\n\nTotal reclaimed space: 6B\n", "")
	expect(t, engine.Berth(t, "volume", "prune", "-f", "-a", "--filter", "label=stage=test"), 0, "Deleted Volumes:\npr-label\n\nTotal reclaimed space: 0B\n", "")
	expect(t, engine.Berth(t, "volume", "prune", "-f", "--filter", "all=1", "--filter", "label!=stage"), 0, "Deleted Volumes:\npr-named\n\nTotal reclaimed space: 0B\n", "")
}

// TestPruneWhileCreating runs creates and prunes side by side: a prune
// never removes the volume of a container being created.
func TestPruneWhileCreating(t *testing.T) {
	img := busybox(t)
	var names, vols []string
	for i := 0; i < 4; i++ {
		names, vols = append(names, "pw-"+string(rune('a'+i))), append(vols, "pw-vol-"+string(rune('a'+i)))
	}
	cleanup(t, names, vols...)
	done := make(chan error, len(names))
	for i := range names {
		go func(i int) {
			out, err := engine.Cmd("create", "--name", names[i], "-v", vols[i]+":/v", "-v", "/anon", img).CombinedOutput()
			if err != nil {
				err = fmt.Errorf("%w: %s", err, out)
			}
			done <- err
		}(i)
	}
	finished := 0
	for finished < len(names) {
		engine.Berth(t, "volume", "prune", "-a", "-f")
		for {
			select {
			case err := <-done:
				finished++
				if err != nil {
					t.Errorf("create: %v", err)
				}
				continue
			default:
			}
			break
		}
	}
	engine.MustBerth(t, "volume", "prune", "-a", "-f")
	for i, name := range names {
		r := engine.MustBerth(t, "inspect", "-f", "{{range .Mounts}}{{.Name}} {{end}}", name)
		for _, v := range strings.Fields(r.Stdout) {
			if engine.Berth(t, "volume", "inspect", v).ExitCode != 0 {
				t.Errorf("%s: its volume %s was pruned", name, v)
			}
		}
		if !strings.Contains(r.Stdout, vols[i]) {
			t.Errorf("%s mounts %q, want %s", name, r.Stdout, vols[i])
		}
	}
}
