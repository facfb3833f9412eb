// Package config holds berth's global settings: the values of the global flags,
// their environment variables and the keys of berth.toml.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// Config is the set of global settings. Every field is a global flag, an
// environment variable and a key of berth.toml, with nerdctl's names.
type Config struct {
	// Debug enables debug output of the CLI.
	Debug bool `toml:"debug"`
	// DebugFull enables debug output of the CLI and of the engine it starts.
	DebugFull bool `toml:"debug_full"`
	// Address is an existing containerd's socket. Empty means berth's own engine.
	Address string `toml:"address"`
	// Namespace is the containerd namespace berth works in.
	Namespace string `toml:"namespace"`
	// Snapshotter is the containerd snapshotter used for images and containers.
	Snapshotter string `toml:"snapshotter"`
	// CNIPath is the directory of the CNI plugins.
	CNIPath string `toml:"cni_path"`
	// CNINetConfPath is the directory of the networks' CNI configs; empty is
	// <data root>/network/conf.
	CNINetConfPath string `toml:"cni_netconfpath"`
	// DataRoot is where berth keeps its state and the engine's root.
	DataRoot string `toml:"data_root"`
	// RunDir holds the engine's socket, state, lock and log.
	RunDir string `toml:"run_dir"`
	// CgroupManager is "cgroupfs", "systemd" or "none".
	CgroupManager string `toml:"cgroup_manager"`
	// InsecureRegistry allows plain HTTP and unverified TLS for every registry.
	InsecureRegistry bool `toml:"insecure_registry"`
	// HostsDir lists directories with hosts.toml registry configuration.
	HostsDir []string `toml:"hosts_dir"`
	// Experimental enables experimental features.
	Experimental bool `toml:"experimental"`
}

// DefaultPath is where the rootful config file lives.
const DefaultPath = "/etc/berth/berth.toml"

// Default returns the built-in defaults for a rootful user.
func Default() *Config {
	return &Config{
		Namespace:     "default",
		Snapshotter:   "overlayfs",
		DataRoot:      "/var/lib/berth",
		RunDir:        "/run/berth",
		CgroupManager: "cgroupfs",
		HostsDir:      []string{"/etc/berth/certs.d", "/etc/containerd/certs.d"},
	}
}

// Path returns the config file to read: $BERTH_TOML, else the default.
func Path() string {
	if p := os.Getenv("BERTH_TOML"); p != "" {
		return p
	}
	return DefaultPath
}

// Load returns the defaults overlaid with the file at path. A missing file is
// not an error unless it was named explicitly through $BERTH_TOML; an unknown
// key is, and the error names it.
func Load(path string) (*Config, error) {
	cfg := Default()
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && os.Getenv("BERTH_TOML") == "" {
			return cfg, nil
		}
		return nil, fmt.Errorf("reading config: %w", err)
	}
	if err := Decode(data, cfg); err != nil {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	return cfg, nil
}

// Decode overlays TOML data on cfg, refusing unknown keys. Errors name the
// key and, for a bad value, its line and column.
func Decode(data []byte, cfg *Config) error {
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(cfg); err != nil {
		var strict *toml.StrictMissingError
		if errors.As(err, &strict) && len(strict.Errors) > 0 {
			keys := make([]string, 0, len(strict.Errors))
			for _, e := range strict.Errors {
				keys = append(keys, strconv.Quote(strings.Join(e.Key(), ".")))
			}
			if len(keys) == 1 {
				return fmt.Errorf("unknown key %s", keys[0])
			}
			return fmt.Errorf("unknown keys %s", strings.Join(keys, ", "))
		}
		var derr *toml.DecodeError
		if errors.As(err, &derr) {
			row, col := derr.Position()
			return fmt.Errorf("line %d column %d: %s", row, col, decodeMessage(derr))
		}
		return err
	}
	return nil
}

