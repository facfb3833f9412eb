package image

import (
	"testing"
	"time"
)

func TestHumanSize(t *testing.T) {
	cases := map[int64]string{0: "0B", 999: "999B", 1000: "1kB", 4261550: "4.26MB", 2011136: "2.01MB", 123456789012: "123GB"}
	for n, want := range cases {
		if got := storeHumanSize(n); got != want {
			t.Errorf("%d: got %q, want %q", n, got, want)
		}
	}
}

func TestSince(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	cases := map[time.Duration]string{
		30 * time.Second:             "30 seconds ago",
		time.Minute:                  "About a minute ago",
		2 * time.Hour:                "2 hours ago",
		50 * time.Hour:               "2 days ago",
		3 * 7 * 24 * time.Hour:       "3 weeks ago",
		3 * 365 * 24 * time.Hour:     "3 years ago",
		45*time.Minute + time.Second: "45 minutes ago",
	}
	for d, want := range cases {
		if got := storeSince(now.Add(-d), now); got != want {
			t.Errorf("%s: got %q, want %q", d, got, want)
		}
	}
	if got := storeSince(time.Time{}, now); got != "" {
		t.Errorf("zero time: %q", got)
	}
}

func TestEllipsis(t *testing.T) {
	if got := storeEllipsis("short", 45); got != "short" {
		t.Errorf("got %q", got)
	}
	long := "/bin/sh -c #(nop)  CMD [\"sh\"] and a good deal more text"
	if got := storeEllipsis(long, 20); got != "/bin/sh -c #(nop)  …" {
		t.Errorf("got %q", got)
	}
}
