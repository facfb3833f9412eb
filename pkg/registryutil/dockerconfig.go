// Package registryutil is everything berth needs to talk to registries:
// Docker's config.json credentials and credential helpers, hosts.toml
// registry configuration, the options of containerd's transfer service, and
// the checks behind `login` and the explanations of failed pulls and pushes.
package registryutil

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ConfigFileName is the name of Docker's client configuration file.
const ConfigFileName = "config.json"

// ConfigDir is where Docker keeps config.json: $DOCKER_CONFIG, else ~/.docker.
func ConfigDir() string {
	if d := os.Getenv("DOCKER_CONFIG"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		home = "/root"
	}
	return filepath.Join(home, ".docker")
}

// AuthEntry is one entry of "auths", in Docker's field names.
type AuthEntry struct {
	// Auth is base64("user:password").
	Auth string `json:"auth,omitempty"`
	// Username and Password are an older, unencoded form of Auth.
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
	// IdentityToken is an OAuth refresh token used instead of a password.
	IdentityToken string `json:"identitytoken,omitempty"`
	// RegistryToken is a bearer token sent as is.
	RegistryToken string `json:"registrytoken,omitempty"`
}

// ConfigFile is Docker's config.json. Only the keys berth uses are decoded;
// the others are kept verbatim so that saving never loses what docker, its
// plugins or other tools wrote there.
type ConfigFile struct {
	// Auths maps a registry (hostname, or Docker Hub's legacy URL) to its
	// credentials; an empty entry means the credentials are in a helper.
	Auths map[string]AuthEntry `json:"auths"`
	// CredsStore names the default credential helper, docker-credential-<name>.
	CredsStore string `json:"credsStore,omitempty"`
	// CredHelpers names a helper per registry hostname.
	CredHelpers map[string]string `json:"credHelpers,omitempty"`

	// path is the file the config was read from and is saved to.
	path string
	// rest holds the keys berth does not interpret.
	rest map[string]json.RawMessage
}

// LoadConfigFile reads dir/config.json. A missing file gives an empty config
// that Save creates.
func LoadConfigFile(dir string) (*ConfigFile, error) {
	cf := &ConfigFile{path: filepath.Join(dir, ConfigFileName)}
	data, err := os.ReadFile(cf.path)
	if errors.Is(err, os.ErrNotExist) {
		cf.Auths = map[string]AuthEntry{}
		return cf, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", cf.path, err)
	}
	if err := cf.decode(data); err != nil {
		return nil, fmt.Errorf("%s: %w", cf.path, err)
	}
	return cf, nil
}

// Path is the file this config is read from and saved to.
func (cf *ConfigFile) Path() string { return cf.path }

func (cf *ConfigFile) decode(data []byte) error {
	cf.Auths = map[string]AuthEntry{}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, &cf.rest); err != nil {
		return err
	}
	for key, dst := range map[string]any{"auths": &cf.Auths, "credsStore": &cf.CredsStore, "credHelpers": &cf.CredHelpers} {
		if raw, ok := cf.rest[key]; ok {
			if err := json.Unmarshal(raw, dst); err != nil {
				return fmt.Errorf("key %q: %w", key, err)
			}
			delete(cf.rest, key)
		}
	}
	if cf.Auths == nil {
		cf.Auths = map[string]AuthEntry{}
	}
	return nil
}

func (cf *ConfigFile) encode() ([]byte, error) {
	out := make(map[string]any, len(cf.rest)+3)
	for k, v := range cf.rest {
		out[k] = v
	}
	out["auths"] = cf.Auths
	if cf.CredsStore != "" {
		out["credsStore"] = cf.CredsStore
	}
	if len(cf.CredHelpers) > 0 {
		out["credHelpers"] = cf.CredHelpers
	}
	data, err := json.MarshalIndent(out, "", "\t")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// Save writes the config atomically, mode 0600: a temporary file in the same
// directory, fsynced, then renamed over the old one, so a crash or a
// concurrent reader never sees a torn file. A config.json that is a symlink
// (dotfile managers do that) is replaced at its target.
func (cf *ConfigFile) Save() error {
	data, err := cf.encode()
	if err != nil {
		return err
	}
	path := cf.path
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ConfigFileName+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// The rename is durable only once the directory entry is on disk.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// HelperFor names the credential helper for a registry key: its credHelpers
// entry, else credsStore, else "" (credentials live in the file).
func (cf *ConfigFile) HelperFor(key string) string {
	if h, ok := cf.CredHelpers[ConvertToHostname(key)]; ok {
		return h
	}
	if h, ok := cf.CredHelpers[key]; ok {
		return h
	}
	return cf.CredsStore
}

// EncodeAuth is the "auth" field of user and password.
func EncodeAuth(user, password string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
}

// decode returns the user and secret of an entry; an identity token is
// returned as the secret with an empty user, as containerd's authorizer
// expects a refresh token.
func (e AuthEntry) decode() (user, secret string, err error) {
	if e.IdentityToken != "" {
		return "", e.IdentityToken, nil
	}
	if e.Auth == "" {
		return e.Username, e.Password, nil
	}
	raw, err := base64.StdEncoding.DecodeString(e.Auth)
	if err != nil {
		return "", "", fmt.Errorf("invalid auth configuration: %w", err)
	}
	user, secret, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", "", errors.New("invalid auth configuration: no colon in the decoded auth field")
	}
	return user, strings.Trim(secret, "\x00"), nil
}
