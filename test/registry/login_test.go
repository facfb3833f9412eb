package registry_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-project/berth/pkg/testutil"
)

// A session against a registry with htpasswd: refused without login, a
// wrong password changes nothing, login, pull, push, stale credentials,
// logout. What is refused leaves the engine and the registry as they were.
func TestLoginPullPushLogout(t *testing.T) {
	reg := startRegistry(t, testutil.RegistryAuth)
	dgst := pushBusybox(t, reg, "busybox:1")
	ref, to, refused := reg.Ref("busybox:1"), reg.Ref("pushed:1"), reg.Ref("pushed:2")
	t.Cleanup(func() {
		for _, r := range []string{ref, to, refused} {
			removeImage(t, r)
		}
	})
	hint := "berth login " + reg.Host
	before := localImages(t)

	r := berth(t, "pull", ref)
	expect(t, r, 125, fmt.Sprintf("berth: pull access denied for %s/busybox, repository does not exist or may require '%s'\n", reg.Host, hint))
	expectImages(t, before)

	r = berthIn(t, "wrong\n", "login", "-u", reg.User, "--password-stdin", reg.Host)
	expect(t, r, 125, fmt.Sprintf("berth: login attempt to https://%s/v2/ failed with status: 401 Unauthorized\n", reg.Host))
	if _, ok := dockerConfig(t)[reg.Host]; ok {
		t.Fatalf("a refused login was saved: %v", dockerConfig(t))
	}

	r = berth(t, "login", "-u", reg.User, "-p", reg.Password, reg.Host)
	if r.ExitCode != 0 || r.Stdout != "Login Succeeded\n" ||
		!strings.HasPrefix(r.Stderr, "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n") {
		t.Fatalf("login:\n%s", r)
	}
	want := base64.StdEncoding.EncodeToString([]byte(reg.User + ":" + reg.Password))
	if got := dockerConfig(t)[reg.Host]["auth"]; got != want {
		t.Fatalf("config.json auth for %s is %q, want %q", reg.Host, got, want)
	}
	fi, err := os.Stat(filepath.Join(engine.DockerConfig, "config.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("config.json: %v, mode %v, want 0600", err, fi.Mode())
	}

	r = berth(t, "pull", ref)
	expect(t, r, 0, "")
	if !strings.HasSuffix(r.Stdout, fmt.Sprintf("Digest: %s\nStatus: Downloaded newer image for %[2]s\n%[2]s\n", dgst, ref)) {
		t.Fatalf("unexpected output:\n%s", r)
	}
	ctr(t, "images", "tag", ref, to)
	r = berth(t, "push", "-q", to)
	expect(t, r, 0, "")

	// Credentials that no longer work are named as the problem.
	writeAuth(t, reg.Host, reg.User, "stale")
	removeImage(t, ref)
	before = localImages(t)
	r = berth(t, "pull", ref)
	expect(t, r, 125, fmt.Sprintf("berth: pull access denied for %s/busybox: the registry refused the credentials stored for %s; run '%s'\n", reg.Host, reg.Host, hint))
	expectImages(t, before)

	r = berth(t, "logout", reg.Host)
	expect(t, r, 0, "")
	if r.Stdout != "Removing login credentials for "+reg.Host+"\n" {
		t.Fatalf("logout: %q", r.Stdout)
	}
	if _, ok := dockerConfig(t)[reg.Host]; ok {
		t.Fatalf("logout left credentials: %v", dockerConfig(t))
	}
	r = berth(t, "logout", reg.Host)
	expect(t, r, 0, "")
	if r.Stdout != "Not logged in to "+reg.Host+"\n" {
		t.Fatalf("second logout: %q", r.Stdout)
	}

	ctr(t, "images", "tag", to, refused)
	before = localImages(t)
	r = berth(t, "push", refused)
	expect(t, r, 125, fmt.Sprintf("berth: push access denied for %s/pushed, repository does not exist or may require '%s'\n", reg.Host, hint))
	expectImages(t, before)
	expectNoManifest(t, reg, "pushed", "2")
}

// --password-stdin takes the password without its trailing newline, and a
// login works against the registry's own TLS through --hosts-dir.
func TestLoginPasswordStdinHostsDir(t *testing.T) {
	reg := startRegistry(t, testutil.RegistryAuth)
	r := berthIn(t, reg.Password+"\n", "--hosts-dir", reg.CertsDir, "login", "-u", reg.User, "--password-stdin", reg.Host)
	if r.ExitCode != 0 || r.Stdout != "Login Succeeded\n" {
		t.Fatalf("login:\n%s", r)
	}
	expect(t, berth(t, "logout", reg.Host), 0, "")
}

func TestLoginFlagErrors(t *testing.T) {
	r := berthIn(t, "x", "login", "--password-stdin", "127.0.0.1:1")
	expect(t, r, 125, "berth: Must provide --username with --password-stdin\n")
	r = berthIn(t, "x", "login", "-u", "a", "-p", "b", "--password-stdin", "127.0.0.1:1")
	expect(t, r, 125, "berth: --password and --password-stdin are mutually exclusive\n")
	r = berth(t, "login", "127.0.0.1:1")
	expect(t, r, 125, "berth: Cannot perform an interactive login from a non TTY device\n")
}

func TestLoginUnreachable(t *testing.T) {
	host := closedPort(t)
	r := berthIn(t, "pw", "login", "-u", "u", "--password-stdin", host)
	expect(t, r, 125, fmt.Sprintf("berth: cannot reach the registry %[1]s: dial tcp %[1]s: connect: connection refused\n", host))
}

// writeAuth replaces the stored credentials of host, as a stale login would
// leave them.
func writeAuth(t *testing.T, host, user, password string) {
	t.Helper()
	path := filepath.Join(engine.DockerConfig, "config.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cf map[string]any
	if err := json.Unmarshal(data, &cf); err != nil {
		t.Fatal(err)
	}
	cf["auths"].(map[string]any)[host] = map[string]string{"auth": base64.StdEncoding.EncodeToString([]byte(user + ":" + password))}
	if data, err = json.Marshal(cf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
