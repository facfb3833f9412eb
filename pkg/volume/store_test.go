package volume

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/berth-project/berth/pkg/containerutil"
)

func TestCreateGetListDelete(t *testing.T) {
	s := NewStore(t.TempDir(), "default")
	v, created, err := s.Create("data", CreateOptions{Labels: map[string]string{"a": "b"}, Options: map[string]string{}})
	if err != nil || !created {
		t.Fatalf("Create = %v, %v", created, err)
	}
	if v.Mountpoint != filepath.Join(s.Root(), "data", "_data") || v.Driver != "local" {
		t.Fatalf("volume %+v", v)
	}
	if fi, err := os.Stat(v.Mountpoint); err != nil || !fi.IsDir() {
		t.Fatalf("no data directory: %v", err)
	}
	// A second create of the name returns the volume as it is.
	again, created, err := s.Create("data", CreateOptions{Labels: map[string]string{"c": "d"}})
	if err != nil || created || again.Labels["a"] != "b" {
		t.Fatalf("Create again = %+v, %v, %v", again, created, err)
	}
	anon, err := s.CreateAnonymous("")
	if err != nil || len(anon.Name) != 64 || !anon.Anonymous() {
		t.Fatalf("CreateAnonymous = %+v, %v", anon, err)
	}
	vols, err := s.List()
	if err != nil || len(vols) != 2 {
		t.Fatalf("List = %v, %v", vols, err)
	}
	if err := s.Delete("data"); err != nil {
		t.Fatal(err)
	}
	var nf *NotFoundError
	if _, err := s.Get("data"); !errors.As(err, &nf) || err.Error() != "get data: no such volume" {
		t.Fatalf("Get after Delete: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.Root(), "data")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the volume's directory is left: %v", err)
	}
}

func TestListSkipsHalfMade(t *testing.T) {
	s := NewStore(t.TempDir(), "default")
	// A crash between the data directory and the metadata.
	if err := os.MkdirAll(s.DataPath("half"), 0o755); err != nil {
		t.Fatal(err)
	}
	if vols, err := s.List(); err != nil || len(vols) != 0 {
		t.Fatalf("List = %v, %v", vols, err)
	}
	if _, created, err := s.Create("half", CreateOptions{}); err != nil || !created {
		t.Fatalf("Create over a half-made volume = %v, %v", created, err)
	}
}

func TestCreateRefuses(t *testing.T) {
	s := NewStore(t.TempDir(), "default")
	const chars = `includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`
	cases := []struct {
		name string
		o    CreateOptions
		err  string
	}{
		{name: "a/b", err: `create a/b: "a/b" ` + chars},
		{name: "..", err: `create ..: ".." ` + chars},
		{name: "../etc", err: `create ../etc: "../etc" ` + chars},
		{name: "x", err: "create x: volume name is too short, names should be at least two alphanumeric characters"},
		{name: "data", o: CreateOptions{Driver: "nfs"}, err: `create data: error looking up volume plugin nfs: plugin "nfs" not found`},
		{name: "data", o: CreateOptions{Options: map[string]string{"foo": "bar"}}, err: `create data: invalid option: "foo"`},
		{name: "data", o: CreateOptions{Options: map[string]string{"type": "tmpfs"}}, err: `create data: missing required option: "device"`},
		{name: "data", o: CreateOptions{Options: map[string]string{"device": "tmpfs"}}, err: `create data: missing required option: "type"`},
		{name: "data", o: CreateOptions{Options: map[string]string{"o": "size=1m", "device": "tmpfs"}}, err: `create data: missing required option: "type"`},
		{name: "data", o: CreateOptions{Options: map[string]string{"size": "1g"}}, err: "create data: quota size requested but no quota support"},
	}
	for _, c := range cases {
		if _, _, err := s.Create(c.name, c.o); err == nil || err.Error() != c.err {
			t.Errorf("Create(%q, %+v) = %v, want %q", c.name, c.o, err, c.err)
		}
	}
	if entries, _ := os.ReadDir(s.Root()); len(entries) > 1 {
		t.Fatalf("refused creates left %v", entries)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(s.Root()), "etc")); err == nil {
		t.Fatal("a name with .. escaped the store")
	}
}

func TestSource(t *testing.T) {
	dev := t.TempDir()
	cases := []struct {
		opts map[string]string
		want Source
		err  string
	}{
		{opts: nil, want: Source{Type: "bind", Source: "/v/_data", Data: "/v/_data"}},
		{opts: map[string]string{"type": "tmpfs", "device": "tmpfs", "o": "size=1m,uid=1000"}, want: Source{Type: "tmpfs", Source: "tmpfs", Options: []string{"size=1m", "uid=1000"}}},
		{opts: map[string]string{"type": "none", "device": dev, "o": "bind"}, want: Source{Type: "bind", Source: dev, Data: dev}},
		{opts: map[string]string{"type": "none", "device": "/no/such/dir", "o": "bind"}, err: "error while mounting volume '/v/_data': failed to mount local volume: mount /no/such/dir:/v/_data, flags: 0x1000: no such file or directory"},
	}
	for _, c := range cases {
		got, err := (&Volume{Mountpoint: "/v/_data", Options: c.opts}).Source()
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("Source(%v) error = %v, want %q", c.opts, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("Source(%v) = %+v, %v; want %+v", c.opts, got, err, c.want)
		}
	}
}

