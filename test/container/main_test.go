// Package container_test runs the container commands of the built berth
// against a real engine, with images built from the host's busybox-static.
package container_test

import (
	"os"
	"strings"
	"testing"

	"github.com/berth-project/berth/pkg/testutil"
)

var engine *testutil.Engine

func TestMain(m *testing.M) { os.Exit(testutil.Main(m, &engine)) }

// loadBusybox makes sure the busybox test image is in the engine.
func loadBusybox(t *testing.T) string { return engine.LoadBusybox(t) }

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
