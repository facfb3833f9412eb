package container_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestRunAttachedStreamsAndExitCodes(t *testing.T) {
	img := loadBusybox(t)
	before := containerIDs(t)
	r := engine.Berth(t, "run", "--rm", img, "sh", "-c", "echo out; echo err >&2; exit 7")
	if r.ExitCode != 7 || r.Stdout != "out\n" || r.Stderr != "err\n" {
		t.Fatalf("want exit 7 and separate streams:\n%s", r)
	}
	r = engine.Berth(t, "run", "--rm", "-a", "stderr", img, "sh", "-c", "echo out; echo err >&2")
	if r.ExitCode != 0 || r.Stdout != "" || r.Stderr != "err\n" {
		t.Fatalf("-a stderr attaches stderr only:\n%s", r)
	}
	r = engine.Berth(t, "run", "--rm", img, "no-such-command")
	if r.ExitCode != 127 {
		t.Fatalf("want 127:\n%s", r)
	}
	r = engine.Berth(t, "run", "--rm", img, "/etc/passwd")
	if r.ExitCode != 126 {
		t.Fatalf("want 126:\n%s", r)
	}
	r = engine.Berth(t, "run", "--rm", "--pull", "never", "berth.local/none:x", "true")
	if r.ExitCode != 125 || r.Stderr != "berth: No such image: berth.local/none:x (--pull never)\n" {
		t.Fatalf("missing image with --pull never:\n%s", r)
	}
	if ids := newContainers(t, before); len(ids) != 0 {
		t.Fatalf("run --rm left containers: %v", ids)
	}
}

func TestRunStdinAndEnv(t *testing.T) {
	img := loadBusybox(t)
	r := engine.BerthIn(t, strings.NewReader("line1\nline2\n"), "run", "--rm", "-i", img, "wc", "-l")
	if r.ExitCode != 0 || strings.TrimSpace(r.Stdout) != "2" {
		t.Fatalf("stdin through -i:\n%s", r)
	}
	envFile := filepath.Join(t.TempDir(), "env")
	if err := os.WriteFile(envFile, []byte("# comment\nFROMFILE=1\nOVER=file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = engine.Berth(t, "run", "--rm", "--env-file", envFile, "-e", "OVER=flag", "-e", "A=1,2", "-w", "/tmp",
		"-u", "nobody", "-h", "myhost", img, "sh", "-c", "echo $FROMFILE $OVER $A; pwd; id -un; hostname")
	want := "1 flag 1,2\n/tmp\nnobody\nmyhost\n"
	if r.ExitCode != 0 || r.Stdout != want {
		t.Fatalf("want %q:\n%s", want, r)
	}
	r = engine.Berth(t, "run", "--rm", "--entrypoint", "echo", img, "from", "entrypoint")
	if r.Stdout != "from entrypoint\n" {
		t.Fatalf("--entrypoint:\n%s", r)
	}
}

func TestRunDetachedAndName(t *testing.T) {
	img := loadBusybox(t)
	forceRemove(t, "detached1")
	before := containerIDs(t)
	r := engine.MustBerth(t, "run", "-d", "--name", "detached1", img, "sleep", "300")
	id := strings.TrimSpace(r.Stdout)
	if len(id) != 64 {
		t.Fatalf("run -d must print the ID:\n%s", r)
	}
	r = engine.Berth(t, "run", "-d", "--name", "detached1", img, "true")
	want := fmt.Sprintf("berth: Conflict. The container name \"/detached1\" is already in use by container \"%s\". You have to remove (or rename) that container to be able to reuse that name.\n", id)
	if r.ExitCode != 125 || r.Stderr != want {
		t.Fatalf("name conflict:\nwant %q\n%s", want, r)
	}
	if ids := newContainers(t, before); len(ids) != 1 || ids[0] != id {
		t.Fatalf("a conflict must create nothing: %v", ids)
	}
	r = engine.Berth(t, "run", "--rm", "--name", "bad/name", img, "true")
	if r.ExitCode != 125 || r.Stderr != "berth: Invalid container name (bad/name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed\n" {
		t.Fatalf("invalid name:\n%s", r)
	}
}

// An image ID, full or a unique prefix, names the image as its name does.
func TestRunByImageID(t *testing.T) {
	img := loadBusybox(t)
	full := strings.TrimSpace(engine.MustBerth(t, "image", "inspect", "--format", "{{.Id}}", img).Stdout)
	if !strings.HasPrefix(full, "sha256:") || len(full) != 71 {
		t.Fatalf("image ID %q", full)
	}
	for _, ref := range []string{full, strings.TrimPrefix(full, "sha256:")[:12]} {
		r := engine.MustBerth(t, "run", "--rm", "--pull", "never", ref, "echo", "ran "+ref)
		if r.Stdout != "ran "+ref+"\n" {
			t.Errorf("run %s: %q", ref, r.Stdout)
		}
	}
	// An ID no image has is no name either.
	r := engine.Berth(t, "run", "--rm", "--pull", "never", "0123456789ab", "true")
	if r.ExitCode != 125 || !strings.Contains(r.Stderr, "No such image: 0123456789ab") {
		t.Fatalf("unknown ID:\n%s", r)
	}
}

func TestRunConcurrentSameName(t *testing.T) {
	img := loadBusybox(t)
	forceRemove(t, "samename")
	before := containerIDs(t)
	var wg sync.WaitGroup
	codes := make([]int, 20)
	stderrs := make([]string, 20)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := engine.Berth(t, "create", "--name", "samename", img, "true")
			codes[i], stderrs[i] = r.ExitCode, r.Stderr
		}()
	}
	wg.Wait()
	ok, conflicts := 0, 0
	for i, c := range codes {
		switch {
		case c == 0:
			ok++
		case c == 125 && strings.Contains(stderrs[i], `The container name "/samename" is already in use`):
			conflicts++
		default:
			t.Errorf("unexpected result %d: %s", c, stderrs[i])
		}
	}
	if ok != 1 || conflicts != 19 {
		t.Fatalf("want 1 container and 19 conflicts, got %d and %d", ok, conflicts)
	}
	if ids := newContainers(t, before); len(ids) != 1 {
		t.Fatalf("want exactly one new container, have %v", ids)
	}
}

