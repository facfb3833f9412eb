// Package compose_test runs `berth compose` as a user runs it: the built
// binary in a project directory, against a real engine, with services made
// from the busybox test image (httpd, wget, sh). Each test has its own
// project and takes it down at the end, also when it fails; the tests share
// the host's networks and ports, so none runs in parallel.
package compose_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/berth-project/berth/pkg/testutil"
)

var engine *testutil.Engine

func TestMain(m *testing.M) { os.Exit(testutil.Main(m, &engine)) }

// pollLimit bounds every wait.
const pollLimit = 60 * time.Second

// project is a compose project in its own directory.
type project struct {
	t    *testing.T
	dir  string
	name string
}

// newProject writes files into a new directory named after the test (the
// project's name) and takes the project down at the end of the test.
// IMAGE in a file stands for the busybox test image.
func newProject(t *testing.T, files map[string]string) *project {
	t.Helper()
	img := engine.LoadBusybox(t)
	name := projectName(t)
	dir := filepath.Join(t.TempDir(), name)
	for f, content := range files {
		path := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(strings.ReplaceAll(content, "IMAGE", img)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := &project{t: t, dir: dir, name: name}
	t.Cleanup(func() {
		// By name, from elsewhere: the files may be the bad ones.
		cmd := engine.Cmd("compose", "-p", name, "down", "-t", "0")
		cmd.Dir = t.TempDir()
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("down at the end of the test: %v\n%s", err, out)
		}
	})
	return p
}

// projectName is the test's name as a project name.
func projectName(t *testing.T) string {
	n := strings.ToLower(t.Name())
	n = regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(n, "-")
	return strings.Trim(strings.TrimPrefix(n, "test"), "-")
}

// compose runs `berth compose ARGS` in the project directory.
func (p *project) compose(args ...string) testutil.Result {
	p.t.Helper()
	return p.composeIn(nil, args...)
}

func (p *project) composeIn(stdin io.Reader, args ...string) testutil.Result {
	p.t.Helper()
	cmd := engine.Cmd(append([]string{"compose"}, args...)...)
	cmd.Dir = p.dir
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := testutil.Result{Args: append([]string{"compose"}, args...), Stdout: out.String(), Stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.ExitCode = ee.ExitCode()
	case err != nil:
		p.t.Fatalf("running berth compose %v: %v", args, err)
	}
	return r
}

// mustCompose runs a compose command that must succeed.
func (p *project) mustCompose(args ...string) testutil.Result {
	p.t.Helper()
	r := p.compose(args...)
	if r.ExitCode != 0 {
		p.t.Fatalf("command failed:\n%s", r)
	}
	return r
}

// containers lists the project's containers (names), from berth ps and
// Docker Compose's project label.
func (p *project) containers() []string {
	p.t.Helper()
	r := engine.MustBerth(p.t, "ps", "-a", "--filter", "label=com.docker.compose.project="+p.name, "--format", "{{.Names}}")
	return strings.Fields(r.Stdout)
}

// networks lists the engine's networks whose name starts with the project's.
func (p *project) networks() []string {
	p.t.Helper()
	r := engine.MustBerth(p.t, "network", "ls", "--format", "{{.Name}}")
	var out []string
	for _, n := range strings.Fields(r.Stdout) {
		if strings.HasPrefix(n, p.name+"_") {
			out = append(out, n)
		}
	}
	return out
}

// nothingLeft fails unless the project has no container and no network.
func (p *project) nothingLeft(when string) {
	p.t.Helper()
	if c, n := p.containers(), p.networks(); len(c) > 0 || len(n) > 0 {
		p.t.Errorf("%s: containers %q and networks %q are left", when, c, n)
	}
}

// inspect reads one field of a container.
func inspect(t *testing.T, name, format string) string {
	t.Helper()
	return strings.TrimSpace(engine.MustBerth(t, "inspect", "--format", format, name).Stdout)
}

// poll waits until cond holds.
func poll(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	testutil.Poll(t, what, pollLimit, cond)
}

// freePort is a TCP port nothing listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// httpGet fetches a URL from the host, retrying until the server answers.
func httpGet(t *testing.T, url string) string {
	t.Helper()
	var body string
	poll(t, "GET "+url, func() (bool, string) {
		c := http.Client{Timeout: 5 * time.Second}
		resp, err := c.Get(url)
		if err != nil {
			return false, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		body = string(b)
		return resp.StatusCode == 200, fmt.Sprintf("%d %s", resp.StatusCode, body)
	})
	return body
}

// indexOf is the position of the first line of out that contains s, -1
// when none does.
func indexOf(out, s string) int {
	for i, l := range strings.Split(out, "\n") {
		if strings.Contains(l, s) {
			return i
		}
	}
	return -1
}

// before fails unless a line with first comes before a line with second.
func before(t *testing.T, out, first, second string) {
	t.Helper()
	i, j := indexOf(out, first), indexOf(out, second)
	if i < 0 || j < 0 || i > j {
		t.Errorf("%q must come before %q:\n%s", first, second, out)
	}
}

// Commands busybox services run.
const (
	// sleeper runs until stopped and stops at once on SIGTERM.
	sleeper = `["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"]`
)
