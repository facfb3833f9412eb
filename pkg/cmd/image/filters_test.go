package image

import (
	"testing"
	"time"
)

func TestFiltersSet(t *testing.T) {
	var f Filters
	for _, v := range []string{"dangling=true", " Label = a=b ", "reference=busybox*", "reference=alpine", ""} {
		if err := f.Set(v); err != nil {
			t.Fatalf("Set(%q): %v", v, err)
		}
	}
	if got, want := f.String(), "dangling=true,label=a=b,reference=busybox*,reference=alpine"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if err := f.Set("nonsense"); err == nil || err.Error() != "bad format of filter (expected name=value)" {
		t.Errorf("Set(nonsense) = %v", err)
	}
	if f.Type() != "filter" {
		t.Errorf("Type() = %q", f.Type())
	}
}

func TestFiltersValidate(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		filters []string
		want    string
	}{
		{[]string{"dangling=true", "label=a", "reference=x", "before=busybox", "since=abc", "until=24h"}, ""},
		{[]string{"dangling=1"}, ""},
		{[]string{"dangling=FALSE"}, ""},
		{[]string{"foo=bar"}, "invalid filter 'foo'"},
		{[]string{"dangling=maybe"}, "invalid filter 'dangling=maybe'"},
		{[]string{"dangling=true", "dangling=false"}, "invalid filter 'dangling=true,false'"},
		{[]string{"until=tomorrow"}, `failed to parse value as time or duration: "tomorrow"`},
	}
	for _, c := range cases {
		var f Filters
		for _, v := range c.filters {
			if err := f.Set(v); err != nil {
				t.Fatal(err)
			}
		}
		err := f.validate(now, listFilterKeys...)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("%v: got %q, want %q", c.filters, got, c.want)
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
		got, err := storeParseTimestamp(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("%q: got %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "-5m", "yesterday", "1700000000.", "2024-13-01"} {
		if _, err := storeParseTimestamp(bad, now); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}

func TestMatchReference(t *testing.T) {
	cases := []struct {
		pattern, name string
		want          bool
	}{
		{"busybox", "docker.io/library/busybox:latest", true},
		{"busybox:latest", "docker.io/library/busybox:latest", true},
		{"busybox:1.*", "docker.io/library/busybox:1.36", true},
		{"busybox:1.*", "docker.io/library/busybox:latest", false},
		{"*/app", "registry.local:5000/team/app:1", false},
		{"*/*/app", "registry.local:5000/team/app:1", true},
		{"team/*", "docker.io/team/app:1", true},
		{"alpine", "docker.io/library/busybox:latest", false},
		{"busybox", "docker.io/library/busybox@sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true},
	}
	for _, c := range cases {
		if got := storeMatchReference([]string{c.pattern}, c.name); got != c.want {
			t.Errorf("%q ~ %q = %v, want %v", c.pattern, c.name, got, c.want)
		}
	}
}

func TestMatchLabels(t *testing.T) {
	labels := map[string]string{"a": "1", "b": ""}
	cases := []struct {
		filters []string
		want    bool
	}{
		{nil, true},
		{[]string{"label=a"}, true},
		{[]string{"label=a=1"}, true},
		{[]string{"label=a=2"}, false},
		{[]string{"label=a", "label=b"}, true},
		{[]string{"label=a", "label=c"}, false},
		{[]string{"label!=c"}, true},
		{[]string{"label!=a"}, false},
		{[]string{"label!=a=2"}, true},
	}
	for _, c := range cases {
		var f Filters
		for _, v := range c.filters {
			_ = f.Set(v)
		}
		if got := f.matchLabels(labels); got != c.want {
			t.Errorf("%v: got %v, want %v", c.filters, got, c.want)
		}
	}
}
