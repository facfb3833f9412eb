package registry_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/berth-project/berth/pkg/testutil"
)

// A registry on 127.0.0.1 speaks plain HTTP without any flag, as with docker;
// the output is docker's, without bars since stdout is not a terminal: the
// new layer downloaded and extracted, the busybox layer already there.
func TestPullPlain(t *testing.T) {
	reg := startRegistry(t, testutil.RegistryPlain)
	pushBusybox(t, reg, "busybox:1")
	expect(t, berth(t, "pull", "-q", reg.Ref("busybox:1")), 0, "")
	img, ref := pushNew(t, reg, "app:1", testutil.WithFiles(testutil.File{Path: "etc/plain", Content: []byte("plain\n")}))
	dgst := img.Digest()
	base, top := img.Manifest.Layers[0].Digest.Encoded()[:12], img.Manifest.Layers[1].Digest.Encoded()[:12]

	r := berth(t, "pull", ref)
	expect(t, r, 0, "")
	want := fmt.Sprintf("1: Pulling from app\n"+
		"%[1]s: Pulling fs layer\n%[1]s: Download complete\n%[1]s: Pull complete\n%[2]s: Already exists\n"+
		"Digest: %[3]s\nStatus: Downloaded newer image for %[4]s\n%[4]s\n", top, base, dgst, ref)
	if r.Stdout != want {
		t.Fatalf("stdout:\n%s\nwant:\n%s", r.Stdout, want)
	}
	if !slices.Contains(localImages(t), ref) {
		t.Fatalf("%s is not among the engine's images: %v", ref, localImages(t))
	}

	// Again: nothing to download, and docker's words for it.
	r = berth(t, "pull", ref)
	expect(t, r, 0, "")
	want = fmt.Sprintf("1: Pulling from app\nDigest: %[1]s\nStatus: Image is up to date for %[2]s\n%[2]s\n", dgst, ref)
	if r.Stdout != want {
		t.Fatalf("stdout:\n%s\nwant:\n%s", r.Stdout, want)
	}
}

// A name without a tag is pulled as :latest, and docker says so; localhost
// falls back to plain HTTP like 127.0.0.1.
func TestPullDefaultTagLocalhost(t *testing.T) {
	reg := startRegistry(t, testutil.RegistryPlain)
	dgst := pushBusybox(t, reg, "busybox:latest")
	ref := "localhost:" + strings.Split(reg.Host, ":")[1] + "/busybox"

	r := berth(t, "pull", ref)
	expect(t, r, 0, "")
	lines := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
	if lines[0] != "Using default tag: latest" || lines[1] != "latest: Pulling from busybox" {
		t.Fatalf("want the default tag announced:\n%s", r)
	}
	tail := strings.Join(lines[len(lines)-3:], "\n")
	want := fmt.Sprintf("Digest: %s\nStatus: Downloaded newer image for %[2]s:latest\n%[2]s:latest", dgst, ref)
	if tail != want {
		t.Fatalf("stdout ends with:\n%s\nwant:\n%s", tail, want)
	}
}

// A registry berth was not told about is refused if its TLS certificate is
// not trusted or it speaks plain HTTP; --insecure-registry allows both, as
// with nerdctl. containerd allows them on its own for "localhost" and
// loopback IPs (docker too, for 127.0.0.0/8), so the registry is named
// LOCALHOST: the same host to the resolver and the certificate, but not to
// that rule.
func TestPullInsecureRegistryFlag(t *testing.T) {
	for _, tc := range []struct {
		kind    testutil.RegistryKind
		refusal string
	}{
		// The refusal says what is wrong and the two ways out.
		{testutil.RegistryTLS, "berth: the registry %[1]s presented a certificate that is not trusted " +
			"(x509: certificate signed by unknown authority): put its CA certificate in /etc/berth/certs.d/%[1]s/ca.crt, " +
			"or pass --insecure-registry\n"},
		{testutil.RegistryPlain, "berth: the registry %[1]s speaks plain HTTP, not HTTPS: pass --insecure-registry, " +
			"or configure it as server = \"http://%[1]s\" in /etc/berth/certs.d/%[1]s/hosts.toml\n"},
	} {
		t.Run(tc.kind.String(), func(t *testing.T) {
			reg := startRegistry(t, tc.kind)
			pushBusybox(t, reg, "busybox:1")
			host := "LOCALHOST:" + strings.Split(reg.Host, ":")[1]
			ref := host + "/busybox:1"
			t.Cleanup(func() { removeImage(t, ref) })
			before := localImages(t)

			expect(t, berth(t, "pull", "-q", ref), 125, fmt.Sprintf(tc.refusal, host))
			expectImages(t, before)

			r := berth(t, "--insecure-registry", "pull", "-q", ref)
			expect(t, r, 0, "")
			if r.Stdout != ref+"\n" {
				t.Fatalf("stdout %q", r.Stdout)
			}
			expectImages(t, append(before, ref))
		})
	}
}

