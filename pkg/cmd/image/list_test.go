package image

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func init() {
	// Registered only once in this package's test binary, whichever file
	// comes first (another file may declare it).
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite testdata/*.golden")
	}
}

// golden compares got with testdata/name.golden, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if flag.Lookup("update").Value.String() == "true" {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", path, got, want)
	}
}

var (
	testNow     = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	busyboxID   = digest.Digest("sha256:3f57d9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741")
	alpineID    = digest.Digest("sha256:91ef0af61f39ece4d6710e465df5ed6ca12112358344fd51ae6a3b886634148b")
	danglingID  = digest.Digest("sha256:0f2d6d0e2b6e1a3c4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5")
	busyboxMfst = digest.Digest("sha256:c5439d7db88ab5423999530349d327b04279ad3161d7596d2126dfb5b02bfd1f")
	alpineMfst  = digest.Digest("sha256:1c4eef651f65e2f7daee7ee785882ac164b02b78fb74503052a26dc061c90474")
)

func testSummaries() []imageSummary {
	var bb, al imageSummary
	bb.id, bb.created, bb.size = busyboxID, testNow.Add(-2*time.Hour), 4261550
	bb.addName("docker.io/library/busybox:latest", busyboxMfst)
	bb.addName("registry.local:5000/tools/busybox:1.36", busyboxMfst)
	al.id, al.created, al.size = alpineID, testNow.Add(-50*24*time.Hour), 7800000
	al.addName("docker.io/library/alpine@"+alpineMfst.String(), alpineMfst)
	dg := imageSummary{id: danglingID, created: testNow.Add(-3 * 365 * 24 * time.Hour), size: 1234}
	return []imageSummary{bb, al, dg}
}

// utcLocal makes local times print as UTC for the test: CREATED AT is in
// the local zone, as Docker prints it.
func utcLocal(t *testing.T) {
	saved := time.Local
	time.Local = time.UTC
	t.Cleanup(func() { time.Local = saved })
}

func TestImagesGolden(t *testing.T) {
	utcLocal(t)
	cases := map[string]ImagesOptions{
		"images-table":    {},
		"images-digests":  {Digests: true},
		"images-notrunc":  {NoTrunc: true},
		"images-quiet":    {Quiet: true},
		"images-json":     {Format: "json"},
		"images-template": {Format: "table {{.Repository}}:{{.Tag}}\t{{.Size}}", Digests: true},
	}
	for name, o := range cases {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := writeImageRows(&buf, o, imageRows(testSummaries(), o, testNow)); err != nil {
				t.Fatal(err)
			}
			golden(t, name, buf.Bytes())
		})
	}
}

func TestHistoryGolden(t *testing.T) {
	utcLocal(t)
	created := testNow.Add(-3 * time.Hour)
	old := time.Unix(0, 0)
	img := &localImage{id: busyboxID, readable: true}
	img.config.History = []ocispec.History{
		{Created: &old, CreatedBy: "/bin/sh -c #(nop) ADD file:6cd2e13356aa5339c1384e7a2b3b5f0c3ed4b1ce6a88e2ea1b1ce0f7a4e2b1f4 in / "},
		{Created: &created, CreatedBy: "/bin/sh -c #(nop)  CMD [\"sh\"]", EmptyLayer: true},
		{Created: &created, CreatedBy: "RUN /bin/sh -c echo\thello > /etc/motd # buildkit", Comment: "buildkit.dockerfile.v0"},
	}
	sizes := []int64{4261550, 6}
	cases := map[string]HistoryOptions{
		"history-table":    {Human: true},
		"history-nonhuman": {Human: false, NoTrunc: true},
		"history-json":     {Human: true, Format: "json"},
	}
	for name, o := range cases {
		t.Run(name, func(t *testing.T) {
			def := historyTable
			if !o.Human {
				def = historyNonHumanTable
			}
			l := historyList(o, def)
			var buf bytes.Buffer
			if err := l.Write(&buf, historyRows(img, sizes, o, testNow)); err != nil {
				t.Fatal(err)
			}
			golden(t, name, buf.Bytes())
		})
	}
}
