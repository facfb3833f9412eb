package network_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/berth-project/berth/pkg/testutil"
)

// A second data root on the same host (a developer's engine beside the
// system's, or two test packages) has networks of its own: starting
// containers there and removing everything it has must leave this engine's
// containers reachable.
func TestAnotherDataRootLeavesOurNetworkAlone(t *testing.T) {
	hp := freePort(t)
	runD(t, "dr-ours", []string{"-p", fmt.Sprintf("%d:80", hp)}, httpd("ours")...)
	url := fmt.Sprintf("http://127.0.0.1:%d/", hp)
	waitHTTP(t, url, "ours")
	ours := ipOn(t, "dr-ours", "bridge")

	dir, err := os.MkdirTemp("", "berth-test-other-")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.WithoutCancel(t.Context())
	other, err := testutil.NewEngine(ctx, dir)
	if err != nil {
		os.RemoveAll(dir)
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			_ = other.Close(ctx)
		}
	})
	img := other.LoadBusybox(t)
	other.MustBerth(t, "run", "-d", "--name", "dr-theirs", img, "sleep", "1000")
	r := other.MustBerth(t, "inspect", "--format", `{{with index .NetworkSettings.Networks "bridge"}}{{.IPAddress}}{{end}}`, "dr-theirs")
	if theirs := strings.TrimSpace(r.Stdout); theirs == ours {
		t.Errorf("the other engine's container got this engine's container's address %s", ours)
	}
	waitHTTP(t, url, "ours")

	// The other engine goes with everything it had, as a test engine does.
	closed = true
	if err := other.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := httpGet(url); err != nil {
		t.Errorf("this engine's published port stopped answering when the other data root was removed: %v", err)
	}
	if got := snapshot(t); got.Veths != 1 {
		t.Errorf("dr-ours lost its link to its bridge: %s", got)
	}
	if r := execIn(t, "dr-ours", "ping", "-c", "1", "-W", "2", inspect(t, "dr-ours", "{{.NetworkSettings.Gateway}}")); r.ExitCode != 0 {
		t.Errorf("dr-ours cannot reach its gateway any more:\n%s", r)
	}
}
