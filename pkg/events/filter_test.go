package events

import (
	"testing"
	"time"

	"github.com/berth-project/berth/pkg/opts"
)

func filters(t *testing.T, kvs ...string) opts.Filters {
	t.Helper()
	var f opts.Filters
	for _, kv := range kvs {
		if err := f.Set(kv); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func TestNewFilterRefuses(t *testing.T) {
	cases := []struct {
		kvs []string
		err string
	}{
		{[]string{"foo=bar"}, "invalid filter 'foo'"},
		{[]string{"label!=a"}, "invalid filter 'label!'"},
		{[]string{"type=box"}, "invalid filter 'type=box'"},
		{[]string{"scope=global"}, "invalid filter 'scope=global'"},
	}
	for _, c := range cases {
		if _, err := NewFilter(filters(t, c.kvs...)); err == nil || err.Error() != c.err {
			t.Errorf("NewFilter(%v) = %v, want %q", c.kvs, err, c.err)
		}
	}
	if _, err := NewFilter(filters(t, "type=container", "type=daemon", "service=x", "scope=local")); err != nil {
		t.Errorf("Docker's keys refused: %v", err)
	}
}

func TestFilterMatch(t *testing.T) {
	at := time.Unix(1700000000, 0)
	start := New(TypeContainer, "start", "0123456789abcdef",
		map[string]string{"image": "busybox:latest", "name": "web", "stage": "test"}, at)
	die := New(TypeContainer, "die", "0123456789abcdef",
		map[string]string{"image": "busybox:latest", "name": "web", "exitCode": "3"}, at)
	pull := New(TypeImage, "pull", "busybox:latest", map[string]string{"name": "busybox"}, at)
	tag := New(TypeImage, "tag", "sha256:4d96", map[string]string{"name": "web:v1"}, at)
	vol := New(TypeVolume, "mount", "data", map[string]string{"container": "0123456789abcdef", "driver": "local"}, at)
	health := New(TypeContainer, "health_status: healthy", "0123456789abcdef", map[string]string{"name": "web"}, at)
	all := []Message{start, die, pull, tag, vol, health}
	cases := []struct {
		kvs  []string
		want []Message
	}{
		{nil, all},
		{[]string{"type=container"}, []Message{start, die, health}},
		{[]string{"type=image", "type=volume"}, []Message{pull, tag, vol}},
		{[]string{"event=die"}, []Message{die}},
		{[]string{"event=start", "event=die"}, []Message{start, die}},
		// Docker's health and exec actions carry a suffix.
		{[]string{"event=health_status"}, []Message{health}},
		// By name, ID or ID prefix; an image event's name counts too, as
		// in Docker ("web:v1" starts with "web").
		{[]string{"container=web"}, []Message{start, die, tag, health}},
		// Only the actor counts: a volume mounted by the container does not.
		{[]string{"container=0123"}, []Message{start, die, health}},
		{[]string{"container=web", "type=container"}, []Message{start, die, health}},
		// An image by name with or without its tag, for image events and
		// for the containers made from it.
		{[]string{"image=busybox"}, []Message{start, die, pull}},
		{[]string{"image=busybox:latest"}, []Message{start, die, pull}},
		{[]string{"image=sha256:4d96"}, []Message{tag}},
		{[]string{"label=stage"}, []Message{start}},
		{[]string{"label=stage=prod"}, nil},
		{[]string{"volume=data"}, []Message{vol}},
		{[]string{"network=x"}, nil},
		{[]string{"scope=local"}, all},
		{[]string{"scope=swarm"}, nil},
		{[]string{"daemon=x"}, nil},
	}
	for _, c := range cases {
		f, err := NewFilter(filters(t, c.kvs...))
		if err != nil {
			t.Fatal(err)
		}
		var got []Message
		for _, m := range all {
			if f.Match(m) {
				got = append(got, m)
			}
		}
		if len(got) != len(c.want) {
			t.Errorf("filters %v matched %d events, want %d: %v", c.kvs, len(got), len(c.want), actions(got))
			continue
		}
		for i := range got {
			if got[i].Action != c.want[i].Action || got[i].Type != c.want[i].Type {
				t.Errorf("filters %v matched %v, want %v", c.kvs, actions(got), actions(c.want))
				break
			}
		}
	}
}

func actions(ms []Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Type+" "+m.Action)
	}
	return out
}

func TestParseTime(t *testing.T) {
	now := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Time
		err  string
	}{
		{in: "10m", want: now.Add(-10 * time.Minute)},
		{in: "0s", want: now},
		{in: "-1m", want: now.Add(time.Minute)},
		{in: "1700000000", want: time.Unix(1700000000, 0)},
		{in: "1700000000.5", want: time.Unix(1700000000, 500000000)},
		{in: "0", want: time.Unix(0, 0)},
		{in: "2024-05-01T09:00:00Z", want: now.Add(-time.Hour)},
		{in: "yesterday", err: `failed to parse value as time or duration: "yesterday"`},
	}
	for _, c := range cases {
		got, err := ParseTime(c.in, now)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("ParseTime(%q) error = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || !got.Equal(c.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	if s := FormatTime(time.Unix(1700000000, 5)); s != "1700000000.000000005" {
		t.Errorf("FormatTime = %q", s)
	}
}