// The CA of a TLS registry comes from the certs.d layout named by --hosts-dir.
func TestPullTLSHostsDir(t *testing.T) {
	reg := startRegistry(t, testutil.RegistryTLS)
	dgst := pushBusybox(t, reg, "busybox:1")
	ref := reg.Ref("busybox:1")
	r := berth(t, "--hosts-dir", reg.CertsDir, "pull", ref)
	expect(t, r, 0, "")
	if !strings.HasSuffix(r.Stdout, fmt.Sprintf("Digest: %s\nStatus: Downloaded newer image for %[2]s\n%[2]s\n", dgst, ref)) {
		t.Fatalf("unexpected output:\n%s", r)
	}
}

// hosts.toml may send a name to another server: the pull goes where the
// configuration says, and the image keeps the name it was asked for.
func TestPullHostsTomlServer(t *testing.T) {
	reg := startRegistry(t, testutil.RegistryPlain)
	dgst := pushBusybox(t, reg, "busybox:1")
	dir := t.TempDir()
	hostDir := filepath.Join(dir, "registry.invalid")
	if err := os.MkdirAll(hostDir, 0o755); err != nil {
		t.Fatal(err)
	}
	toml := fmt.Sprintf("server = %q\n", "http://"+reg.Host)
	if err := os.WriteFile(filepath.Join(hostDir, "hosts.toml"), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	ref := "registry.invalid/busybox:1"
	r := berth(t, "--hosts-dir", dir, "pull", ref)
	expect(t, r, 0, "")
	if !strings.Contains(r.Stdout, "Digest: "+dgst.String()+"\n") || !strings.HasSuffix(r.Stdout, "\n"+ref+"\n") {
		t.Fatalf("unexpected output:\n%s", r)
	}
}

// A mirror in hosts.toml is tried before the registry itself: the upstream
// here does not even run, yet the pull succeeds from the mirror.
func TestPullThroughMirror(t *testing.T) {
	mirror := startRegistry(t, testutil.RegistryPlain)
	dgst := pushBusybox(t, mirror, "busybox:1")
	upstream := closedPort(t)
	dir := t.TempDir()
	hostDir := filepath.Join(dir, upstream)
	if err := os.MkdirAll(hostDir, 0o755); err != nil {
		t.Fatal(err)
	}
	toml := fmt.Sprintf("server = %q\n\n[host.%q]\n  capabilities = [\"pull\", \"resolve\"]\n",
		"http://"+upstream, "http://"+mirror.Host)
	if err := os.WriteFile(filepath.Join(hostDir, "hosts.toml"), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	ref := upstream + "/busybox:1"
	t.Cleanup(func() { removeImage(t, ref) })
	r := berth(t, "--hosts-dir", dir, "pull", "-q", ref)
	expect(t, r, 0, "")
	if r.Stdout != ref+"\n" {
		t.Fatalf("stdout %q", r.Stdout)
	}
	// Other tests' busybox images share the digest: look for this name's.
	r = berth(t, "image", "inspect", "--format", "{{range .RepoDigests}}{{.}} {{end}}", ref)
	expect(t, r, 0, "")
	if want := upstream + "/busybox@" + dgst.String(); !slices.Contains(strings.Fields(r.Stdout), want) {
		t.Fatalf("repo digests %q lack %q", r.Stdout, want)
	}
	// Without the mirror, the same pull meets the closed port.
	r = berth(t, "pull", "-q", upstream+"/busybox:2")
	if r.ExitCode != 125 || !strings.Contains(r.Stderr, "cannot reach the registry "+upstream) {
		t.Fatalf("want the upstream unreachable without the mirror:\n%s", r)
	}
}

// --unpack=false stops at the download: the layer's last state is
// "Download complete".
func TestPullNoUnpack(t *testing.T) {
	reg := startRegistry(t, testutil.RegistryPlain)
	img, ref := pushNew(t, reg, "nounpack:1", testutil.WithFiles(testutil.File{Path: "etc/nounpack", Content: []byte("x\n")}))
	top := img.Manifest.Layers[1].Digest.Encoded()[:12]
	r := berth(t, "pull", "--unpack=false", ref)
	expect(t, r, 0, "")
	if !strings.Contains(r.Stdout, top+": Download complete\n") || strings.Contains(r.Stdout, top+": Pull complete") {
		t.Fatalf("unexpected output:\n%s", r)
	}
}

func TestPullQuiet(t *testing.T) {
	reg := startRegistry(t, testutil.RegistryPlain)
	pushBusybox(t, reg, "quiet:1")
	r := berth(t, "pull", "-q", reg.Ref("quiet:1"))
	expect(t, r, 0, "")
	if r.Stdout != reg.Ref("quiet:1")+"\n" {
		t.Fatalf("want only the reference, got %q", r.Stdout)
	}
}

var (
	amd64 = ocispec.Platform{OS: "linux", Architecture: "amd64"}
	arm64 = ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}
)

// --platform picks that platform's manifest from an index; it need not run
// here, so it is fetched but not unpacked.
func TestPullPlatform(t *testing.T) {
	reg := startRegistry(t, testutil.RegistryPlain)
	idx, err := testutil.PushMultiPlatform(t.Context(), reg, "multi:1", []ocispec.Platform{amd64, arm64})
	if err != nil {
		t.Fatal(err)
	}
	manifests := indexManifests(t, reg, "multi", "1")
	ref := reg.Ref("multi:1")
	t.Cleanup(func() { removeImage(t, ref) })
	r := berth(t, "pull", "--platform", "linux/arm64", ref)
	expect(t, r, 0, "")
	if !strings.HasSuffix(r.Stdout, fmt.Sprintf("Digest: %s\nStatus: Downloaded newer image for %[2]s\n%[2]s\n", idx, ref)) {
		t.Fatalf("unexpected output:\n%s", r)
	}
	if !hasContent(t, manifests["linux/arm64/v8"]) {
		t.Errorf("the arm64 manifest %s was not pulled", manifests["linux/arm64/v8"])
	}
	if hasContent(t, manifests["linux/amd64"]) {
		t.Errorf("the amd64 manifest %s was pulled too", manifests["linux/amd64"])
	}
}

func TestPullAllPlatforms(t *testing.T) {
	reg := startRegistry(t, testutil.RegistryPlain)
	if _, err := testutil.PushMultiPlatform(t.Context(), reg, "multi:all", []ocispec.Platform{amd64, arm64}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeImage(t, reg.Ref("multi:all")) })
	r := berth(t, "pull", "-q", "--all-platforms", reg.Ref("multi:all"))
	expect(t, r, 0, "")
	for plat, d := range indexManifests(t, reg, "multi", "all") {
		if !hasContent(t, d) {
			t.Errorf("the %s manifest %s was not pulled", plat, d)
		}
	}
}

