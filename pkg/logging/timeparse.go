package logging

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseTime reads a --since or --until value as Docker does: a duration
// before now ("10m", "1h30m"), an RFC 3339 date or time with or without a
// zone ("2024-05-01", "2024-05-01T10:00", "2024-05-01T10:00:00.5Z",
// "2024-05-01T10:00:00+02:00"; without a zone it is now's zone), or a Unix
// timestamp ("1714557600", "1714557600.123456789"). An empty value is the
// zero time: no bound. name ("since", "until") goes into the error.
func ParseTime(name, value string, now time.Time) (time.Time, error) {
	if value == "" {
		return time.Time{}, nil
	}
	t, err := parseTime(value, now)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid value for %q: %w", name, err)
	}
	return t, nil
}

func parseTime(value string, now time.Time) (time.Time, error) {
	// "0" is the Unix epoch, not a zero duration.
	if d, err := time.ParseDuration(value); err == nil && value != "0" {
		return now.Add(-d), nil
	}
	// A zone is given by Z, +hh:mm, or a -hh:mm that makes a third dash.
	local := !strings.ContainsAny(value, "zZ+") && strings.Count(value, "-") != 3
	var layout string
	switch {
	case strings.Contains(value, "."):
		layout = "2006-01-02T15:04:05.999999999Z07:00"
		if local {
			layout = "2006-01-02T15:04:05.999999999"
		}
	case strings.Contains(value, "T"):
		colons := strings.Count(value, ":")
		if !local && !strings.ContainsAny(value, "zZ") && colons > 0 {
			colons-- // the zone offset's colon
		}
		layout = [...]string{"2006-01-02T15", "2006-01-02T15:04", "2006-01-02T15:04:05"}[min(colons, 2)]
		if !local {
			layout += "Z07:00"
		}
	default:
		layout = "2006-01-02"
		if !local {
			layout += "Z07:00"
		}
	}
	var t time.Time
	var err error
	if local {
		t, err = time.ParseInLocation(layout, value, now.Location())
	} else {
		t, err = time.Parse(layout, value)
	}
	if err == nil {
		return t, nil
	}
	if strings.Contains(value, "-") {
		return time.Time{}, err // a date that does not parse: say why
	}
	if t, ok := parseUnix(value); ok {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("failed to parse value as time or duration: %q", value)
}

// parseUnix reads seconds since the epoch with an optional fraction.
func parseUnix(value string) (time.Time, bool) {
	secs, frac, hasFrac := strings.Cut(value, ".")
	s, err := strconv.ParseInt(secs, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	if !hasFrac {
		return time.Unix(s, 0), true
	}
	if frac == "" || len(frac) > 9 || strings.Trim(frac, "0123456789") != "" {
		return time.Time{}, false
	}
	n, _ := strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
	return time.Unix(s, n), true
}

// ParseTail reads --tail: a number of lines, or "all" (also a negative
// number, as Docker takes it), which is -1.
func ParseTail(value string) (int, error) {
	if value == "" || value == "all" {
		return -1, nil
	}
	n, err := strconv.Atoi(value)
	if err != nil {
		return 0, fmt.Errorf("invalid value for \"tail\": %q: must be a number of lines or \"all\"", value)
	}
	if n < 0 {
		return -1, nil
	}
	return n, nil
}
