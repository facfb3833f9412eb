package opts

import "testing"

func TestParseRestartPolicy(t *testing.T) {
	cases := []struct {
		in   string
		want RestartPolicy
		err  string
	}{
		{in: "", want: RestartPolicy{Name: "no"}},
		{in: "no", want: RestartPolicy{Name: "no"}},
		{in: "always", want: RestartPolicy{Name: "always"}},
		{in: "unless-stopped", want: RestartPolicy{Name: "unless-stopped"}},
		{in: "on-failure", want: RestartPolicy{Name: "on-failure"}},
		{in: "on-failure:3", want: RestartPolicy{Name: "on-failure", MaximumRetryCount: 3}},
		{in: "on-failure:x", err: "invalid restart policy: maximum retry count must be an integer"},
		{in: "on-failure:-1", err: "invalid restart policy: maximum retry count cannot be negative"},
		{in: "always:3", err: "invalid restart policy: maximum retry count can only be used with 'on-failure'"},
		{in: "sometimes", err: "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'"},
	}
	for _, c := range cases {
		got, err := ParseRestartPolicy(c.in)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("ParseRestartPolicy(%q) error = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseRestartPolicy(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}
