package container_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// topKeys returns the keys of each object of a JSON array, in order.
func topKeys(t *testing.T, data string) [][]string {
	t.Helper()
	var raws []json.RawMessage
	if err := json.Unmarshal([]byte(data), &raws); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, data)
	}
	var out [][]string
	for _, raw := range raws {
		dec := json.NewDecoder(bytes.NewReader(raw))
		var keys []string
		if _, err := dec.Token(); err != nil {
			t.Fatal(err)
		}
		for dec.More() {
			k, _ := dec.Token()
			keys = append(keys, k.(string))
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, keys)
	}
	return out
}

var inspectKeys = "Id Created Path Args State Image ResolvConfPath HostnamePath HostsPath LogPath Name RestartCount " +
	"Driver Platform MountLabel ProcessLabel AppArmorProfile ExecIDs HostConfig GraphDriver Mounts Config NetworkSettings"

func TestInspectContainer(t *testing.T) {
	img := loadBusybox(t)
	created := newCtr(t, "create", "--name", "ins-created", "--restart", "on-failure:3", img, "echo", "hello world")
	r := engine.MustBerth(t, "inspect", "--format",
		`{{.State.Status}}|{{.Name}}|{{json .Config.Cmd}}|{{.HostConfig.RestartPolicy.Name}}|{{.HostConfig.RestartPolicy.MaximumRetryCount}}|{{.State.ExitCode}}|{{.RestartCount}}|{{.State.StartedAt}}|{{.Path}}|{{json .Args}}`,
		"ins-created")
	if want := `created|/ins-created|["echo","hello world"]|on-failure|3|0|0|0001-01-01T00:00:00Z|echo|["hello world"]` + "\n"; r.Stdout != want {
		t.Errorf("created container:\ngot  %q\nwant %q", r.Stdout, want)
	}

	r = engine.MustBerth(t, "inspect", created[:8])
	if keys := topKeys(t, r.Stdout); len(keys) != 1 || strings.Join(keys[0], " ") != inspectKeys {
		t.Errorf("inspect keys:\ngot  %q\nwant %q", keys, inspectKeys)
	}
	var objs []struct {
		Id, Created, Image, Driver, Name string
		State                            map[string]any
		Mounts                           []any
	}
	if err := json.Unmarshal([]byte(r.Stdout), &objs); err != nil {
		t.Fatal(err)
	}
	o := objs[0]
	if o.Id != created || o.Name != "/ins-created" || !strings.HasPrefix(o.Image, "sha256:") || o.Driver != "overlayfs" || o.Mounts == nil {
		t.Errorf("inspect object: %+v", o)
	}
	if c, err := time.Parse(time.RFC3339Nano, o.Created); err != nil || time.Since(c) > time.Minute {
		t.Errorf("Created %q: %v", o.Created, err)
	}
	stateKeys := "Status Running Paused Restarting OOMKilled Dead Pid ExitCode Error StartedAt FinishedAt"
	for _, k := range strings.Fields(stateKeys) {
		if _, ok := o.State[k]; !ok {
			t.Errorf("State has no %s: %v", k, o.State)
		}
	}

	exitedCtr(t, "ins-exited", testLabel(t), 3)
	r = engine.MustBerth(t, "container", "inspect", "--format", "{{.State.Status}} {{.State.ExitCode}} {{.State.Running}} {{.State.Pid}}", "ins-exited")
	if r.Stdout != "exited 3 false 0\n" {
		t.Errorf("exited container: %q", r.Stdout)
	}

	running := newCtr(t, "run", "-d", "--name", "ins-running", img, "sleep", "300")
	r = engine.MustBerth(t, "inspect", "--format", "{{.State.Status}} {{.State.Running}} {{.State.Pid}} {{.State.StartedAt}}", running)
	f := strings.Fields(r.Stdout)
	if len(f) != 4 || f[0] != "running" || f[1] != "true" {
		t.Fatalf("running container: %q", r.Stdout)
	}
	if cmdline, err := os.ReadFile("/proc/" + f[2] + "/cmdline"); err != nil || !strings.HasPrefix(string(cmdline), "sleep\x00300") {
		t.Errorf("State.Pid %s is not the container's process: %q %v", f[2], cmdline, err)
	}
	if st, err := time.Parse(time.RFC3339Nano, f[3]); err != nil || time.Since(st) > time.Minute {
		t.Errorf("StartedAt %q: %v", f[3], err)
	}

	r = engine.MustBerth(t, "inspect", "-s", "--format", "{{.SizeRw}} {{.SizeRootFs}}", running)
	sizes := strings.Fields(r.Stdout)
	rw, err1 := strconv.ParseInt(sizes[0], 10, 64)
	rootfs, err2 := strconv.ParseInt(sizes[1], 10, 64)
	if err1 != nil || err2 != nil || rootfs < 1<<20 || rootfs < rw {
		t.Errorf("inspect -s: %q", r.Stdout)
	}
	if r := engine.MustBerth(t, "inspect", running); strings.Contains(r.Stdout, "SizeRw") {
		t.Errorf("SizeRw without -s")
	}
}

func TestInspectImagesAndMissing(t *testing.T) {
	img := loadBusybox(t)
	id := newCtr(t, "create", "--name", "ins-mixed", img, "true")
	imgID := strings.TrimSpace(engine.MustBerth(t, "image", "inspect", "--format", "{{.Id}}", img).Stdout)

	r := engine.MustBerth(t, "inspect", "--format", "{{.Id}}", img)
	if r.Stdout != imgID+"\n" {
		t.Errorf("inspect falls back to images: %q", r.Stdout)
	}
	r = engine.MustBerth(t, "inspect", "--type", "image", "--format", "{{.Id}} {{index .RepoTags 0}}", img)
	if r.Stdout != imgID+" "+img+"\n" {
		t.Errorf("inspect --type image: %q", r.Stdout)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"inspect", "no-such-thing"}, "No such object: no-such-thing"},
		{[]string{"container", "inspect", "no-such-thing"}, "No such container: no-such-thing"},
		{[]string{"inspect", "--type", "container", img}, "No such container: " + img},
		{[]string{"container", "inspect", img}, "No such container: " + img},
		{[]string{"inspect", "--type", "volume", "x"}, `"volume" is not a valid value for --type`},
	} {
		r := engine.Berth(t, tc.args...)
		if r.ExitCode != 125 || r.Stderr != "berth: "+tc.want+"\n" {
			t.Errorf("%v:\nwant %q\n%s", tc.args, tc.want, r)
		}
	}

	// Found objects are printed, in order, before the missing one fails
	// the command.
	r = engine.Berth(t, "inspect", "ins-mixed", "no-such-thing", img)
	if r.ExitCode != 125 || r.Stderr != "berth: No such object: no-such-thing\n" {
		t.Fatalf("mixed inspect:\n%s", r)
	}
	var objs []map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &objs); err != nil || len(objs) != 2 {
		t.Fatalf("mixed inspect output: %v\n%s", err, r.Stdout)
	}
	if objs[0]["Id"] != id || objs[1]["Id"] != imgID || objs[1]["RepoTags"] == nil {
		t.Errorf("mixed inspect objects: %v %v", objs[0]["Id"], objs[1]["Id"])
	}
	r = engine.Berth(t, "inspect", "no-such-thing")
	if r.Stdout != "[]\n" {
		t.Errorf("inspect of nothing found prints an empty array, as Docker does: %q", r.Stdout)
	}
}
