package opts

import "testing"

func TestParseMemBytes(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		err  string
	}{
		{in: "", want: 0},
		{in: "0", want: 0},
		{in: "1024", want: 1024},
		{in: "64m", want: 64 << 20},
		{in: "64M", want: 64 << 20},
		{in: "1g", want: 1 << 30},
		{in: "1.5g", want: 3 << 29},
		{in: "2kb", want: 2048},
		{in: "2KiB", want: 2048},
		{in: "10b", want: 10},
		{in: "1q", err: "invalid suffix: 'q'"},
		{in: "x", err: "invalid size: 'x'"},
		{in: "-1", err: "invalid size: '-1'"},
		{in: "1mbs", err: "invalid suffix: 'mbs'"},
	}
	for _, c := range cases {
		got, err := ParseMemBytes(c.in)
		checkResult(t, "ParseMemBytes", c.in, got, c.want, err, c.err)
	}
}

func TestParseMemSwap(t *testing.T) {
	for in, want := range map[string]int64{"-1": -1, "128m": 128 << 20, "": 0} {
		got, err := ParseMemSwap(in)
		checkResult(t, "ParseMemSwap", in, got, want, err, "")
	}
	_, err := ParseMemSwap("-2")
	checkResult(t, "ParseMemSwap", "-2", int64(0), int64(0), err, "invalid size: '-2'")
}

func TestMemBytesValue(t *testing.T) {
	var s string
	v := NewMemBytes(&s)
	if err := v.Set("1q"); err == nil || err.Error() != "invalid suffix: 'q'" || s != "" {
		t.Fatalf("Set(1q) = %v, stored %q", err, s)
	}
	if err := v.Set("256m"); err != nil || s != "256m" || v.String() != "256m" || v.Type() != "bytes" {
		t.Fatalf("Set(256m) = %v, stored %q", err, s)
	}
	if err := NewMemSwap(&s).Set("-1"); err != nil || s != "-1" {
		t.Fatalf("swap Set(-1) = %v, stored %q", err, s)
	}
}

// checkResult compares a parser's value and error with the expected ones:
// the exact error text when one is expected.
func checkResult[T comparable](t *testing.T, fn, in string, got, want T, err error, wantErr string) {
	t.Helper()
	if wantErr != "" {
		if err == nil || err.Error() != wantErr {
			t.Errorf("%s(%q) error = %v, want %q", fn, in, err, wantErr)
		}
		return
	}
	if err != nil || got != want {
		t.Errorf("%s(%q) = %v, %v; want %v", fn, in, got, err, want)
	}
}
