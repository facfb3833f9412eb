// Package volume_test runs volumes and mounts as a user meets them: the
// built berth against a real engine, containers made from the host's
// busybox-static. Each test removes the containers and volumes it made,
// also when it fails; none runs in parallel (one test stops the engine).
package volume_test

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/berth-project/berth/pkg/testutil"
)

var engine *testutil.Engine

func TestMain(m *testing.M) { os.Exit(testutil.Main(m, &engine)) }

// busybox is the plain test image.
func busybox(t *testing.T) string { return engine.LoadBusybox(t) }

// volImage is busybox with content at /srv/data (a file, a directory, mode
// 0750) declared as a VOLUME, for the copy into new volumes.
func volImage(t *testing.T) string {
	t.Helper()
	const ref = "berth.local/volimg:test"
	if r := engine.Berth(t, "image", "inspect", "--format", "{{.Id}}", ref); r.ExitCode != 0 {
		engine.LoadImage(t, ref, testutil.WithVolumes("/srv/data"), testutil.WithFiles(
			testutil.File{Path: "srv/data", Mode: os.ModeDir | 0o750},
			testutil.File{Path: "srv/data/a.txt", Content: []byte("from the image\n")},
			testutil.File{Path: "srv/data/sub", Mode: os.ModeDir | 0o755},
			testutil.File{Path: "srv/data/sub/b.txt", Content: []byte("b\n")},
			testutil.File{Path: "srv/other/c.txt", Content: []byte("c\n")},
		))
	}
	return ref
}

// volumes lists the volumes' names.
func volumes(t *testing.T) []string {
	t.Helper()
	return strings.Fields(engine.MustBerth(t, "volume", "ls", "-q").Stdout)
}

// containers lists the engine's containers.
func containers(t *testing.T) []string {
	t.Helper()
	return strings.Fields(engine.Ctr(t, "containers", "ls", "-q").Stdout)
}

// added lists what after has that before has not.
func added(before, after []string) []string {
	var out []string
	for _, v := range after {
		if !slices.Contains(before, v) {
			out = append(out, v)
		}
	}
	return out
}

// cleanup removes containers (with their anonymous volumes) and then
// volumes at the end of the test, whatever happened.
func cleanup(t *testing.T, ctrs []string, vols ...string) {
	t.Helper()
	t.Cleanup(func() {
		if len(ctrs) > 0 {
			engine.Berth(t, append([]string{"rm", "-f", "-v"}, ctrs...)...)
		}
		if len(vols) > 0 {
			engine.Berth(t, append([]string{"volume", "rm", "-f"}, vols...)...)
		}
	})
}

// poll waits until cond holds, for at most 30 seconds.
func poll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testutil.Poll(t, what, 30*time.Second, func() (bool, string) { return cond(), "" })
}

// expect checks a command's exit status, stdout and stderr.
func expect(t *testing.T, r testutil.Result, code int, stdout, stderr string) {
	t.Helper()
	if r.ExitCode != code || r.Stdout != stdout || r.Stderr != stderr {
		t.Fatalf("want exit %d, stdout %q, stderr %q; got\n%s", code, stdout, stderr, r)
	}
}
