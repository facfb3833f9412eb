package system

import (
	"bytes"
	"strings"
	"testing"

	"github.com/berth-project/berth/pkg/cmd/container"
	"github.com/berth-project/berth/pkg/cmd/image"
	"github.com/berth-project/berth/pkg/formatter"
)

func sampleUsage() *diskUsage {
	return &diskUsage{
		images: []image.Usage{
			{Size: 4_000_000, SharedSize: 1_000_000, Containers: 2, Row: map[string]string{"ID": "i1"}},
			{Size: 3_000_000, SharedSize: 1_000_000, Containers: 0, Row: map[string]string{"ID": "i2"}},
		},
		layersSize: 6_000_000,
		containers: []container.Usage{
			{SizeRw: 100, Active: true, Row: map[string]string{"ID": "c1"}},
			{SizeRw: 300, Row: map[string]string{"ID": "c2"}},
		},
		volumes: []volumeUsage{
			{size: 5000, links: 1, row: volumeRow{Name: "used", Links: "1", Size: "5kB"}},
			{size: 0, links: 0, row: volumeRow{Name: "idle", Links: "0", Size: "0B"}},
		},
	}
}

func TestDfSummary(t *testing.T) {
	cases := []struct {
		name   string
		du     *diskUsage
		format string
		want   string
	}{
		{"table", sampleUsage(), "", `TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE
Images          2         1         6MB       3MB (50%)
Containers      2         1         400B      300B (75%)
Local Volumes   2         1         5kB       0B (0%)
Build Cache     0         0         0B        0B
`},
		{"empty", &diskUsage{}, "", `TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE
Images          0         0         0B        0B
Containers      0         0         0B        0B
Local Volumes   0         0         0B        0B
Build Cache     0         0         0B        0B
`},
		{"template", sampleUsage(), "{{.Type}}: {{.Reclaimable}}", `Images: 3MB (50%)
Containers: 300B (75%)
Local Volumes: 0B (0%)
Build Cache: 0B
`},
		{"table template", sampleUsage(), "table {{.Type}}\t{{.Size}}", `TYPE            SIZE
Images          6MB
Containers      400B
Local Volumes   5kB
Build Cache     0B
`},
		{"json", &diskUsage{}, "json", `{"Active":"0","Reclaimable":"0B","Size":"0B","TotalCount":"0","Type":"Images"}
{"Active":"0","Reclaimable":"0B","Size":"0B","TotalCount":"0","Type":"Containers"}
{"Active":"0","Reclaimable":"0B","Size":"0B","TotalCount":"0","Type":"Local Volumes"}
{"Active":"0","Reclaimable":"0B","Size":"0B","TotalCount":"0","Type":"Build Cache"}
`},
	}
	for _, c := range cases {
		var b bytes.Buffer
		err := formatter.List{Format: c.format, Default: dfDefault, Headers: dfHeaders}.Write(&b, c.du.summary())
		if err != nil || b.String() != c.want {
			t.Errorf("%s: %v\n got:\n%s\nwant:\n%s", c.name, err, b.String(), c.want)
		}
	}
}

func TestDfVerbose(t *testing.T) {
	du := sampleUsage()
	du.images = nil
	du.containers = nil
	var b bytes.Buffer
	if err := writeDfVerbose(&b, "", du); err != nil {
		t.Fatal(err)
	}
	want := `Images space usage:

REPOSITORY   TAG       IMAGE ID   CREATED   SIZE      SHARED SIZE   UNIQUE SIZE   CONTAINERS

Containers space usage:

CONTAINER ID   IMAGE     COMMAND   LOCAL VOLUMES   SIZE      CREATED   STATUS    NAMES

Local Volumes space usage:

VOLUME NAME   LINKS     SIZE
used          1         5kB
idle          0         0B

Build cache usage: 0B

CACHE ID   CACHE TYPE   SIZE      CREATED   LAST USED   USAGE     SHARED
`
	if b.String() != want {
		t.Errorf("df -v:\n got:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	if err := writeDfVerbose(&b, "json", sampleUsage()); err != nil {
		t.Fatal(err)
	}
	wantJSON := `{"Images":[{"ID":"i1"},{"ID":"i2"}],"Containers":[{"ID":"c1"},{"ID":"c2"}],` +
		`"Volumes":[{"Driver":"","Labels":"","Links":"1","Mountpoint":"","Name":"used","Scope":"","Size":"5kB"},` +
		`{"Driver":"","Labels":"","Links":"0","Mountpoint":"","Name":"idle","Scope":"","Size":"0B"}],"BuildCache":[]}` + "\n"
	if b.String() != wantJSON {
		t.Errorf("df -v --format json:\n got %s\nwant %s", b.String(), wantJSON)
	}
	b.Reset()
	if err := writeDfVerbose(&b, "{{len .Volumes}} {{range .Volumes}}{{.Name}} {{end}}", sampleUsage()); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(b.String()); got != "2 used idle" {
		t.Errorf("df -v template: %q", got)
	}
}

func TestReclaimable(t *testing.T) {
	cases := []struct {
		free, total int64
		want        string
	}{
		{0, 0, "0B"},
		{0, 10, "0B (0%)"},
		{1, 3, "1B (33%)"},
		{2_011_000, 2_011_000, "2.011MB (100%)"},
	}
	for _, c := range cases {
		if got := reclaimable(c.free, c.total); got != c.want {
			t.Errorf("reclaimable(%d, %d) = %q, want %q", c.free, c.total, got, c.want)
		}
	}
}
