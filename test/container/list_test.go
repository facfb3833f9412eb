package container_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"text/tabwriter"
	"time"
)

// testLabel is a label only the test's containers carry, so that filters
// and prune see none of the other tests' containers.
func testLabel(t *testing.T) string {
	return "berth.test=" + strings.ReplaceAll(t.Name(), "/", "_")
}

// newCtr runs berth with args (a create or a run -d, which print the new
// container's ID) and removes the container when the test ends.
func newCtr(t *testing.T, args ...string) string {
	t.Helper()
	r := engine.MustBerth(t, args...)
	id := strings.TrimSpace(r.Stdout)
	if len(id) != 64 {
		t.Fatalf("want a container ID:\n%s", r)
	}
	t.Cleanup(func() { engine.Berth(t, "rm", "-f", id) })
	return id
}

// exitedCtr runs a container named name in the foreground until it exits
// with code, and removes it when the test ends.
func exitedCtr(t *testing.T, name, label string, code int) string {
	t.Helper()
	r := engine.Berth(t, "run", "--name", name, "-l", label, loadBusybox(t), "sh", "-c", fmt.Sprintf("exit %d", code))
	if r.ExitCode != code {
		t.Fatalf("want exit %d:\n%s", code, r)
	}
	id := strings.TrimSpace(engine.MustBerth(t, "inspect", "--format", "{{.Id}}", name).Stdout)
	t.Cleanup(func() { engine.Berth(t, "rm", "-f", id) })
	return id
}

// psTable splits a table into its header and cells by the header's column
// starts, and checks that it is laid out as Docker's tables are: each
// column as wide as its widest cell plus a 3-space gutter, 10 at least.
func psTable(t *testing.T, out string, headers ...string) [][]string {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	var starts []int
	for _, h := range headers {
		i := strings.Index(lines[0], h)
		if i < 0 {
			t.Fatalf("no column %q in %q", h, lines[0])
		}
		starts = append(starts, i)
	}
	var rows [][]string
	for _, l := range lines {
		var cells []string
		for i, s := range starts {
			end := len(l)
			if i+1 < len(starts) {
				end = min(starts[i+1], len(l))
			}
			cells = append(cells, strings.TrimSpace(l[min(s, len(l)):end]))
		}
		rows = append(rows, cells)
	}
	var want bytes.Buffer
	tw := tabwriter.NewWriter(&want, 10, 1, 3, ' ', 0)
	for _, cells := range rows {
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	_ = tw.Flush()
	if want.String() != out {
		t.Fatalf("table layout differs from Docker's:\n--- got\n%s--- want\n%s", out, want.String())
	}
	if strings.Join(rows[0], "|") != strings.Join(headers, "|") {
		t.Fatalf("header %q, want %q", rows[0], headers)
	}
	return rows[1:]
}

var psColumns = []string{"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"}

// matchCells checks each cell against a regular expression.
func matchCells(t *testing.T, row []string, patterns ...string) {
	t.Helper()
	for i, p := range patterns {
		if !regexp.MustCompile("^" + p + "$").MatchString(row[i]) {
			t.Errorf("column %d: %q does not match %q (row %q)", i, row[i], p, row)
		}
	}
}

const recently = `(Less than a second|\d+ seconds?)`

func TestPsTable(t *testing.T) {
	img, lbl := loadBusybox(t), testLabel(t)
	web := newCtr(t, "run", "-d", "--name", "ps-web", "-l", lbl, img, "sh", "-c", "echo hello; sleep 300")
	created := newCtr(t, "create", "--name", "ps-created", "-l", lbl, img, "true")
	exited := exitedCtr(t, "ps-exited", lbl, 3)

	rows := psTable(t, engine.MustBerth(t, "ps", "--filter", "label="+lbl).Stdout, psColumns...)
	if len(rows) != 1 {
		t.Fatalf("ps shows running containers only: %q", rows)
	}
	matchCells(t, rows[0], web[:12], regexp.QuoteMeta(img), regexp.QuoteMeta(`"sh -c 'echo hello; …"`),
		recently+" ago", "Up "+recently, "", "ps-web")

	rows = psTable(t, engine.MustBerth(t, "ps", "-a", "--filter", "label="+lbl).Stdout, psColumns...)
	if len(rows) != 3 {
		t.Fatalf("ps -a: %q", rows)
	}
	matchCells(t, rows[0], exited[:12], regexp.QuoteMeta(img), regexp.QuoteMeta(`"sh -c 'exit 3'"`), recently+" ago", `Exited \(3\) `+recently+" ago", "", "ps-exited")
	matchCells(t, rows[1], created[:12], regexp.QuoteMeta(img), `"true"`, recently+" ago", "Created", "", "ps-created")
	matchCells(t, rows[2], web[:12], regexp.QuoteMeta(img), ".*", ".*", "Up .*", "", "ps-web")

	rows = psTable(t, engine.MustBerth(t, "container", "ls", "-a", "--no-trunc", "--filter", "label="+lbl).Stdout, psColumns...)
	matchCells(t, rows[2], web, regexp.QuoteMeta(img), regexp.QuoteMeta(`"sh -c 'echo hello; sleep 300'"`))

	// A table template of stable fields, compared whole.
	r := engine.MustBerth(t, "container", "list", "-a", "--filter", "label="+lbl, "--format", "table {{.Names}}\t{{.State}}\t{{.Command}}")
	want := "NAMES        STATE     COMMAND\n" +
		"ps-exited    exited    \"sh -c 'exit 3'\"\n" +
		"ps-created   created   \"true\"\n" +
		"ps-web       running   \"sh -c 'echo hello; …\"\n"
	if r.Stdout != want {
		t.Errorf("table template:\n--- got\n%s--- want\n%s", r.Stdout, want)
	}
}

func TestPsQuietLastLatest(t *testing.T) {
	img, lbl := loadBusybox(t), testLabel(t)
	a := newCtr(t, "create", "--name", "psq-a", "-l", lbl, img, "true")
	b := newCtr(t, "create", "--name", "psq-b", "-l", lbl, img, "true")
	c := newCtr(t, "run", "-d", "--name", "psq-c", "-l", lbl, img, "sleep", "300")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-q"}, c[:12] + "\n"},
		{[]string{"-a", "-q"}, c[:12] + "\n" + b[:12] + "\n" + a[:12] + "\n"},
		{[]string{"-aq", "--no-trunc"}, c + "\n" + b + "\n" + a + "\n"},
		// -l and --last include stopped containers, as in Docker.
		{[]string{"-l", "-q"}, c[:12] + "\n"},
		{[]string{"--last", "2", "-q"}, c[:12] + "\n" + b[:12] + "\n"},
		{[]string{"--last", "1", "-q", "--filter", "status=created"}, b[:12] + "\n"},
		{[]string{"-a", "--format", "{{.Names}}", "--filter", "name=psq-a"}, "psq-a\n"},
	} {
		args := append([]string{"ps", "--filter", "label=" + lbl}, tc.args...)
		if r := engine.MustBerth(t, args...); r.Stdout != tc.want {
			t.Errorf("%v:\ngot  %q\nwant %q", tc.args, r.Stdout, tc.want)
		}
	}
}