func TestPullPlatformFlagsExclusive(t *testing.T) {
	r := berth(t, "pull", "--all-platforms", "--platform", "linux/arm64", "busybox")
	expect(t, r, 125, "berth: --platform and --all-platforms are mutually exclusive\n")
}

func TestPullInvalidReference(t *testing.T) {
	before := localImages(t)
	r := berth(t, "pull", "UPPER/Case")
	expect(t, r, 125, "berth: invalid reference format: repository name (UPPER/Case) must be lowercase\n")
	expectImages(t, before)
}

func TestPullNotFound(t *testing.T) {
	reg := startRegistry(t, testutil.RegistryPlain)
	ref := reg.Ref("nope:1")
	r := berth(t, "pull", ref)
	expect(t, r, 125, "berth: manifest for "+ref+" not found: manifest unknown\n")
	if slices.Contains(localImages(t), ref) {
		t.Fatalf("a failed pull left %s behind", ref)
	}
}

// A closed port fails at once with what is wrong, and leaves no image.
func TestPullUnreachable(t *testing.T) {
	host := closedPort(t)
	ref := host + "/busybox:1"
	r := berth(t, "pull", ref)
	expect(t, r, 125, fmt.Sprintf("berth: cannot reach the registry %[1]s: dial tcp %[1]s: connect: connection refused\n", host))
	if slices.Contains(localImages(t), ref) {
		t.Fatalf("a failed pull left %s behind", ref)
	}
}

