package logging

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestAppendEntryDockerFormat(t *testing.T) {
	ts := time.Date(2024, 5, 1, 10, 2, 3, 120000000, time.FixedZone("CEST", 2*3600))
	got := string(appendEntry(nil, []byte("hello <world> & \"you\"\n"), "stdout", ts))
	want := `{"log":"hello \u003cworld\u003e \u0026 \"you\"\n","stream":"stdout","time":"2024-05-01T08:02:03.12Z"}` + "\n"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// The hand-written encoder must escape exactly as encoding/json does, and
// what it writes must decode to the same bytes (invalid UTF-8 aside).
func TestAppendEscapedMatchesEncodingJSON(t *testing.T) {
	inputs := []string{
		"", "plain", "tab\there", "cr\r\n", "nul\x00", "bell\x07\x1f", "\b\f",
		"quote\" back\\slash", "<script>&amp;</script>", "é ü 日本語 🚢",
		"line\u2028sep\u2029", "bad \xff\xfe utf8", "trunc \xe6\x97", "\x7f del",
	}
	for b := 0; b < 256; b++ {
		inputs = append(inputs, string([]byte{'a', byte(b), 'z'}))
	}
	for _, in := range inputs {
		want, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		got := `"` + string(appendEscaped(nil, []byte(in))) + `"`
		if got != string(want) {
			t.Errorf("escape(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestEntryRoundTrip(t *testing.T) {
	ts := time.Now()
	for _, log := range []string{"a\n", "partial", "", strings.Repeat("x", maxLine)} {
		raw := appendEntry(nil, []byte(log), "stderr", ts)
		var e entry
		if err := decodeEntry(raw[:len(raw)-1], &e); err != nil {
			t.Fatal(err)
		}
		if e.Log != log || e.Stream != "stderr" || !e.Time.Equal(ts) {
			t.Fatalf("round trip of %q: %+v", log, e)
		}
		if e.partial() != !strings.HasSuffix(log, "\n") {
			t.Fatalf("partial(%q) = %v", log, e.partial())
		}
		if isTerminator(raw[:len(raw)-1]) == e.partial() {
			t.Fatalf("isTerminator(%s) disagrees with partial", raw)
		}
	}
}

func TestIsTerminator(t *testing.T) {
	tests := map[string]bool{
		`{"log":"a\n","stream":"stdout","time":"2024-01-01T00:00:00Z"}`:                    true,
		`{"log":"a","stream":"stdout","time":"2024-01-01T00:00:00Z"}`:                      false,
		`{"log":"a\\n","stream":"stdout","time":"2024-01-01T00:00:00Z"}`:                   false, // backslash, n
		`{"log":"a\\\n","stream":"stdout","time":"2024-01-01T00:00:00Z"}`:                  true,  // backslash, newline
		`{"log":"\",\"stream\":\"x\n","stream":"stdout","time":"2024-01-01T00:00:00Z"}`:    true,
		`{"stream":"stdout","log":"other order\n","time":"2024-01-01T00:00:00Z"}`:          true,
		`{"time":"2024-01-01T00:00:00Z","stream":"stdout","log":"other order no newline"}`: false,
		`garbage`: false,
	}
	for raw, want := range tests {
		if got := isTerminator([]byte(raw)); got != want {
			t.Errorf("isTerminator(%s) = %v, want %v", raw, got, want)
		}
	}
}
