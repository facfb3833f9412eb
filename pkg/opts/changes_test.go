package opts

import (
	"reflect"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestParseChangesErrors(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{"RUN echo hi"}, "run is not a valid change command"},
		{[]string{"FROM busybox"}, "from is not a valid change command"},
		{[]string{"COPY a b"}, "copy is not a valid change command"},
		{[]string{"bogus"}, "bogus is not a valid change command"},
		{[]string{"HEALTHCHECK NONE"}, "HEALTHCHECK is not supported in a change by berth"},
		{[]string{"CMD"}, "CMD requires at least one argument"},
		{[]string{"ENTRYPOINT"}, "ENTRYPOINT requires at least one argument"},
		{[]string{"ENV"}, "ENV requires at least one argument"},
		{[]string{"ENV A"}, "ENV must have two arguments"},
		{[]string{"ENV A=1 B"}, `Syntax error - can't find = in "B". Must be of the form: name=value`},
		{[]string{"ENV =1"}, "ENV names can not be blank"},
		{[]string{"LABEL"}, "LABEL requires at least one argument"},
		{[]string{"LABEL =x"}, "LABEL names can not be blank"},
		{[]string{"EXPOSE"}, "EXPOSE requires at least one argument"},
		{[]string{"USER"}, "USER requires exactly one argument"},
		{[]string{"USER a b"}, "USER requires exactly one argument"},
		{[]string{"WORKDIR"}, "WORKDIR requires exactly one argument"},
		{[]string{"WORKDIR /a /b"}, "WORKDIR requires exactly one argument"},
		{[]string{"STOPSIGNAL"}, "STOPSIGNAL requires exactly one argument"},
		{[]string{"VOLUME"}, "VOLUME requires at least one argument"},
		{[]string{"VOLUME []"}, "VOLUME requires at least one argument"},
		{[]string{`ENV A="unterminated`}, "unexpected end of statement while looking for matching double-quote"},
		{[]string{`LABEL a='x`}, "unexpected end of statement while looking for matching single-quote"},
		{[]string{"ENV A=1", "run x"}, "run is not a valid change command"},
	} {
		_, err := ParseChanges(tc.in)
		if err == nil || err.Error() != tc.want {
			t.Errorf("ParseChanges(%q) = %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestApplyChangesErrors(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{"EXPOSE abc"}, `invalid port "abc" in EXPOSE`},
		{[]string{"EXPOSE 80/xyz"}, `invalid port "80/xyz" in EXPOSE`},
		{[]string{"EXPOSE 8080:80"}, `invalid port "8080:80" in EXPOSE`},
		{[]string{"STOPSIGNAL SIGNOPE"}, "invalid signal: SIGNOPE"},
		{[]string{`VOLUME [""]`}, "VOLUME specified can not be an empty string"},
		{[]string{"WORKDIR ${A:?x}"}, "WORKDIR: unsupported modifier (?) in substitution: ${A:?x}"},
		{[]string{"USER ${A"}, "USER: missing '}' in substitution"},
	} {
		changes, err := ParseChanges(tc.in)
		if err != nil {
			t.Errorf("ParseChanges(%q): %v", tc.in, err)
			continue
		}
		var cfg ocispec.ImageConfig
		err = ApplyChanges(&cfg, changes)
		if err == nil || err.Error() != tc.want {
			t.Errorf("ApplyChanges(%q) = %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestApplyChanges(t *testing.T) {
	base := func() ocispec.ImageConfig {
		return ocispec.ImageConfig{
			Env:        []string{"PATH=/bin", "HOME=/root"},
			Cmd:        []string{"sh"},
			WorkingDir: "/srv",
			Labels:     map[string]string{"old": "1"},
		}
	}
	for _, tc := range []struct {
		name string
		in   []string
		want func(*ocispec.ImageConfig)
	}{
		{"cmd exec form", []string{`CMD ["echo", "a b"]`}, func(c *ocispec.ImageConfig) { c.Cmd = []string{"echo", "a b"} }},
		{"cmd shell form", []string{`cmd echo "$HOME"`}, func(c *ocispec.ImageConfig) { c.Cmd = []string{"/bin/sh", "-c", `echo "$HOME"`} }},
		{"cmd empty", []string{`CMD []`}, func(c *ocispec.ImageConfig) { c.Cmd = []string{} }},
		{"entrypoint clears cmd", []string{`ENTRYPOINT ["/bin/app"]`}, func(c *ocispec.ImageConfig) {
			c.Entrypoint, c.Cmd = []string{"/bin/app"}, nil
		}},
		{"cmd before entrypoint stays", []string{`CMD ["x"]`, `ENTRYPOINT /bin/app -v`}, func(c *ocispec.ImageConfig) {
			c.Cmd, c.Entrypoint = []string{"x"}, []string{"/bin/sh", "-c", "/bin/app -v"}
		}},
		{"env forms", []string{`ENV A=1 B="two words" C=${A}x`, `ENV D the rest of $A`}, func(c *ocispec.ImageConfig) {
			c.Env = append(c.Env, "A=1", "B=two words", "C=1x", "D=the rest of 1")
		}},
		{"env replaces", []string{`ENV PATH=/usr/bin:$PATH`}, func(c *ocispec.ImageConfig) {
			c.Env = []string{"HOME=/root", "PATH=/usr/bin:/bin"}
		}},
		{"env quoting", []string{`ENV A='$HOME' B=\$HOME C="a\"b" D=${NOPE:-dflt} E=${HOME:+set}`}, func(c *ocispec.ImageConfig) {
			c.Env = append(c.Env, "A=$HOME", "B=$HOME", `C=a"b`, "D=dflt", "E=set")
		}},
		{"labels", []string{`LABEL a=1 "b c"="d e"`, `LABEL version 1.0 final`}, func(c *ocispec.ImageConfig) {
			c.Labels = map[string]string{"old": "1", "a": "1", "b c": "d e", "version": "1.0 final"}
		}},
		{"expose", []string{`EXPOSE 80 53/udp 8000-8001`}, func(c *ocispec.ImageConfig) {
			c.ExposedPorts = map[string]struct{}{"80/tcp": {}, "53/udp": {}, "8000/tcp": {}, "8001/tcp": {}}
		}},
		{"user", []string{`USER nobody:nogroup`}, func(c *ocispec.ImageConfig) { c.User = "nobody:nogroup" }},
		{"workdir relative", []string{`WORKDIR app`, `WORKDIR ../lib`}, func(c *ocispec.ImageConfig) { c.WorkingDir = "/srv/lib" }},
		{"workdir absolute with var", []string{`WORKDIR $HOME/x`}, func(c *ocispec.ImageConfig) { c.WorkingDir = "/root/x" }},
		{"volumes", []string{`VOLUME /data /logs`, `VOLUME ["/cache"]`}, func(c *ocispec.ImageConfig) {
			c.Volumes = map[string]struct{}{"/data": {}, "/logs": {}, "/cache": {}}
		}},
		{"stopsignal", []string{`STOPSIGNAL SIGINT`}, func(c *ocispec.ImageConfig) { c.StopSignal = "SIGINT" }},
		{"several lines in one value", []string{"ENV A=1\n# a comment\n\nUSER x \\\n  "}, func(c *ocispec.ImageConfig) {
			c.Env, c.User = append(c.Env, "A=1"), "x"
		}},
	} {
		changes, err := ParseChanges(tc.in)
		if err != nil {
			t.Errorf("%s: ParseChanges: %v", tc.name, err)
			continue
		}
		got, want := base(), base()
		tc.want(&want)
		if err := ApplyChanges(&got, changes); err != nil {
			t.Errorf("%s: ApplyChanges: %v", tc.name, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\ngot  %+v\nwant %+v", tc.name, got, want)
		}
	}
}
