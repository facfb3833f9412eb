package registryutil

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/containerd/containerd/v2/core/remotes/docker"
	remoteerrors "github.com/containerd/containerd/v2/core/remotes/errors"
	"github.com/containerd/errdefs"
)

// ErrUnauthorized means the registry refused the credentials, or wants some.
var ErrUnauthorized = errors.New("unauthorized")

// UnreachableError means no connection to the registry could be made.
type UnreachableError struct {
	// Host is the registry as named in the image reference.
	Host string
	// Err is the network error, such as "connection refused".
	Err error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach the registry %s: %v", e.Host, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// Ping checks credentials the way `docker login` does: GET /v2/ on the
// registry's own endpoint (not a mirror), answering a 401 challenge with
// creds through containerd's authorizer, which does both the basic and the
// bearer-token flows. nil means the registry accepted the request.
func (h Hosts) Ping(ctx context.Context, host string, creds func(string) (string, string, error)) error {
	ctx = quietLogs(ctx)
	ep, err := h.Endpoint(ctx, host, creds)
	if err != nil {
		return err
	}
	url := ep.Scheme + "://" + ep.Host + ep.Path + "/"
	resp, err := pingOnce(ctx, ep, url)
	if err != nil {
		return classifyTransportError(host, err)
	}
	if resp.StatusCode == http.StatusUnauthorized {
		// The challenge tells the authorizer what to do (basic or token);
		// the second request carries the answer.
		err := ep.Authorizer.AddResponses(ctx, []*http.Response{resp})
		resp.Body.Close()
		if err != nil {
			return classifyTransportError(host, err)
		}
		if resp, err = pingOnce(ctx, ep, url); err != nil {
			return classifyTransportError(host, err)
		}
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 300 {
		return &LoginError{URL: resp.Request.URL.Redacted(), Status: resp.Status, StatusCode: resp.StatusCode}
	}
	return nil
}

// LoginError is a registry's refusal of GET /v2/, in docker's words.
type LoginError struct {
	URL        string
	Status     string
	StatusCode int
}

func (e *LoginError) Error() string {
	return fmt.Sprintf("login attempt to %s failed with status: %s", e.URL, e.Status)
}

// Is makes a 401 or 403 an ErrUnauthorized.
func (e *LoginError) Is(target error) bool {
	return target == ErrUnauthorized && (e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden)
}

func pingOnce(ctx context.Context, ep docker.RegistryHost, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	for k, v := range ep.Header {
		req.Header[k] = v
	}
	if err := ep.Authorizer.Authorize(ctx, req); err != nil {
		return nil, err
	}
	return ep.Client.Do(req)
}

// classifyTransportError marks network failures as UnreachableError and
// refused credentials as ErrUnauthorized; other errors pass unchanged.
func classifyTransportError(host string, err error) error {
	switch {
	case isUnauthorized(err):
		return fmt.Errorf("%w: %w", ErrUnauthorized, err)
	case isNetworkError(err):
		return &UnreachableError{Host: host, Err: innermostNetError(err)}
	}
	return err
}

func isUnauthorized(err error) bool {
	if errors.Is(err, ErrUnauthorized) || errors.Is(err, docker.ErrInvalidAuthorization) || errdefs.IsUnauthorized(err) {
		return true
	}
	var st remoteerrors.ErrUnexpectedStatus
	return errors.As(err, &st) && (st.StatusCode == http.StatusUnauthorized || st.StatusCode == http.StatusForbidden)
}

func isNetworkError(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	return errors.As(err, &op) || errors.As(err, &dns)
}

// innermostNetError drops the "Get https://...: " layers of url.Error, whose
// URL says nothing the registry host does not.
func innermostNetError(err error) error {
	var op *net.OpError
	if errors.As(err, &op) {
		return op
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns
	}
	return err
}
