package image_test

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/berth-project/berth/pkg/testutil"
)

func TestPrune(t *testing.T) {
	mine := "label=berth.test=" + t.Name()
	dangling := newImage(t, testutil.WithEnv("DANGLING=1"))
	tagged := newImage(t, testutil.WithEnv("TAGGED=1"))
	load(t, dockerArchive(t, dangling, ""), "Loaded image ID: "+imageID(dangling)+"\n", imageID(dangling))
	load(t, ociArchive(t, tagged, "docker.io/berth-test/prune:1"), "Loaded image: berth-test/prune:1\n", imageID(tagged))
	list := func() string {
		return mustBerth(t, "images", "-q", "--no-trunc", "--filter", mine).Stdout
	}
	both := list()

	// No answer on stdin declines, as docker's prompt does.
	prompt := "WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] "
	expect(t, berthIn(t, strings.NewReader(""), "image", "prune"), 0, prompt, "")
	expect(t, berthIn(t, strings.NewReader("n\n"), "image", "prune"), 0, prompt, "")
	if got := list(); got != both {
		t.Fatalf("a declined prune removed images:\n%s", got)
	}

	space := `Total reclaimed space: \d+(\.\d+)?[kMG]?B\n$`
	r := berthIn(t, strings.NewReader("y\n"), "image", "prune")
	want := regexp.MustCompile("^" + regexp.QuoteMeta(prompt+"Deleted Images:\ndeleted: "+imageID(dangling)+"\n\n") + space)
	if r.ExitCode != 0 || !want.MatchString(r.Stdout) || r.Stderr != "" {
		t.Errorf("prune:\n%s", r)
	}
	if got := list(); got != imageID(tagged)+"\n" {
		t.Errorf("after prune:\n%s", got)
	}

	expect(t, berth(t, "image", "prune", "-a", "-f", "--filter", "label=berth.test=someone-else"), 0, "Total reclaimed space: 0B\n", "")
	expect(t, berth(t, "image", "prune", "-a", "-f", "--filter", mine, "--filter", "until=2023-01-01T00:00:00Z"), 0, "Total reclaimed space: 0B\n", "")
	r = berth(t, "image", "prune", "-a", "-f", "--filter", mine, "--filter", "until=1h")
	want = regexp.MustCompile("^" + regexp.QuoteMeta("Deleted Images:\nuntagged: berth-test/prune:1\ndeleted: "+imageID(tagged)+"\n\n") + space)
	if r.ExitCode != 0 || !want.MatchString(r.Stdout) || r.Stderr != "" {
		t.Errorf("prune -a:\n%s", r)
	}
	if got := list(); got != "" {
		t.Errorf("after prune -a:\n%s", got)
	}
	expect(t, berth(t, "image", "prune", "--filter", "dangling=true"), 125, "", "berth: invalid filter 'dangling'\n")
}

func TestSaveLoadRoundTrip(t *testing.T) {
	a := newImage(t, testutil.WithEnv("SAVE=a"))
	b := newImage(t, testutil.WithEnv("SAVE=b"))
	load(t, ociArchive(t, a, "docker.io/berth-test/save-a:1"), "Loaded image: berth-test/save-a:1\n", "berth-test/save-a:1")
	load(t, dockerArchive(t, b, "berth-test/save-b:2"), "Loaded image: berth-test/save-b:2\n", "berth-test/save-b:2")

	out := filepath.Join(t.TempDir(), "saved.tar")
	expect(t, berth(t, "save", "-o", out, "berth-test/save-a:1", "berth-test/save-b:2"), 0, "", "")
	saved, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	entries := readTar(t, saved)
	for _, name := range []string{"oci-layout", "index.json", "manifest.json", "repositories",
		"blobs/sha256/" + a.Manifest.Config.Digest.Encoded(), "blobs/sha256/" + b.Manifest.Config.Digest.Encoded()} {
		if _, ok := entries[name]; !ok {
			t.Errorf("saved archive lacks %s", name)
		}
	}
	var mfsts []struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
	if err := json.Unmarshal(entries["manifest.json"], &mfsts); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	var tags []string
	for _, m := range mfsts {
		tags = append(tags, m.RepoTags...)
		if _, ok := entries[m.Config]; !ok || len(m.Layers) == 0 {
			t.Errorf("manifest.json entry %+v names missing files", m)
		}
	}
	if !reflect.DeepEqual(slices.Sorted(slices.Values(tags)), []string{"berth-test/save-a:1", "berth-test/save-b:2"}) {
		t.Errorf("manifest.json RepoTags %v", tags)
	}
	if !strings.Contains(string(entries["repositories"]), `"berth-test/save-a":{"1":"`) {
		t.Errorf("repositories: %s", entries["repositories"])
	}

	// Remove both and load them back from the saved file and from stdin.
	mustBerth(t, "rmi", "berth-test/save-a:1", "berth-test/save-b:2")
	expect(t, berth(t, "load", "-i", out), 0, "Loaded image: berth-test/save-a:1\nLoaded image: berth-test/save-b:2\n", "")
	expect(t, berth(t, "images", "--filter", "reference=berth-test/save-*", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"), 0,
		sortedLines("berth-test/save-a:1 "+shortID(imageID(a)), "berth-test/save-b:2 "+shortID(imageID(b))), "")

	// To stdout when it is not a terminal; the same image loads from it.
	r := mustBerth(t, "image", "save", "berth-test/save-a:1")
	if _, ok := readTar(t, []byte(r.Stdout))["index.json"]; !ok {
		t.Errorf("save to stdout wrote no archive")
	}
	mustBerth(t, "rmi", "berth-test/save-a:1")
	expect(t, berthIn(t, strings.NewReader(r.Stdout), "load"), 0, "Loaded image: berth-test/save-a:1\n", "")
}

func TestSaveErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "never.tar")
	expect(t, berth(t, "save", "-o", out, "berth-test/nope"), 125, "", "berth: No such image: berth-test/nope:latest\n")
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a failed save left %s", out)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*")); len(left) > 0 {
		t.Errorf("a failed save left %v", left)
	}
	expect(t, berth(t, "save", "--platform", "linux/amd64", "--all-platforms", "busybox"), 125, "",
		"berth: --platform and --all-platforms cannot be used together\n")
	expect(t, berth(t, "save"), 125, "",
		"berth: \"berth save\" requires at least 1 argument.\nSee 'berth save --help'.\n\nUsage:  berth save [OPTIONS] IMAGE [IMAGE...] [flags]\n\nSave one or more images to a tar archive (streamed to STDOUT by default)\n")
}

func readTar(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("reading the saved archive: %v", err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(hdr.Name, "/")] = body
	}
}

// sortedLines joins lines in the order images lists images of one creation
// time: by image ID, the last field.
func sortedLines(lines ...string) string {
	slices.SortFunc(lines, func(a, b string) int {
		return strings.Compare(a[strings.LastIndex(a, " ")+1:], b[strings.LastIndex(b, " ")+1:])
	})
	return strings.Join(lines, "\n") + "\n"
}
