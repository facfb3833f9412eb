// Package testutil is the harness of berth's integration tests: a real engine
// per test package started through pkg/daemon, a real registry, and images
// built from the host's busybox-static.
package testutil

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"golang.org/x/sys/unix"

	"github.com/berth-project/berth/pkg/daemon"
	"github.com/berth-project/berth/pkg/netutil"
)

// RepoRoot is the directory holding berth's go.mod, found from the working
// directory upwards.
func RepoRoot() string {
	dir, _ := os.Getwd()
	for d := dir; d != "/"; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
	}
	return dir
}

// BerthBinary is the built berth: $BERTH_BIN, else bin/berth in the repo.
func BerthBinary() string {
	if b := os.Getenv("BERTH_BIN"); b != "" {
		return b
	}
	return filepath.Join(RepoRoot(), "bin", "berth")
}

// Engine is a berth engine in a temporary data root and run dir.
type Engine struct {
	// Dir holds everything the engine and the tests write.
	Dir      string
	DataRoot string
	RunDir   string
	// DockerConfig is the DOCKER_CONFIG directory the CLI uses (login state).
	DockerConfig string
	Daemon       *daemon.Daemon
}

// NewEngine starts an engine under dir through pkg/daemon, as the CLI would.
func NewEngine(ctx context.Context, dir string) (*Engine, error) {
	e, err := PrepareEngine(dir)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := e.Daemon.Start(ctx); err != nil {
		return nil, err
	}
	if os.Getenv("BERTH_TEST_DEBUG") != "" {
		fmt.Fprintf(os.Stderr, "test engine ready in %s at %s\n", time.Since(start), e.Daemon.Socket())
	}
	return e, nil
}

// PrepareEngine lays out an engine's directories under dir without starting
// it; the first berth command that needs it starts it.
func PrepareEngine(dir string) (*Engine, error) {
	bin := BerthBinary()
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("berth binary %s: %w (run `make` first)", bin, err)
	}
	e := &Engine{
		Dir:          dir,
		DataRoot:     filepath.Join(dir, "data"),
		RunDir:       filepath.Join(dir, "run"),
		DockerConfig: filepath.Join(dir, "docker-config"),
	}
	if err := os.MkdirAll(e.DockerConfig, 0o700); err != nil {
		return nil, err
	}
	// An empty berth.toml of its own keeps the host's /etc/berth out of tests.
	if err := os.WriteFile(filepath.Join(dir, "berth.toml"), nil, 0o600); err != nil {
		return nil, err
	}
	engineBin := filepath.Join(filepath.Dir(filepath.Dir(bin)), "libexec", "berth", "berth-engine")
	e.Daemon = daemon.New(daemon.WithBinary(engineBin), daemon.WithDataRoot(e.DataRoot),
		daemon.WithRunDir(e.RunDir), daemon.WithDebug(os.Getenv("BERTH_TEST_DEBUG") != ""))
	return e, nil
}

