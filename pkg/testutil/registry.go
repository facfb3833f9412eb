package testutil

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/distribution/distribution/v3/configuration"
	"github.com/distribution/distribution/v3/registry/handlers"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/sirupsen/logrus"
	"golang.org/x/crypto/bcrypt"

	// Registered by import: the auth and storage backends the test registry uses.
	_ "github.com/distribution/distribution/v3/registry/auth/htpasswd"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
)

// RegistryKind selects how a test registry is exposed.
type RegistryKind int

const (
	// RegistryPlain serves plain HTTP, as a local development registry does.
	RegistryPlain RegistryKind = iota
	// RegistryTLS serves HTTPS with a certificate from a CA generated per registry.
	RegistryTLS
	// RegistryAuth is RegistryTLS plus htpasswd basic authentication.
	RegistryAuth
)

func (k RegistryKind) String() string {
	switch k {
	case RegistryPlain:
		return "plain"
	case RegistryTLS:
		return "tls"
	case RegistryAuth:
		return "auth"
	}
	return fmt.Sprintf("RegistryKind(%d)", int(k))
}

// Registry is a running distribution registry on 127.0.0.1.
type Registry struct {
	// Host is "127.0.0.1:PORT", the registry part of image references.
	Host string
	// Kind is the variant this registry was started as.
	Kind RegistryKind
	// CAFile is the PEM file of the generated CA; "" for RegistryPlain.
	CAFile string
	// CertsDir holds <CertsDir>/<Host>/ca.crt, so it can be passed as --hosts-dir.
	CertsDir string
	// User and Password are the htpasswd credentials of RegistryAuth.
	User, Password string

	dir       string
	server    *http.Server
	app       *handlers.App
	served    chan error
	client    *http.Client
	closeOnce sync.Once
	closeErr  error
}

// StartRegistry starts a registry of the given kind on a free port of
// 127.0.0.1. It serves as soon as it returns, and until Close: cancelling ctx
// does not stop it, so a test's cleanup can still use it.
func StartRegistry(ctx context.Context, kind RegistryKind) (_ *Registry, retErr error) {
	silenceRegistryLogs()
	dir, err := os.MkdirTemp("", "berth-registry-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if retErr != nil {
			_ = os.RemoveAll(dir)
		}
	}()
	// Binding the listener ourselves, rather than handing an address to
	// registry.ListenAndServe, is what gives a free port without a race.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &Registry{Host: ln.Addr().String(), Kind: kind, dir: dir, served: make(chan error, 1)}
	cfg := registryConfig(dir)
	transport := http.DefaultTransport.(*http.Transport).Clone()
	var tlsCfg *tls.Config
	if kind != RegistryPlain {
		if tlsCfg, err = r.setupTLS(transport); err != nil {
			_ = ln.Close()
			return nil, err
		}
	}
	if kind == RegistryAuth {
		if err := r.setupHtpasswd(cfg); err != nil {
			_ = ln.Close()
			return nil, err
		}
	}
	r.client = &http.Client{Transport: transport}
	// handlers.NewApp is the registry itself without registry.NewRegistry's
	// process-wide parts (health checks registered globally, access log on
	// stdout, signal handling), so several registries can live in one test binary.
	r.app = handlers.NewApp(context.WithoutCancel(ctx), cfg)
	r.server = &http.Server{Handler: r.app, TLSConfig: tlsCfg, ReadHeaderTimeout: time.Minute, ErrorLog: serverErrorLog()}
	go func() {
		if tlsCfg != nil {
			r.served <- r.server.ServeTLS(ln, "", "")
		} else {
			r.served <- r.server.Serve(ln)
		}
	}()
	return r, nil
}

func registryConfig(dir string) *configuration.Configuration {
	cfg := &configuration.Configuration{}
	cfg.Log.AccessLog.Disabled = true
	// A fixed secret avoids the "no secret configured" warning; uploads only
	// need it to sign their state within this one process.
	cfg.HTTP.Secret = "berth-test-registry"
	cfg.Storage = configuration.Storage{
		"filesystem": configuration.Parameters{"rootdirectory": filepath.Join(dir, "storage")},
		// The purger is a goroutine that sleeps for up to an hour: off, so
		// Close leaves nothing running.
		"maintenance": configuration.Parameters{"uploadpurging": map[any]any{"enabled": false}},
		"delete":      configuration.Parameters{"enabled": true},
	}
	return cfg
}

