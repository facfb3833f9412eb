// Package registry_test runs pull, push, login and logout of the built berth
// against a real engine and real registries (plain HTTP, TLS, htpasswd).
package registry_test

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/berth-project/berth/pkg/testutil"
)

var engine *testutil.Engine

func TestMain(m *testing.M) { os.Exit(testutil.Main(m, &engine)) }

// berth runs berth against the test engine.
func berth(t *testing.T, args ...string) testutil.Result {
	t.Helper()
	return engine.Berth(t, args...)
}

// berthIn is berth with stdin.
func berthIn(t *testing.T, stdin string, args ...string) testutil.Result {
	t.Helper()
	return engine.BerthIn(t, strings.NewReader(stdin), args...)
}

// startRegistry starts a registry that lives as long as the test.
func startRegistry(t *testing.T, kind testutil.RegistryKind) *testutil.Registry {
	t.Helper()
	reg, err := testutil.StartRegistry(t.Context(), kind)
	if err != nil {
		t.Fatalf("starting a %s registry: %v", kind, err)
	}
	t.Cleanup(func() { _ = reg.Close() })
	return reg
}

// pushBusybox puts busybox in reg as repoTag and returns its manifest digest.
func pushBusybox(t *testing.T, reg *testutil.Registry, repoTag string) digest.Digest {
	t.Helper()
	d, err := testutil.PushBusybox(t.Context(), reg, repoTag)
	if err != nil {
		t.Fatalf("pushing busybox to %s: %v", reg.Host, err)
	}
	return d
}

// pushNew builds a busybox image changed by opts, pushes it to reg as
// repoTag and removes it from the engine once the test ends. It returns the
// image and its reference.
func pushNew(t *testing.T, reg *testutil.Registry, repoTag string, opts ...testutil.ImageOpt) (*testutil.Image, string) {
	t.Helper()
	img, err := testutil.NewImage(opts...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := testutil.PushImage(t.Context(), reg, repoTag, img); err != nil {
		t.Fatalf("pushing %s to %s: %v", repoTag, reg.Host, err)
	}
	ref := reg.Ref(repoTag)
	t.Cleanup(func() { removeImage(t, ref) })
	return img, ref
}

// busyboxLayerID is the short id docker shows for the busybox layer.
func busyboxLayerID(t *testing.T) string {
	t.Helper()
	l, err := testutil.BusyboxLayer()
	if err != nil {
		t.Fatal(err)
	}
	return digest.FromBytes(l.Blob).Encoded()[:12]
}

// ctr runs the bundled ctr against the test engine; it checks what berth
// left in the engine without depending on other berth commands.
func ctr(t *testing.T, args ...string) string {
	t.Helper()
	bin := filepath.Join(testutil.RepoRoot(), "libexec", "berth", "ctr")
	full := append([]string{"-a", filepath.Join(engine.RunDir, "containerd.sock"), "-n", "default"}, args...)
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, full...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ctr %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// localImages lists the names of the engine's images.
func localImages(t *testing.T) []string {
	t.Helper()
	return strings.Fields(ctr(t, "images", "ls", "-q"))
}

// hasContent reports whether the engine's content store holds d.
func hasContent(t *testing.T, d digest.Digest) bool {
	t.Helper()
	return slices.Contains(strings.Fields(ctr(t, "content", "ls", "-q")), d.String())
}

// removeImage deletes a local image if present, so a test starts clean.
func removeImage(t *testing.T, ref string) {
	t.Helper()
	if slices.Contains(localImages(t), ref) {
		ctr(t, "images", "rm", "--sync", ref)
	}
}

// getManifest asks reg for repo:tag's manifest as mediaType, with the
// registry's own credentials if it has any.
func getManifest(t *testing.T, reg *testutil.Registry, repo, tag, mediaType string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, reg.URL()+"/v2/"+repo+"/manifests/"+tag, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", mediaType)
	if reg.User != "" {
		req.SetBasicAuth(reg.User, reg.Password)
	}
	resp, err := reg.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

// indexManifests reads an index from the registry and returns its manifest
// digests by platform ("linux/arm64").
func indexManifests(t *testing.T, reg *testutil.Registry, repo, tag string) map[string]digest.Digest {
	t.Helper()
	resp := getManifest(t, reg, repo, tag, ocispec.MediaTypeImageIndex)
	var idx ocispec.Index
	if err := json.NewDecoder(resp.Body).Decode(&idx); err != nil {
		t.Fatalf("decoding the index of %s:%s: %v", repo, tag, err)
	}
	out := map[string]digest.Digest{}
	for _, m := range idx.Manifests {
		out[testutil.PlatformString(*m.Platform)] = m.Digest
	}
	return out
}

// expectNoManifest fails the test if reg holds a manifest for repo:tag.
func expectNoManifest(t *testing.T, reg *testutil.Registry, repo, tag string) {
	t.Helper()
	if resp := getManifest(t, reg, repo, tag, ocispec.MediaTypeImageManifest); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET the manifest of %s:%s from %s: %s, want 404 Not Found", repo, tag, reg.Host, resp.Status)
	}
}

// closedPort is a port of 127.0.0.1 where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// expect fails the test unless r exited with code and printed stderr exactly.
func expect(t *testing.T, r testutil.Result, code int, stderr string) {
	t.Helper()
	if r.ExitCode != code || r.Stderr != stderr {
		t.Fatalf("want exit %d and stderr %q, got:\n%s", code, stderr, r)
	}
}

// dockerConfig reads the auths of the test's docker config.
func dockerConfig(t *testing.T) map[string]map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(engine.DockerConfig, "config.json"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var cf struct {
		Auths map[string]map[string]string `json:"auths"`
	}
	if err := json.Unmarshal(data, &cf); err != nil {
		t.Fatalf("config.json: %v\n%s", err, data)
	}
	return cf.Auths
}

// expectImages fails the test unless the engine holds exactly the images
// want, in any order: what a failed command must leave as it found it.
func expectImages(t *testing.T, want []string) {
	t.Helper()
	got := localImages(t)
	if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
		t.Fatalf("the engine holds images %v, want %v", got, want)
	}
}
