package container_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// stateDir is where berth keeps a container's files.
func stateDir(id string) string { return filepath.Join(engine.DataRoot, "default", "containers", id) }

// nameFile holds the ID of the container holding a name.
func nameFile(name string) string { return filepath.Join(engine.DataRoot, "default", "names", name) }

// checkGone fails unless nothing is left of container id named name: no
// engine record, no snapshot, no state directory, no held name.
func checkGone(t *testing.T, id, name string) {
	t.Helper()
	for _, c := range containerIDs(t) {
		if c == id {
			t.Errorf("the engine still has container %s", id)
		}
	}
	if r := engine.Ctr(t, "snapshots", "--snapshotter", "overlayfs", "ls"); strings.Contains(r.Stdout, id) {
		t.Errorf("snapshot %s is left:\n%s", id, r.Stdout)
	}
	if _, err := os.Stat(stateDir(id)); !os.IsNotExist(err) {
		t.Errorf("state directory of %s is left: %v", id, err)
	}
	if _, err := os.Stat(nameFile(name)); !os.IsNotExist(err) {
		t.Errorf("name %s is still held: %v", name, err)
	}
}

func TestRmRunningRefusedThenForced(t *testing.T) {
	img := loadBusybox(t)
	id := newCtr(t, "run", "-d", "--name", "rm-web", img, "sleep", "300")
	r := engine.Berth(t, "rm", "rm-web")
	want := "berth: cannot remove container \"/rm-web\": container is running: stop the container before removing or force remove\n"
	if r.ExitCode != 125 || r.Stderr != want || r.Stdout != "" {
		t.Fatalf("rm of a running container:\nwant %q\n%s", want, r)
	}
	if st := engine.MustBerth(t, "inspect", "--format", "{{.State.Status}}", "rm-web").Stdout; st != "running\n" {
		t.Fatalf("the refused container must still run: %q", st)
	}
	pid := strings.TrimSpace(engine.MustBerth(t, "inspect", "--format", "{{.State.Pid}}", "rm-web").Stdout)

	r = engine.MustBerth(t, "rm", "-f", "rm-web")
	if r.Stdout != "rm-web\n" || r.Stderr != "" {
		t.Fatalf("rm -f prints the name as given:\n%s", r)
	}
	checkGone(t, id, "rm-web")
	if _, err := os.Stat("/proc/" + pid); !os.IsNotExist(err) {
		t.Errorf("process %s outlived rm -f", pid)
	}
	// The name is free again.
	newCtr(t, "create", "--name", "rm-web", img, "true")
}

func TestRmSeveralByNameAndPrefix(t *testing.T) {
	img := loadBusybox(t)
	a := newCtr(t, "create", "--name", "rms-a", img, "true")
	b := newCtr(t, "create", "--name", "rms-b", img, "true")
	c := exitedCtr(t, "rms-c", testLabel(t), 0)
	r := engine.MustBerth(t, "rm", "-v", "rms-a", b[:10], "/rms-c")
	if r.Stdout != "rms-a\n"+b[:10]+"\n/rms-c\n" || r.Stderr != "" {
		t.Fatalf("rm of several:\n%s", r)
	}
	checkGone(t, a, "rms-a")
	checkGone(t, b, "rms-b")
	checkGone(t, c, "rms-c")

	d := newCtr(t, "create", "--name", "rms-d", img, "true")
	r = engine.Berth(t, "rm", "no-such-ctr", "rms-d")
	if r.ExitCode != 125 || r.Stdout != "rms-d\n" || r.Stderr != "berth: No such container: no-such-ctr\n" {
		t.Fatalf("rm goes on after a missing container and fails:\n%s", r)
	}
	checkGone(t, d, "rms-d")
	r = engine.Berth(t, "rm", "-f", "no-such-ctr")
	if r.ExitCode != 0 || r.Stdout != "" || r.Stderr != "berth: No such container: no-such-ctr\n" {
		t.Fatalf("rm -f of a missing container reports it and succeeds:\n%s", r)
	}
	r = engine.Berth(t, "rm")
	if r.ExitCode != 125 || !strings.Contains(r.Stderr, `"berth rm" requires at least 1 argument`) {
		t.Fatalf("rm without arguments:\n%s", r)
	}
}

