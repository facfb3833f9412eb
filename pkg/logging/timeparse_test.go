package logging

import (
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	zone := time.FixedZone("X", 3600)
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, zone)
	tests := []struct {
		in   string
		want time.Time
		err  string
	}{
		{in: "", want: time.Time{}},
		{in: "10m", want: now.Add(-10 * time.Minute)},
		{in: "1h30m", want: now.Add(-90 * time.Minute)},
		{in: "-5s", want: now.Add(5 * time.Second)},
		{in: "0", want: time.Unix(0, 0)},
		{in: "1714557600", want: time.Unix(1714557600, 0)},
		{in: "1714557600.5", want: time.Unix(1714557600, 500000000)},
		{in: "1714557600.000000001", want: time.Unix(1714557600, 1)},
		{in: "2024-05-01", want: time.Date(2024, 5, 1, 0, 0, 0, 0, zone)},
		{in: "2024-05-01T10", want: time.Date(2024, 5, 1, 10, 0, 0, 0, zone)},
		{in: "2024-05-01T10:30", want: time.Date(2024, 5, 1, 10, 30, 0, 0, zone)},
		{in: "2024-05-01T10:30:15", want: time.Date(2024, 5, 1, 10, 30, 15, 0, zone)},
		{in: "2024-05-01T10:30:15.25", want: time.Date(2024, 5, 1, 10, 30, 15, 250000000, zone)},
		{in: "2024-05-01T10:30:15Z", want: time.Date(2024, 5, 1, 10, 30, 15, 0, time.UTC)},
		{in: "2024-05-01T10:30:15.123456789Z", want: time.Date(2024, 5, 1, 10, 30, 15, 123456789, time.UTC)},
		{in: "2024-05-01T10:30:15+02:00", want: time.Date(2024, 5, 1, 8, 30, 15, 0, time.UTC)},
		{in: "2024-05-01T10:30:15-02:00", want: time.Date(2024, 5, 1, 12, 30, 15, 0, time.UTC)},
		{in: "2024-05-01T10:30Z", want: time.Date(2024, 5, 1, 10, 30, 0, 0, time.UTC)},
		{in: "2024-05-01T10+01:00", want: time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)},
		{in: "yesterday", err: `invalid value for "since": failed to parse value as time or duration: "yesterday"`},
		{in: "12.3.4", err: `invalid value for "since": failed to parse value as time or duration: "12.3.4"`},
		{in: "1714557600.", err: `invalid value for "since": failed to parse value as time or duration: "1714557600."`},
		{in: "2024-13-01", err: `invalid value for "since": parsing time "2024-13-01": month out of range`},
		{in: "2024-05-01T25:00", err: `invalid value for "since": parsing time "2024-05-01T25:00": hour out of range`},
	}
	for _, tc := range tests {
		got, err := ParseTime("since", tc.in, now)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("ParseTime(%q) error = %v, want %s", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseTail(t *testing.T) {
	tests := []struct {
		in   string
		want int
		err  string
	}{
		{"", -1, ""}, {"all", -1, ""}, {"0", 0, ""}, {"10", 10, ""}, {"-1", -1, ""}, {"-7", -1, ""},
		{"ten", 0, `invalid value for "tail": "ten": must be a number of lines or "all"`},
		{"1.5", 0, `invalid value for "tail": "1.5": must be a number of lines or "all"`},
	}
	for _, tc := range tests {
		got, err := ParseTail(tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("ParseTail(%q) error = %v, want %s", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseTail(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}
