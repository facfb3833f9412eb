// Package daemon supervises berth's embedded engine: it renders the engine's
// configuration, starts `berth daemon` in its own session when nothing serves,
// waits for readiness under a deadline and stops it again.
package daemon

import (
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/containerd/platforms"

	"github.com/berth-project/berth/pkg/config"
)

// Daemon describes one embedded engine: where it keeps its data and where it
// listens. It holds no process; every method looks at the files on disk.
type Daemon struct {
	dataRoot     string
	runDir       string
	binary       string
	args         []string
	debug        bool
	snapshotter  string
	platform     string
	readyTimeout time.Duration
	uid, gid     int
	env          []string
}

// Opt configures a Daemon.
type Opt func(*Daemon)

// WithDataRoot sets berth's data root; the engine's root is <root>/containerd.
func WithDataRoot(dir string) Opt { return func(d *Daemon) { d.dataRoot = dir } }

// WithRunDir sets the directory of the socket, state, lock and log.
func WithRunDir(dir string) Opt { return func(d *Daemon) { d.runDir = dir } }

// WithBinary sets the engine binary (berth-engine).
func WithBinary(path string) Opt { return func(d *Daemon) { d.binary = path } }

// WithArgs adds global flags passed to `berth daemon` when it is started.
func WithArgs(args ...string) Opt { return func(d *Daemon) { d.args = append(d.args, args...) } }

// WithDebug makes the engine log at debug level.
func WithDebug(on bool) Opt { return func(d *Daemon) { d.debug = on } }

// WithSnapshotter sets the snapshotter images are unpacked into.
func WithSnapshotter(name string) Opt { return func(d *Daemon) { d.snapshotter = name } }

// WithReadyTimeout bounds how long Start waits for the engine to serve.
func WithReadyTimeout(t time.Duration) Opt { return func(d *Daemon) { d.readyTimeout = t } }

// WithEnv adds environment variables for the started engine.
func WithEnv(env ...string) Opt { return func(d *Daemon) { d.env = append(d.env, env...) } }

// New returns the engine described by opts.
func New(opts ...Opt) *Daemon {
	d := &Daemon{
		dataRoot:     "/var/lib/berth",
		runDir:       "/run/berth",
		snapshotter:  "overlayfs",
		platform:     platforms.Format(platforms.Normalize(platforms.DefaultSpec())),
		readyTimeout: 10 * time.Second,
		uid:          os.Getuid(),
		gid:          os.Getgid(),
	}
	if runtime.GOOS != "linux" {
		d.platform = "linux/" + runtime.GOARCH
	}
	for _, o := range opts {
		o(d)
	}
	if d.binary == "" {
		d.binary = EngineBinary()
	}
	return d
}

// EngineBinary is the bundled engine, libexec/berth/berth-engine.
func EngineBinary() string { return filepath.Join(config.LibexecDir(), "berth-engine") }

// Binary is the engine binary this Daemon starts.
func (d *Daemon) Binary() string { return d.binary }

// Args are the flags the engine is started with.
func (d *Daemon) Args() []string {
	args := []string{"--data-root", d.dataRoot, "--run-dir", d.runDir, "--snapshotter", d.snapshotter}
	args = append(args, d.args...)
	if d.debug {
		args = append(args, "--debug-full")
	}
	return args
}

// Socket is the engine's gRPC socket.
func (d *Daemon) Socket() string { return filepath.Join(d.runDir, "containerd.sock") }

// ContainerdRoot is the engine's root (content, snapshots, metadata).
func (d *Daemon) ContainerdRoot() string { return filepath.Join(d.dataRoot, "containerd") }

// StateDir is the engine's state directory.
func (d *Daemon) StateDir() string { return filepath.Join(d.runDir, "containerd") }

// ConfigPath is where the rendered configuration is written.
func (d *Daemon) ConfigPath() string { return filepath.Join(d.runDir, "containerd.toml") }

// LogPath is the log of an engine started in the background.
func (d *Daemon) LogPath() string { return filepath.Join(d.runDir, "daemon.log") }

// lockPath is held by a running engine for its whole life; it names the
// engine's pid and keeps a second engine off the same data root.
func (d *Daemon) lockPath() string { return filepath.Join(d.dataRoot, "daemon.lock") }

// startLockPath serialises CLIs that want to start the engine at once.
func (d *Daemon) startLockPath() string { return filepath.Join(d.runDir, "start.lock") }

// DataRoot is berth's data root.
func (d *Daemon) DataRoot() string { return d.dataRoot }

// RunDir is the run directory.
func (d *Daemon) RunDir() string { return d.runDir }
