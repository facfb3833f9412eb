package registryutil

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestConvertToHostname(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:5000":              "127.0.0.1:5000",
		"https://127.0.0.1:5000/v2/":  "127.0.0.1:5000",
		"http://registry.local":       "registry.local",
		"registry.local/v1/":          "registry.local",
		"https://index.docker.io/v1/": "index.docker.io",
		"[::1]:5000":                  "[::1]:5000",
	} {
		if got := ConvertToHostname(in); got != want {
			t.Errorf("ConvertToHostname(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAuthKey(t *testing.T) {
	for in, want := range map[string]string{
		"":                            IndexServer,
		"docker.io":                   IndexServer,
		"index.docker.io":             IndexServer,
		"registry-1.docker.io":        IndexServer,
		"https://index.docker.io/v1/": IndexServer,
		"https://registry.local:443/": "registry.local:443",
		"ghcr.io":                     "ghcr.io",
	} {
		if got := AuthKey(in); got != want {
			t.Errorf("AuthKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// Keys berth does not know (docker's proxies, plugins, aliases) survive a
// save, the file is 0600, and a reload gives back what was stored.
func TestConfigFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	orig := `{
	"auths": {"old.example": {"auth": "` + EncodeAuth("u", "p") + `"}},
	"proxies": {"default": {"httpProxy": "http://proxy:3128"}},
	"currentContext": "desktop-linux"
}`
	if err := os.WriteFile(filepath.Join(dir, ConfigFileName), []byte(orig), 0o644); err != nil {
		t.Fatal(err)
	}
	cf, err := LoadConfigFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	cf.Auths["new.example:5000"] = AuthEntry{Auth: EncodeAuth("user", "pa:ss")}
	if err := cf.Save(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(cf.Path())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(cf.Path())
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"auths", "proxies", "currentContext"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("key %q lost on save:\n%s", k, data)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left beside config.json: %v", entries)
	}

	again, err := LoadConfigFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	user, secret, err := again.Auths["new.example:5000"].decode()
	if err != nil || user != "user" || secret != "pa:ss" {
		t.Errorf("decode = %q, %q, %v; want user, pa:ss", user, secret, err)
	}
}

func TestLoadConfigFileMissingAndInvalid(t *testing.T) {
	dir := t.TempDir()
	cf, err := LoadConfigFile(dir)
	if err != nil || cf.Auths == nil || len(cf.Auths) != 0 {
		t.Fatalf("missing file: %v, %v", cf, err)
	}
	p := filepath.Join(dir, ConfigFileName)
	if err := os.WriteFile(p, []byte(`{"auths": [}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadConfigFile(dir); err == nil {
		t.Fatal("want an error for invalid JSON")
	}
	if err := os.WriteFile(p, []byte(`{"auths": {"h": {"auth": "!!!"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cf, err = LoadConfigFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := cf.Auths["h"].decode(); err == nil {
		t.Fatal("want an error for an auth that is not base64")
	}
}

// A config.json that is a symlink is replaced at its target, so the link
// (a dotfile manager's) stays.
func TestConfigFileSaveThroughSymlink(t *testing.T) {
	dir, target := t.TempDir(), t.TempDir()
	real := filepath.Join(target, "docker.json")
	if err := os.WriteFile(real, []byte(`{}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, filepath.Join(dir, ConfigFileName)); err != nil {
		t.Fatal(err)
	}
	cf, err := LoadConfigFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	cf.Auths["h"] = AuthEntry{Auth: EncodeAuth("a", "b")}
	if err := cf.Save(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(filepath.Join(dir, ConfigFileName)); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the symlink was replaced: %v", err)
	}
	data, _ := os.ReadFile(real)
	if !json.Valid(data) || len(data) < 10 {
		t.Fatalf("target not written: %s", data)
	}
}

func TestCredentialStoreFile(t *testing.T) {
	dir := t.TempDir()
	s, err := NewCredentialStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := s.Store(ctx, IndexServer, "hubuser", "hubpw"); err != nil {
		t.Fatal(err)
	}
	if err := s.Store(ctx, "127.0.0.1:5000", "u", "p"); err != nil {
		t.Fatal(err)
	}
	// The transfer service asks by the host it talks to.
	for host, want := range map[string]string{"registry-1.docker.io": "hubuser", "docker.io": "hubuser", "127.0.0.1:5000": "u", "other:1": ""} {
		user, _, err := s.Get(ctx, host)
		if err != nil || user != want {
			t.Errorf("Get(%q) = %q, %v; want %q", host, user, err, want)
		}
	}
	// A key written by an older docker, with scheme and path, still matches.
	s.cf.Auths["https://legacy.example/v1/"] = AuthEntry{Username: "old", Password: "pw"}
	if user, secret, _ := s.Get(ctx, "legacy.example"); user != "old" || secret != "pw" {
		t.Errorf("legacy key: %q %q", user, secret)
	}
	found, err := s.Erase(ctx, "127.0.0.1:5000")
	if err != nil || !found {
		t.Fatalf("Erase = %v, %v", found, err)
	}
	if found, _ := s.Erase(ctx, "127.0.0.1:5000"); found {
		t.Fatal("second Erase found credentials")
	}
	again, _ := NewCredentialStore(dir)
	if _, ok := again.cf.Auths["127.0.0.1:5000"]; ok {
		t.Fatal("erased credentials are still in the file")
	}
}
