package system2_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

// eventJSON is Docker's event message, as `events --format json` prints it.
type eventJSON struct {
	Status string `json:"status"`
	ID     string `json:"id"`
	From   string `json:"from"`
	Type   string
	Action string
	Actor  struct {
		ID         string
		Attributes map[string]string
	}
	Scope    string `json:"scope"`
	Time     int64  `json:"time"`
	TimeNano int64  `json:"timeNano"`
}

// stream runs `berth events` with args and returns its lines as they come;
// stop ends it (by its process, not by name).
func stream(t *testing.T, args ...string) (lines <-chan string, stop func()) {
	t.Helper()
	cmd := engine.Cmd(append([]string{"events"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ch := make(chan string, 100)
	go func() {
		defer close(ch)
		s := bufio.NewScanner(out)
		for s.Scan() {
			ch <- s.Text()
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if stderr.Len() > 0 {
			t.Logf("events stderr: %s", stderr.String())
		}
	}
	t.Cleanup(stop)
	return ch, stop
}

// collect reads events from lines until one has the action last.
func collect(t *testing.T, lines <-chan string, last string) []eventJSON {
	t.Helper()
	var got []eventJSON
	timeout := time.After(20 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("the stream ended before %q; got %v", last, actionsOf(got))
			}
			var e eventJSON
			if err := json.Unmarshal([]byte(l), &e); err != nil {
				t.Fatalf("event %q: %v", l, err)
			}
			got = append(got, e)
			if e.Action == last {
				return got
			}
		case <-timeout:
			t.Fatalf("no %q event; got %v", last, actionsOf(got))
		}
	}
}

func actionsOf(es []eventJSON) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Type+" "+e.Action)
	}
	return out
}

// TestEventsStream follows a container's life as it happens, filtered to
// that container and printed as Docker's JSON.
func TestEventsStream(t *testing.T) {
	img := engine.LoadBusybox(t)
	removeAll(t, []string{"sys2-ev"}, nil, nil, nil)
	since := fmt.Sprint(time.Now().Unix())
	// --since makes the stream start before the container does, however
	// late the command gets going.
	lines, stop := stream(t, "--since", since, "--filter", "container=sys2-ev", "--filter", "type=container", "--format", "json")
	if r := engine.Berth(t, "run", "--name", "sys2-ev", "-l", "sys2=events", img, "sh", "-c", "exit 3"); r.ExitCode != 3 {
		t.Fatalf("run:\n%s", r)
	}
	id := strings.TrimSpace(engine.MustBerth(t, "inspect", "--format", "{{.Id}}", "sys2-ev").Stdout)
	engine.MustBerth(t, "rm", "sys2-ev")
	got := collect(t, lines, "destroy")
	stop()
	if !reflect.DeepEqual(actionsOf(got), []string{"container create", "container start", "container die", "container destroy"}) {
		t.Fatalf("events %v", actionsOf(got))
	}
	for _, e := range got {
		attrs := e.Actor.Attributes
		if e.Status != e.Action || e.ID != id || e.Actor.ID != id || e.From != img || e.Scope != "local" ||
			attrs["name"] != "sys2-ev" || attrs["image"] != img || attrs["sys2"] != "events" ||
			e.Time != e.TimeNano/1e9 || time.Since(time.Unix(0, e.TimeNano)) > time.Minute {
			t.Errorf("event %+v", e)
		}
	}
	if die := got[2].Actor.Attributes; die["exitCode"] != "3" || die["execDuration"] == "" {
		t.Errorf("die attributes %v", die)
	}
	// The raw JSON has Docker's keys, in Docker's order.
	r := engine.MustBerth(t, "events", "--since", since, "--until", "0s", "--filter", "container="+id[:12],
		"--filter", "event=die", "--format", "{{json .}}")
	wantPrefix := `{"status":"die","id":"` + id + `","from":"` + img + `","Type":"container","Action":"die","Actor":{"ID":"` + id + `","Attributes":{`
	if !strings.HasPrefix(r.Stdout, wantPrefix) || !strings.Contains(r.Stdout, `"scope":"local","time":`) ||
		strings.Count(r.Stdout, "\n") != 1 {
		t.Errorf("replayed die event:\n%s", r.Stdout)
	}
}

// TestEventsLive starts a stream without --since: it shows what happens
// after it started, and the volume and network events berth makes.
func TestEventsLive(t *testing.T) {
	img := engine.LoadBusybox(t)
	removeAll(t, []string{"sys2-live"}, []string{"sys2-livevol"}, []string{"sys2-livenet"}, nil)
	lines, _ := stream(t, "--filter", "type=volume", "--filter", "type=network", "--filter", "type=container",
		"--format", "json")
	// The stream reads the engine's log from where it is: past events stay
	// out. Give the command a moment to get there.
	time.Sleep(1500 * time.Millisecond)
	engine.MustBerth(t, "network", "create", "sys2-livenet")
	engine.MustBerth(t, "run", "--name", "sys2-live", "--network", "sys2-livenet", "-v", "sys2-livevol:/data", img, "true")
	engine.MustBerth(t, "rm", "sys2-live")
	engine.MustBerth(t, "volume", "rm", "sys2-livevol")
	engine.MustBerth(t, "network", "rm", "sys2-livenet")
	var got []eventJSON
	for len(got) == 0 || got[len(got)-1].Type != "network" || got[len(got)-1].Action != "destroy" {
		got = append(got, collect(t, lines, "destroy")...)
	}
	want := []string{"network create", "volume create", "container create", "network connect", "volume mount",
		"container start", "container die", "network disconnect", "volume unmount", "container destroy",
		"volume destroy", "network destroy"}
	if !reflect.DeepEqual(actionsOf(got), want) {
		t.Fatalf("events:\n%v\nwant:\n%v", actionsOf(got), want)
	}
	for _, e := range got {
		a := e.Actor.Attributes
		switch e.Type + " " + e.Action {
		case "network create", "network destroy":
			if a["name"] != "sys2-livenet" || a["type"] != "bridge" || len(e.Actor.ID) != 64 || e.Status != "" {
				t.Errorf("%+v", e)
			}
		case "volume create", "volume destroy":
			if e.Actor.ID != "sys2-livevol" || a["driver"] != "local" {
				t.Errorf("%+v", e)
			}
		case "volume mount":
			if e.Actor.ID != "sys2-livevol" || a["destination"] != "/data" || a["read/write"] != "true" || len(a["container"]) != 64 {
				t.Errorf("%+v", e)
			}
		case "network connect":
			if a["name"] != "sys2-livenet" || a["container"] != got[2].Actor.ID {
				t.Errorf("%+v", e)
			}
		}
	}
}