// setupTLS generates a CA and a server certificate for 127.0.0.1 and localhost,
// writes the CA where containerd's hosts dir convention looks for it, and makes
// transport trust it.
func (r *Registry) setupTLS(transport *http.Transport) (*tls.Config, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "berth test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:     []string{"localhost"},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}

	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	r.CAFile = filepath.Join(r.dir, "ca.crt")
	r.CertsDir = filepath.Join(r.dir, "certs.d")
	hostDir := filepath.Join(r.CertsDir, r.Host)
	if err := os.MkdirAll(hostDir, 0o755); err != nil {
		return nil, err
	}
	for _, p := range []string{r.CAFile, filepath.Join(hostDir, "ca.crt")} {
		if err := os.WriteFile(p, caPEM, 0o644); err != nil {
			return nil, err
		}
	}
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	transport.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{{Certificate: [][]byte{srvDER, caDER}, PrivateKey: srvKey}},
	}, nil
}

func (r *Registry) setupHtpasswd(cfg *configuration.Configuration) error {
	pw := make([]byte, 12)
	if _, err := rand.Read(pw); err != nil {
		return err
	}
	r.User, r.Password = "berth", hex.EncodeToString(pw)
	// bcrypt's minimum cost: the registry checks the hash on every request,
	// and the default cost would add tens of milliseconds to each one.
	hash, err := bcrypt.GenerateFromPassword([]byte(r.Password), bcrypt.MinCost)
	if err != nil {
		return err
	}
	path := filepath.Join(r.dir, "htpasswd")
	if err := os.WriteFile(path, []byte(r.User+":"+string(hash)+"\n"), 0o600); err != nil {
		return err
	}
	cfg.Auth = configuration.Auth{"htpasswd": configuration.Parameters{"realm": "berth-test", "path": path}}
	return nil
}

// Close stops the server, waits for it to return and removes the registry's files.
func (r *Registry) Close() error {
	r.closeOnce.Do(func() {
		// Short: the engine's pull client keeps idle connections that never
		// sent a request, and Shutdown would wait 5 s for each of them; what
		// is still open after the grace period is cut.
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		// Our own client's connections go first: an HTTP/2 server otherwise
		// waits a second for the client to answer its GOAWAY.
		r.client.CloseIdleConnections()
		err := r.server.Shutdown(ctx)
		if err != nil {
			err = r.server.Close()
		}
		if serveErr := <-r.served; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
			err = errors.Join(err, serveErr)
		}
		err = errors.Join(err, r.app.Shutdown())
		r.closeErr = errors.Join(err, os.RemoveAll(r.dir))
	})
	return r.closeErr
}

// HTTPClient returns a client that trusts the registry's CA. It does not add
// credentials: callers that need them use User and Password.
func (r *Registry) HTTPClient() *http.Client {
	return r.client
}

// Ref returns the image reference of repoTag ("name:tag") in this registry.
func (r *Registry) Ref(repoTag string) string {
	return r.Host + "/" + repoTag
}

// URL returns the registry's base URL, with the scheme its kind serves.
func (r *Registry) URL() string {
	if r.Kind == RegistryPlain {
		return "http://" + r.Host
	}
	return "https://" + r.Host
}

var silenceOnce sync.Once

// silenceRegistryLogs drops the registry's log lines unless BERTH_TEST_DEBUG
// is set. The registry logs through logrus' standard logger, which it offers
// no way to replace, so entries are filtered by the "go.version" field that
// every registry logger carries, leaving other logrus users alone.
func silenceRegistryLogs() {
	if os.Getenv("BERTH_TEST_DEBUG") != "" {
		return
	}
	silenceOnce.Do(func() {
		std := logrus.StandardLogger()
		std.SetFormatter(dropRegistryEntries{std.Formatter})
	})
}

// serverErrorLog is where net/http reports failed TLS handshakes, which tests
// of untrusted certificates cause on purpose.
func serverErrorLog() *log.Logger {
	if os.Getenv("BERTH_TEST_DEBUG") != "" {
		return nil // net/http's default: the standard logger
	}
	return log.New(io.Discard, "", 0)
}

type dropRegistryEntries struct{ next logrus.Formatter }

func (f dropRegistryEntries) Format(e *logrus.Entry) ([]byte, error) {
	if _, ok := e.Data["go.version"]; ok {
		return nil, nil
	}
	return f.next.Format(e)
}

// pusher speaks the distribution HTTP API v2 to one repository of a Registry.
type pusher struct {
	reg  *Registry
	repo string
	// auth is the Authorization header value; "" while the registry asks for none.
	auth string
}