// Ctr runs the bundled ctr against this engine, for checks that must not go
// through berth itself.
func (e *Engine) Ctr(t testing.TB, args ...string) Result {
	t.Helper()
	ctr := filepath.Join(filepath.Dir(filepath.Dir(BerthBinary())), "libexec", "berth", "ctr")
	cmd := exec.Command(ctr, append([]string{"-a", e.Daemon.Socket()}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := Result{Args: append([]string{"(ctr)"}, args...), Stdout: out.String(), Stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.ExitCode = ee.ExitCode()
	case err != nil:
		t.Fatalf("running ctr %v: %v", args, err)
	}
	return r
}

// Env is the environment that points a berth CLI at this engine.
func (e *Engine) Env() []string {
	env := make([]string, 0, len(os.Environ())+4)
	for _, kv := range os.Environ() {
		// The test's own settings must not leak in from the developer's shell.
		if strings.HasPrefix(kv, "CONTAINERD_") || strings.HasPrefix(kv, "BERTH_") || strings.HasPrefix(kv, "DOCKER_CONFIG=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "BERTH_DATA_ROOT="+e.DataRoot, "BERTH_RUN_DIR="+e.RunDir,
		"DOCKER_CONFIG="+e.DockerConfig, "BERTH_TOML="+filepath.Join(e.Dir, "berth.toml"))
}

// Result is what one berth command did.
type Result struct {
	Args     []string
	Stdout   string
	Stderr   string
	ExitCode int
}

// String describes the command and its outcome for failure messages.
func (r Result) String() string {
	return fmt.Sprintf("berth %s\nexit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(r.Args, " "), r.ExitCode, r.Stdout, r.Stderr)
}

// Cmd builds a berth command against this engine.
func (e *Engine) Cmd(args ...string) *exec.Cmd {
	cmd := exec.Command(BerthBinary(), args...)
	cmd.Env = e.Env()
	return cmd
}

// Berth runs berth with args and returns what it did.
func (e *Engine) Berth(t testing.TB, args ...string) Result {
	t.Helper()
	return e.BerthIn(t, nil, args...)
}

// BerthIn runs berth with stdin.
func (e *Engine) BerthIn(t testing.TB, stdin io.Reader, args ...string) Result {
	t.Helper()
	cmd := e.Cmd(args...)
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := Result{Args: args, Stdout: out.String(), Stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.ExitCode = ee.ExitCode()
	case err != nil:
		t.Fatalf("running berth %v: %v", args, err)
	}
	return r
}

// MustBerth runs berth and fails the test unless it exits 0.
func (e *Engine) MustBerth(t testing.TB, args ...string) Result {
	t.Helper()
	r := e.Berth(t, args...)
	if r.ExitCode != 0 {
		t.Fatalf("command failed:\n%s", r)
	}
	return r
}

// LogTail is the engine log's last lines.
func (e *Engine) LogTail(n int) string { return strings.Join(e.Daemon.LogTail(n), "\n") }

// Close stops the engine and removes what it left: containers' tasks, mounts
// under Dir, and Dir itself.
func (e *Engine) Close(ctx context.Context) error {
	killTasks(ctx, e.Daemon.Socket())
	_ = e.Daemon.Stop(ctx, 20*time.Second)
	killShims(e.RunDir)
	// Networks outlive the engine on the host: bridges and the data
	// root's nftables table go with the test's data.
	_ = netutil.RemoveAll(ctx, netutil.NewPaths(e.DataRoot, e.RunDir, "", ""))
	unmountUnder(e.Dir)
	return os.RemoveAll(e.Dir)
}

// killTasks kills and deletes every task of the engine in every namespace:
// killing a shim alone would leave its container's processes running.
func killTasks(ctx context.Context, socket string) {
	if _, err := os.Stat(socket); err != nil {
		return
	}
	c, err := client.New(socket, client.WithTimeout(2*time.Second))
	if err != nil {
		return
	}
	defer c.Close()
	nss, err := c.NamespaceService().List(ctx)
	if err != nil {
		return
	}
	for _, ns := range nss {
		nctx := namespaces.WithNamespace(ctx, ns)
		ctrs, err := c.Containers(nctx)
		if err != nil {
			continue
		}
		for _, ctr := range ctrs {
			if task, err := ctr.Task(nctx, nil); err == nil {
				_, _ = task.Delete(nctx, client.WithProcessKill)
			}
		}
	}
}

// killShims ends the shims (and with them the containers) of this engine: a
// test's containers must not outlive it.
func killShims(runDir string) {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		args := strings.Split(string(data), "\x00")
		if len(args) < 2 || !strings.Contains(string(data), "-namespace") {
			continue
		}
		if !strings.Contains(string(data), runDir) {
			continue
		}
		var pid int
		if _, err := fmt.Sscanf(filepath.Base(filepath.Dir(p)), "%d", &pid); err == nil {
			_ = unix.Kill(-pid, unix.SIGKILL)
			_ = unix.Kill(pid, unix.SIGKILL)
		}
	}
}

// unmountUnder lazily unmounts every mount below dir, deepest first.
func unmountUnder(dir string) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return
	}
	var mounts []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) > 4 && strings.HasPrefix(f[4], dir+"/") {
			mounts = append(mounts, f[4])
		}
	}
	for i := len(mounts) - 1; i >= 0; i-- {
		_ = unix.Unmount(mounts[i], unix.MNT_DETACH)
	}
}

// Main runs a test package against its own engine. The engine's log is
// printed when a test failed.
func Main(m *testing.M, engine **Engine) int {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "berth-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	e, err := NewEngine(ctx, dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the test engine:", err)
		_ = os.RemoveAll(dir)
		return 1
	}
	*engine = e
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "---- engine log (%s), last lines:\n%s\n", e.Daemon.LogPath(), e.LogTail(80))
	}
	if err := e.Close(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "cleaning up the test engine:", err)
	}
	return code
}

// BusyboxRef is the name LoadBusybox gives the busybox test image.
const BusyboxRef = "berth.local/busybox:test"

// LoadImage builds an image from the host's busybox-static with opts and
// loads it into the engine as ref, through `berth load`.
func (e *Engine) LoadImage(t testing.TB, ref string, opts ...ImageOpt) {
	t.Helper()
	img, err := NewImage(opts...)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.CreateTemp(e.Dir, "image-*.tar")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(f.Name())
	if err := WriteOCIArchive(f, img, ref); err != nil {
		t.Fatal(err)
	}
	f.Close()
	e.MustBerth(t, "load", "-q", "-i", f.Name())
}

// LoadBusybox loads the busybox test image once per engine and returns its name.
func (e *Engine) LoadBusybox(t testing.TB) string {
	t.Helper()
	if r := e.Berth(t, "image", "inspect", "--format", "{{.Id}}", BusyboxRef); r.ExitCode != 0 {
		e.LoadImage(t, BusyboxRef)
	}
	return BusyboxRef
}
