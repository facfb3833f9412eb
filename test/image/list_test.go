package image_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/berth-project/berth/pkg/testutil"
)

// loadListImages loads two images three hours and ten minutes old.
func loadListImages(t *testing.T) (older, newer *testutil.Image) {
	t.Helper()
	now := time.Now()
	older = withCreated(t, newImage(t, testutil.WithLabels(map[string]string{"tier": "base"})), now.Add(-3*time.Hour))
	newer = withCreated(t, newImage(t, testutil.WithEnv("NEWER=1")), now.Add(-10*time.Minute))
	load(t, ociArchive(t, older, "docker.io/berth-test/list-a:1"), "Loaded image: berth-test/list-a:1\n", "berth-test/list-a:1")
	load(t, ociArchive(t, newer, "docker.io/berth-test/list-b:2"), "Loaded image: berth-test/list-b:2\n", "berth-test/list-b:2")
	return older, newer
}

func TestImages(t *testing.T) {
	older, newer := loadListImages(t)
	oldID, newID := shortID(imageID(older)), shortID(imageID(newer))
	mine := "label=berth.test=" + t.Name()

	// The default table: header, newest first, Docker's units.
	r := mustBerth(t, "images", "--filter", mine)
	rows := regexp.MustCompile(`^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\n` +
		`berth-test/list-b\s+2\s+` + newID + `\s+10 minutes ago\s+\d+(\.\d+)?[kMG]?B\n` +
		`berth-test/list-a\s+1\s+` + oldID + `\s+3 hours ago\s+\d+(\.\d+)?[kMG]?B\n$`)
	if !rows.MatchString(r.Stdout) {
		t.Errorf("images table:\n%s", r.Stdout)
	}
	expect(t, berth(t, "images", "-q", "--filter", mine), 0, newID+"\n"+oldID+"\n", "")
	expect(t, berth(t, "image", "ls", "-q", "--no-trunc", "--filter", mine), 0, imageID(newer)+"\n"+imageID(older)+"\n", "")
	expect(t, berth(t, "image", "list", "--digests", "--format", "{{.Repository}} {{.Digest}}", "berth-test/list-a"),
		0, "berth-test/list-a "+older.Digest().String()+"\n", "")
	r = mustBerth(t, "images", "--digests", "berth-test/list-a")
	if !strings.HasPrefix(r.Stdout, "REPOSITORY          TAG       DIGEST") || !strings.Contains(r.Stdout, older.Digest().String()) {
		t.Errorf("--digests table:\n%s", r.Stdout)
	}

	// JSON: one object per line with Docker's keys.
	r = mustBerth(t, "images", "--format", "json", "berth-test/list-b")
	var row map[string]string
	if err := json.Unmarshal([]byte(r.Stdout), &row); err != nil {
		t.Fatalf("images --format json: %v\n%s", err, r.Stdout)
	}
	for k, want := range map[string]string{"Repository": "berth-test/list-b", "Tag": "2", "ID": newID,
		"CreatedSince": "10 minutes ago", "Digest": "<none>", "Containers": "N/A"} {
		if row[k] != want {
			t.Errorf("json %s = %q, want %q", k, row[k], want)
		}
	}
	if row["Size"] == "" || row["CreatedAt"] == "" {
		t.Errorf("json row lacks Size or CreatedAt: %v", row)
	}
}

func TestImagesFilters(t *testing.T) {
	older, _ := loadListImages(t)
	mine := "label=berth.test=" + t.Name()
	list := func(args ...string) string {
		return mustBerth(t, append([]string{"images", "--format", "{{.Repository}}:{{.Tag}}", "--filter", mine}, args...)...).Stdout
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--filter", "reference=berth-test/list-a"}, "berth-test/list-a:1\n"},
		{[]string{"--filter", "reference=*/list-*:2"}, "berth-test/list-b:2\n"},
		{[]string{"--filter", "label=tier=base"}, "berth-test/list-a:1\n"},
		{[]string{"--filter", "label=tier"}, "berth-test/list-a:1\n"},
		{[]string{"--filter", "dangling=false"}, "berth-test/list-b:2\nberth-test/list-a:1\n"},
		{[]string{"--filter", "dangling=true"}, ""},
		{[]string{"--filter", "before=berth-test/list-b:2"}, "berth-test/list-a:1\n"},
		{[]string{"--filter", "since=" + shortID(imageID(older))}, "berth-test/list-b:2\n"},
		{[]string{"--filter", "until=1h"}, "berth-test/list-a:1\n"},
		{[]string{"berth-test/list-b:2"}, "berth-test/list-b:2\n"},
		{[]string{"-a", "berth-test/nothing"}, ""},
	} {
		if got := list(c.args...); got != c.want {
			t.Errorf("images %v:\n%s\nwant\n%s", c.args, got, c.want)
		}
	}
}

func TestImagesErrors(t *testing.T) {
	for _, c := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"images", "--filter", "foo=bar"}, "berth: invalid filter 'foo'\n"},
		{[]string{"images", "--filter", "dangling=maybe"}, "berth: invalid filter 'dangling=maybe'\n"},
		{[]string{"images", "--filter", "until=someday"}, "berth: failed to parse value as time or duration: \"someday\"\n"},
		{[]string{"images", "-q", "--format", "json"}, "berth: cannot use --quiet and --format together\n"},
		{[]string{"images", "--filter", "nonsense"}, "berth: invalid argument \"nonsense\" for \"-f, --filter\" flag: bad format of filter (expected name=value)\nSee 'berth images --help'.\n"},
		{[]string{"images", "--filter", "before=berth-test/nope"}, "berth: No such image: berth-test/nope:latest\n"},
		{[]string{"images", "a", "b"}, "berth: \"berth images\" requires at most 1 argument.\nSee 'berth images --help'.\n\nUsage:  berth images [OPTIONS] [REPOSITORY[:TAG]] [flags]\n\nList images\n"},
	} {
		r := berth(t, c.args...)
		if r.ExitCode != 125 || r.Stderr != c.stderr {
			t.Errorf("want exit 125, stderr %q; got %s", c.stderr, r)
		}
	}
}