func TestRunBadInputChangesNothing(t *testing.T) {
	img := loadBusybox(t)
	before := containerIDs(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--restart", "sometimes"}, "berth: invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'\n"},
		{[]string{"--pull", "sometimes"}, "berth: invalid --pull \"sometimes\": must be missing, always or never\n"},
		{[]string{"-l", "containerd.io/restart.loguri=binary:///bin/sh"}, "berth: label \"containerd.io/restart.loguri\" is reserved: keys starting with \"containerd.io/\" are set by berth and the engine only\n"},
	} {
		args := append(append([]string{"run", "--rm", "--name", "badinput"}, tc.args...), img, "true")
		r := engine.Berth(t, args...)
		if r.ExitCode != 125 || r.Stderr != tc.want {
			t.Errorf("%v:\nwant %q\n%s", tc.args, tc.want, r)
		}
	}
	if after := containerIDs(t); len(after) != len(before) {
		t.Fatalf("bad input created containers: %v -> %v", before, after)
	}
	engine.MustBerth(t, "run", "--rm", "--name", "badinput", img, "true")
}

func TestRunInteractiveTTYNeedsATerminal(t *testing.T) {
	img := loadBusybox(t)
	before := containerIDs(t)
	r := engine.BerthIn(t, strings.NewReader(""), "run", "--rm", "-it", "--name", "nottyrun", img, "true")
	if r.ExitCode != 125 || r.Stderr != "berth: the input device is not a TTY\n" {
		t.Fatalf("-it without a terminal:\n%s", r)
	}
	if ids := newContainers(t, before); len(ids) != 0 {
		t.Fatalf("a refused run created %v", ids)
	}
}
