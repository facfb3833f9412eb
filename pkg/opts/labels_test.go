package opts

import (
	"reflect"
	"testing"
)

func TestParseLabels(t *testing.T) {
	cases := []struct {
		in   []string
		want map[string]string
		err  string
	}{
		{in: nil, want: map[string]string{}},
		{in: []string{"a=b", "c=", "d"}, want: map[string]string{"a": "b", "c": "", "d": ""}},
		{in: []string{"team=a,b", "x=y=z"}, want: map[string]string{"team": "a,b", "x": "y=z"}},
		{in: []string{"=v"}, err: `invalid label "=v": the key must not be empty`},
	}
	for _, c := range cases {
		got, err := ParseLabels(c.in)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("ParseLabels(%q) error = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseLabels(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}