func TestRmRestartingContainer(t *testing.T) {
	img := loadBusybox(t)
	id := newCtr(t, "run", "-d", "--name", "rm-always", "--restart", "always", img, "sh", "-c", "sleep 1; exit 1")
	r := engine.Berth(t, "rm", "rm-always")
	if r.ExitCode != 125 || !regexp.MustCompile(`^berth: cannot remove container "/rm-always": container is (running|restarting): stop the container before removing or force remove\n$`).MatchString(r.Stderr) {
		t.Fatalf("rm of an always container:\n%s", r)
	}
	// Once its task has exited, the restart monitor is going to start it
	// again: Docker's "restarting".
	var status string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		status = engine.MustBerth(t, "ps", "-a", "--filter", "name=^rm-always$", "--format", "{{.State}} {{.Status}}").Stdout
		if strings.HasPrefix(status, "restarting") {
			break
		}
	}
	if !regexp.MustCompile(`^restarting Restarting \(1\) ` + recently + " ago\n$").MatchString(status) {
		t.Errorf("status after the exit: %q", status)
	}
	if st := engine.MustBerth(t, "inspect", "--format", "{{.State.Restarting}} {{.State.Running}} {{.State.ExitCode}}", id).Stdout; st != "true true 1\n" && !strings.HasPrefix(status, "running") {
		t.Errorf("inspect of a restarting container: %q", st)
	}
	engine.MustBerth(t, "rm", "-f", "rm-always")
	checkGone(t, id, "rm-always")
}

func TestContainerPrune(t *testing.T) {
	img, lbl := loadBusybox(t), testLabel(t)
	a := newCtr(t, "create", "--name", "pr-a", "-l", lbl, img, "true")
	b := exitedCtr(t, "pr-b", lbl, 0)
	running := newCtr(t, "run", "-d", "--name", "pr-run", "-l", lbl, img, "sleep", "300")
	other := newCtr(t, "create", "--name", "pr-other", "-l", lbl+"-other", img, "true")

	prompt := "WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] "
	r := engine.BerthIn(t, strings.NewReader("n\n"), "container", "prune", "--filter", "label="+lbl)
	if r.ExitCode != 0 || r.Stdout != prompt || r.Stderr != "" {
		t.Fatalf("declined prune:\n%s", r)
	}
	if n := len(strings.Fields(engine.MustBerth(t, "ps", "-aq", "--filter", "label="+lbl).Stdout)); n != 3 {
		t.Fatalf("a declined prune removed containers: %d left", n)
	}
	r = engine.Berth(t, "container", "prune", "-f", "--filter", "label="+lbl, "--filter", "until=1h")
	if r.ExitCode != 0 || r.Stdout != "Total reclaimed space: 0B\n" {
		t.Fatalf("prune of nothing created an hour ago:\n%s", r)
	}

	r = engine.MustBerth(t, "container", "prune", "-f", "--filter", "label="+lbl)
	want := regexp.MustCompile("^Deleted Containers:\n" + b + "\n" + a + "\n\nTotal reclaimed space: \\d+(\\.\\d+)?[kM]?B\n$")
	if !want.MatchString(r.Stdout) || r.Stderr != "" {
		t.Fatalf("prune:\n%s", r)
	}
	checkGone(t, a, "pr-a")
	checkGone(t, b, "pr-b")
	for id, state := range map[string]string{running: "running", other: "created"} {
		if st := engine.MustBerth(t, "inspect", "--format", "{{.State.Status}}", id).Stdout; st != state+"\n" {
			t.Errorf("prune must leave %s (%s): %q", id[:12], state, st)
		}
	}

	c := newCtr(t, "create", "--name", "pr-c", "-l", lbl, img, "true")
	r = engine.BerthIn(t, strings.NewReader("y\n"), "container", "prune", "--filter", "label="+lbl, "--filter", "label!=keep")
	want = regexp.MustCompile("^" + regexp.QuoteMeta(prompt) + "Deleted Containers:\n" + c + "\n\nTotal reclaimed space: \\d+(\\.\\d+)?[kM]?B\n$")
	if !want.MatchString(r.Stdout) {
		t.Fatalf("confirmed prune:\n%s", r)
	}
	r = engine.Berth(t, "container", "prune", "-f", "--filter", "status=exited")
	if r.ExitCode != 125 || r.Stderr != "berth: invalid filter 'status'\n" {
		t.Fatalf("prune with a filter it does not take:\n%s", r)
	}
}

