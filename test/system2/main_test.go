// Package system2_test runs `system df`, `system prune` and `events` of the
// built berth against a real engine.
package system2_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	units "github.com/docker/go-units"

	"github.com/berth-project/berth/pkg/testutil"
)

var engine *testutil.Engine

func TestMain(m *testing.M) { os.Exit(testutil.Main(m, &engine)) }

// dfLine is one line of `system df --format json`.
type dfLine struct{ Type, TotalCount, Active, Size, Reclaimable string }

// df returns the lines of `system df` by type.
func df(t *testing.T) map[string]dfLine {
	t.Helper()
	r := engine.MustBerth(t, "system", "df", "--format", "json")
	out := map[string]dfLine{}
	for _, l := range strings.Split(strings.TrimSpace(r.Stdout), "\n") {
		var d dfLine
		if err := json.Unmarshal([]byte(l), &d); err != nil {
			t.Fatalf("df line %q: %v", l, err)
		}
		out[d.Type] = d
	}
	if len(out) != 4 {
		t.Fatalf("df printed %d types:\n%s", len(out), r.Stdout)
	}
	return out
}

// bytesOf reads a df size ("300kB" or "300kB (100%)") back into bytes.
func bytesOf(t *testing.T, s string) int64 {
	t.Helper()
	n, err := units.FromHumanSize(strings.Fields(s)[0])
	if err != nil {
		t.Fatalf("size %q: %v", s, err)
	}
	return n
}

// exists reports whether berth finds the object: a container, image,
// volume or network, by `TYPE inspect`.
func exists(t *testing.T, kind, name string) bool {
	t.Helper()
	return engine.Berth(t, kind, "inspect", name).ExitCode == 0
}

// removeAll removes what a test made, whatever happened.
func removeAll(t *testing.T, containers, volumes, networks, images []string) {
	t.Cleanup(func() {
		if len(containers) > 0 {
			engine.Berth(t, append([]string{"rm", "-f"}, containers...)...)
		}
		if len(volumes) > 0 {
			engine.Berth(t, append([]string{"volume", "rm", "-f"}, volumes...)...)
		}
		if len(networks) > 0 {
			engine.Berth(t, append([]string{"network", "rm", "-f"}, networks...)...)
		}
		if len(images) > 0 {
			engine.Berth(t, append([]string{"rmi", "-f"}, images...)...)
		}
	})
}

// eventually retries check until it passes or 10s went by: the engine
// writes its event log a moment after the fact.
func eventually(t *testing.T, what string, check func() (bool, string)) {
	t.Helper()
	testutil.Poll(t, what, 10*time.Second, check)
}

func regexpMatch(re, s string) bool { return regexp.MustCompile(re).MatchString(s) }
