package registryutil

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/containerd/containerd/v2/core/remotes/docker"
	dconfig "github.com/containerd/containerd/v2/core/remotes/docker/config"
	"github.com/containerd/containerd/v2/core/transfer/registry"
	"github.com/containerd/errdefs"

	"github.com/berth-project/berth/pkg/config"
)

// Hosts is the registry configuration a command runs with.
type Hosts struct {
	// Dirs are directories of hosts.toml configuration (containerd's
	// certs.d layout), searched in order.
	Dirs []string
	// Insecure allows plain HTTP and unverified TLS for every registry
	// (--insecure-registry).
	Insecure bool
}

// HostsFromConfig is the registry configuration of berth's global settings.
func HostsFromConfig(cfg *config.Config) Hosts {
	return Hosts{Dirs: cfg.HostsDir, Insecure: cfg.InsecureRegistry}
}

// hostDirNames are the entries of a certs.d directory that configure host,
// in containerd's order: "host_port_" (the form that is portable to Windows)
// before "host:port".
func hostDirNames(host string) []string {
	names := []string{host}
	if i := strings.LastIndex(host, ":"); i > 0 && !strings.HasSuffix(host, "]") {
		names = append([]string{host[:i] + "_" + host[i+1:] + "_"}, names...)
	}
	return names
}

// HostDir returns the directory of Dirs that configures host: the first
// with an entry for host itself, else the first with a "_default" entry,
// else "". containerd's transfer service takes one root, and looks for
// host (then _default) below it, so the root is what is returned.
func (h Hosts) HostDir(host string) string {
	for _, dir := range h.Dirs {
		for _, name := range hostDirNames(host) {
			if isDir(filepath.Join(dir, name)) {
				return dir
			}
		}
	}
	for _, dir := range h.Dirs {
		if isDir(filepath.Join(dir, "_default")) {
			return dir
		}
	}
	return ""
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// hostDirFunc is HostDir in the form containerd's HostOptions take.
func (h Hosts) hostDirFunc(host string) (string, error) {
	root := h.HostDir(host)
	if root == "" {
		return "", errdefs.ErrNotFound
	}
	return dconfig.HostDirFromRoot(root)(host)
}

// TransferOpts are the options of registry.NewOCIRegistry for host: its
// hosts directory, the credentials, and for --insecure-registry a plain-HTTP
// fallback. cleanup removes what TransferOpts created and must be called once
// the transfer is over.
//
// The transfer service has no "skip verification" switch of its own; its
// only TLS settings come from hosts.toml. So for an insecure registry that
// has no configuration, a temporary hosts directory says what Docker's
// insecure-registries mean: HTTPS without verification, then plain HTTP.
func (h Hosts) TransferOpts(host string, creds registry.CredentialHelper) (opts []registry.Opt, cleanup func(), err error) {
	cleanup = func() {}
	if creds != nil {
		opts = append(opts, registry.WithCredentials(creds))
	}
	dir := h.HostDir(host)
	if dir == "" && h.Insecure && host != "docker.io" {
		if dir, err = insecureHostDir(host); err != nil {
			return nil, cleanup, err
		}
		cleanup = func() { _ = os.RemoveAll(dir) }
	}
	if dir != "" {
		opts = append(opts, registry.WithHostDir(dir))
	}
	if h.Insecure {
		opts = append(opts, registry.WithDefaultScheme("http"))
	}
	return opts, cleanup, nil
}

// insecureHostDir writes a hosts directory for one insecure registry. A
// server given as http:// with TLS settings makes containerd try HTTPS first
// and fall back to HTTP on a TLS error, without sending a request twice.
func insecureHostDir(host string) (string, error) {
	root, err := os.MkdirTemp("", "berth-hosts-")
	if err != nil {
		return "", fmt.Errorf("insecure registry configuration: %w", err)
	}
	content := fmt.Sprintf("server = %q\nskip_verify = true\n", "http://"+host)
	hostDir := filepath.Join(root, host)
	if err := os.MkdirAll(hostDir, 0o755); err != nil {
		_ = os.RemoveAll(root)
		return "", err
	}
	if err := os.WriteFile(filepath.Join(hostDir, "hosts.toml"), []byte(content), 0o644); err != nil {
		_ = os.RemoveAll(root)
		return "", err
	}
	// The engine, which reads this directory, may run as another user.
	if err := os.Chmod(root, 0o755); err != nil {
		_ = os.RemoveAll(root)
		return "", err
	}
	return root, nil
}

// RegistryHosts resolves registry hosts in this process, with the same
// configuration the transfer service gets: for `login` and for explaining a
// failed transfer. creds may be nil.
func (h Hosts) RegistryHosts(ctx context.Context, creds func(host string) (string, string, error)) docker.RegistryHosts {
	opts := dconfig.HostOptions{HostDir: h.hostDirFunc, Credentials: creds}
	if h.Insecure {
		opts.DefaultScheme = "http"
		// Unverified TLS is exactly what --insecure-registry asks for.
		opts.DefaultTLS = &tls.Config{InsecureSkipVerify: true}
	}
	return dconfig.ConfigureHosts(ctx, opts)
}

// Endpoint is the registry host that serves host itself, not a mirror: the
// last entry of its configuration, where containerd puts the server.
func (h Hosts) Endpoint(ctx context.Context, host string, creds func(string) (string, string, error)) (docker.RegistryHost, error) {
	hosts, err := h.RegistryHosts(ctx, creds)(host)
	if err != nil {
		return docker.RegistryHost{}, fmt.Errorf("registry configuration of %s: %w", host, err)
	}
	if len(hosts) == 0 {
		return docker.RegistryHost{}, errors.New("registry configuration of " + host + " lists no endpoint")
	}
	return hosts[len(hosts)-1], nil
}
