package volume

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/formatter"
	"github.com/berth-project/berth/pkg/volume"
)

func TestNaturalLess(t *testing.T) {
	names := []string{"vol10", "b", "vol2", "a1", "vol1", "a01b", "a", "vol02x"}
	sort.SliceStable(names, func(i, j int) bool { return naturalLess(names[i], names[j]) })
	if got := strings.Join(names, " "); got != "a a1 a01b b vol1 vol2 vol02x vol10" {
		t.Fatalf("natural order: %s", got)
	}
}

func TestListValidate(t *testing.T) {
	cases := []struct{ filter, err string }{
		{filter: "dangling=true"},
		{filter: "dangling=0"},
		{filter: "name=x"},
		{filter: "label!=a"},
		{filter: "driver=local"},
		{filter: "dangling=maybe", err: "invalid filter 'dangling=maybe'"},
		{filter: "until=1h", err: "invalid filter 'until'"},
	}
	for _, c := range cases {
		o := ListOptions{}
		if err := o.Filters.Set(c.filter); err != nil {
			t.Fatal(err)
		}
		got := ""
		if err := o.Validate(); err != nil {
			got = err.Error()
		}
		if got != c.err {
			t.Errorf("--filter %s: %q, want %q", c.filter, got, c.err)
		}
	}
}

func TestPruneValidate(t *testing.T) {
	o := PruneOptions{}
	_ = o.Filters.Set("all=1")
	if err := o.Validate(); err != nil || !o.All {
		t.Fatalf("all=1: %v, All=%v", err, o.All)
	}
	o = PruneOptions{}
	_ = o.Filters.Set("all=yes")
	if err := o.Validate(); err == nil || err.Error() != "invalid filter 'all=yes'" {
		t.Fatalf("all=yes: %v", err)
	}
	o = PruneOptions{}
	_ = o.Filters.Set("dangling=true")
	if err := o.Validate(); err == nil || err.Error() != "invalid filter 'dangling'" {
		t.Fatalf("dangling: %v", err)
	}
}

func TestCreateAndInspect(t *testing.T) {
	cfg := &config.Config{DataRoot: t.TempDir(), Namespace: "default"}
	var out bytes.Buffer
	if err := Create(cfg, &out, CreateOptions{Name: "data", Labels: []string{"a=b,c"}, Options: []string{"type=tmpfs", "device=tmpfs", "o=size=1m,uid=1"}}); err != nil {
		t.Fatal(err)
	}
	if err := Create(cfg, &out, CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Fields(out.String())
	if len(lines) != 2 || lines[0] != "data" || len(lines[1]) != 64 {
		t.Fatalf("create printed %q", out.String())
	}
	out.Reset()
	if err := Inspect(cfg, &out, []string{"data"}, ""); err != nil {
		t.Fatal(err)
	}
	v, _ := volume.NewStore(cfg.DataRoot, cfg.Namespace).Get("data")
	want := `[
    {
        "CreatedAt": "` + v.CreatedAt.In(time.Local).Format(time.RFC3339) + `",
        "Driver": "local",
        "Labels": {
            "a": "b,c"
        },
        "Mountpoint": "` + filepath.Join(cfg.DataRoot, "default", "volumes", "data", "_data") + `",
        "Name": "data",
        "Options": {
            "device": "tmpfs",
            "o": "size=1m,uid=1",
            "type": "tmpfs"
        },
        "Scope": "local"
    }
]
`
	if out.String() != want {
		t.Fatalf("inspect:\n%s\nwant:\n%s", out.String(), want)
	}
	out.Reset()
	err := Inspect(cfg, &out, []string{"nope", "data"}, "{{.Name}} {{json .Labels}}")
	if err == nil || err.Error() != "No such volume: nope" || out.String() != "data {\"a\":\"b,c\"}\n" {
		t.Fatalf("inspect nope data: %q, %v", out.String(), err)
	}
}

func TestListRows(t *testing.T) {
	v := &volume.Volume{Name: "data", Driver: "local", Labels: map[string]string{"b": "2", "a": "1"}, Mountpoint: "/v/data/_data"}
	var out bytes.Buffer
	l := formatter.List{Default: "{{.Driver}}\t{{.Name}}", Headers: listHeaders}
	if err := l.Write(&out, []any{rowOf(v)}); err != nil {
		t.Fatal(err)
	}
	if out.String() != "DRIVER    VOLUME NAME\nlocal     data\n" {
		t.Fatalf("table:\n%s", out.String())
	}
	out.Reset()
	l.Format = "json"
	if err := l.Write(&out, []any{rowOf(v)}); err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(out.Bytes(), &m); err != nil || m["Labels"] != "a=1,b=2" || m["Scope"] != "local" || m["Size"] != "N/A" || len(m) != 10 {
		t.Fatalf("json: %s %v", out.String(), err)
	}
	out.Reset()
	l.Format = `{{.Label "b"}} {{.Mountpoint}}`
	if err := l.Write(&out, []any{rowOf(v)}); err != nil || out.String() != "2 /v/data/_data\n" {
		t.Fatalf("template: %q %v", out.String(), err)
	}
}