// TestEventsReplay reads the engine's log: --since and --until, filters,
// image events, and refused input.
func TestEventsReplay(t *testing.T) {
	img := engine.LoadBusybox(t)
	removeAll(t, nil, nil, nil, []string{"sys2/replay:a"})
	start := time.Now()
	engine.MustBerth(t, "tag", img, "sys2/replay:a")
	engine.MustBerth(t, "rmi", "sys2/replay:a")
	since := fmt.Sprintf("%d.%09d", start.Unix(), start.Nanosecond())
	eventually(t, "tag and untag replayed", func() (bool, string) {
		r := engine.MustBerth(t, "events", "--since", since, "--until", "0s", "--filter", "type=image",
			"--format", "{{.Action}} {{.Actor.Attributes.name}}")
		return strings.HasPrefix(r.Stdout, "tag sys2/replay:a\nuntag sha256:") && strings.Count(r.Stdout, "\n") == 2, r.Stdout
	})
	// Docker's default text: time, type, action, actor, attributes.
	r := engine.MustBerth(t, "events", "--since", since, "--until", "0s", "--filter", "event=tag")
	if !regexpMatch(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(Z|[+-]\d\d:\d\d) image tag sha256:[0-9a-f]{64} \(name=sys2/replay:a\)\n$`, r.Stdout) {
		t.Errorf("text output %q", r.Stdout)
	}
	// image= matches the name without its tag; a time past ends at once.
	r = engine.MustBerth(t, "events", "--since", since, "--until", fmt.Sprint(time.Now().Unix()+1), "--filter", "image=sys2/replay",
		"--format", "{{.Action}}")
	if r.Stdout != "tag\n" {
		t.Errorf("image=sys2/replay: %q", r.Stdout)
	}
	// until before the events: none.
	r = engine.MustBerth(t, "events", "--since", "2h", "--until", fmt.Sprint(start.Unix()-3600), "--filter", "type=image")
	if r.Stdout != "" {
		t.Errorf("events before --until: %q", r.Stdout)
	}
	for _, bad := range []struct {
		args []string
		err  string
	}{
		{[]string{"--filter", "foo=bar"}, "berth: invalid filter 'foo'\n"},
		{[]string{"--filter", "type=box"}, "berth: invalid filter 'type=box'\n"},
		{[]string{"--since", "soon"}, "berth: failed to parse value as time or duration: \"soon\"\n"},
		{[]string{"--since", "1700000010", "--until", "1700000000"},
			"berth: `since` time (1700000010.000000000) cannot be after `until` time (1700000000.000000000)\n"},
		{[]string{"--format", "{{.Nope"}, "berth: template parsing error: template: :1: unclosed action\n"},
	} {
		r := engine.Berth(t, append([]string{"events"}, bad.args...)...)
		if r.ExitCode != 125 || r.Stderr != bad.err {
			t.Errorf("events %v:\n%s", bad.args, r)
		}
	}
	// system events is the same command.
	r = engine.MustBerth(t, "system", "events", "--since", since, "--until", "0s", "--filter", "event=untag", "--format", "{{.Type}}")
	if r.Stdout != "image\n" {
		t.Errorf("system events: %q", r.Stdout)
	}
}

// TestEventsOtherEngine reads the events of a containerd given with
// --address, which keeps no log: the stream maps the engine's own events
// as they come. (The test points it at its own engine's socket.)
func TestEventsOtherEngine(t *testing.T) {
	img := engine.LoadBusybox(t)
	removeAll(t, []string{"sys2-addr"}, nil, nil, nil)
	lines, _ := stream(t, "--address", engine.Daemon.Socket(), "--filter", "container=sys2-addr", "--format", "json")
	time.Sleep(1500 * time.Millisecond) // subscribed
	engine.MustBerth(t, "run", "--name", "sys2-addr", img, "true")
	engine.MustBerth(t, "rm", "sys2-addr")
	got := collect(t, lines, "destroy")
	if !reflect.DeepEqual(actionsOf(got), []string{"container create", "container start", "container die", "container destroy"}) {
		t.Fatalf("events %v", actionsOf(got))
	}
	if a := got[3].Actor.Attributes; a["name"] != "sys2-addr" || a["image"] != img {
		t.Errorf("destroy attributes %v", a)
	}
	// No log there: nothing to replay.
	r := engine.MustBerth(t, "--address", engine.Daemon.Socket(), "events", "--since", "1h", "--until", "0s")
	if r.Stdout != "" {
		t.Errorf("replay without a log: %q", r.Stdout)
	}
}
