package registryutil

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// helperScript is a real credential helper speaking docker's protocol: one
// file per server in $HELPER_STORE, named after the server.
const helperScript = `#!/bin/sh
key() { printf '%s' "$1" | tr '/:' '__'; }
case "$1" in
get)
	read -r server
	f="$HELPER_STORE/$(key "$server")"
	if [ -f "$f" ]; then cat "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
store)
	input=$(cat)
	server=$(printf '%s' "$input" | sed -n 's/.*"ServerURL":"\([^"]*\)".*/\1/p')
	printf '%s' "$input" > "$HELPER_STORE/$(key "$server")" ;;
erase)
	read -r server
	f="$HELPER_STORE/$(key "$server")"
	if [ -f "$f" ]; then rm "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
broken)
	exit 0 ;;
*)
	echo "unknown action $1" >&2; exit 2 ;;
esac
`

// installHelper puts docker-credential-<name> on PATH and returns the
// directory where it keeps what it stores.
func installHelper(t *testing.T, name, script string) string {
	t.Helper()
	bin, store := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, HelperPrefix+name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("HELPER_STORE", store)
	return store
}

func TestHelperProtocol(t *testing.T) {
	installHelper(t, "test", helperScript)
	h := Helper{Name: "test"}
	ctx := t.Context()
	if _, _, err := h.Get(ctx, "127.0.0.1:5000"); !errors.Is(err, ErrCredentialsNotFound) {
		t.Fatalf("Get of nothing: %v, want ErrCredentialsNotFound", err)
	}
	if err := h.Store(ctx, "127.0.0.1:5000", "user", "s3cret"); err != nil {
		t.Fatal(err)
	}
	user, secret, err := h.Get(ctx, "127.0.0.1:5000")
	if err != nil || user != "user" || secret != "s3cret" {
		t.Fatalf("Get = %q, %q, %v", user, secret, err)
	}
	// "<token>" as the user marks an identity token, sent as a refresh token.
	if err := h.Store(ctx, "tok.example", "<token>", "refresh"); err != nil {
		t.Fatal(err)
	}
	if user, secret, _ := h.Get(ctx, "tok.example"); user != "" || secret != "refresh" {
		t.Fatalf("token Get = %q, %q", user, secret)
	}
	if err := h.Erase(ctx, "127.0.0.1:5000"); err != nil {
		t.Fatal(err)
	}
	if err := h.Erase(ctx, "127.0.0.1:5000"); err != nil {
		t.Fatalf("erasing nothing is not an error: %v", err)
	}
}

func TestHelperErrors(t *testing.T) {
	installHelper(t, "test", helperScript)
	ctx := t.Context()
	_, _, err := Helper{Name: "absent"}.Get(ctx, "h")
	if err == nil || !strings.Contains(err.Error(), "docker-credential-absent") {
		t.Fatalf("missing helper: %v", err)
	}
	_, err = Helper{Name: "test"}.run(ctx, "bogus", "")
	if err == nil || err.Error() != "docker-credential-test bogus: unknown action bogus" {
		t.Fatalf("failing helper: %v", err)
	}
	_, _, err = Helper{Name: "test"}.Get(ctx, "h")
	if !errors.Is(err, ErrCredentialsNotFound) {
		t.Fatalf("not found: %v", err)
	}
}

// With credsStore the secret goes to the helper and the file keeps an empty
// entry; credHelpers picks another helper for one registry.
func TestCredentialStoreWithHelper(t *testing.T) {
	store := installHelper(t, "test", helperScript)
	dir := t.TempDir()
	cfg := `{"auths": {}, "credsStore": "test", "credHelpers": {"other.example": "absent"}}`
	if err := os.WriteFile(filepath.Join(dir, ConfigFileName), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := NewCredentialStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := s.Store(ctx, "127.0.0.1:5000", "u", "p"); err != nil {
		t.Fatal(err)
	}
	if e, ok := s.cf.Auths["127.0.0.1:5000"]; !ok || e != (AuthEntry{}) {
		t.Fatalf("want an empty auths entry, got %+v (present %v)", e, ok)
	}
	data, _ := os.ReadFile(filepath.Join(dir, ConfigFileName))
	if strings.Contains(string(data), `"p"`) || strings.Contains(string(data), EncodeAuth("u", "p")) {
		t.Fatalf("the secret reached config.json:\n%s", data)
	}
	if entries, _ := os.ReadDir(store); len(entries) != 1 {
		t.Fatalf("helper store holds %d entries, want 1", len(entries))
	}
	user, secret, err := s.Get(ctx, "127.0.0.1:5000")
	if err != nil || user != "u" || secret != "p" {
		t.Fatalf("Get = %q, %q, %v", user, secret, err)
	}
	if _, _, err := s.Get(ctx, "other.example"); err == nil || !strings.Contains(err.Error(), "docker-credential-absent") {
		t.Fatalf("credHelpers entry not used: %v", err)
	}
	found, err := s.Erase(ctx, "127.0.0.1:5000")
	if err != nil || !found {
		t.Fatalf("Erase = %v, %v", found, err)
	}
	if entries, _ := os.ReadDir(store); len(entries) != 0 {
		t.Fatalf("helper still holds %d entries", len(entries))
	}
}

// The transfer adapter never fails (the engine would wait forever for an
// answer); it answers nothing and remembers why.
func TestTransferCredentials(t *testing.T) {
	installHelper(t, "test", helperScript)
	dir := t.TempDir()
	cfg := `{"auths": {"good.example": {"auth": "` + EncodeAuth("u", "p") + `"}}, "credHelpers": {"bad.example": "absent"}}`
	if err := os.WriteFile(filepath.Join(dir, ConfigFileName), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := NewCredentialStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	tc := NewTransferCredentials(s)
	ctx := t.Context()
	c, err := tc.GetCredentials(ctx, "bad.example/x:1", "bad.example")
	if err != nil || c.Username != "" || c.Secret != "" {
		t.Fatalf("failing helper: %+v, %v", c, err)
	}
	if tc.HadCredentials() || tc.HelperError() == nil {
		t.Fatalf("HadCredentials %v, HelperError %v", tc.HadCredentials(), tc.HelperError())
	}
	c, _ = tc.GetCredentials(ctx, "good.example/x:1", "good.example")
	if c.Username != "u" || c.Secret != "p" || !tc.HadCredentials() {
		t.Fatalf("good.example: %+v", c)
	}
}
