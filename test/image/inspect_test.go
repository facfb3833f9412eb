package image_test

import (
	"encoding/json"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/berth-project/berth/pkg/testutil"
)

// inspected is the part of docker's image inspect object the test checks.
type inspected struct {
	Id           string
	RepoTags     []string
	RepoDigests  []string
	Parent       string
	Comment      string
	Created      string
	Architecture string
	Os           string
	Size         int64
	Config       struct {
		Env    []string
		Cmd    []string
		Labels map[string]string
	}
	RootFS struct {
		Type   string
		Layers []string
	}
	Metadata struct {
		LastTagTime string
	}
}

func TestInspect(t *testing.T) {
	img := newImage(t, testutil.WithEnv("FOO=bar"))
	load(t, ociArchive(t, img, "docker.io/berth-test/inspect:1"), "Loaded image: berth-test/inspect:1\n", "berth-test/inspect:1")

	r := mustBerth(t, "image", "inspect", "berth-test/inspect:1")
	var got []inspected
	if err := json.Unmarshal([]byte(r.Stdout), &got); err != nil || len(got) != 1 {
		t.Fatalf("inspect output (%v):\n%s", err, r.Stdout)
	}
	g := got[0]
	if !strings.HasPrefix(r.Stdout, "[\n    {\n        \"Id\": \""+imageID(img)+"\",\n") {
		t.Errorf("inspect is not docker's indented array:\n%s", r.Stdout)
	}
	var layers []string
	for _, d := range img.Config.RootFS.DiffIDs {
		layers = append(layers, d.String())
	}
	checks := []struct {
		field     string
		got, want any
	}{
		{"Id", g.Id, imageID(img)},
		{"RepoTags", g.RepoTags, []string{"berth-test/inspect:1"}},
		{"RepoDigests", g.RepoDigests, []string{"berth-test/inspect@" + img.Digest().String()}},
		{"Created", g.Created, "2024-01-01T00:00:00Z"},
		{"Architecture", g.Architecture, runtime.GOARCH},
		{"Os", g.Os, "linux"},
		{"Config.Env", g.Config.Env, []string{testutil.DefaultPath, "FOO=bar"}},
		{"Config.Cmd", g.Config.Cmd, []string{"sh"}},
		{"Config.Labels", g.Config.Labels, map[string]string{"berth.test": t.Name()}},
		{"RootFS.Type", g.RootFS.Type, "layers"},
		{"RootFS.Layers", g.RootFS.Layers, layers},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.field, c.got, c.want)
		}
	}
	if g.Size <= 0 {
		t.Errorf("Size = %d", g.Size)
	}
	if _, err := time.Parse(time.RFC3339Nano, g.Metadata.LastTagTime); err != nil {
		t.Errorf("Metadata.LastTagTime %q: %v", g.Metadata.LastTagTime, err)
	}

	expect(t, berth(t, "image", "inspect", "--format", "{{.Id}} {{.Os}} {{json .Config.Cmd}}", shortID(imageID(img))),
		0, imageID(img)+" linux [\"sh\"]\n", "")
	r = mustBerth(t, "image", "inspect", "--format", "json", "berth-test/inspect:1")
	if strings.Count(r.Stdout, "\n") != 1 || !strings.HasPrefix(r.Stdout, `{"Id":"`+imageID(img)+`"`) {
		t.Errorf("--format json:\n%s", r.Stdout)
	}
	// Those found are printed; the missing ones fail the command.
	r = berth(t, "image", "inspect", "--format", "{{.Id}}", "berth-test/inspect:1", "berth-test/nope")
	expect(t, r, 125, imageID(img)+"\n", "berth: No such image: berth-test/nope:latest\n")
	expect(t, berth(t, "image", "inspect", "berth-test/nope"), 125, "[]\n", "berth: No such image: berth-test/nope:latest\n")
}

func TestHistory(t *testing.T) {
	created := time.Now().Add(-5 * time.Hour)
	img := withCreated(t, newImage(t, testutil.WithFiles(testutil.File{Path: "etc/motd", Content: []byte("hello\n")})), created)
	load(t, ociArchive(t, img, "docker.io/berth-test/history:1"), "Loaded image: berth-test/history:1\n", "berth-test/history:1")
	short := shortID(imageID(img))

	r := mustBerth(t, "history", "berth-test/history:1")
	table := regexp.MustCompile(`^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT\n` +
		short + `\s+5 hours ago\s+berth testutil layer 1\s+\d+(\.\d+)?[kMG]?B\s*\n` +
		`<missing>\s+5 hours ago\s+berth testutil layer 0\s+\d+(\.\d+)?[kMG]?B\s*\n$`)
	if !table.MatchString(r.Stdout) {
		t.Errorf("history table:\n%s", r.Stdout)
	}
	expect(t, berth(t, "image", "history", "-q", "berth-test/history:1"), 0, short+"\n<missing>\n", "")
	r = mustBerth(t, "history", "--no-trunc", "-H=false", "--format", "{{.ID}} {{.CreatedAt}} {{.Size}}", "berth-test/history:1")
	lines := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("history --no-trunc:\n%s", r.Stdout)
	}
	for i, id := range []string{imageID(img), "<missing>"} {
		f := strings.Fields(lines[i])
		if len(f) != 3 || f[0] != id || !regexp.MustCompile(`^\d+$`).MatchString(f[2]) {
			t.Errorf("line %q: want ID %s and a size in bytes", lines[i], id)
			continue
		}
		if at, err := time.Parse(time.RFC3339, f[1]); err != nil || !at.Equal(created.Truncate(time.Second)) {
			t.Errorf("CreatedAt %q, want %s", f[1], created.Truncate(time.Second).Format(time.RFC3339))
		}
	}
	r = mustBerth(t, "history", "--format", "json", "berth-test/history:1")
	var first map[string]string
	if err := json.Unmarshal([]byte(strings.SplitN(r.Stdout, "\n", 2)[0]), &first); err != nil {
		t.Fatalf("history json: %v\n%s", err, r.Stdout)
	}
	if first["ID"] != short || first["CreatedBy"] != "berth testutil layer 1" || first["CreatedSince"] != "5 hours ago" {
		t.Errorf("history json: %v", first)
	}
	expect(t, berth(t, "history", "-q", "--format", "{{.ID}}", "berth-test/history:1"), 125, "", "berth: cannot use --quiet and --format together\n")
	expect(t, berth(t, "history", "berth-test/nope"), 125, "", "berth: No such image: berth-test/nope:latest\n")
}
