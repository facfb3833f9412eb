package opts

import (
	"reflect"
	"strings"
	"testing"
)

func TestParsePublish(t *testing.T) {
	tcp := func(ip string, host, container uint16) PortBinding {
		return PortBinding{HostIP: ip, HostPort: host, ContainerPort: container, Proto: "tcp"}
	}
	cases := []struct {
		in   string
		want []PortBinding
		err  string
	}{
		{in: "80", want: []PortBinding{tcp("", 0, 80)}},
		{in: "8080:80", want: []PortBinding{tcp("", 8080, 80)}},
		{in: ":80", want: []PortBinding{tcp("", 0, 80)}},
		{in: "0:80", want: []PortBinding{tcp("", 0, 80)}},
		{in: "127.0.0.1:8080:80", want: []PortBinding{tcp("127.0.0.1", 8080, 80)}},
		{in: "127.0.0.1::80", want: []PortBinding{tcp("127.0.0.1", 0, 80)}},
		{in: "::80", want: []PortBinding{tcp("", 0, 80)}},
		{in: "[::1]:8080:80", want: []PortBinding{tcp("::1", 8080, 80)}},
		{in: "[::1]::80", want: []PortBinding{tcp("::1", 0, 80)}},
		{in: "[1.2.3.4]:8080:80", want: []PortBinding{tcp("1.2.3.4", 8080, 80)}},
		{in: "::1:8080:80", want: []PortBinding{tcp("::1", 8080, 80)}},
		{in: "8080:80/udp", want: []PortBinding{{HostPort: 8080, ContainerPort: 80, Proto: "udp"}}},
		{in: "80/sctp", want: []PortBinding{{ContainerPort: 80, Proto: "sctp"}}},
		{in: "80/TCP", want: []PortBinding{tcp("", 0, 80)}},
		{in: "65535:65535", want: []PortBinding{tcp("", 65535, 65535)}},
		{in: "8000-8002:80-82", want: []PortBinding{tcp("", 8000, 80), tcp("", 8001, 81), tcp("", 8002, 82)}},
		{in: "127.0.0.1:8000-8001:80-81/udp", want: []PortBinding{
			{HostIP: "127.0.0.1", HostPort: 8000, ContainerPort: 80, Proto: "udp"},
			{HostIP: "127.0.0.1", HostPort: 8001, ContainerPort: 81, Proto: "udp"},
		}},
		{in: "8000-8010:80", want: []PortBinding{{HostPort: 8000, HostPortEnd: 8010, ContainerPort: 80, Proto: "tcp"}}},
		{in: "8000-8000:80", want: []PortBinding{tcp("", 8000, 80)}},
		{in: "80-82", want: []PortBinding{tcp("", 0, 80), tcp("", 0, 81), tcp("", 0, 82)}},
		{in: "80-80", want: []PortBinding{tcp("", 0, 80)}},

		{in: "", err: "no port specified: <empty>"},
		{in: "8080:", err: "no port specified: 8080:<empty>"},
		{in: "70000", err: "invalid containerPort: 70000"},
		{in: "8080:70000", err: "invalid containerPort: 70000"},
		{in: "0", err: "invalid containerPort: 0"},
		{in: "8080:0", err: "invalid containerPort: 0"},
		{in: "99999:80", err: "invalid hostPort: 99999"},
		{in: "abc", err: "invalid containerPort: abc"},
		{in: "abc:80", err: "invalid hostPort: abc"},
		{in: "-80", err: "invalid containerPort: -80"},
		{in: "+80", err: "invalid containerPort: +80"},
		{in: " 80", err: "invalid containerPort:  80"},
		{in: "80-", err: "invalid containerPort: 80-"},
		{in: "80-81-82", err: "invalid containerPort: 80-81-82"},
		{in: "90-80", err: "invalid containerPort: 90-80"},
		{in: "8010-8000:80", err: "invalid hostPort: 8010-8000"},
		{in: "0-10:80", err: "invalid hostPort: 0-10"},
		{in: "8080/tcp:80", err: "invalid hostPort: 8080/tcp"},
		{in: "1.2.3:8080:80", err: "invalid IP address: 1.2.3"},
		{in: "localhost:8080:80", err: "invalid IP address: localhost"},
		{in: "1.2.3.4:80:80:80", err: "invalid IP address: 1.2.3.4:80"},
		{in: "1:2:3:4", err: "invalid IP address: 1:2"},
		{in: "[::1]:80", err: "invalid port format: [::1]:80: expected [IP]:[hostPort]:containerPort"},
		{in: "[::1:80:80", err: "invalid port format: [::1:80:80: expected [IP]:[hostPort]:containerPort"},
		{in: "[::1]8080:80", err: "invalid port format: [::1]8080:80: expected [IP]:[hostPort]:containerPort"},
		{in: "[::1]:1:2:3", err: "invalid port format: [::1]:1:2:3: expected [IP]:[hostPort]:containerPort"},
		{in: "[1.2.3]:8080:80", err: "invalid IP address: 1.2.3"},
		{in: "80/foo", err: "invalid proto: foo"},
		{in: "80/tcp/udp", err: "invalid proto: tcp/udp"},
		{in: "80/", err: "no protocol specified: 80/<empty>"},
		{in: "/tcp", err: "no port specified: /tcp<empty>"},
		{in: "8080:/udp", err: "no port specified: 8080:/udp<empty>"},
		{in: "8000-8010:80-85", err: "invalid ranges specified for container and host Ports: 80-85 and 8000-8010"},
		{in: "8080:80-85", err: "invalid ranges specified for container and host Ports: 80-85 and 8080"},
		{in: "80\n", err: `invalid containerPort: "80\n"`},
	}
	for _, c := range cases {
		got, err := ParsePublish(c.in)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("ParsePublish(%q) error = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParsePublish(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}

func TestParsePublishWholeRange(t *testing.T) {
	got, err := ParsePublish("1-65535:1-65535/udp")
	if err != nil || len(got) != 65535 {
		t.Fatalf("ParsePublish(1-65535:1-65535) = %d bindings, %v", len(got), err)
	}
	last := got[len(got)-1]
	if last.HostPort != 65535 || last.ContainerPort != 65535 || last.Proto != "udp" {
		t.Fatalf("last binding = %+v", last)
	}
}

// TestParsePublishNeverPanics feeds odd strings built from the characters
// that mean something to the parser.
func TestParsePublishNeverPanics(t *testing.T) {
	alphabet := []string{"", "0", "1", "65535", "65536", ":", "-", "/", "[", "]", "::", "tcp", "x", "\n"}
	for _, a := range alphabet {
		for _, b := range alphabet {
			for _, c := range alphabet {
				for _, d := range alphabet {
					s := a + b + c + d
					_, err := ParsePublish(s)
					if err != nil && strings.Contains(err.Error(), "\n") {
						t.Errorf("ParsePublish(%q) error spans lines: %q", s, err)
					}
					_, _ = ParseExpose(s)
					_, _ = ParsePortKey(s)
				}
			}
		}
	}
}

func TestPortBindingString(t *testing.T) {
	cases := []struct {
		in   PortBinding
		want string
	}{
		{PortBinding{HostPort: 8080, ContainerPort: 80, Proto: "tcp"}, "0.0.0.0:8080->80/tcp"},
		{PortBinding{HostIP: "::1", HostPort: 8080, ContainerPort: 80, Proto: "tcp"}, "[::1]:8080->80/tcp"},
		{PortBinding{HostIP: "::", HostPort: 8080, ContainerPort: 80, Proto: "tcp"}, "[::]:8080->80/tcp"},
		{PortBinding{HostIP: "127.0.0.1", HostPort: 8080, ContainerPort: 80, Proto: "udp"}, "127.0.0.1:8080->80/udp"},
		{PortBinding{HostPort: 8080, ContainerPort: 80}, "0.0.0.0:8080->80/tcp"},
		{PortBinding{HostPort: 8000, HostPortEnd: 8010, ContainerPort: 80, Proto: "tcp"}, "0.0.0.0:8000-8010->80/tcp"},
		{PortBinding{ContainerPort: 80, Proto: "sctp"}, "80/sctp"},
	}
	for _, c := range cases {
		if got := c.in.String(); got != c.want {
			t.Errorf("%+v.String() = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParseExpose(t *testing.T) {
	cases := []struct {
		in   string
		want []ExposedPort
		err  string
	}{
		{in: "80", want: []ExposedPort{{80, "tcp"}}},
		{in: "80/udp", want: []ExposedPort{{80, "udp"}}},
		{in: "80/SCTP", want: []ExposedPort{{80, "sctp"}}},
		{in: "8000-8002", want: []ExposedPort{{8000, "tcp"}, {8001, "tcp"}, {8002, "tcp"}}},
		{in: "8000-8001/tcp", want: []ExposedPort{{8000, "tcp"}, {8001, "tcp"}}},
		{in: "8080:80", err: "invalid port format for --expose: 8080:80"},
		{in: ":", err: "invalid port format for --expose: :"},
		{in: "", err: "invalid range format for --expose: , error: empty string specified for ports"},
		{in: "/tcp", err: "invalid range format for --expose: /tcp, error: empty string specified for ports"},
		{in: "NaN/tcp", err: "invalid range format for --expose: NaN/tcp, error: invalid port number NaN"},
		{in: "70000", err: "invalid range format for --expose: 70000, error: port 70000 out of range (1-65535)"},
		{in: "0", err: "invalid range format for --expose: 0, error: port 0 out of range (1-65535)"},
		{in: "90-80", err: "invalid range format for --expose: 90-80, error: invalid range specified for port: 90-80"},
		{in: "80/foo", err: "invalid proto: foo"},
		{in: "80/", err: "no protocol specified: 80/<empty>"},
	}
	for _, c := range cases {
		got, err := ParseExpose(c.in)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("ParseExpose(%q) error = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseExpose(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}

func TestParsePortKey(t *testing.T) {
	cases := []struct {
		in   string
		want ExposedPort
		err  string
	}{
		{in: "80/tcp", want: ExposedPort{80, "tcp"}},
		{in: "53/udp", want: ExposedPort{53, "udp"}},
		{in: "9/sctp", want: ExposedPort{9, "sctp"}},
		{in: "8080", want: ExposedPort{8080, "tcp"}},
		{in: "", err: `invalid exposed port "": empty string specified for ports`},
		{in: "http/tcp", err: `invalid exposed port "http/tcp": invalid port number http`},
		{in: "0/tcp", err: `invalid exposed port "0/tcp": port 0 out of range (1-65535)`},
		{in: "70000/tcp", err: `invalid exposed port "70000/tcp": port 70000 out of range (1-65535)`},
		{in: "8000-8010/tcp", err: `invalid exposed port "8000-8010/tcp": expected one port, not a range`},
		{in: "80/icmp", err: "invalid proto: icmp"},
		{in: "80/", err: "no protocol specified: 80/<empty>"},
	}
	for _, c := range cases {
		got, err := ParsePortKey(c.in)
		checkResult(t, "ParsePortKey", c.in, got, c.want, err, c.err)
		if want := c.in; err == nil && !strings.Contains(want, "/") {
			if got.String() != want+"/tcp" {
				t.Errorf("ParsePortKey(%q).String() = %q, want %q", c.in, got.String(), want+"/tcp")
			}
		} else if err == nil && got.String() != want {
			t.Errorf("ParsePortKey(%q).String() = %q, want %q", c.in, got.String(), want)
		}
	}
}

func FuzzParsePublish(f *testing.F) {
	for _, s := range []string{"80", "127.0.0.1:8000-8010:80-90/udp", "[::1]::80", "::1:8080:80", "8000-8010:80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		bindings, err := ParsePublish(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("ParsePublish(%q) error spans lines: %q", s, err)
			}
			return
		}
		for _, b := range bindings {
			if b.ContainerPort == 0 || b.HostPortEnd != 0 && b.HostPortEnd <= b.HostPort {
				t.Fatalf("ParsePublish(%q) gave %+v", s, b)
			}
		}
	})
}
