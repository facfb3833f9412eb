package image

import (
	"time"
	"unicode/utf8"

	units "github.com/docker/go-units"
)

// humanSize is Docker's SIZE column: decimal units, three significant
// digits ("4.26MB").
func storeHumanSize(n int64) string { return units.HumanSizeWithPrecision(float64(n), 3) }

// sinceText is Docker's CREATED column ("2 hours ago"); empty for an
// unknown time.
func storeSince(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	return units.HumanDuration(now.UTC().Sub(t)) + " ago"
}

// ellipsis shortens s to n characters, the last being "…", as Docker's
// history does with CREATED BY.
func storeEllipsis(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
