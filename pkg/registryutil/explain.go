package registryutil

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/containerd/containerd/v2/core/remotes/docker"
	"github.com/containerd/errdefs"
	"github.com/containerd/log"
	"github.com/distribution/reference"
	"github.com/sirupsen/logrus"
)

// probeTimeout bounds the second look at a registry after a failed transfer,
// so that a registry that swallows packets costs one timeout, not two.
const probeTimeout = 10 * time.Second

// TransferError is a failed pull or push explained for the user. Error() is
// the explanation; the engine's own error stays reachable with errors.As/Is.
type TransferError struct {
	// Msg is what the user reads.
	Msg string
	// Err is the error the engine returned.
	Err error
}

func (e *TransferError) Error() string { return e.Msg }

func (e *TransferError) Unwrap() error { return e.Err }

// LoginHint is the login command for a registry host: plain `berth login`
// for Docker Hub, its default server.
func LoginHint(host string) string {
	if IsHub(host) {
		return "berth login"
	}
	return "berth login " + host
}

// Explain turns the engine's failure to pull or push ref (action is "pull"
// or "push") into an error that says what failed and what to do.
//
// The engine's error crosses gRPC as text and a status code, losing the types
// that tell a refused password from a closed port, so after a failure the
// registry is asked again from this process, with the same configuration
// and credentials, where errors keep their types. Nothing of this runs when
// the transfer succeeds.
func (h Hosts) Explain(ctx context.Context, action string, ref reference.Named, creds *TransferCredentials, err error) error {
	if err == nil || ctx.Err() != nil || errdefs.IsCanceled(err) {
		return err
	}
	host := reference.Domain(ref)
	repo := reference.FamiliarName(ref)
	if msg := explainSilence(host, err); msg != "" {
		// Asking again would only wait as long a second time.
		return &TransferError{Msg: msg, Err: err}
	}
	pctx, cancel := context.WithTimeout(quietLogs(ctx), probeTimeout)
	defer cancel()
	lookup := creds.LookupFunc(pctx)
	var perr error
	if action == "pull" {
		resolver := docker.NewResolver(docker.ResolverOptions{Hosts: h.RegistryHosts(pctx, lookup)})
		_, _, perr = resolver.Resolve(pctx, ref.String())
	} else {
		perr = h.Ping(pctx, host, lookup)
	}
	if perr == nil && action == "pull" && errdefs.IsNotFound(err) {
		// Found now, not found by the engine: a race with a push; say
		// what the engine saw.
		perr = err
	}
	var unreachable *UnreachableError
	tlsProblem := h.explainTLS(host, perr)
	switch {
	case perr == nil:
		return err
	case isNetworkError(perr):
		return &TransferError{Msg: (&UnreachableError{Host: host, Err: innermostNetError(perr)}).Error(), Err: err}
	case errors.As(perr, &unreachable):
		return &TransferError{Msg: unreachable.Error(), Err: err}
	case tlsProblem != "":
		return &TransferError{Msg: tlsProblem, Err: err}
	case isUnauthorized(perr):
		return &TransferError{Msg: accessDenied(action, repo, host, creds), Err: err}
	case action == "pull" && errdefs.IsNotFound(perr):
		return &TransferError{Msg: fmt.Sprintf("manifest for %s not found: manifest unknown", reference.FamiliarString(ref)), Err: err}
	}
	return err
}

// explainSilence words an engine error that says the registry never
// answered: it accepted the connection and sent nothing, or the connection
// itself timed out. The engine's error is text by now, so its words are
// matched.
func explainSilence(host string, err error) string {
	text := err.Error()
	switch {
	case strings.Contains(text, "timeout awaiting response headers"):
		return fmt.Sprintf("the registry %s accepted the connection but did not answer (the engine waits %s for each request)", host, engineResponseTimeout)
	case strings.Contains(text, "dial tcp") && strings.Contains(text, "i/o timeout"):
		return fmt.Sprintf("cannot reach the registry %s: the connection timed out", host)
	}
	return ""
}

// engineResponseTimeout is how long the engine's registry client waits for
// an answer (containerd's transport).
const engineResponseTimeout = 30 * time.Second

// explainTLS words a registry berth cannot talk to safely: a certificate it
// does not trust, or plain HTTP where HTTPS was expected. "" for other errors.
func (h Hosts) explainTLS(host string, err error) string {
	if cert := certificateError(err); cert != nil {
		return fmt.Sprintf("the registry %s presented a certificate that is not trusted (%v): put its CA certificate in %s, or pass --insecure-registry",
			host, cert, h.caPath(host))
	}
	if errors.Is(err, http.ErrSchemeMismatch) {
		return fmt.Sprintf("the registry %s speaks plain HTTP, not HTTPS: pass --insecure-registry, or configure it as server = \"http://%s\" in %s",
			host, host, filepath.Join(h.hostDirOrFirst(host), "hosts.toml"))
	}
	return ""
}

// certificateError is the x509 verdict inside err, or nil.
func certificateError(err error) error {
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknown):
		return unknown
	case errors.As(err, &hostname):
		return hostname
	case errors.As(err, &invalid):
		return invalid
	}
	return nil
}

// caPath is where a CA certificate for host is looked for.
func (h Hosts) caPath(host string) string {
	return filepath.Join(h.hostDirOrFirst(host), "ca.crt")
}

// hostDirOrFirst is the directory that configures host, or where one would
// go: under the first hosts dir.
func (h Hosts) hostDirOrFirst(host string) string {
	for _, dir := range h.Dirs {
		for _, name := range hostDirNames(host) {
			if isDir(filepath.Join(dir, name)) {
				return filepath.Join(dir, name)
			}
		}
	}
	root := "/etc/berth/certs.d"
	if len(h.Dirs) > 0 {
		root = h.Dirs[0]
	}
	return filepath.Join(root, host)
}

// accessDenied words a refusal by whether credentials were sent: none means
// "log in", refused ones mean "log in again".
func accessDenied(action, repo, host string, creds *TransferCredentials) string {
	hint := LoginHint(host)
	if herr := creds.HelperError(); herr != nil {
		return fmt.Sprintf("%s access denied for %s: reading the credentials failed: %v; run '%s'", action, repo, herr, hint)
	}
	if creds.HadCredentials() {
		return fmt.Sprintf("%s access denied for %s: the registry refused the credentials stored for %s; run '%s'", action, repo, host, hint)
	}
	return fmt.Sprintf("%s access denied for %s, repository does not exist or may require '%s'", action, repo, hint)
}

// quietLogs keeps containerd's resolver, which logs every failed request at
// info level, from printing over the one-line error, unless --debug asked
// for logs.
func quietLogs(ctx context.Context) context.Context {
	if log.GetLevel() >= log.DebugLevel {
		return ctx
	}
	l := logrus.New()
	l.Out = io.Discard
	return log.WithLogger(ctx, logrus.NewEntry(l))
}
