package logging

import (
	"net/url"
	"path/filepath"
	"reflect"
	"testing"
)

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "log.sock")
	listenUnixgram(t, sock)
	all := HostCaps{Journald: true, DevLog: true}
	tests := []struct {
		name string
		c    Config
		host HostCaps
		err  string
	}{
		{name: "default", c: Config{}},
		{name: "json-file caps", c: Config{Type: "json-file", Config: map[string]string{"max-size": "10m", "max-file": "3", "compress": "true"}}},
		{name: "local", c: Config{Type: "local", Config: map[string]string{"max-size": "1g"}}},
		{name: "none", c: Config{Type: "none"}},
		{name: "unknown driver", c: Config{Type: "fluentd"},
			err: "logger: no log driver named 'fluentd' is registered (berth has json-file, local, none, syslog, journald)"},
		{name: "unknown opt", c: Config{Type: "json-file", Config: map[string]string{"max-sise": "1m"}},
			err: "unknown log opt 'max-sise' for json-file log driver"},
		{name: "unknown opt default driver", c: Config{Config: map[string]string{"foo": "bar"}},
			err: "unknown log opt 'foo' for json-file log driver"},
		{name: "none takes no opt", c: Config{Type: "none", Config: map[string]string{"max-size": "1m"}},
			err: "unknown log opt 'max-size' for none log driver"},
		{name: "labels not implemented", c: Config{Config: map[string]string{"labels": "a"}},
			err: "log opt 'labels' of the json-file log driver is not supported by berth"},
		{name: "tag on json-file", c: Config{Config: map[string]string{"tag": "x"}},
			err: "log opt 'tag' of the json-file log driver is not supported by berth"},
		{name: "bad size", c: Config{Config: map[string]string{"max-size": "ten"}},
			err: "invalid log opt max-size=ten: invalid size: 'ten'"},
		{name: "bad suffix", c: Config{Config: map[string]string{"max-size": "10q"}},
			err: "invalid log opt max-size=10q: invalid suffix: 'q'"},
		{name: "zero size", c: Config{Config: map[string]string{"max-size": "0"}},
			err: "max-size must be a positive number"},
		{name: "bad max-file", c: Config{Config: map[string]string{"max-file": "two"}},
			err: "invalid log opt max-file=two: must be a whole number"},
		{name: "zero max-file", c: Config{Config: map[string]string{"max-file": "0"}},
			err: "max-file cannot be less than 1"},
		{name: "bad compress", c: Config{Config: map[string]string{"compress": "yes"}},
			err: "invalid log opt compress=yes: must be true or false"},
		{name: "journald missing", c: Config{Type: "journald"}, host: HostCaps{DevLog: true},
			err: "journald logging driver is not available: this host has no systemd journal (/run/systemd/journal/socket is missing); use --log-driver json-file or syslog"},
		{name: "journald present", c: Config{Type: "journald", Config: map[string]string{"tag": "web-{{.ID}}"}}, host: all},
		{name: "syslog without /dev/log", c: Config{Type: "syslog"},
			err: "syslog logging driver: this host has no syslog socket at /dev/log; start a syslog daemon or set --log-opt syslog-address=udp://HOST:514"},
		{name: "syslog udp", c: Config{Type: "syslog", Config: map[string]string{"syslog-address": "udp://127.0.0.1:514", "syslog-facility": "local3", "syslog-format": "rfc5424"}}},
		{name: "syslog unix socket", c: Config{Type: "syslog", Config: map[string]string{"syslog-address": "unixgram://" + sock}}},
		{name: "syslog unix missing", c: Config{Type: "syslog", Config: map[string]string{"syslog-address": "unix:///nonexistent/sock"}},
			err: "syslog-address /nonexistent/sock: no such socket"},
		{name: "syslog bad scheme", c: Config{Type: "syslog", Config: map[string]string{"syslog-address": "http://x"}},
			err: "unsupported scheme: 'http'"},
		{name: "syslog tls", c: Config{Type: "syslog", Config: map[string]string{"syslog-address": "tcp+tls://x:6514"}},
			err: `syslog-address "tcp+tls://x:6514": tcp+tls is not supported by berth; use tcp, udp, unix or unixgram`},
		{name: "syslog tls opt", c: Config{Type: "syslog", Config: map[string]string{"syslog-tls-cert": "/c"}}, host: all,
			err: "log opt 'syslog-tls-cert' of the syslog log driver is not supported by berth"},
		{name: "syslog facility", c: Config{Type: "syslog", Config: map[string]string{"syslog-facility": "kitchen"}}, host: all,
			err: `invalid syslog facility "kitchen"`},
		{name: "syslog format", c: Config{Type: "syslog", Config: map[string]string{"syslog-format": "json"}}, host: all,
			err: `invalid syslog format "json": must be rfc3164, rfc5424 or rfc5424micro`},
		{name: "tag template", c: Config{Type: "syslog", Config: map[string]string{"tag": "{{.Name}}"}}, host: all,
			err: "invalid log opt tag={{.Name}}: berth's tag template knows only {{.ID}} and {{.FullID}}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.c, tc.host)
			if tc.err == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || err.Error() != tc.err {
				t.Fatalf("Validate error:\n got %v\nwant %s", err, tc.err)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	tests := []struct {
		c        Config
		size     int64
		files    int
		compress bool
	}{
		{Config{}, 20_000_000, 5, false},
		{Config{Type: "local"}, 20 << 20, 5, true},
		{Config{Config: map[string]string{"max-size": "1k"}}, 1000, 1, false},
		{Config{Config: map[string]string{"max-file": "3"}}, 20_000_000, 3, false},
		{Config{Type: "local", Config: map[string]string{"max-size": "1k", "compress": "false"}}, 1024, 1, false},
	}
	for _, tc := range tests {
		o, err := parseOptions(tc.c)
		if err != nil {
			t.Fatal(err)
		}
		if o.maxSize != tc.size || o.maxFile != tc.files || o.compress != tc.compress {
			t.Errorf("%+v: got size %d files %d compress %v, want %d %d %v", tc.c, o.maxSize, o.maxFile, o.compress, tc.size, tc.files, tc.compress)
		}
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in  string
		dec int64
		bin int64
		err string
	}{
		{in: "512", dec: 512, bin: 512},
		{in: "10m", dec: 10_000_000, bin: 10 << 20},
		{in: "10MB", dec: 10_000_000, bin: 10 << 20},
		{in: "10MiB", dec: 10_000_000, bin: 10 << 20},
		{in: "1.5k", dec: 1500, bin: 1536},
		{in: "2 g", dec: 2_000_000_000, bin: 2 << 30},
		{in: "3b", dec: 3, bin: 3},
		{in: "", err: "invalid size: ''"},
		{in: "m", err: "invalid size: 'm'"},
		{in: "-1", err: "invalid size: '-1'"},
		{in: "1e3", err: "invalid size: '1e3'"},
		{in: "5mbb", err: "invalid suffix: 'mbb'"},
		{in: "5x", err: "invalid suffix: 'x'"},
	}
	for _, tc := range tests {
		d, err := parseDecimalSize(tc.in)
		b, _ := parseBinarySize(tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("parseSize(%q) error = %v, want %s", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || d != tc.dec || b != tc.bin {
			t.Errorf("parseSize(%q) = %d, %d, %v; want %d, %d", tc.in, d, b, err, tc.dec, tc.bin)
		}
	}
}

func TestLogURI(t *testing.T) {
	c := Config{Type: "json-file", Config: map[string]string{"max-size": "1m", "max-file": "2"}}
	u, err := LogURI("/usr/libexec/berth/berth-logger", "/var/lib/berth", "default", "abc123", c)
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "binary" || u.Path != "/usr/libexec/berth/berth-logger" {
		t.Fatalf("URI %s", u)
	}
	// The shim turns the query into key value pairs, in map order.
	var args []string
	for k, v := range u.Query() {
		args = append(args, k, v[0])
	}
	spec, err := ParseLoggerArgs(args, mapEnv(map[string]string{"CONTAINER_ID": "abc123", "CONTAINER_NAMESPACE": "default"}))
	if err != nil {
		t.Fatal(err)
	}
	if spec.DataRoot != "/var/lib/berth" || spec.Driver() != "json-file" || spec.opts.maxSize != 1_000_000 || spec.opts.maxFile != 2 {
		t.Fatalf("spec %+v", spec)
	}
	round, _ := url.Parse(u.String())
	if !reflect.DeepEqual(round.Query(), u.Query()) {
		t.Fatalf("URI does not survive a round trip: %s", u)
	}

	if u, err := LogURI("/l", "/d", "default", "x", Config{Type: "none"}); u != nil || err != nil {
		t.Fatalf("none: %v %v", u, err)
	}
	for _, tc := range []struct {
		logger, root, ns, id string
		c                    Config
		err                  string
	}{
		{"l", "/d", "ns", "x", Config{}, `logger binary "l" must be an absolute path`},
		{"/l", "d", "ns", "x", Config{}, `data root "d" must be an absolute path`},
		{"/l", "/d", "../x", "x", Config{}, `invalid namespace "../x"`},
		{"/l", "/d", "ns", "a/b", Config{}, `invalid container ID "a/b"`},
		{"/l", "/d", "ns", "x", Config{Type: "gelf"}, "logger: no log driver named 'gelf' is registered (berth has json-file, local, none, syslog, journald)"},
	} {
		_, err := LogURI(tc.logger, tc.root, tc.ns, tc.id, tc.c)
		if err == nil || err.Error() != tc.err {
			t.Errorf("LogURI(%q, %q, %q, %q) error = %v, want %s", tc.logger, tc.root, tc.ns, tc.id, err, tc.err)
		}
	}
}

func TestParseLoggerArgs(t *testing.T) {
	env := mapEnv(map[string]string{"CONTAINER_ID": "c1", "CONTAINER_NAMESPACE": "ns"})
	// Pairs in any order, and a value that is also a key's name.
	args := []string{"tag", "driver", "syslog-address", "udp://h", "driver", "syslog", "data-root", "/var/lib/berth"}
	s, err := ParseLoggerArgs(args, env)
	if err != nil {
		t.Fatal(err)
	}
	if s.Driver() != "syslog" || s.opts.tag != "driver" || s.opts.network != "udp" || s.opts.address != "h:514" ||
		s.ID != "c1" || s.Namespace != "ns" || s.DataRoot != "/var/lib/berth" {
		t.Fatalf("spec %+v", s)
	}
}

func TestParseLoggerArgsErrors(t *testing.T) {
	env := mapEnv(map[string]string{"CONTAINER_ID": "c1", "CONTAINER_NAMESPACE": "ns"})
	tests := []struct {
		args []string
		env  func(string) string
		err  string
	}{
		{[]string{"driver"}, env, "arguments must be key value pairs, got 1 arguments"},
		{[]string{"data-root", "/d"}, env, "no driver argument"},
		{[]string{"driver", "json-file", "data-root", "rel"}, env, `data-root "rel" must be an absolute path`},
		{[]string{"driver", "json-file", "data-root", "/d"}, mapEnv(nil), `invalid container ID (CONTAINER_ID) ""`},
		{[]string{"driver", "json-file", "data-root", "/d"}, mapEnv(map[string]string{"CONTAINER_ID": "c", "CONTAINER_NAMESPACE": ".."}), `invalid namespace (CONTAINER_NAMESPACE) ".."`},
		{[]string{"driver", "json-file", "data-root", "/d", "max-file", "driver"}, env, "invalid log opt max-file=driver: must be a whole number"},
	}
	for _, tc := range tests {
		_, err := ParseLoggerArgs(tc.args, tc.env)
		if err == nil || err.Error() != tc.err {
			t.Errorf("ParseLoggerArgs(%q) error = %v, want %s", tc.args, err, tc.err)
		}
	}
}

func TestReadable(t *testing.T) {
	for _, d := range Drivers {
		err := Readable(Config{Type: d})
		want := d == JSONFile || d == Local
		if (err == nil) != want {
			t.Errorf("Readable(%s) = %v", d, err)
		}
		if err != nil && err.Error() != "configured logging driver does not support reading" {
			t.Errorf("Readable(%s) = %v", d, err)
		}
	}
	if err := Readable(Config{}); err != nil {
		t.Errorf("default driver: %v", err)
	}
}

func TestLogPath(t *testing.T) {
	got := LogPath("/var/lib/berth", "default", "abc")
	if got != "/var/lib/berth/default/containers/abc/abc-json.log" {
		t.Fatal(got)
	}
}

func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}
