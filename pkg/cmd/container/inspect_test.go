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
