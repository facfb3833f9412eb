package registry_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/berth-project/berth/pkg/testutil"
)

// An image pulled from one registry is tagged with another's name, pushed
// there, removed locally and pulled back under the new name: same digest.
func TestPushAndPullBack(t *testing.T) {
	src := startRegistry(t, testutil.RegistryPlain)
	dst := startRegistry(t, testutil.RegistryPlain)
	dgst := pushBusybox(t, src, "busybox:1")
	from, to := src.Ref("busybox:1"), dst.Ref("copy:2")
	expect(t, berth(t, "pull", "-q", from), 0, "")
	ctr(t, "images", "tag", from, to)

	r := berth(t, "push", to)
	expect(t, r, 0, "")
	id := busyboxLayerID(t)
	lines := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
	if lines[0] != fmt.Sprintf("The push refers to repository [%s]", dst.Host+"/copy") {
		t.Fatalf("first line %q:\n%s", lines[0], r)
	}
	if !slices.Contains(lines, id+": Pushed") {
		t.Fatalf("no %q line:\n%s", id+": Pushed", r)
	}
	size := regexp.MustCompile(`^2: digest: ` + regexp.QuoteMeta(dgst.String()) + ` size: [0-9]+$`)
	if !size.MatchString(lines[len(lines)-1]) {
		t.Fatalf("last line %q, want the tag, digest %s and size", lines[len(lines)-1], dgst)
	}

	// Pushing again finds every layer there already.
	r = berth(t, "push", to)
	expect(t, r, 0, "")
	if !strings.Contains(r.Stdout, id+": Layer already exists\n") {
		t.Fatalf("want the layer reported as already there:\n%s", r)
	}

	removeImage(t, to)
	r = berth(t, "pull", to)
	expect(t, r, 0, "")
	if !strings.HasSuffix(r.Stdout, fmt.Sprintf("Digest: %s\nStatus: Downloaded newer image for %[2]s\n%[2]s\n", dgst, to)) {
		t.Fatalf("unexpected output:\n%s", r)
	}
}

func TestPushQuiet(t *testing.T) {
	src := startRegistry(t, testutil.RegistryPlain)
	pushBusybox(t, src, "busybox:q")
	from, to := src.Ref("busybox:q"), src.Ref("other:q")
	expect(t, berth(t, "pull", "-q", from), 0, "")
	ctr(t, "images", "tag", from, to)
	r := berth(t, "push", "-q", to)
	expect(t, r, 0, "")
	if r.Stdout != to+"\n" {
		t.Fatalf("want only the reference, got %q", r.Stdout)
	}
}

func TestPushNotLocal(t *testing.T) {
	reg := startRegistry(t, testutil.RegistryPlain)
	r := berth(t, "push", reg.Ref("nothere:1"))
	expect(t, r, 125, "berth: An image does not exist locally with the tag: "+reg.Host+"/nothere\n")
}

func TestPushInvalidReference(t *testing.T) {
	before := localImages(t)
	r := berth(t, "push", "UPPER/Case")
	expect(t, r, 125, "berth: invalid reference format: repository name (UPPER/Case) must be lowercase\n")
	expectImages(t, before)
}

func TestPushUnreachable(t *testing.T) {
	src := startRegistry(t, testutil.RegistryPlain)
	pushBusybox(t, src, "busybox:u")
	host := closedPort(t)
	from, to := src.Ref("busybox:u"), host+"/busybox:u"
	expect(t, berth(t, "pull", "-q", from), 0, "")
	ctr(t, "images", "tag", from, to)
	r := berth(t, "push", to)
	expect(t, r, 125, fmt.Sprintf("berth: cannot reach the registry %[1]s: dial tcp %[1]s: connect: connection refused\n", host))
}

// A multi-platform image with only its s390x platform here: pushing the
// index would be refused by the registry (its other manifest is missing), so
// as docker does the one present manifest is pushed alone, with a warning;
// flags asking for absent platforms fail before anything is sent. (Platforms
// no other test pulls: test images are reproducible, so content is shared.)
func TestPushMultiPlatform(t *testing.T) {
	reg := startRegistry(t, testutil.RegistryPlain)
	s390x := ocispec.Platform{OS: "linux", Architecture: "s390x"}
	ppc := ocispec.Platform{OS: "linux", Architecture: "ppc64le"}
	idx, err := testutil.PushMultiPlatform(t.Context(), reg, "multi:p", []ocispec.Platform{ppc, s390x})
	if err != nil {
		t.Fatal(err)
	}
	present := indexManifests(t, reg, "multi", "p")["linux/s390x"]
	from, to := reg.Ref("multi:p"), reg.Ref("partial:p")
	expect(t, berth(t, "pull", "-q", "--platform", "linux/s390x", from), 0, "")
	ctr(t, "images", "tag", from, to)

	r := berth(t, "push", "--all-platforms", to)
	expect(t, r, 125, "berth: "+to+" lacks the content of linux/ppc64le locally: pull it with --all-platforms first, or push with --platform\n")
	r = berth(t, "push", "--platform", "linux/ppc64le", to)
	expect(t, r, 125, "berth: "+to+" lacks the content of linux/ppc64le locally: pull it with --platform linux/ppc64le first\n")

	r = berth(t, "push", to)
	expect(t, r, 0, fmt.Sprintf("WARNING: not all platforms of %s are present locally: only linux/s390x was pushed, as a single-platform image (%s -> %s)\n", to, idx, present))
	if !strings.Contains(r.Stdout, "p: digest: "+present.String()+" size: ") {
		t.Fatalf("want the s390x manifest pushed:\n%s", r)
	}
	r = berth(t, "push", "-q", "--platform", "linux/s390x", to)
	expect(t, r, 0, "")
	if slices.ContainsFunc(localImages(t), func(s string) bool { return strings.Contains(s, "@") }) {
		t.Fatalf("the push left a temporary image: %v", localImages(t))
	}
}