func TestPsFilters(t *testing.T) {
	img, lbl := loadBusybox(t), testLabel(t)
	newCtr(t, "run", "-d", "--name", "psf-web", "-l", lbl, "-l", "tier=front", img, "sleep", "300")
	created := newCtr(t, "create", "--name", "psf-created", "-l", lbl, img, "true")
	exitedCtr(t, "psf-exited", lbl, 3)
	imgID := strings.TrimSpace(engine.MustBerth(t, "image", "inspect", "--format", "{{.Id}}", img).Stdout)
	for _, tc := range []struct {
		filters []string
		want    string
	}{
		{nil, "psf-exited psf-created psf-web"},
		{[]string{"status=running"}, "psf-web"},
		{[]string{"status=exited"}, "psf-exited"},
		{[]string{"status=created", "status=exited"}, "psf-exited psf-created"},
		{[]string{"exited=3"}, "psf-exited"},
		{[]string{"exited=0"}, ""},
		{[]string{"name=psf-web"}, "psf-web"},
		{[]string{"name=^/?psf-(web|created)$"}, "psf-created psf-web"},
		{[]string{"id=" + created[:10]}, "psf-created"},
		{[]string{"label=tier=front"}, "psf-web"},
		{[]string{"label=tier=back"}, ""},
		{[]string{"ancestor=" + img}, "psf-exited psf-created psf-web"},
		{[]string{"ancestor=" + strings.TrimPrefix(imgID, "sha256:")[:12]}, "psf-exited psf-created psf-web"},
		{[]string{"ancestor=no-such-image"}, ""},
		{[]string{"before=psf-created"}, "psf-web"},
		{[]string{"since=psf-created"}, "psf-exited"},
		{[]string{"since=" + created[:12], "status=exited"}, "psf-exited"},
		{[]string{"health=none"}, "psf-exited psf-created psf-web"},
		{[]string{"health=healthy"}, ""},
	} {
		args := []string{"ps", "-a", "--format", "{{.Names}}", "--filter", "label=" + lbl}
		for _, f := range tc.filters {
			args = append(args, "--filter", f)
		}
		r := engine.MustBerth(t, args...)
		if got := strings.Join(strings.Fields(r.Stdout), " "); got != tc.want {
			t.Errorf("%v: got %q, want %q", tc.filters, got, tc.want)
		}
	}
	for filter, msg := range map[string]string{
		"status=sleepy":   "invalid filter 'status=sleepy'",
		"color=red":       "invalid filter 'color'",
		"exited=x":        `invalid filter 'exited=x': strconv.Atoi: parsing "x": invalid syntax`,
		"health=fine":     "Unrecognised filter value for health: fine",
		"before=no-such":  "No such container: no-such",
		"statusexited":    "invalid argument \"statusexited\" for \"-f, --filter\" flag: bad format of filter (expected name=value)\nSee 'berth ps --help'.",
		"since=no-such-x": "No such container: no-such-x",
	} {
		r := engine.Berth(t, "ps", "--filter", filter)
		if r.ExitCode != 125 || r.Stderr != "berth: "+msg+"\n" || r.Stdout != "" {
			t.Errorf("--filter %s: want exit 125 and %q\n%s", filter, msg, r)
		}
	}
}