// newPusher asks /v2/ what authentication the registry wants, as docker does
// before a push, so that no request with a streamed body ever needs a replay.
func newPusher(ctx context.Context, reg *Registry, repo string) (*pusher, error) {
	p := &pusher{reg: reg, repo: repo}
	resp, err := p.do(ctx, http.MethodGet, reg.URL()+"/v2/", nil, 0, "")
	if err != nil {
		return nil, err
	}
	_ = resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized {
		if p.auth, err = p.authorize(ctx, resp.Header.Get("WWW-Authenticate")); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (p *pusher) authorize(ctx context.Context, challenge string) (string, error) {
	scheme, params := parseChallenge(challenge)
	switch strings.ToLower(scheme) {
	case "basic":
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(p.reg.User+":"+p.reg.Password)), nil
	case "bearer":
		q := url.Values{"scope": {"repository:" + p.repo + ":pull,push"}}
		if s := params["service"]; s != "" {
			q.Set("service", s)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, params["realm"]+"?"+q.Encode(), nil)
		if err != nil {
			return "", err
		}
		if p.reg.User != "" {
			req.SetBasicAuth(p.reg.User, p.reg.Password)
		}
		resp, err := p.reg.client.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		var tok struct {
			Token       string `json:"token"`
			AccessToken string `json:"access_token"`
		}
		if err := expectStatus(resp, http.StatusOK); err != nil {
			return "", fmt.Errorf("token from %s: %w", params["realm"], err)
		}
		if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
			return "", err
		}
		if tok.Token == "" {
			tok.Token = tok.AccessToken
		}
		return "Bearer " + tok.Token, nil
	}
	return "", fmt.Errorf("registry %s asks for unsupported authentication %q", p.reg.Host, challenge)
}

// parseChallenge splits a WWW-Authenticate value such as
// `Bearer realm="https://x/token",scope="repository:a:pull,push"`; quoted
// values may hold commas, so it is not a plain split.
func parseChallenge(h string) (string, map[string]string) {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	params := map[string]string{}
	for rest = strings.TrimSpace(rest); rest != ""; rest = strings.TrimLeft(rest, ", ") {
		key, after, ok := strings.Cut(rest, "=")
		if !ok {
			break
		}
		var val string
		if strings.HasPrefix(after, `"`) {
			end := strings.Index(after[1:], `"`)
			if end < 0 {
				end = len(after) - 1
			}
			val, rest = after[1:1+end], after[min(len(after), end+2):]
		} else {
			val, rest, _ = strings.Cut(after, ",")
		}
		params[strings.ToLower(strings.TrimSpace(key))] = val
	}
	return scheme, params
}

func (p *pusher) do(ctx context.Context, method, u string, body io.Reader, size int64, contentType string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	req.ContentLength = size
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if p.auth != "" {
		req.Header.Set("Authorization", p.auth)
	}
	return p.reg.client.Do(req)
}

func (p *pusher) pushImage(ctx context.Context, img *Image, ref string) error {
	for _, d := range append([]ocispec.Descriptor{img.Manifest.Config}, img.Manifest.Layers...) {
		if err := p.pushBlob(ctx, img, d); err != nil {
			return err
		}
	}
	return p.putManifest(ctx, ref, ocispec.MediaTypeImageManifest, img.ManifestJSON)
}

// pushBlob uploads d in one monolithic POST+PUT unless the registry has it.
func (p *pusher) pushBlob(ctx context.Context, img *Image, d ocispec.Descriptor) error {
	base := p.reg.URL() + "/v2/" + p.repo + "/blobs/"
	resp, err := p.do(ctx, http.MethodHead, base+d.Digest.String(), nil, 0, "")
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	resp, err = p.do(ctx, http.MethodPost, base+"uploads/", nil, 0, "")
	if err != nil {
		return err
	}
	err = expectStatus(resp, http.StatusAccepted)
	_ = resp.Body.Close()
	if err != nil {
		return fmt.Errorf("start upload of %s: %w", d.Digest, err)
	}
	loc, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
	if err != nil {
		return err
	}
	q := loc.Query()
	q.Set("digest", d.Digest.String())
	loc.RawQuery = q.Encode()
	blob, err := img.OpenBlob(d.Digest)
	if err != nil {
		return err
	}
	defer blob.Close()
	resp, err = p.do(ctx, http.MethodPut, loc.String(), blob, d.Size, "application/octet-stream")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := expectStatus(resp, http.StatusCreated); err != nil {
		return fmt.Errorf("upload %s: %w", d.Digest, err)
	}
	return nil
}

func (p *pusher) putManifest(ctx context.Context, ref, mediaType string, body []byte) error {
	u := p.reg.URL() + "/v2/" + p.repo + "/manifests/" + ref
	resp, err := p.do(ctx, http.MethodPut, u, bytes.NewReader(body), int64(len(body)), mediaType)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := expectStatus(resp, http.StatusCreated); err != nil {
		return fmt.Errorf("put manifest %s:%s: %w", p.repo, ref, err)
	}
	return nil
}

// expectStatus turns an unexpected response into an error carrying the
// registry's own error body, which names the problem (DIGEST_INVALID, ...).
func expectStatus(resp *http.Response, want int) error {
	if resp.StatusCode == want {
		return nil
	}
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return fmt.Errorf("%s %s: %s: %s", resp.Request.Method, resp.Request.URL.Redacted(), resp.Status, bytes.TrimSpace(msg))
}
