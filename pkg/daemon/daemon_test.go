package daemon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pelletier/go-toml/v2"
)

func testDaemon(t *testing.T, opts ...Opt) *Daemon {
	t.Helper()
	root, run := filepath.Join(t.TempDir(), "data"), filepath.Join(t.TempDir(), "run")
	d := New(append([]Opt{WithDataRoot(root), WithRunDir(run)}, opts...)...)
	if err := d.PrepareDirs(); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestPaths(t *testing.T) {
	d := New(WithDataRoot("/srv/berth"), WithRunDir("/run/b"))
	for name, tc := range map[string]struct{ got, want string }{
		"Socket":         {d.Socket(), "/run/b/containerd.sock"},
		"ContainerdRoot": {d.ContainerdRoot(), "/srv/berth/containerd"},
		"StateDir":       {d.StateDir(), "/run/b/containerd"},
		"ConfigPath":     {d.ConfigPath(), "/run/b/containerd.toml"},
		"LogPath":        {d.LogPath(), "/run/b/daemon.log"},
		"lockPath":       {d.lockPath(), "/srv/berth/daemon.lock"},
		"startLockPath":  {d.startLockPath(), "/run/b/start.lock"},
		"DataRoot":       {d.DataRoot(), "/srv/berth"},
		"RunDir":         {d.RunDir(), "/run/b"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %q, want %q", name, tc.got, tc.want)
		}
	}
}

func TestRenderConfig(t *testing.T) {
	for _, tc := range []struct {
		name        string
		opts        []Opt
		level       string
		snapshotter string
	}{
		{"defaults", nil, "info", "overlayfs"},
		{"debug and native", []Opt{WithDebug(true), WithSnapshotter("native")}, "debug", "native"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := New(append([]Opt{WithDataRoot("/srv/berth data"), WithRunDir("/run/berth-test")}, tc.opts...)...)
			text := d.RenderConfig()
			var cfg struct {
				Version         int      `toml:"version"`
				Root            string   `toml:"root"`
				State           string   `toml:"state"`
				Imports         []string `toml:"imports"`
				DisabledPlugins []string `toml:"disabled_plugins"`
				GRPC            struct {
					Address string `toml:"address"`
					UID     int    `toml:"uid"`
					GID     int    `toml:"gid"`
				} `toml:"grpc"`
				TTRPC struct {
					Address string `toml:"address"`
				} `toml:"ttrpc"`
				Debug struct {
					Level string `toml:"level"`
				} `toml:"debug"`
				Plugins map[string]map[string]any `toml:"plugins"`
			}
			dec := toml.NewDecoder(strings.NewReader(text))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&cfg); err != nil {
				t.Fatalf("rendered config does not decode: %v\n%s", err, text)
			}
			// imports must be present and empty, not absent: then files in
			// /etc/containerd/conf.d cannot change berth's engine.
			if !strings.Contains(text, "\nimports = []\n") || cfg.Imports == nil || len(cfg.Imports) != 0 {
				t.Errorf("imports is not an empty list:\n%s", text)
			}
			check := func(what string, got, want any) {
				t.Helper()
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %v, want %v", what, got, want)
				}
			}
			check("version", cfg.Version, 3)
			check("root", cfg.Root, "/srv/berth data/containerd")
			check("state", cfg.State, "/run/berth-test/containerd")
			check("disabled_plugins", cfg.DisabledPlugins, []string{
				"io.containerd.grpc.v1.cri",
				"io.containerd.cri.v1.images",
				"io.containerd.cri.v1.runtime",
				"io.containerd.podsandbox.controller.v1.podsandbox",
			})
			check("grpc.address", cfg.GRPC.Address, "/run/berth-test/containerd.sock")
			check("grpc.uid", cfg.GRPC.UID, os.Getuid())
			check("grpc.gid", cfg.GRPC.GID, os.Getgid())
			check("ttrpc.address", cfg.TTRPC.Address, "/run/berth-test/containerd.sock.ttrpc")
			check("debug.level", cfg.Debug.Level, tc.level)
			check("restart monitor interval", cfg.Plugins["io.containerd.monitor.container.v1.restart"]["interval"], "1s")
			unpack, _ := cfg.Plugins["io.containerd.transfer.v1.local"]["unpack_config"].([]any)
			if len(unpack) != 1 {
				t.Fatalf("transfer unpack_config = %v", cfg.Plugins["io.containerd.transfer.v1.local"])
			}
			u := unpack[0].(map[string]any)
			check("unpack snapshotter", u["snapshotter"], tc.snapshotter)
			if p, _ := u["platform"].(string); !strings.HasPrefix(p, "linux/") {
				t.Errorf("unpack platform = %q", p)
			}
		})
	}
}

