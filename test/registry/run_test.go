package registry_test

import (
	"strings"
	"testing"
)

func TestRunPullsAMissingImage(t *testing.T) {
	reg := startRegistry(t, 0)
	ref := reg.Ref("run/busybox:auto")
	pushBusybox(t, reg, "run/busybox:auto")
	t.Cleanup(func() { removeImage(t, ref) })

	r := berth(t, "run", "--rm", ref, "echo", "pulled and ran")
	if r.ExitCode != 0 || r.Stdout != "pulled and ran\n" {
		t.Fatalf("run of a missing image:\n%s", r)
	}
	if !strings.HasPrefix(r.Stderr, "Unable to find image '"+ref+"' locally\n") ||
		!strings.Contains(r.Stderr, "Status: Downloaded newer image for "+ref) {
		t.Fatalf("the pull must be reported on stderr:\n%s", r)
	}
	r = berth(t, "run", "--rm", ref, "true")
	if r.ExitCode != 0 || r.Stderr != "" {
		t.Fatalf("a present image must not be pulled again:\n%s", r)
	}
	r = berth(t, "run", "--rm", "--pull", "always", "-q", ref, "true")
	if r.ExitCode != 0 || r.Stderr != "" {
		t.Fatalf("--pull always -q:\n%s", r)
	}
	missing := reg.Ref("run/busybox:absent")
	r = berth(t, "run", "--rm", "--pull", "never", missing, "true")
	expect(t, r, 125, "berth: No such image: "+missing+" (--pull never)\n")
	r = berth(t, "run", "--rm", "--pull", "sometimes", ref, "true")
	expect(t, r, 125, "berth: invalid --pull \"sometimes\": must be missing, always or never\n")
}
