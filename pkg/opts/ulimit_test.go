package opts

import "testing"

func TestParseUlimit(t *testing.T) {
	cases := []struct {
		in   string
		want Ulimit
		err  string
	}{
		{in: "nofile=1024", want: Ulimit{Name: "nofile", Resource: "RLIMIT_NOFILE", Soft: 1024, Hard: 1024}},
		{in: "nofile=512:2048", want: Ulimit{Name: "nofile", Resource: "RLIMIT_NOFILE", Soft: 512, Hard: 2048}},
		{in: "core=-1", want: Ulimit{Name: "core", Resource: "RLIMIT_CORE", Soft: -1, Hard: -1}},
		{in: "nproc=10:-1", want: Ulimit{Name: "nproc", Resource: "RLIMIT_NPROC", Soft: 10, Hard: -1}},
		{in: "nofile", err: "invalid ulimit argument: nofile"},
		{in: "foo=1", err: "invalid ulimit type: foo"},
		{in: "nofile=abc", err: `strconv.ParseInt: parsing "abc": invalid syntax`},
		{in: "nofile=10:5", err: "ulimit soft limit must be less than or equal to hard limit: 10 > 5"},
		{in: "nofile=1:2:3", err: "too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`"},
		{in: "nofile=-1:5", err: "ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: 5"},
	}
	for _, c := range cases {
		got, err := ParseUlimit(c.in)
		checkResult(t, "ParseUlimit", c.in, got, c.want, err, c.err)
	}
}

func TestParseUlimitsLaterWins(t *testing.T) {
	got, err := ParseUlimits([]string{"nofile=10", "nproc=5", "nofile=20:30"})
	if err != nil || len(got) != 2 || got[0].Soft != 20 || got[0].Hard != 30 || got[1].Name != "nproc" {
		t.Fatalf("ParseUlimits = %+v, %v", got, err)
	}
	var vals []string
	v := NewUlimits(&vals)
	if v.String() != "[]" || v.Type() != "ulimit" {
		t.Fatalf("empty value prints %q (%s)", v.String(), v.Type())
	}
	if err := v.Set("nofile"); err == nil || len(vals) != 0 {
		t.Fatalf("Set(nofile) = %v, %v", err, vals)
	}
	if err := v.Set("nofile=1"); err != nil || len(vals) != 1 {
		t.Fatalf("Set(nofile=1) = %v, %v", err, vals)
	}
}
