package system

import (
	"bytes"
	"testing"
	"time"

	"github.com/berth-project/berth/pkg/events"
	"github.com/berth-project/berth/pkg/opts"
)

func TestEventsPlan(t *testing.T) {
	now := time.Unix(1700000000, 0)
	cases := []struct {
		o   EventsOptions
		err string
	}{
		{o: EventsOptions{Since: "10m", Until: "0s", Format: "json"}},
		{o: EventsOptions{Since: "1699999000", Until: "-1m"}},
		{o: EventsOptions{Since: "1m", Until: "10m"},
			err: "`since` time (1699999940.000000000) cannot be after `until` time (1699999400.000000000)"},
		{o: EventsOptions{Since: "later"}, err: `failed to parse value as time or duration: "later"`},
		{o: EventsOptions{Until: "later"}, err: `failed to parse value as time or duration: "later"`},
		{o: EventsOptions{Format: "{{.Nope"}, err: `template parsing error: template: :1: unclosed action`},
	}
	for _, c := range cases {
		_, err := c.o.plan(now)
		if (c.err == "" && err != nil) || (c.err != "" && (err == nil || err.Error() != c.err)) {
			t.Errorf("plan(%+v) = %v, want %q", c.o, err, c.err)
		}
	}
	var f opts.Filters
	_ = f.Set("type=nope")
	if _, err := (&EventsOptions{Filters: f}).plan(now); err == nil || err.Error() != "invalid filter 'type=nope'" {
		t.Errorf("bad type: %v", err)
	}
}

func TestEventsWants(t *testing.T) {
	now := time.Unix(1700000000, 0)
	var f opts.Filters
	_ = f.Set("event=die")
	p, err := (&EventsOptions{Filters: f, Since: "10s", Until: "5s"}).plan(now)
	if err != nil {
		t.Fatal(err)
	}
	at := func(sec int64, action string) events.Message {
		return events.New(events.TypeContainer, action, "c", nil, time.Unix(sec, 0))
	}
	cases := []struct {
		m    events.Message
		want bool
	}{
		{at(1699999990, "die"), true}, // since is inclusive
		{at(1699999995, "die"), true}, // until too
		{at(1699999989, "die"), false},
		{at(1699999996, "die"), false},
		{at(1699999992, "start"), false},
	}
	for _, c := range cases {
		if got := p.wants(c.m); got != c.want {
			t.Errorf("wants(%d %s) = %v", c.m.Time, c.m.Action, got)
		}
	}
}

func TestEventPrinter(t *testing.T) {
	m := events.New(events.TypeContainer, "die", "abc", map[string]string{"exitCode": "3", "name": "web"},
		time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC))
	cases := []struct {
		format, want string
	}{
		{"json", `{"status":"die","id":"abc","Type":"container","Action":"die","Actor":{"ID":"abc","Attributes":{"exitCode":"3","name":"web"}},"scope":"local","time":1714557600,"timeNano":1714557600000000000}` + "\n"},
		{"{{json .}}", `{"status":"die","id":"abc","Type":"container","Action":"die","Actor":{"ID":"abc","Attributes":{"exitCode":"3","name":"web"}},"scope":"local","time":1714557600,"timeNano":1714557600000000000}` + "\n"},
		{`{{.Type}}\t{{.Action}} {{.Actor.Attributes.name}} {{index .Actor.Attributes "exitCode"}}`, "container\tdie web 3\n"},
		{"{{.Status}} {{.ID}} {{.From}} {{.Time}}", "die abc  1714557600\n"},
	}
	for _, c := range cases {
		p, err := newEventPrinter(c.format)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := p.print(&b, m); err != nil || b.String() != c.want {
			t.Errorf("format %q: %v\n got %q\nwant %q", c.format, err, b.String(), c.want)
		}
	}
	p, _ := newEventPrinter("{{.Nope}}")
	var b bytes.Buffer
	if err := p.print(&b, m); err == nil {
		t.Error("a template naming no field must fail")
	}
}
