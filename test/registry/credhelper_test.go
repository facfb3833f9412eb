package registry_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-project/berth/pkg/testutil"
)

// credentialHelper is docker-credential-berthtest: it keeps each server's
// credentials as the JSON it was given, in a file of the store directory.
const credentialHelper = `#!/bin/sh
store=%q
file() { printf '%%s/%%s' "$store" "$(printf '%%s' "$1" | tr '/:' '__')"; }
field() { sed -n 's/.*"'"$1"'":"\([^"]*\)".*/\1/p'; }
missing() { echo "credentials not found in native keychain"; exit 1; }
case "$1" in
store)
	in=$(cat)
	printf '%%s' "$in" >"$(file "$(printf '%%s' "$in" | field ServerURL)")" ;;
get)
	f=$(file "$(cat)")
	[ -f "$f" ] || missing
	cat "$f" ;;
erase)
	f=$(file "$(cat)")
	[ -f "$f" ] || missing
	rm "$f" ;;
list)
	printf '{'
	sep=
	for f in "$store"/*; do
		[ -f "$f" ] || continue
		printf '%%s"%%s":"%%s"' "$sep" "$(field ServerURL <"$f")" "$(field Username <"$f")"
		sep=,
	done
	echo '}' ;;
*)
	echo "unknown action $1" >&2
	exit 1 ;;
esac
`

// useCredentialHelper puts docker-credential-berthtest first on PATH and
// config in config.json for the rest of the test, and returns the helper's
// store directory.
func useCredentialHelper(t *testing.T, config string) string {
	t.Helper()
	bin, store := t.TempDir(), t.TempDir()
	script := fmt.Sprintf(credentialHelper, store)
	if err := os.WriteFile(filepath.Join(bin, "docker-credential-berthtest"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))

	path := filepath.Join(engine.DockerConfig, "config.json")
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if old == nil {
			_ = os.Remove(path)
			return
		}
		_ = os.WriteFile(path, old, 0o600)
	})
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return store
}

// helperSecret is what the test helper of store holds for server; ok is
// false when it holds nothing.
func helperSecret(t *testing.T, store, server string) (user, secret string, ok bool) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(store, strings.NewReplacer("/", "_", ":", "_").Replace(server)))
	if errors.Is(err, fs.ErrNotExist) {
		return "", "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	var c struct{ ServerURL, Username, Secret string }
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatalf("the helper's entry for %s: %v\n%s", server, err, data)
	}
	return c.Username, c.Secret, true
}

// With a credential helper, whether named by credsStore or by credHelpers
// for the one host, login keeps the secret in the helper and only an empty
// entry in config.json; pulls get it from there; logout erases it.
func TestLoginCredentialHelper(t *testing.T) {
	for name, config := range map[string]string{
		"credsStore":  `{"credsStore": "berthtest"}`,
		"credHelpers": `{"credHelpers": {"HOST": "berthtest"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			reg := startRegistry(t, testutil.RegistryAuth)
			dgst := pushBusybox(t, reg, "busybox:1")
			ref := reg.Ref("busybox:1")
			t.Cleanup(func() { removeImage(t, ref) })
			store := useCredentialHelper(t, strings.ReplaceAll(config, "HOST", reg.Host))
			before := localImages(t)

			r := berthIn(t, reg.Password+"\n", "login", "-u", reg.User, "--password-stdin", reg.Host)
			expect(t, r, 0, "")
			if r.Stdout != "Login Succeeded\n" {
				t.Fatalf("login:\n%s", r)
			}
			if user, secret, _ := helperSecret(t, store, reg.Host); user != reg.User || secret != reg.Password {
				t.Fatalf("the helper holds %q:%q for %s, want %q:%q", user, secret, reg.Host, reg.User, reg.Password)
			}
			if entry, ok := dockerConfig(t)[reg.Host]; !ok || len(entry) != 0 {
				t.Fatalf("config.json must hold an empty entry for %s, has %v", reg.Host, dockerConfig(t))
			}

			r = berth(t, "pull", ref)
			expect(t, r, 0, "")
			if !strings.HasSuffix(r.Stdout, fmt.Sprintf("Digest: %s\nStatus: Downloaded newer image for %[2]s\n%[2]s\n", dgst, ref)) {
				t.Fatalf("unexpected output:\n%s", r)
			}

			r = berth(t, "logout", reg.Host)
			expect(t, r, 0, "")
			if r.Stdout != "Removing login credentials for "+reg.Host+"\n" {
				t.Fatalf("logout: %q", r.Stdout)
			}
			if _, _, ok := helperSecret(t, store, reg.Host); ok {
				t.Fatalf("logout left the secret of %s in the helper", reg.Host)
			}
			if _, ok := dockerConfig(t)[reg.Host]; ok {
				t.Fatalf("logout left an entry in config.json: %v", dockerConfig(t))
			}

			removeImage(t, ref)
			r = berth(t, "pull", ref)
			expect(t, r, 125, fmt.Sprintf("berth: pull access denied for %s/busybox, repository does not exist or may require 'berth login %s'\n", reg.Host, reg.Host))
			expectImages(t, before)
		})
	}
}
