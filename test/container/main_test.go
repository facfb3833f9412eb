// Package container_test runs the container commands of the built berth
// against a real engine, with images built from the host's busybox-static.
package container_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/berth-project/berth/pkg/testutil"
)

var engine *testutil.Engine

func TestMain(m *testing.M) { os.Exit(testutil.Main(m, &engine)) }

// busybox is the image every container test runs.
const busybox = "berth.local/busybox:test"

var loadOnce sync.Once

// loadBusybox makes sure the busybox test image is in the engine.
func loadBusybox(t *testing.T) string {
	t.Helper()
	loadOnce.Do(func() {
		img, err := testutil.NewImage()
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(engine.Dir, "busybox-test.tar")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := testutil.WriteOCIArchive(f, img, busybox); err != nil {
			t.Fatal(err)
		}
		f.Close()
		engine.MustBerth(t, "load", "-q", "-i", path)
	})
	return busybox
}

// containerIDs lists the engine's containers in the default namespace.
func containerIDs(t *testing.T) []string {
	t.Helper()
	r := engine.Ctr(t, "containers", "ls", "-q")
	return strings.Fields(r.Stdout)
}

// newContainers lists the containers that are not in before.
func newContainers(t *testing.T, before []string) []string {
	t.Helper()
	old := map[string]bool{}
	for _, id := range before {
		old[id] = true
	}
	var out []string
	for _, id := range containerIDs(t) {
		if !old[id] {
			out = append(out, id)
		}
	}
	return out
}

// forceRemove removes containers at the end of a test, whatever happened.
func forceRemove(t *testing.T, names ...string) {
	t.Helper()
	t.Cleanup(func() {
		for _, n := range names {
			engine.Berth(t, "rm", "-f", n)
		}
	})
}