func TestCopyUp(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, filepath.Join(root, "srv/data/a.txt"), "a")
	mustWrite(t, filepath.Join(root, "srv/data/sub/b.txt"), "b")
	if err := os.Chmod(filepath.Join(root, "srv/data"), 0o750); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "_data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := CopyUp(root, "/srv/data", data); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(data, "sub/b.txt")); err != nil || string(b) != "b" {
		t.Fatalf("copied %q, %v", b, err)
	}
	if fi, _ := os.Stat(data); fi.Mode().Perm() != 0o750 {
		t.Fatalf("data directory mode %v, want the image's 0750", fi.Mode())
	}
	// Not empty any more: a second copy changes nothing.
	mustWrite(t, filepath.Join(root, "srv/data/c.txt"), "c")
	if err := CopyUp(root, "/srv/data", data); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(data, "c.txt")); err == nil {
		t.Fatal("copied into a volume that was not empty")
	}
}

func TestCopyUpStaysInRoot(t *testing.T) {
	root := t.TempDir()
	host := t.TempDir()
	mustWrite(t, filepath.Join(host, "secret"), "host")
	mustWrite(t, filepath.Join(root, "etc/inside"), "image")
	// Links that would leave the root on the host: absolute, and up.
	for name, target := range map[string]string{"abs": host, "up": "../../../../../../../../" + strings.TrimPrefix(host, "/")} {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
		data := t.TempDir()
		if err := CopyUp(root, "/"+name, data); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(data, "secret")); err == nil {
			t.Fatalf("%s: copied the host's file through a symlink", name)
		}
	}
	if err := os.Symlink("/etc", filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	if err := CopyUp(root, "/link", data); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(data, "inside")); err != nil || string(b) != "image" {
		t.Fatalf("a link inside the image: %q, %v", b, err)
	}
}

func TestUsersAndRemoval(t *testing.T) {
	dataRoot := t.TempDir()
	s := NewStore(dataRoot, "default")
	ctrs := containerutil.NewStore(dataRoot, "default")
	for _, name := range []string{"named", "shared", "idle", "named-idle"} {
		if _, _, err := s.Create(name, CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	anonUsed, _ := s.CreateAnonymous("")
	anonIdle, _ := s.CreateAnonymous("")
	save := func(id string, names ...string) {
		m := &containerutil.Meta{}
		for _, n := range names {
			m.MountPoints = append(m.MountPoints, containerutil.MountPoint{Type: "volume", Name: n})
		}
		m.MountPoints = append(m.MountPoints, containerutil.MountPoint{Type: "bind", Source: "/x"})
		if err := ctrs.SaveMeta(id, m); err != nil {
			t.Fatal(err)
		}
	}
	save("c1", "named", "shared", anonUsed.Name)
	save("c2", "shared")
	save("gone", "idle") // metadata the engine no longer has
	live := func() (map[string]bool, error) { return map[string]bool{"c1": true, "c2": true}, nil }
	users, err := Users(ctrs, live)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"named": {"c1"}, "shared": {"c1", "c2"}, anonUsed.Name: {"c1"}}
	if !reflect.DeepEqual(users, want) {
		t.Fatalf("Users = %v, want %v", users, want)
	}
	if err := s.RemoveUnused(ctrs, live, []string{"shared", anonIdle.Name}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("shared"); err != nil {
		t.Fatal("removed a volume in use")
	}
	if _, err := s.Get(anonIdle.Name); err == nil {
		t.Fatal("kept an unused volume")
	}
	// Prune without -a: the unused anonymous volumes only (none left).
	r, err := s.Prune(ctrs, live, PruneOptions{})
	if err != nil || len(r.Deleted) != 0 {
		t.Fatalf("Prune = %+v, %v", r, err)
	}
	mustWrite(t, filepath.Join(s.DataPath("idle"), "f"), "12345")
	r, err = s.Prune(ctrs, live, PruneOptions{All: true, Match: func(v *Volume) bool { return v.Name != "named-idle" }})
	if err != nil || !reflect.DeepEqual(r.Deleted, []string{"idle"}) || r.Reclaimed != 5 {
		t.Fatalf("Prune -a = %+v, %v", r, err)
	}
	if e := (&InUseError{Name: "shared", Containers: users["shared"]}).Error(); e != "remove shared: volume is in use - [c1, c2]" {
		t.Fatalf("InUseError = %q", e)
	}
}

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