func TestRename(t *testing.T) {
	img := loadBusybox(t)
	a := newCtr(t, "run", "-d", "--name", "rn-a", img, "sleep", "300")
	b := newCtr(t, "create", "--name", "rn-b", img, "true")
	if r := engine.MustBerth(t, "rename", "rn-a", "rn-c"); r.Stdout != "" || r.Stderr != "" {
		t.Fatalf("rename prints nothing:\n%s", r)
	}
	if got := engine.MustBerth(t, "inspect", "--format", "{{.Name}} {{.State.Status}}", a).Stdout; got != "/rn-c running\n" {
		t.Errorf("after rename: %q", got)
	}
	var info struct{ Labels map[string]string }
	out := engine.Ctr(t, "containers", "info", a).Stdout
	if err := json.Unmarshal([]byte(out), &info); err != nil || info.Labels["berth/name"] != "rn-c" {
		t.Errorf("the engine's name label: %v %v", err, info.Labels)
	}
	// The name file holds the ID on its first line.
	if data, err := os.ReadFile(nameFile("rn-c")); err != nil || strings.Fields(string(data))[0] != a {
		t.Errorf("the new name must be held by %s: %q %v", a, data, err)
	}
	if r := engine.Berth(t, "inspect", "--type", "container", "rn-a"); r.ExitCode != 125 || r.Stderr != "berth: No such container: rn-a\n" {
		t.Errorf("the old name must be gone:\n%s", r)
	}
	newCtr(t, "create", "--name", "rn-a", img, "true")

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"rn-c", "rn-b"}, fmt.Sprintf("Error when allocating new name: Conflict. The container name \"/rn-b\" is already in use by container \"%s\". You have to remove (or rename) that container to be able to reuse that name.", b)},
		{[]string{"rn-c", "rn-c"}, "Renaming a container with the same name as its current name"},
		{[]string{"rn-c", "bad/name"}, "Invalid container name (bad/name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"},
		{[]string{"rn-c", ""}, "Neither old nor new names may be empty"},
		{[]string{"no-such-ctr", "rn-x"}, "No such container: no-such-ctr"},
	} {
		r := engine.Berth(t, append([]string{"rename"}, tc.args...)...)
		if r.ExitCode != 125 || r.Stderr != "berth: "+tc.want+"\n" {
			t.Errorf("rename %q:\nwant %q\n%s", tc.args, tc.want, r)
		}
	}
	if got := engine.MustBerth(t, "inspect", "--format", "{{.Name}}", a, b).Stdout; got != "/rn-c\n/rn-b\n" {
		t.Errorf("failed renames must change nothing: %q", got)
	}
	engine.MustBerth(t, "rename", a[:12], "/rn-d")
	if _, err := os.Stat(nameFile("rn-c")); !os.IsNotExist(err) {
		t.Errorf("the old name is still held: %v", err)
	}
	if got := engine.MustBerth(t, "ps", "--filter", "id="+a, "--format", "{{.Names}}").Stdout; got != "rn-d\n" {
		t.Errorf("ps after rename by ID: %q", got)
	}
}
