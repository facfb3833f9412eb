package opts

import (
	"testing"
	"time"
)

func TestFiltersSet(t *testing.T) {
	var f Filters
	for _, v := range []string{"status=exited", " Label = a=b ", "name=web", "name=db", "label!=c", ""} {
		if err := f.Set(v); err != nil {
			t.Fatalf("Set(%q): %v", v, err)
		}
	}
	if got, want := f.String(), "label=a=b,label!=c,name=web,name=db,status=exited"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if err := f.Set("nonsense"); err == nil || err.Error() != "bad format of filter (expected name=value)" {
		t.Errorf("Set(nonsense) = %v", err)
	}
	if f.Type() != "filter" || !f.Has("name") || f.Has("id") || f.Len() != 4 {
		t.Errorf("Type/Has/Len wrong: %q %v %v %d", f.Type(), f.Has("name"), f.Has("id"), f.Len())
	}
}

func TestFiltersCheckKeys(t *testing.T) {
	var f Filters
	_ = f.Set("status=running")
	_ = f.Set("foo=bar")
	if err := f.CheckKeys("status", "name"); err == nil || err.Error() != "invalid filter 'foo'" {
		t.Errorf("CheckKeys = %v", err)
	}
	if err := f.CheckKeys("status", "foo"); err != nil {
		t.Errorf("CheckKeys = %v", err)
	}
	if got := InvalidFilter("status", "a", "b").Error(); got != "invalid filter 'status=a,b'" {
		t.Errorf("InvalidFilter = %q", got)
	}
}

func TestFiltersMatch(t *testing.T) {
	var f Filters
	_ = f.Set("name=^web$")
	_ = f.Set("name=db")
	cases := map[string]bool{"web": true, "web2": false, "mydb1": true, "cache": false}
	for src, want := range cases {
		if got := f.Match("name", src); got != want {
			t.Errorf("Match(name, %q) = %v, want %v", src, got, want)
		}
	}
	if !f.Match("id", "anything") || !f.ExactMatch("status", "x") {
		t.Error("a key not given must match")
	}
	_ = f.Set("status=exited")
	if f.ExactMatch("status", "exit") || !f.ExactMatch("status", "exited") {
		t.Error("ExactMatch is not exact")
	}
	// A value that is not a valid regexp still matches itself.
	var g Filters
	_ = g.Set("name=a(b")
	if !g.Match("name", "a(b") || g.Match("name", "ab") {
		t.Error("invalid regexp handling")
	}
}

func TestFiltersMatchLabels(t *testing.T) {
	labels := map[string]string{"a": "1", "b": ""}
	cases := []struct {
		filters []string
		want    bool
	}{
		{nil, true},
		{[]string{"label=a"}, true},
		{[]string{"label=a=1", "label=b"}, true},
		{[]string{"label=a=2"}, false},
		{[]string{"label=c"}, false},
		{[]string{"label=a", "label=c"}, false},
		{[]string{"label!=c"}, true},
		{[]string{"label!=a"}, false},
		{[]string{"label!=a=1"}, false},
		{[]string{"label!=a=2"}, true},
		{[]string{"label=b="}, true},
	}
	for _, c := range cases {
		var f Filters
		for _, v := range c.filters {
			_ = f.Set(v)
		}
		if got := f.MatchLabels(labels); got != c.want {
			t.Errorf("%v: got %v, want %v", c.filters, got, c.want)
		}
	}
}

func TestParseTimestamp(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	cases := map[string]time.Time{
		"24h":                       now.Add(-24 * time.Hour),
		"90m":                       now.Add(-90 * time.Minute),
		"1700000000":                time.Unix(1700000000, 0),
		"1700000000.5":              time.Unix(1700000000, 500000000),
		"2024-01-02T03:04:05Z":      time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		"2024-01-02T03:04:05+02:00": time.Date(2024, 1, 2, 1, 4, 5, 0, time.UTC),
		"2024-01-02":                time.Date(2024, 1, 2, 0, 0, 0, 0, time.Local),
	}
	for in, want := range cases {
		got, err := ParseTimestamp(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("%q: got %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "-5m", "yesterday", "1700000000.", "2024-13-01"} {
		if _, err := ParseTimestamp(bad, now); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
	if _, err := ParseTimestamp("tomorrow", now); err == nil || err.Error() != `failed to parse value as time or duration: "tomorrow"` {
		t.Errorf("error text: %v", err)
	}
}

func TestFiltersTimestamps(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	var f Filters
	if got, err := f.Timestamps("until", now); got != nil || err != nil {
		t.Errorf("no until= values: got %v, %v", got, err)
	}
	_ = f.Set("until=24h")
	_ = f.Set("until=1700000000")
	got, err := f.Timestamps("until", now)
	if err != nil || len(got) != 2 || !got[0].Equal(now.Add(-24*time.Hour)) || !got[1].Equal(time.Unix(1700000000, 0)) {
		t.Errorf("got %v, %v", got, err)
	}
	_ = f.Set("until=tomorrow")
	if _, err := f.Timestamps("until", now); err == nil {
		t.Error("bad value accepted")
	}
}

func TestFiltersCheckPrune(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		filter, err string
	}{
		{"until=24h", ""},
		{"until=2025-01-01", ""},
		{"label=stage=test", ""},
		{"label!=keep", ""},
		{"until=yesterday", `failed to parse value as time or duration: "yesterday"`},
		{"dangling=true", "invalid filter 'dangling'"},
		{"name=web", "invalid filter 'name'"},
	}
	for _, tc := range cases {
		var f Filters
		if err := f.Set(tc.filter); err != nil {
			t.Fatal(err)
		}
		got := ""
		if err := f.CheckPrune(now); err != nil {
			got = err.Error()
		}
		if got != tc.err {
			t.Errorf("%s: got error %q, want %q", tc.filter, got, tc.err)
		}
	}
}
