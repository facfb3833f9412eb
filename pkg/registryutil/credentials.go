package registryutil

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"

	"github.com/containerd/containerd/v2/core/transfer/registry"
	"github.com/containerd/log"
)

// IndexServer is the key Docker stores Docker Hub's credentials under.
const IndexServer = "https://index.docker.io/v1/"

// hubHosts are the names Docker Hub is reached and logged in by.
var hubHosts = map[string]bool{
	"docker.io": true, "index.docker.io": true, "registry-1.docker.io": true, "registry.hub.docker.com": true,
}

// ConvertToHostname strips the scheme and path from a server address, as
// Docker does to match an "auths" key with a registry:
// "https://127.0.0.1:5000/v2/" is "127.0.0.1:5000".
func ConvertToHostname(server string) string {
	s := server
	if strings.Contains(s, "://") {
		if u, err := url.Parse(s); err == nil && u.Host != "" {
			return u.Host
		}
		_, s, _ = strings.Cut(s, "://")
	}
	host, _, _ := strings.Cut(s, "/")
	return host
}

// AuthKey is the "auths" key a server's credentials are stored under:
// IndexServer for Docker Hub (and for an empty server), else the hostname.
func AuthKey(server string) string {
	if server == "" || server == IndexServer {
		return IndexServer
	}
	host := ConvertToHostname(server)
	if hubHosts[host] {
		return IndexServer
	}
	return host
}

// IsHub reports whether key is Docker Hub's.
func IsHub(key string) bool { return AuthKey(key) == IndexServer }

// CredentialStore reads and writes credentials the way the docker CLI does:
// in config.json, or through the credential helper it names.
type CredentialStore struct {
	cf *ConfigFile
}

// NewCredentialStore loads the store of the config directory dir.
func NewCredentialStore(dir string) (*CredentialStore, error) {
	cf, err := LoadConfigFile(dir)
	if err != nil {
		return nil, err
	}
	return &CredentialStore{cf: cf}, nil
}

// EmptyCredentialStore holds nothing and saves nowhere: what a pull uses when
// config.json cannot be read, after a warning, as docker does.
func EmptyCredentialStore() *CredentialStore {
	return &CredentialStore{cf: &ConfigFile{Auths: map[string]AuthEntry{}}}
}

// ConfigFile is the config the store reads and writes.
func (s *CredentialStore) ConfigFile() *ConfigFile { return s.cf }

// Get returns the credentials for a registry host or server address; empty
// when none are stored. A helper that holds nothing falls back to the file,
// as docker does.
func (s *CredentialStore) Get(ctx context.Context, server string) (user, secret string, err error) {
	key := AuthKey(server)
	if h := s.cf.HelperFor(key); h != "" {
		user, secret, err = Helper{Name: h}.Get(ctx, key)
		if err == nil {
			return user, secret, nil
		}
		if !errors.Is(err, ErrCredentialsNotFound) {
			return "", "", err
		}
	}
	entry, ok := s.cf.Auths[key]
	if !ok {
		for k, e := range s.cf.Auths {
			if AuthKey(k) == key {
				entry, ok = e, true
				break
			}
		}
	}
	if !ok {
		return "", "", nil
	}
	return entry.decode()
}

// Store saves credentials for a server address (already an AuthKey) and
// writes config.json. With a helper, the file keeps an empty entry, so that
// docker and berth both list the registry as logged in.
func (s *CredentialStore) Store(ctx context.Context, key, user, secret string) error {
	if h := s.cf.HelperFor(key); h != "" {
		if err := (Helper{Name: h}).Store(ctx, key, user, secret); err != nil {
			return err
		}
		s.cf.Auths[key] = AuthEntry{}
	} else {
		s.cf.Auths[key] = AuthEntry{Auth: EncodeAuth(user, secret)}
	}
	return s.cf.Save()
}

// Erase removes the credentials of key from the helper and the file. It
// reports whether anything was stored, and writes the file only then.
func (s *CredentialStore) Erase(ctx context.Context, key string) (bool, error) {
	found := false
	if h := s.cf.HelperFor(key); h != "" {
		if _, _, err := (Helper{Name: h}).Get(ctx, key); err == nil {
			found = true
		}
		if err := (Helper{Name: h}).Erase(ctx, key); err != nil {
			return found, err
		}
	}
	for k := range s.cf.Auths {
		if AuthKey(k) == key {
			delete(s.cf.Auths, k)
			found = true
		}
	}
	if !found {
		return false, nil
	}
	return true, s.cf.Save()
}

// TransferCredentials hands credentials to containerd's transfer service,
// which asks for them over a stream while it talks to the registry. It also
// remembers what it answered, so a failure can be explained afterwards.
type TransferCredentials struct {
	store *CredentialStore
	mu    sync.Mutex
	// cache holds the answer per host: the engine asks again on every
	// challenge, and a helper is a process to start each time.
	cache map[string][2]string
	// found records, per host asked for, whether credentials were given.
	found map[string]bool
	// errs records helper failures, which the stream cannot carry.
	errs []error
}

// NewTransferCredentials adapts store to registry.CredentialHelper.
func NewTransferCredentials(store *CredentialStore) *TransferCredentials {
	return &TransferCredentials{store: store, cache: map[string][2]string{}, found: map[string]bool{}}
}

var _ registry.CredentialHelper = (*TransferCredentials)(nil)

// GetCredentials never fails: containerd's credential stream waits for an
// answer to every request, so an error would stall the pull. A failing
// helper is recorded and answered with no credentials.
func (t *TransferCredentials) GetCredentials(ctx context.Context, ref, host string) (registry.Credentials, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c, ok := t.cache[host]
	if !ok {
		user, secret, err := t.store.Get(ctx, host)
		if err != nil {
			log.G(ctx).WithError(err).Debugf("credentials for %s", host)
			t.errs = append(t.errs, err)
			user, secret = "", ""
		}
		c = [2]string{user, secret}
		t.cache[host] = c
	}
	t.found[host] = c[1] != ""
	return registry.Credentials{Host: host, Username: c[0], Secret: c[1]}, nil
}

// LookupFunc is GetCredentials in the form containerd's HostOptions take,
// which carry no context of their own.
func (t *TransferCredentials) LookupFunc(ctx context.Context) func(host string) (string, string, error) {
	return func(host string) (string, string, error) {
		c, _ := t.GetCredentials(ctx, "", host)
		return c.Username, c.Secret, nil
	}
}

// HadCredentials reports whether credentials were handed out for any host.
func (t *TransferCredentials) HadCredentials() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, ok := range t.found {
		if ok {
			return true
		}
	}
	return false
}

// HelperError is the first credential helper failure, if any.
func (t *TransferCredentials) HelperError() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.errs) == 0 {
		return nil
	}
	return t.errs[0]
}
