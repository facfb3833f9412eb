package testutil

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// startRegistry starts a registry that is closed when the test ends.
func startRegistry(t *testing.T, kind RegistryKind) *Registry {
	t.Helper()
	reg, err := StartRegistry(t.Context(), kind)
	if err != nil {
		t.Fatalf("StartRegistry(%s): %v", kind, err)
	}
	t.Cleanup(func() {
		if err := reg.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return reg
}

// get fetches path from reg with client, with basic credentials when user is set.
func get(t *testing.T, client *http.Client, reg *Registry, path, accept, user, password string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, reg.URL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp, body
}

// clientFromCAFile builds a client from the CA file alone, as berth would
// from --hosts-dir, so the test proves the file on disk is right.
func clientFromCAFile(t *testing.T, caFile string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no PEM certificate", caFile)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func TestRegistryKinds(t *testing.T) {
	for _, kind := range []RegistryKind{RegistryPlain, RegistryTLS, RegistryAuth} {
		t.Run(kind.String(), func(t *testing.T) {
			t.Parallel()
			reg := startRegistry(t, kind)
			if !strings.HasPrefix(reg.Host, "127.0.0.1:") || reg.Ref("a/b:c") != reg.Host+"/a/b:c" {
				t.Fatalf("Host %q, Ref %q", reg.Host, reg.Ref("a/b:c"))
			}
			want, err := PushBusybox(t.Context(), reg, "test/busybox:1.0")
			if err != nil {
				t.Fatalf("PushBusybox: %v", err)
			}

			client := reg.HTTPClient()
			if kind != RegistryPlain {
				client = clientFromCAFile(t, reg.CAFile)
				checkCertsDir(t, reg)
				checkUntrusted(t, reg)
			}
			if kind == RegistryAuth {
				checkAuthRequired(t, reg, client)
			}
			resp, body := get(t, client, reg, "/v2/test/busybox/manifests/1.0", ocispec.MediaTypeImageManifest, reg.User, reg.Password)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET manifest: %s: %s", resp.Status, body)
			}
			if got := digest.FromBytes(body); got != want || resp.Header.Get("Docker-Content-Digest") != want.String() {
				t.Fatalf("manifest digest %s (header %s), pushed %s", got, resp.Header.Get("Docker-Content-Digest"), want)
			}
			var m ocispec.Manifest
			if err := json.Unmarshal(body, &m); err != nil {
				t.Fatal(err)
			}
			resp, cfg := get(t, client, reg, "/v2/test/busybox/blobs/"+m.Config.Digest.String(), "", reg.User, reg.Password)
			if resp.StatusCode != http.StatusOK || digest.FromBytes(cfg) != m.Config.Digest {
				t.Fatalf("GET config: %s, digest %s, want %s", resp.Status, digest.FromBytes(cfg), m.Config.Digest)
			}
		})
	}
}

func checkCertsDir(t *testing.T, reg *Registry) {
	t.Helper()
	ca, err := os.ReadFile(reg.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	inDir, err := os.ReadFile(filepath.Join(reg.CertsDir, reg.Host, "ca.crt"))
	if err != nil || !bytes.Equal(ca, inDir) {
		t.Fatalf("<CertsDir>/%s/ca.crt should be the CA file: err %v", reg.Host, err)
	}
}

// checkUntrusted makes sure the registry really serves its own certificate:
// a client with only the system roots must refuse it.
func checkUntrusted(t *testing.T, reg *Registry) {
	t.Helper()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get(reg.URL() + "/v2/")
	if err == nil {
		resp.Body.Close()
		t.Fatal("a client without the test CA was trusted")
	}
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("want an unknown authority error, got %v", err)
	}
}

func checkAuthRequired(t *testing.T, reg *Registry, client *http.Client) {
	t.Helper()
	for _, c := range []struct{ name, user, password string }{
		{"no credentials", "", ""},
		{"wrong password", reg.User, reg.Password + "x"},
	} {
		resp, body := get(t, client, reg, "/v2/test/busybox/manifests/1.0", ocispec.MediaTypeImageManifest, c.user, c.password)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("%s: want 401, got %s: %s", c.name, resp.Status, body)
		}
		if ch := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(ch, "Basic ") {
			t.Fatalf("%s: WWW-Authenticate %q", c.name, ch)
		}
	}
}

func TestRegistryCloseReleasesEverything(t *testing.T) {
	reg, err := StartRegistry(t.Context(), RegistryAuth)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := PushBusybox(t.Context(), reg, "leak:test"); err != nil {
		t.Fatal(err)
	}
	if serverGoroutines() == "" {
		t.Fatal("the leak check sees no server goroutine even while the registry runs")
	}
	if err := reg.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := reg.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if conn, err := net.Dial("tcp", reg.Host); err == nil {
		conn.Close()
		t.Fatalf("%s still accepts connections after Close", reg.Host)
	}
	if _, err := os.Stat(reg.CAFile); !os.IsNotExist(err) {
		t.Fatalf("registry files left behind: stat %s: %v", reg.CAFile, err)
	}
	// Connection goroutines end just after Close returns, when they see their
	// closed sockets: give them the chance before calling anything a leak.
	var leaked string
	for range 500 {
		if leaked = serverGoroutines(); leaked == "" {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("goroutines left after Close:\n%s", leaked)
}

// serverGoroutines returns the stacks of goroutines that belong to a registry
// server or to its client connections.
func serverGoroutines() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "distribution/distribution") || strings.Contains(g, "net/http.(*conn).serve") ||
			strings.Contains(g, "net/http.(*persistConn)") || strings.Contains(g, "net/http.(*Server).Serve") {
			out = append(out, g)
		}
	}
	return strings.Join(out, "\n\n")
}

func TestRegistryParseChallenge(t *testing.T) {
	for _, c := range []struct {
		in     string
		scheme string
		params map[string]string
	}{
		{`Basic realm="berth-test"`, "Basic", map[string]string{"realm": "berth-test"}},
		{`Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"`, "Bearer",
			map[string]string{"realm": "https://auth.example/token", "service": "registry.example", "scope": "repository:a/b:pull,push"}},
		{`Bearer realm=https://x/t, service=reg`, "Bearer", map[string]string{"realm": "https://x/t", "service": "reg"}},
		{`Basic`, "Basic", map[string]string{}},
	} {
		scheme, params := parseChallenge(c.in)
		if scheme != c.scheme || len(params) != len(c.params) {
			t.Errorf("parseChallenge(%q) = %q, %v; want %q, %v", c.in, scheme, params, c.scheme, c.params)
			continue
		}
		for k, v := range c.params {
			if params[k] != v {
				t.Errorf("parseChallenge(%q)[%s] = %q, want %q", c.in, k, params[k], v)
			}
		}
	}
}
