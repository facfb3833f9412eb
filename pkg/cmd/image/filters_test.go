package image

import (
	"testing"
	"time"

	"github.com/berth-project/berth/pkg/opts"
)

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
		var f opts.Filters
		for _, v := range c.filters {
			if err := f.Set(v); err != nil {
				t.Fatal(err)
			}
		}
		err := validateFilters(&f, now, listFilterKeys...)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("%v: got %q, want %q", c.filters, got, c.want)
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
