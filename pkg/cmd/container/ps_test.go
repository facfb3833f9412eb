package container

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/containers"

	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/opts"
)

func init() {
	// Registered only once in this package's test binary, whichever file
	// comes first (another file may declare it).
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite testdata/*.golden")
	}
}

// checkGolden compares got with testdata/name.golden, rewriting it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
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

// utcLocal makes CreatedAt, which Docker prints in the local zone, stable.
func utcLocal(t *testing.T) {
	old := time.Local
	time.Local = time.UTC
	t.Cleanup(func() { time.Local = old })
}

const testImageID = "sha256:3f57d9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741"

// testRecord is a container as listRecords would read it.
func testRecord(id, name, image string, argv []string, created time.Time, labels map[string]string, ts TaskStatus, saved containerutil.SavedState) *ctrRecord {
	all := map[string]string{containerutil.LabelName: name, containerutil.LabelStateDir: "/x"}
	for k, v := range labels {
		all[k] = v
	}
	meta := &containerutil.Meta{Name: name, Created: created, Image: testImageID, State: saved}
	meta.Config.Image = image
	meta.Config.Cmd = argv
	meta.Config.Labels = labels
	meta.HostConfig.NetworkMode = "none"
	info := containers.Container{ID: id, Labels: all, Image: "docker.io/library/busybox:latest",
		Snapshotter: "overlayfs", SnapshotKey: id, CreatedAt: created}
	return &ctrRecord{info: info, meta: meta, state: stateOf(all, meta, ts)}
}

func testRecords() []*ctrRecord {
	min := func(n int) time.Time { return stateNow.Add(-time.Duration(n) * time.Minute) }
	web := testRecord("4c01db0b339cf1b2a8e9d1f1c2b3a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5", "web", "busybox",
		[]string{"sh", "-c", "echo hello world; sleep 1000"}, min(5), map[string]string{"app": "web", "tier": "front"},
		TaskStatus{Status: client.Running, Pid: 4242},
		containerutil.SavedState{StartedAt: min(5), Health: &containerutil.Health{Status: "healthy"}})
	db := testRecord("9f8e7d6c5b4a39281706f5e4d3c2b1a0918273645546372819a0b1c2d3e4f5a6", "db", "redis:7",
		[]string{"redis-server", "--appendonly", "yes"}, min(60*3), map[string]string{"app": "db"},
		TaskStatus{Status: client.Stopped, ExitStatus: 3, ExitedAt: stateNow.Add(-2 * time.Second)},
		containerutil.SavedState{StartedAt: min(60)})
	byID := testRecord("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "quirky_turing", testImageID,
		[]string{"true"}, min(60*24*3), nil, TaskStatus{}, containerutil.SavedState{})
	cache := testRecord("aaaabbbbccccddddeeeeffff00001111222233334444555566667777888899990", "cache",
		"registry.local:5000/tools/cache:1.2@sha256:c5439d7db88ab5423999530349d327b04279ad3161d7596d2126dfb5b02bfd1f",
		[]string{"cache", "--size", "64 MiB"}, min(2), nil, TaskStatus{Status: client.Paused, Pid: 77},
		containerutil.SavedState{StartedAt: stateNow.Add(-90 * time.Second)})
	cache.sized, cache.sizeRw, cache.sizeRootFs = true, 12345, 4273895
	return []*ctrRecord{cache, web, db, byID}
}

func TestPsOutput(t *testing.T) {
	utcLocal(t)
	cases := []struct {
		name string
		o    PsOptions
	}{
		{"ps-table", PsOptions{}},
		{"ps-size", PsOptions{Size: true}},
		{"ps-notrunc", PsOptions{NoTrunc: true}},
		{"ps-quiet", PsOptions{Quiet: true}},
		{"ps-quiet-notrunc", PsOptions{Quiet: true, NoTrunc: true}},
		{"ps-json", PsOptions{Format: "json"}},
		{"ps-template", PsOptions{Format: `{{.Names}}|{{.Label "app"}}|{{.State}}|{{.Labels}}|{{.Networks}}|{{.CreatedAt}}`, Quiet: true}},
		{"ps-table-template", PsOptions{Format: `table {{.ID}}\t{{.State}}\t{{.Size}}`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := writePs(&buf, c.o, psRows(testRecords(), !c.o.NoTrunc, stateNow)); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, c.name, buf.Bytes())
		})
	}
}

func TestPsFilters(t *testing.T) {
	cases := []struct {
		filters []string
		want    string
	}{
		{nil, "cache web db quirky_turing"},
		{[]string{"name=web"}, "web"},
		{[]string{"name=^/?c"}, "cache"},
		{[]string{"name=web", "name=db"}, "web db"},
		{[]string{"id=9f8e"}, "db"},
		{[]string{"id=0123456789ab", "name=web"}, ""},
		{[]string{"label=app"}, "web db"},
		{[]string{"label=app=web"}, "web"},
		{[]string{"label=app", "label=tier=front"}, "web"},
		{[]string{"status=exited"}, "db"},
		{[]string{"status=paused", "status=created"}, "cache quirky_turing"},
		{[]string{"exited=3"}, "db"},
		{[]string{"exited=0"}, ""},
		{[]string{"health=healthy"}, "web"},
		{[]string{"health=none"}, "cache db quirky_turing"},
	}
	for _, c := range cases {
		o := PsOptions{}
		for _, v := range c.filters {
			if err := o.Filters.Set(v); err != nil {
				t.Fatal(err)
			}
		}
		if err := o.Validate(); err != nil {
			t.Fatalf("%v: %v", c.filters, err)
		}
		match, err := compilePsFilter(context.Background(), nil, nil, nil, &o)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range testRecords() {
			if match(r) {
				got = append(got, r.name())
			}
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%v: got %q, want %q", c.filters, strings.Join(got, " "), c.want)
		}
	}
}

func TestPsValidate(t *testing.T) {
	cases := map[string]string{
		"foo=bar":        "invalid filter 'foo'",
		"status=sleepy":  "invalid filter 'status=sleepy'",
		"exited=x":       `invalid filter 'exited=x': strconv.Atoi: parsing "x": invalid syntax`,
		"health=fine":    "Unrecognised filter value for health: fine",
		"status=running": "",
		"before=web":     "",
		"ancestor=bb":    "",
	}
	for in, want := range cases {
		var o PsOptions
		_ = o.Filters.Set(in)
		got := ""
		if err := o.Validate(); err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("%s: got %q, want %q", in, got, want)
		}
	}
	var f opts.Filters
	_ = f.Set("until=1h")
	if err := (&PruneOptions{Filters: f}).Validate(); err != nil {
		t.Errorf("prune until: %v", err)
	}
	_ = f.Set("status=exited")
	if err := (&PruneOptions{Filters: f}).Validate(); err == nil || err.Error() != "invalid filter 'status'" {
		t.Errorf("prune status: %v", err)
	}
}

func TestCommandLineAndImage(t *testing.T) {
	recs := testRecords()
	if got := recs[0].commandLine(); got != "cache --size '64 MiB'" {
		t.Errorf("commandLine = %q", got)
	}
	cases := map[string][2]string{
		"busybox":                        {"busybox", "busybox"},
		"docker.io/library/busybox:1.36": {"busybox:1.36", "docker.io/library/busybox:1.36"},
		"busybox@sha256:" + strings.Repeat("a", 64): {"busybox", "busybox@sha256:" + strings.Repeat("a", 64)},
		testImageID: {"3f57d9401f8d", testImageID},
	}
	for img, want := range cases {
		r := testRecord("x", "x", img, []string{"true"}, stateNow, nil, TaskStatus{}, containerutil.SavedState{})
		if got := displayImage(r, true); got != want[0] {
			t.Errorf("%s truncated: %q, want %q", img, got, want[0])
		}
		if got := displayImage(r, false); got != want[1] {
			t.Errorf("%s: %q, want %q", img, got, want[1])
		}
	}
	gone := testRecord("x", "x", "busybox", []string{"true"}, stateNow, nil, TaskStatus{}, containerutil.SavedState{})
	gone.imageGone = true
	if got := displayImage(gone, true); got != "3f57d9401f8d" {
		t.Errorf("image gone: %q", got)
	}
}