func TestPsJSONSizeAndTemplate(t *testing.T) {
	img, lbl := loadBusybox(t), testLabel(t)
	id := newCtr(t, "run", "-d", "--name", "psj-web", "-l", lbl, img,
		"sh", "-c", "dd if=/dev/zero of=/fill bs=1024 count=100 2>/dev/null; sleep 300")
	// The writable layer holds the 100 KiB file once dd is done, and about
	// 20 kB of directories and files every container has.
	sized := regexp.MustCompile(`^1[1-4]\d(\.\d+)?kB \(virtual \d(\.\d+)?MB\)$`)
	var size string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		size = strings.TrimSpace(engine.MustBerth(t, "ps", "--filter", "label="+lbl, "--format", "{{.Size}}").Stdout)
		if sized.MatchString(size) {
			break
		}
	}
	if !sized.MatchString(size) {
		t.Errorf("size of a container holding 100 KiB: %q", size)
	}
	rows := psTable(t, engine.MustBerth(t, "ps", "-s", "--filter", "label="+lbl).Stdout, append(psColumns, "SIZE")...)
	if len(rows) != 1 || rows[0][7] != size {
		t.Errorf("ps -s: %q, want size %q", rows, size)
	}

	r := engine.MustBerth(t, "ps", "--filter", "label="+lbl, "--format", "json")
	var row map[string]string
	if err := json.Unmarshal([]byte(r.Stdout), &row); err != nil || strings.Count(r.Stdout, "\n") != 1 {
		t.Fatalf("want one JSON object per line: %v\n%s", err, r)
	}
	want := map[string]string{"ID": id[:12], "Image": img, "Names": "psj-web", "State": "running",
		"Labels": lbl, "LocalVolumes": "0", "Mounts": "", "Networks": "bridge", "Ports": "", "Size": row["Size"]}
	for k, v := range want {
		if row[k] != v {
			t.Errorf("JSON %s = %q, want %q", k, row[k], v)
		}
	}
	if len(row) != 14 || !strings.HasPrefix(row["Status"], "Up ") || !strings.HasPrefix(row["Command"], `"sh -c 'dd if=/dev/`) ||
		!sized.MatchString(row["Size"]) || !strings.HasSuffix(row["RunningFor"], " ago") {
		t.Errorf("JSON row: %v", row)
	}
	if _, err := time.Parse("2006-01-02 15:04:05 -0700 MST", row["CreatedAt"]); err != nil {
		t.Errorf("CreatedAt %q: %v", row["CreatedAt"], err)
	}
	r = engine.MustBerth(t, "ps", "--filter", "label="+lbl, "--format", `{{.Names}}|{{.Label "berth.test"}}|{{.State}}|{{.ID}}`)
	if want := "psj-web|" + strings.TrimPrefix(lbl, "berth.test=") + "|running|" + id[:12] + "\n"; r.Stdout != want {
		t.Errorf("template: got %q, want %q", r.Stdout, want)
	}
	if _, err := os.Stat("/proc/self"); err != nil {
		t.Skip("no /proc")
	}
}
