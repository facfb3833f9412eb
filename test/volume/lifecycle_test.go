package volume_test

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestVolumeCreateListInspectRemove(t *testing.T) {
	cleanup(t, nil, "lc-data", "lc-web", "lc-vol2", "lc-vol10")
	expect(t, engine.Berth(t, "volume", "create", "lc-data"), 0, "lc-data\n", "")
	expect(t, engine.Berth(t, "volume", "create", "--label", "app=web,front", "--label", "tier", "lc-web"), 0, "lc-web\n", "")
	// An existing volume is left as it is.
	expect(t, engine.Berth(t, "volume", "create", "--label", "other=1", "lc-web"), 0, "lc-web\n", "")
	expect(t, engine.Berth(t, "volume", "create", "--name", "lc-vol10"), 0, "lc-vol10\n", "")
	expect(t, engine.Berth(t, "volume", "create", "lc-vol2"), 0, "lc-vol2\n", "")

	r := engine.MustBerth(t, "volume", "ls", "--filter", "name=lc-")
	want := "DRIVER    VOLUME NAME\nlocal     lc-data\nlocal     lc-vol2\nlocal     lc-vol10\nlocal     lc-web\n"
	if r.Stdout != want {
		t.Fatalf("volume ls:\n%s\nwant:\n%s", r.Stdout, want)
	}
	expect(t, engine.Berth(t, "volume", "ls", "-q", "--filter", "label=app=web,front"), 0, "lc-web\n", "")
	expect(t, engine.Berth(t, "volume", "ls", "-q", "--filter", "label=tier", "--filter", "name=lc-"), 0, "lc-web\n", "")
	expect(t, engine.Berth(t, "volume", "ls", "-q", "--filter", "name=lc-vol", "--filter", "label!=tier"), 0, "lc-vol2\nlc-vol10\n", "")
	expect(t, engine.Berth(t, "volume", "ls", "-q", "--filter", "driver=local", "--filter", "name=lc-data"), 0, "lc-data\n", "")
	expect(t, engine.Berth(t, "volume", "ls", "--format", "{{.Name}} {{.Driver}} {{.Scope}} {{.Labels}} {{.Label \"app\"}}", "--filter", "name=lc-web"),
		0, "lc-web local local app=web,front,tier= web,front\n", "")
	expect(t, engine.Berth(t, "volume", "ls", "--format", "table {{.Name}}\t{{.Links}}", "--filter", "name=lc-data"),
		0, "VOLUME NAME   LINKS\nlc-data       N/A\n", "")

	r = engine.MustBerth(t, "volume", "ls", "--format", "json", "--filter", "name=lc-data")
	var row map[string]string
	if err := json.Unmarshal([]byte(r.Stdout), &row); err != nil || row["Name"] != "lc-data" || row["Driver"] != "local" ||
		row["Mountpoint"] != filepath.Join(engine.DataRoot, "default", "volumes", "lc-data", "_data") {
		t.Fatalf("volume ls --format json: %v\n%s", err, r)
	}

	r = engine.MustBerth(t, "volume", "inspect", "lc-web")
	var objs []map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &objs); err != nil || len(objs) != 1 {
		t.Fatalf("volume inspect: %v\n%s", err, r)
	}
	keys := regexp.MustCompile(`(?m)^        "(\w+)"`).FindAllStringSubmatch(r.Stdout, -1)
	var order []string
	for _, k := range keys {
		order = append(order, k[1])
	}
	if strings.Join(order, " ") != "CreatedAt Driver Labels Mountpoint Name Options Scope" {
		t.Fatalf("inspect keys %v, want Docker's", order)
	}
	o := objs[0]
	created, err := time.Parse(time.RFC3339, o["CreatedAt"].(string))
	if err != nil || time.Since(created) > time.Hour || o["Driver"] != "local" || o["Scope"] != "local" || o["Name"] != "lc-web" ||
		o["Mountpoint"] != filepath.Join(engine.DataRoot, "default", "volumes", "lc-web", "_data") {
		t.Fatalf("volume inspect:\n%s", r.Stdout)
	}
	if labels, _ := json.Marshal(o["Labels"]); string(labels) != `{"app":"web,front","tier":""}` {
		t.Fatalf("labels %s", labels)
	}
	if opts, _ := json.Marshal(o["Options"]); string(opts) != `{}` {
		t.Fatalf("options %s", opts)
	}
	expect(t, engine.Berth(t, "volume", "inspect", "-f", "{{.Name}} {{.Driver}}", "lc-data", "lc-web"), 0, "lc-data local\nlc-web local\n", "")
	r = engine.Berth(t, "volume", "inspect", "--format", "{{.Name}}", "lc-data", "lc-nope")
	expect(t, r, 125, "lc-data\n", "berth: No such volume: lc-nope\n")

	expect(t, engine.Berth(t, "volume", "rm", "lc-data", "lc-nope", "lc-vol2"), 125, "lc-data\nlc-vol2\n", "berth: get lc-nope: no such volume\n")
	expect(t, engine.Berth(t, "volume", "rm", "-f", "lc-nope", "lc-vol10"), 0, "lc-nope\nlc-vol10\n", "")
	expect(t, engine.Berth(t, "volume", "ls", "-q", "--filter", "name=lc-"), 0, "lc-web\n", "")
	expect(t, engine.Berth(t, "volume", "remove", "lc-web"), 0, "lc-web\n", "")
}