// Layers are applied in order, whatever the engine unpacks in parallel: a
// whiteout hides a file of an earlier layer, an opaque directory hides all
// its earlier content, and a later layer adds to what is left.
func TestPullAppliesWhiteouts(t *testing.T) {
	reg := startRegistry(t, testutil.RegistryPlain)
	type F = testutil.File
	_, ref := pushNew(t, reg, "whiteout:1", testutil.WithLayers(
		[]F{{Path: "data/a"}, {Path: "data/b"}, {Path: "dir/x"}},
		[]F{{Path: "data/.wh.a"}, {Path: "dir/.wh..wh..opq"}, {Path: "dir/y"}},
		[]F{{Path: "data/c"}},
	))
	expect(t, berth(t, "pull", "-q", ref), 0, "")

	r := berth(t, "run", "--rm", ref, "ls", "/data", "/dir")
	expect(t, r, 0, "")
	if want := "/data:\nb\nc\n\n/dir:\ny\n"; r.Stdout != want {
		t.Fatalf("ls /data /dir:\n%s\nwant:\n%s", r.Stdout, want)
	}
}

// berth has no content trust: asking for it is refused, not ignored, by the
// flag or by DOCKER_CONTENT_TRUST as docker reads it; --disable-content-trust
// (docker's default) is accepted.
func TestPullContentTrustRefused(t *testing.T) {
	reg := startRegistry(t, testutil.RegistryPlain)
	pushBusybox(t, reg, "busybox:1")
	ref := reg.Ref("busybox:1")
	t.Cleanup(func() { removeImage(t, ref) })
	before := localImages(t)
	for _, verb := range []string{"pull", "push"} {
		expect(t, berth(t, verb, "--disable-content-trust=false", ref), 125,
			"berth: content trust is not supported: berth cannot verify image signatures (drop --disable-content-trust=false)\n")
	}
	withEnv := func(args ...string) (int, string) {
		cmd := engine.Cmd(args...)
		cmd.Env = append(cmd.Env, "DOCKER_CONTENT_TRUST=1")
		out, _ := cmd.CombinedOutput()
		return cmd.ProcessState.ExitCode(), string(out)
	}
	code, out := withEnv("pull", "-q", ref)
	if want := "berth: content trust is not supported: berth cannot verify image signatures (unset DOCKER_CONTENT_TRUST)\n"; code != 125 || out != want {
		t.Fatalf("DOCKER_CONTENT_TRUST=1: exit %d, %q, want 125, %q", code, out, want)
	}
	expectImages(t, before)
	if code, out = withEnv("pull", "-q", "--disable-content-trust", ref); code != 0 || out != ref+"\n" {
		t.Fatalf("--disable-content-trust with DOCKER_CONTENT_TRUST=1: exit %d, %q", code, out)
	}
}