func TestWriteConfig(t *testing.T) {
	d := testDaemon(t)
	path, err := d.WriteConfig()
	if err != nil {
		t.Fatal(err)
	}
	if path != d.ConfigPath() {
		t.Errorf("WriteConfig() path = %q, want %q", path, d.ConfigPath())
	}
	data, err := os.ReadFile(path)
	if err != nil || string(data) != d.RenderConfig() {
		t.Fatalf("written config differs from RenderConfig(): %v", err)
	}
	// Nothing of the temporary file is left beside it.
	entries, _ := os.ReadDir(d.RunDir())
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".containerd.toml-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestLogTail(t *testing.T) {
	m1 := startMarker(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	m2 := startMarker(time.Date(2026, 1, 2, 3, 5, 0, 0, time.UTC))
	for _, tc := range []struct {
		name string
		log  string
		none bool // no log file at all
		n    int
		want []string
	}{
		{name: "no log", none: true, n: 15, want: nil},
		{name: "empty log", log: "", n: 15, want: nil},
		{name: "no marker: the whole log", log: "a\nb\nc\n", n: 15, want: []string{"a", "b", "c"}},
		{name: "no marker, last n", log: "a\nb\nc\n", n: 2, want: []string{"b", "c"}},
		{name: "after the last marker only", log: m1 + "\nold 1\nold 2\n" + m2 + "\nnew 1\nnew 2\n", n: 15, want: []string{"new 1", "new 2"}},
		{name: "last n after the marker", log: m1 + "\nold\n" + m2 + "\nnew 1\nnew 2\nnew 3\n", n: 2, want: []string{"new 2", "new 3"}},
		{name: "no trailing newline", log: m2 + "\nnew 1\nnew 2", n: 15, want: []string{"new 1", "new 2"}},
		{name: "marker is the last line", log: m1 + "\nold\n" + m2 + "\n", n: 15, want: nil},
		{name: "marker without newline", log: m1 + "\nold\n" + m2, n: 15, want: nil},
		{name: "marker at the very start", log: m2 + "\nx\n", n: 15, want: []string{"x"}},
		{
			name: "a quoted marker is not a marker",
			log:  m2 + "\nlevel=error msg=\"saw ---- berth: engine start in a file\"\nlast\n",
			n:    15,
			want: []string{`level=error msg="saw ---- berth: engine start in a file"`, "last"},
		},
		{name: "n of 0", log: "a\n", n: 0, want: nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := testDaemon(t)
			if !tc.none {
				if err := os.WriteFile(d.LogPath(), []byte(tc.log), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if got := d.LogTail(tc.n); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("LogTail(%d) = %q, want %q", tc.n, got, tc.want)
			}
		})
	}
}

func TestStartMarker(t *testing.T) {
	got := startMarker(time.Date(2026, 1, 2, 3, 4, 5, 600, time.FixedZone("x", 3600)))
	if want := "---- berth: engine start 2026-01-02T02:04:05.0000006Z"; got != want {
		t.Errorf("startMarker() = %q, want %q", got, want)
	}
}

func TestStartErrorText(t *testing.T) {
	err := error(&StartError{Cause: errors.New("the engine exited during start-up (exit status 1)"),
		LogPath: "/run/berth/daemon.log", Tail: []string{"one", "two"}})
	want := "cannot start the engine: the engine exited during start-up (exit status 1); log: /run/berth/daemon.log; last lines:\n  one\n  two"
	if err.Error() != want {
		t.Errorf("StartError = %q, want %q", err.Error(), want)
	}
	err = &StartError{Cause: context.DeadlineExceeded, LogPath: "/l"}
	if err.Error() != "cannot start the engine: context deadline exceeded; log: /l" {
		t.Errorf("StartError without a tail = %q", err.Error())
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Error("StartError does not unwrap to its cause")
	}
}

func TestAcquireRoot(t *testing.T) {
	d := testDaemon(t)
	first, err := d.AcquireRoot()
	if err != nil {
		t.Fatalf("first AcquireRoot: %v", err)
	}
	data, err := os.ReadFile(d.lockPath())
	if err != nil || string(data) != fmt.Sprintf("%d\n", os.Getpid()) {
		t.Fatalf("lock file holds %q (%v), want this pid", data, err)
	}
	// flock belongs to the open file, so a second open in this process
	// conflicts as another engine would.
	_, err = d.AcquireRoot()
	want := fmt.Sprintf("another berth engine (pid %d) is already running on data root %s", os.Getpid(), d.DataRoot())
	if err == nil || err.Error() != want {
		t.Fatalf("second AcquireRoot error = %v, want %q", err, want)
	}
	st := d.Status(context.Background())
	if !st.Running || st.Serving || st.Pid != os.Getpid() {
		t.Errorf("Status() while held = %+v", st)
	}
	first.Release()
	again, err := d.AcquireRoot()
	if err != nil {
		t.Fatalf("AcquireRoot after Release: %v", err)
	}
	again.Release()
	if st := d.Status(context.Background()); st.Running || st.Pid != 0 {
		t.Errorf("Status() after Release = %+v", st)
	}
}

func TestStatusAndStopWithoutEngine(t *testing.T) {
	d := testDaemon(t)
	want := Status{Socket: d.Socket(), DataRoot: d.DataRoot(), RunDir: d.RunDir(), LogPath: d.LogPath()}
	if got := d.Status(context.Background()); got != want {
		t.Errorf("Status() = %+v, want %+v", got, want)
	}
	if err := d.Stop(context.Background(), time.Second); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Stop() = %v, want ErrNotRunning", err)
	}
}

func TestPrepareDirs(t *testing.T) {
	base := t.TempDir()
	d := New(WithDataRoot(filepath.Join(base, "a", "data")), WithRunDir(filepath.Join(base, "b", "run")))
	if err := os.MkdirAll(d.RunDir(), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := d.PrepareDirs(); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{d.DataRoot(), d.RunDir()} {
		fi, err := os.Stat(dir)
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v (%v), want 0700", dir, fi.Mode().Perm(), err)
		}
	}
}

// A process is exiting once a SIGKILL is pending or its main thread is a
// zombie, and is not while it runs.
func TestExiting(t *testing.T) {
	if exiting(os.Getpid()) {
		t.Fatal("this test's own process counts as exiting")
	}
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	if exiting(pid) {
		t.Fatal("a sleeping child counts as exiting")
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	// Not reaped yet: a zombie, or at least a pending SIGKILL.
	if !exiting(pid) {
		t.Fatal("a killed child does not count as exiting")
	}
	_ = cmd.Wait()
	if !exiting(pid) {
		t.Fatal("a reaped child (no /proc entry) does not count as exiting")
	}
}