func TestVolumeCreateRandomNameAndOptions(t *testing.T) {
	r := engine.MustBerth(t, "volume", "create")
	name := strings.TrimSpace(r.Stdout)
	cleanup(t, nil, name, "lc-tmpfs")
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(name) {
		t.Fatalf("random name %q", name)
	}
	// Named at random by `volume create`, it is not anonymous.
	expect(t, engine.Berth(t, "volume", "inspect", "-f", "{{json .Labels}}", name), 0, "{}\n", "")
	expect(t, engine.Berth(t, "volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=2m,mode=1777", "lc-tmpfs"), 0, "lc-tmpfs\n", "")
	expect(t, engine.Berth(t, "volume", "inspect", "-f", "{{json .Options}}", "lc-tmpfs"), 0, `{"device":"tmpfs","o":"size=2m,mode=1777","type":"tmpfs"}`+"\n", "")
}

func TestVolumeCommandsBadInput(t *testing.T) {
	before := volumes(t)
	const chars = `includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`
	cases := []struct {
		args   []string
		stderr string
	}{
		{[]string{"volume", "create", "a/b"}, `berth: create a/b: "a/b" ` + chars + "\n"},
		{[]string{"volume", "create", ".."}, `berth: create ..: ".." ` + chars + "\n"},
		{[]string{"volume", "create", "../escape"}, `berth: create ../escape: "../escape" ` + chars + "\n"},
		{[]string{"volume", "create", "x"}, "berth: create x: volume name is too short, names should be at least two alphanumeric characters\n"},
		{[]string{"volume", "create", "-d", "nfs", "bad-drv"}, `berth: create bad-drv: error looking up volume plugin nfs: plugin "nfs" not found` + "\n"},
		{[]string{"volume", "create", "-o", "foo=bar", "bad-opt"}, `berth: create bad-opt: invalid option: "foo"` + "\n"},
		{[]string{"volume", "create", "-o", "type=tmpfs", "bad-opt"}, `berth: create bad-opt: missing required option: "device"` + "\n"},
		{[]string{"volume", "create", "--name", "n1", "n2"}, "berth: conflicting options: either specify --name or provide positional arg, not both\n"},
		{[]string{"volume", "ls", "--filter", "until=1h"}, "berth: invalid filter 'until'\n"},
		{[]string{"volume", "ls", "--filter", "dangling=maybe"}, "berth: invalid filter 'dangling=maybe'\n"},
		{[]string{"volume", "prune", "--filter", "until=1h"}, "berth: invalid filter 'until'\n"},
	}
	for _, c := range cases {
		r := engine.Berth(t, c.args...)
		if r.ExitCode != 125 || r.Stderr != c.stderr || r.Stdout != "" {
			t.Errorf("%v: want exit 125 and %q, got\n%s", c.args, c.stderr, r)
		}
	}
	if after := volumes(t); len(added(before, after)) != 0 {
		t.Fatalf("bad input created volumes: %v", added(before, after))
	}
	if _, err := filepath.Glob(filepath.Join(engine.DataRoot, "default", "escape")); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(engine.DataRoot, "default", "*escape*")); len(m) != 0 {
		t.Fatalf("a name with .. escaped the volume store: %v", m)
	}
}
