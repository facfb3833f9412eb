package registry_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-project/berth/pkg/testutil"
)

// writeHostsToml writes DIR/HOST/hosts.toml and returns DIR, for --hosts-dir.
func writeHostsToml(t *testing.T, host, toml string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, host), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, host, "hosts.toml"), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A short name is Docker Hub's official image, as with docker: "busybox" is
// docker.io/library/busybox:latest. Docker Hub is reached here through a
// mirror on 127.0.0.1, which hosts.toml puts before it.
func TestPullShortNameThroughHubMirror(t *testing.T) {
	mirror := startRegistry(t, testutil.RegistryPlain)
	dgst := pushBusybox(t, mirror, "library/busybox:latest")
	dir := writeHostsToml(t, "docker.io", fmt.Sprintf(
		"server = \"https://registry-1.docker.io\"\n\n[host.%q]\n  capabilities = [\"pull\", \"resolve\"]\n", "http://"+mirror.Host))
	t.Cleanup(func() { removeImage(t, "docker.io/library/busybox:latest") })

	r := berth(t, "--hosts-dir", dir, "pull", "busybox")
	expect(t, r, 0, "")
	lines := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
	if lines[0] != "Using default tag: latest" || lines[1] != "latest: Pulling from library/busybox" {
		t.Fatalf("want docker's first lines:\n%s", r.Stdout)
	}
	want := fmt.Sprintf("Digest: %s\nStatus: Downloaded newer image for busybox:latest\ndocker.io/library/busybox:latest", dgst)
	if tail := strings.Join(lines[len(lines)-3:], "\n"); tail != want {
		t.Fatalf("stdout ends with:\n%s\nwant:\n%s", tail, want)
	}
	r = berth(t, "images", "--format", "{{.Repository}}:{{.Tag}}", "busybox")
	expect(t, r, 0, "")
	if r.Stdout != "busybox:latest\n" {
		t.Fatalf("images shows %q, want the familiar name", r.Stdout)
	}
	// The same image by its other spellings.
	for _, name := range []string{"library/busybox", "docker.io/busybox:latest", "index.docker.io/library/busybox"} {
		r = berth(t, "image", "inspect", "--format", "{{.Id}}", name)
		expect(t, r, 0, "")
	}
}

// hosts.toml may name the CA of a TLS registry with "ca", wherever the file is.
func TestPullHostsTomlCA(t *testing.T) {
	reg := startRegistry(t, testutil.RegistryTLS)
	dgst := pushBusybox(t, reg, "busybox:1")
	dir := writeHostsToml(t, reg.Host, fmt.Sprintf("server = %q\n\n[host.%q]\n  ca = %q\n",
		"https://"+reg.Host, "https://"+reg.Host, reg.CAFile))
	ref := reg.Ref("busybox:1")
	t.Cleanup(func() { removeImage(t, ref) })
	r := berth(t, "--hosts-dir", dir, "pull", ref)
	expect(t, r, 0, "")
	if !strings.Contains(r.Stdout, "Digest: "+dgst.String()+"\n") {
		t.Fatalf("unexpected output:\n%s", r)
	}
}

// On a terminal, pull draws Docker's progress: one line per layer, redrawn
// in place (cursor up, erase line) as its state changes.
func TestPullProgressOnTerminal(t *testing.T) {
	reg := startRegistry(t, testutil.RegistryPlain)
	// A layer of its own, which the engine cannot have already.
	img, ref := pushNew(t, reg, "busybox:tty", testutil.WithFiles(testutil.File{Path: "etc/tty", Content: []byte(t.Name() + time.Now().String())}))
	// script(1) gives the command a pseudo-terminal and copies what it drew.
	cmd := exec.Command("script", "-qfec", testutil.BerthBinary()+" pull "+ref, "/dev/null")
	cmd.Env = engine.Env()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pull on a terminal: %v\n%q", err, out)
	}
	s := string(out)
	layer := img.Manifest.Layers[1].Digest.Encoded()[:12]
	for _, want := range []string{"tty: Pulling from busybox", "\x1b[2K" + layer + ": Pull complete", "Status: Downloaded newer image for " + ref} {
		if !strings.Contains(s, want) {
			t.Errorf("terminal output lacks %q:\n%q", want, s)
		}
	}
	if !strings.Contains(s, "\x1b[1A") {
		t.Errorf("the layer line was not redrawn in place:\n%q", s)
	}
}
