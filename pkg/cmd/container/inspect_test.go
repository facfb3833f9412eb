package container

import (
	"bytes"
	"testing"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/formatter"
)

func TestInspectOutput(t *testing.T) {
	cfg := &config.Config{DataRoot: t.TempDir(), Namespace: "default"}
	store := containerutil.NewStore(cfg.DataRoot, cfg.Namespace)
	recs := testRecords()
	web, db := recs[1], recs[2]
	web.meta.HostConfig.RestartPolicy = containerutil.RestartPolicy{Name: "always"}
	web.info.Labels[containerutil.RestartCountLabel] = "2"
	objs := []any{inspectObject(cfg, store, web), inspectObject(cfg, store, db)}
	var buf bytes.Buffer
	if err := formatter.Inspect(&buf, "", objs); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "inspect-json", buf.Bytes())

	buf.Reset()
	format := `{{.Name}} {{.State.Status}} {{.State.ExitCode}} {{.State.StartedAt}} {{.State.FinishedAt}} {{json .Config.Cmd}} {{.HostConfig.RestartPolicy.Name}} {{.RestartCount}}`
	if err := formatter.Inspect(&buf, format, objs); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "inspect-template", buf.Bytes())

	// Templates name JSON keys; where the Go field is named otherwise, the
	// object's JSON is used, as Docker does. Other fields stay typed.
	web.meta.HostConfig.NanoCPUs, web.meta.HostConfig.CPUShares = 500000000, 512
	objs[0] = inspectObject(cfg, store, web)
	buf.Reset()
	if err := writeInspect(&buf, `{{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}} {{.ExecIDs}}`, objs); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "500000000 512 <no value>\n0 0 <no value>\n"; got != want {
		t.Errorf("template over JSON keys: got %q, want %q", got, want)
	}
	buf.Reset()
	if err := writeInspect(&buf, `{{.ExecIDs}} {{.State.Running}}`, objs); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "[] true\n[] false\n"; got != want {
		t.Errorf("typed template: got %q, want %q", got, want)
	}
	if err := writeInspect(&buf, `{{.NoSuchField}}`, objs); err == nil {
		t.Error("a template naming no field must fail")
	}
}

func TestInspectValidate(t *testing.T) {
	for typ, want := range map[string]string{"": "", "container": "", "image": "", "volume": `"volume" is not a valid value for --type`} {
		o := InspectOptions{Type: typ}
		got := ""
		if err := o.Validate(); err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("--type %q: got %q, want %q", typ, got, want)
		}
	}
}
