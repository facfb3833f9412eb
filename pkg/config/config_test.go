package config

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestDefault(t *testing.T) {
	want := &Config{
		Namespace:     "default",
		Snapshotter:   "overlayfs",
		DataRoot:      "/var/lib/berth",
		RunDir:        "/run/berth",
		CgroupManager: "cgroupfs",
		HostsDir:      []string{"/etc/berth/certs.d", "/etc/containerd/certs.d"},
	}
	got := Default()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Default() = %+v, want %+v", got, want)
	}
	if !got.Embedded() {
		t.Error("the default config should use berth's own engine")
	}
	if s := got.Socket(); s != "/run/berth/containerd.sock" {
		t.Errorf("Socket() = %q", s)
	}
	if s := got.ContainerdRoot(); s != "/var/lib/berth/containerd" {
		t.Errorf("ContainerdRoot() = %q", s)
	}
	if s := got.EngineAddress(); s != "/run/berth/containerd.sock" {
		t.Errorf("EngineAddress() = %q", s)
	}
}

func TestEngineAddress(t *testing.T) {
	for _, tc := range []struct{ address, want string }{
		{"", "/run/berth/containerd.sock"},
		{"/run/containerd/containerd.sock", "/run/containerd/containerd.sock"},
		{"unix:///run/containerd/containerd.sock", "/run/containerd/containerd.sock"},
	} {
		c := Default()
		c.Address = tc.address
		if got := c.EngineAddress(); got != tc.want {
			t.Errorf("EngineAddress() with address %q = %q, want %q", tc.address, got, tc.want)
		}
		if c.Embedded() != (tc.address == "") {
			t.Errorf("Embedded() with address %q = %v", tc.address, c.Embedded())
		}
	}
}

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name    string
		toml    string
		want    func(*Config)
		wantErr string
	}{
		{name: "empty", toml: "", want: func(*Config) {}},
		{
			name: "every key",
			toml: `debug = true
debug_full = true
address = "/run/containerd/containerd.sock"
namespace = "k8s.io"
snapshotter = "native"
cni_path = "/opt/cni/bin"
cni_netconfpath = "/etc/cni/net.d"
data_root = "/srv/berth"
run_dir = "/tmp/berth-run"
cgroup_manager = "systemd"
insecure_registry = true
hosts_dir = ["/etc/containerd/certs.d"]
experimental = true
`,
			want: func(c *Config) {
				*c = Config{
					Debug: true, DebugFull: true, Address: "/run/containerd/containerd.sock",
					Namespace: "k8s.io", Snapshotter: "native", CNIPath: "/opt/cni/bin",
					CNINetConfPath: "/etc/cni/net.d", DataRoot: "/srv/berth", RunDir: "/tmp/berth-run",
					CgroupManager: "systemd", InsecureRegistry: true,
					HostsDir: []string{"/etc/containerd/certs.d"}, Experimental: true,
				}
			},
		},
		{
			name: "keeps defaults of keys not set",
			toml: `namespace = "build"`,
			want: func(c *Config) { c.Namespace = "build" },
		},
		{name: "unknown key", toml: "x = 1", wantErr: `unknown key "x"`},
		{name: "unknown keys", toml: "x = 1\ny = 2", wantErr: `unknown keys "x", "y"`},
		{name: "unknown table", toml: "[x]\ny = 1", wantErr: `unknown key "x"`},
		{name: "nested unknown key", toml: "x.y = 1", wantErr: `unknown key "x.y"`},
		{name: "misspelt key", toml: "debug = true\ndata-root = \"/srv\"", wantErr: `unknown key "data-root"`},
		{name: "string for bool", toml: `debug = "yes"`, wantErr: `line 1 column 9: key "debug" must be a boolean`},
		{name: "integer for string", toml: "namespace = 1", wantErr: `line 1 column 13: key "namespace" must be a string`},
		{name: "string for array", toml: "\n\nhosts_dir = \"/etc/certs.d\"", wantErr: `line 3 column 13: key "hosts_dir" must be an array of strings`},
		{name: "integer in array", toml: "hosts_dir = [1]", wantErr: `line 1 column 14: key "hosts_dir" must be an array of strings`},
		{name: "table for bool", toml: "[debug]\na = 1", wantErr: `line 1 column 2: key "debug" must be a boolean`},
		{name: "syntax", toml: "namespace = ", wantErr: "line 1 column 12: expected value, not end of input"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Default()
			err := Decode([]byte(tc.toml), got)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("Decode() error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode() error = %v", err)
			}
			want := Default()
			tc.want(want)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("Decode() = %+v, want %+v", got, want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "berth.toml")
	if err := os.WriteFile(good, []byte(`namespace = "ci"`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(bad, []byte("namespaces = \"ci\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.toml")

	t.Setenv("BERTH_TOML", "")
	cfg, err := Load(good)
	if err != nil || cfg.Namespace != "ci" || cfg.DataRoot != "/var/lib/berth" {
		t.Fatalf("Load(good) = %+v, %v", cfg, err)
	}
	if _, err := Load(bad); err == nil || err.Error() != "config file "+bad+`: unknown key "namespaces"` {
		t.Fatalf("Load(bad) error = %v", err)
	}
	// The default file may be absent...
	cfg, err = Load(missing)
	if err != nil || !reflect.DeepEqual(cfg, Default()) {
		t.Fatalf("Load(missing) = %+v, %v; want the defaults", cfg, err)
	}
	// ...but not one named through $BERTH_TOML.
	t.Setenv("BERTH_TOML", missing)
	if Path() != missing {
		t.Fatalf("Path() = %q, want $BERTH_TOML", Path())
	}
	if _, err := Load(missing); err == nil || err.Error() != "reading config: open "+missing+": no such file or directory" {
		t.Fatalf("Load(missing named by BERTH_TOML) error = %v", err)
	}
	t.Setenv("BERTH_TOML", "")
	if Path() != DefaultPath {
		t.Fatalf("Path() = %q, want %q", Path(), DefaultPath)
	}
}

func TestApplyEnv(t *testing.T) {
	// What berth.toml said, before the environment.
	file := func() *Config {
		c := Default()
		c.Address = "/from/file.sock"
		c.Namespace = "file"
		c.Experimental = true
		return c
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		want func(*Config)
	}{
		{name: "no environment keeps the file", env: nil, want: func(*Config) {}},
		{name: "empty values keep the file", env: map[string]string{"CONTAINERD_ADDRESS": "", "CONTAINERD_NAMESPACE": "", "BERTH_EXPERIMENTAL": ""}, want: func(*Config) {}},
		{
			name: "every variable overrides the file",
			env: map[string]string{
				"CONTAINERD_ADDRESS":     "/run/containerd/containerd.sock",
				"CONTAINERD_NAMESPACE":   "k8s.io",
				"CONTAINERD_SNAPSHOTTER": "native",
				"CNI_PATH":               "/opt/cni/bin",
				"NETCONFPATH":            "/etc/cni/net.d",
				"BERTH_DATA_ROOT":        "/srv/berth",
				"BERTH_RUN_DIR":          "/tmp/run",
			},
			want: func(c *Config) {
				c.Address = "/run/containerd/containerd.sock"
				c.Namespace = "k8s.io"
				c.Snapshotter = "native"
				c.CNIPath = "/opt/cni/bin"
				c.CNINetConfPath = "/etc/cni/net.d"
				c.DataRoot = "/srv/berth"
				c.RunDir = "/tmp/run"
			},
		},
		{name: "experimental off", env: map[string]string{"BERTH_EXPERIMENTAL": "0"}, want: func(c *Config) { c.Experimental = false }},
		{name: "experimental false", env: map[string]string{"BERTH_EXPERIMENTAL": "false"}, want: func(c *Config) { c.Experimental = false }},
		{name: "experimental not a boolean is ignored", env: map[string]string{"BERTH_EXPERIMENTAL": "maybe"}, want: func(*Config) {}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := file()
			got.ApplyEnv(func(k string) string { return tc.env[k] })
			want := file()
			tc.want(want)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("ApplyEnv() = %+v, want %+v", got, want)
			}
		})
	}
	t.Run("experimental on", func(t *testing.T) {
		for _, v := range []string{"1", "true", "TRUE"} {
			c := Default()
			c.ApplyEnv(func(k string) string {
				if k == "BERTH_EXPERIMENTAL" {
					return v
				}
				return ""
			})
			if !c.Experimental {
				t.Errorf("BERTH_EXPERIMENTAL=%s did not enable experimental features", v)
			}
		}
	})
}

func TestCNIBinDir(t *testing.T) {
	t.Setenv("BERTH_LIBEXEC", "/opt/berth/libexec")
	c := Default()
	if got := c.CNIBinDir(); got != "/opt/berth/libexec" {
		t.Errorf("CNIBinDir() without --cni-path = %q, want the bundled plugins", got)
	}
	c.CNIPath = "/opt/cni/bin"
	if got := c.CNIBinDir(); got != "/opt/cni/bin" {
		t.Errorf("CNIBinDir() = %q, want --cni-path", got)
	}
}
