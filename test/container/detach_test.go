package container_test

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/berth-project/berth/pkg/testutil"
)

// TestRunDetachKeysLeaveTheContainerRunning types the detach keys into a
// real terminal (script(1) gives berth a pty) and checks the container
// goes on without the CLI, and that --rm then leaves removal to the engine.
func TestRunDetachKeysLeaveTheContainerRunning(t *testing.T) {
	img := loadBusybox(t)
	forceRemove(t, "detachkeys")
	line := testutil.BerthBinary() + " run -it --rm --name detachkeys --detach-keys ctrl-x,x " + img + " sleep 300"
	cmd := exec.Command("script", "-qec", line, "/dev/null")
	cmd.Env = engine.Env()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Type the keys once the container runs.
	for i := 0; i < 500 && !strings.Contains(engine.Berth(t, "ps", "--format", "{{.Names}}").Stdout, "detachkeys"); i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := stdin.Write([]byte{0x18, 'x'}); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("berth run must exit 0 after the detach keys: %v", err)
	}
	r := engine.MustBerth(t, "ps", "--filter", "name=^detachkeys$", "--format", "{{.State}}")
	if r.Stdout != "running\n" {
		t.Fatalf("the container must go on after a detach:\n%s", r)
	}
	// --rm after a detach: the engine removes it when it exits.
	engine.MustBerth(t, "stop", "-t", "1", "detachkeys")
	for i := 0; i < 300; i++ {
		if !strings.Contains(engine.Berth(t, "ps", "-a", "--format", "{{.Names}}").Stdout, "detachkeys") {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("a detached --rm container was not removed after it stopped")
}

func TestRunDetachKeysNeedATerminal(t *testing.T) {
	img := loadBusybox(t)
	before := containerIDs(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--detach-keys", "ctrl-x"}, "berth: --detach-keys needs -i and -t: the keys are read from the terminal\n"},
		{[]string{"-d", "--detach-keys", "ctrl-x"}, "berth: --detach-keys has no effect with -d: give it to `berth attach`\n"},
		{[]string{"-it", "--detach-keys", "bogus-key"}, "berth: invalid detach keys (bogus-key) provided\n"},
	} {
		r := engine.Berth(t, append(append([]string{"run", "--rm"}, tc.args...), img, "true")...)
		if r.ExitCode != 125 || r.Stderr != tc.want {
			t.Errorf("%v:\nwant %q\n%s", tc.args, tc.want, r)
		}
	}
	if ids := newContainers(t, before); len(ids) != 0 {
		t.Fatalf("refused runs created %v", ids)
	}
}