// decodeMessage words a decode error for the user: a value of the wrong type
// names the key and the type it must have, rather than go-toml's Go field
// names; a syntax error keeps go-toml's text without its "toml: " prefix.
func decodeMessage(derr *toml.DecodeError) string {
	msg := strings.TrimPrefix(derr.Error(), "toml: ")
	key := strings.Join(derr.Key(), ".")
	if key == "" {
		return msg
	}
	if want := keyTypes()[key]; want != "" {
		return fmt.Sprintf("key %q must be %s", key, want)
	}
	return fmt.Sprintf("key %q: %s", key, msg)
}

// keyTypes maps each berth.toml key to the kind of value it takes.
func keyTypes() map[string]string {
	names := map[reflect.Kind]string{reflect.Bool: "a boolean", reflect.String: "a string"}
	t := reflect.TypeFor[Config]()
	m := make(map[string]string, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		k := f.Type.Kind()
		want := names[k]
		if k == reflect.Slice && f.Type.Elem().Kind() == reflect.String {
			want = "an array of strings"
		}
		m[f.Tag.Get("toml")] = want
	}
	return m
}

// ApplyEnv overlays the nerdctl/containerd environment variables on cfg.
func (c *Config) ApplyEnv(getenv func(string) string) {
	set := func(dst *string, keys ...string) {
		for _, k := range keys {
			if v := getenv(k); v != "" {
				*dst = v
				return
			}
		}
	}
	set(&c.Address, "CONTAINERD_ADDRESS")
	set(&c.Namespace, "CONTAINERD_NAMESPACE")
	set(&c.Snapshotter, "CONTAINERD_SNAPSHOTTER")
	set(&c.CNIPath, "CNI_PATH")
	set(&c.CNINetConfPath, "NETCONFPATH")
	set(&c.DataRoot, "BERTH_DATA_ROOT")
	set(&c.RunDir, "BERTH_RUN_DIR")
	// Either way: BERTH_EXPERIMENTAL=0 turns off what berth.toml turned on.
	if on, err := strconv.ParseBool(getenv("BERTH_EXPERIMENTAL")); err == nil {
		c.Experimental = on
	}
}

// Socket is the gRPC socket of berth's own engine.
func (c *Config) Socket() string { return filepath.Join(c.RunDir, "containerd.sock") }

// ContainerdRoot is the engine's root directory.
func (c *Config) ContainerdRoot() string { return filepath.Join(c.DataRoot, "containerd") }

// Embedded reports whether commands talk to berth's own engine.
func (c *Config) Embedded() bool { return c.Address == "" }

// EngineAddress is the socket commands dial.
func (c *Config) EngineAddress() string {
	if c.Address != "" {
		return strings.TrimPrefix(c.Address, "unix://")
	}
	return c.Socket()
}

// LibexecDir is where runc, the CNI plugins and the shim link live: beside
// the berth binary, in ../libexec/berth.
func LibexecDir() string {
	if d := os.Getenv("BERTH_LIBEXEC"); d != "" {
		return d
	}
	exe, err := Executable()
	if err != nil {
		return "/usr/local/libexec/berth"
	}
	return filepath.Join(filepath.Dir(filepath.Dir(exe)), "libexec", "berth")
}

// Executable is the real path of this process's binary, symbolic links
// resolved: where a link such as /usr/bin/berth points decides where
// berth's helpers are.
func Executable() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	return exe, nil
}

// CLIBinaryEnv names the berth CLI to helpers the CLI runs (berth-compose),
// whose own executable is not the CLI.
const CLIBinaryEnv = "BERTH_CLI_BINARY"

// CLIBinary is the berth CLI, which containers' OCI hooks run: this
// process's executable, or the one $BERTH_CLI_BINARY names in a helper.
func CLIBinary() (string, error) {
	if b := os.Getenv(CLIBinaryEnv); b != "" {
		return b, nil
	}
	exe, err := Executable()
	if err != nil {
		return "", fmt.Errorf("finding the berth binary: %w", err)
	}
	return exe, nil
}

// CNIBinDir is the CNI plugin directory: the flag, else the bundled one.
func (c *Config) CNIBinDir() string {
	if c.CNIPath != "" {
		return c.CNIPath
	}
	return LibexecDir()
}
