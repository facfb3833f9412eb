package opts

import (
	"strings"
	"testing"
)

func TestParseExtraHost(t *testing.T) {
	cases := []struct {
		in       string
		host, ip string
		err      string
	}{
		{in: "db:10.0.0.2", host: "db", ip: "10.0.0.2"},
		{in: "db=10.0.0.2", host: "db", ip: "10.0.0.2"},
		{in: "h:::1", host: "h", ip: "::1"},
		{in: "h:2001:db8::68", host: "h", ip: "2001:db8::68"},
		{in: "h=::1", host: "h", ip: "::1"},
		{in: "h=[::1]", host: "h", ip: "::1"},
		{in: "h:[::1]", host: "h", ip: "::1"},
		{in: "h=[10.0.0.2]", host: "h", ip: "10.0.0.2"},
		{in: "h:0:0:0:0:0:0:0:1", host: "h", ip: "0:0:0:0:0:0:0:1"},
		{in: "host.docker.internal:host-gateway", host: "host.docker.internal", ip: "host-gateway"},
		{in: "my_service=host-gateway", host: "my_service", ip: "host-gateway"},
		{in: "Web-1.example.com:1.2.3.4", host: "Web-1.example.com", ip: "1.2.3.4"},

		{in: "x:1.2.3", err: `invalid argument "x:1.2.3" for "--add-host" flag: invalid IP address in add-host: "1.2.3"`},
		{in: "x", err: `invalid argument "x" for "--add-host" flag: bad format for add-host: "x"`},
		{in: "", err: `invalid argument "" for "--add-host" flag: bad format for add-host: ""`},
		{in: ":1.2.3.4", err: `invalid argument ":1.2.3.4" for "--add-host" flag: bad format for add-host: ":1.2.3.4"`},
		{in: "=1.2.3.4", err: `invalid argument "=1.2.3.4" for "--add-host" flag: bad format for add-host: "=1.2.3.4"`},
		{in: "h:x=1.2.3.4", err: `invalid argument "h:x=1.2.3.4" for "--add-host" flag: bad format for add-host: "h:x=1.2.3.4"`},
		{in: "h:", err: `invalid argument "h:" for "--add-host" flag: invalid IP address in add-host: ""`},
		{in: "h=", err: `invalid argument "h=" for "--add-host" flag: invalid IP address in add-host: ""`},
		{in: "h=[]", err: `invalid argument "h=[]" for "--add-host" flag: invalid IP address in add-host: "[]"`},
		{in: "h:example.com", err: `invalid argument "h:example.com" for "--add-host" flag: invalid IP address in add-host: "example.com"`},
		{in: "h=1.2.3.4:80", err: `invalid argument "h=1.2.3.4:80" for "--add-host" flag: invalid IP address in add-host: "1.2.3.4:80"`},
		{in: "a/b:1.2.3.4", err: `invalid argument "a/b:1.2.3.4" for "--add-host" flag: invalid host name in add-host: "a/b"`},
		{in: "-h:1.2.3.4", err: `invalid argument "-h:1.2.3.4" for "--add-host" flag: invalid host name in add-host: "-h"`},
		{in: "h:1.2.3.4\n", err: `invalid argument "h:1.2.3.4\n" for "--add-host" flag: white space is not allowed in add-host`},
		{in: "h\t:1.2.3.4", err: `invalid argument "h\t:1.2.3.4" for "--add-host" flag: white space is not allowed in add-host`},
		{in: "a b:1.2.3.4", err: `invalid argument "a b:1.2.3.4" for "--add-host" flag: white space is not allowed in add-host`},
		{in: strings.Repeat("a", 256) + ":1.2.3.4", err: `invalid argument "` + strings.Repeat("a", 256) +
			`:1.2.3.4" for "--add-host" flag: invalid host name in add-host: "` + strings.Repeat("a", 256) + `"`},
	}
	for _, c := range cases {
		host, ip, err := ParseExtraHost(c.in)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("ParseExtraHost(%q) error = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || host != c.host || ip != c.ip {
			t.Errorf("ParseExtraHost(%q) = %q, %q, %v; want %q, %q", c.in, host, ip, err, c.host, c.ip)
		}
	}
}

func TestParseMAC(t *testing.T) {
	cases := []struct {
		in, want, err string
	}{
		{in: "02:42:ac:11:00:02", want: "02:42:ac:11:00:02"},
		{in: "02:42:AC:11:00:02", want: "02:42:ac:11:00:02"},
		{in: "02-42-AC-11-00-02", want: "02:42:ac:11:00:02"},
		{in: "0242.ac11.0002", want: "02:42:ac:11:00:02"},
		{in: "92:d0:c6:0a:29:33", want: "92:d0:c6:0a:29:33"},
		{in: "", err: "invalid MAC address: "},
		{in: "02:42:ac:11:00", err: "invalid MAC address: 02:42:ac:11:00"},
		{in: "02:42:ac:11:00:zz", err: "invalid MAC address: 02:42:ac:11:00:zz"},
		{in: "2:42:ac:11:0:2", err: "invalid MAC address: 2:42:ac:11:0:2"},
		{in: "02:42:ac:11:00:02\n", err: `invalid MAC address: "02:42:ac:11:00:02\n"`},
		{in: "02:00:5e:10:00:00:00:01", err: "invalid MAC address: 02:00:5e:10:00:00:00:01: expected 6 bytes, xx:xx:xx:xx:xx:xx"},
		{in: "01:00:5e:00:00:01", err: "invalid MAC address: 01:00:5e:00:00:01: a multicast address cannot be a container's address"},
		{in: "ff:ff:ff:ff:ff:ff", err: "invalid MAC address: ff:ff:ff:ff:ff:ff: a multicast address cannot be a container's address"},
		{in: "00:00:00:00:00:00", err: "invalid MAC address: 00:00:00:00:00:00: the address cannot be all zeros"},
	}
	for _, c := range cases {
		got, err := ParseMAC(c.in)
		checkResult(t, "ParseMAC", c.in, got, c.want, err, c.err)
	}
}

func TestParseDNS(t *testing.T) {
	cases := []struct {
		in, want, err string
	}{
		{in: "8.8.8.8", want: "8.8.8.8"},
		{in: " 8.8.8.8 ", want: "8.8.8.8"},
		{in: "2001:4860:4860::8888", want: "2001:4860:4860::8888"},
		{in: "0:0:0:0:0:0:0:1", want: "::1"},
		{in: "::ffff:1.2.3.4", want: "1.2.3.4"},
		{in: "", err: "IP address is not correctly formatted: "},
		{in: "1.2.3", err: "IP address is not correctly formatted: 1.2.3"},
		{in: "8.8.8.8:53", err: "IP address is not correctly formatted: 8.8.8.8:53"},
		{in: "[::1]:53", err: "IP address is not correctly formatted: [::1]:53"},
		{in: "[::1]", err: "IP address is not correctly formatted: [::1]"},
		{in: "dns.google", err: "IP address is not correctly formatted: dns.google"},
		{in: "1.2.3.4\nnameserver 5.6.7.8", err: `IP address is not correctly formatted: "1.2.3.4\nnameserver 5.6.7.8"`},
	}
	for _, c := range cases {
		got, err := ParseDNS(c.in)
		checkResult(t, "ParseDNS", c.in, got, c.want, err, c.err)
	}
}

func TestParseDNSSearch(t *testing.T) {
	long := strings.Repeat("a.", 127) + "b" // 255 characters
	cases := []struct {
		in, want, err string
	}{
		{in: ".", want: "."},
		{in: "example.com", want: "example.com"},
		{in: "example.com.", want: "example.com"},
		{in: "a", want: "a"},
		{in: "my-corp.internal", want: "my-corp.internal"},
		{in: "1a.example", want: "1a.example"},
		{in: long[2:], want: long[2:]},
		{in: "cc" + long[3:], want: "cc" + long[3:]},
		{in: "cc" + long[3:] + ".", want: "cc" + long[3:]},
		{in: long, err: long + " is not a valid domain"},
		{in: "", err: " is not a valid domain"},
		{in: "..", err: ".. is not a valid domain"},
		{in: "a..b", err: "a..b is not a valid domain"},
		{in: "123", err: "123 is not a valid domain"},
		{in: "-a.com", err: "-a.com is not a valid domain"},
		{in: "a-.com", err: "a-.com is not a valid domain"},
		{in: "a_b.com", err: "a_b.com is not a valid domain"},
		{in: "a b", err: "a b is not a valid domain"},
		{in: " example.com", err: " example.com is not a valid domain"},
		{in: "example.com\nnameserver 1.2.3.4", err: `"example.com\nnameserver 1.2.3.4" is not a valid domain`},
	}
	for _, c := range cases {
		got, err := ParseDNSSearch(c.in)
		checkResult(t, "ParseDNSSearch", c.in, got, c.want, err, c.err)
	}
}

func TestParseDNSOption(t *testing.T) {
	cases := []struct {
		in, want, err string
	}{
		{in: "ndots:2", want: "ndots:2"},
		{in: "timeout:3", want: "timeout:3"},
		{in: "rotate", want: "rotate"},
		{in: "edns0", want: "edns0"},
		{in: "", err: "invalid DNS option: the option is empty"},
		{in: "ndots:", err: `invalid DNS option "ndots:": expected name or name:value`},
		{in: ":2", err: `invalid DNS option ":2": expected name or name:value`},
		{in: "ndots: 2", err: `invalid DNS option "ndots: 2": white space is not allowed`},
		{in: "rotate\nnameserver 1.2.3.4", err: `invalid DNS option "rotate\nnameserver 1.2.3.4": white space is not allowed`},
		{in: "rotate\t", err: `invalid DNS option "rotate\t": white space is not allowed`},
	}
	for _, c := range cases {
		got, err := ParseDNSOption(c.in)
		checkResult(t, "ParseDNSOption", c.in, got, c.want, err, c.err)
	}
}

func TestParseNetworkMode(t *testing.T) {
	cases := []struct {
		in, kind, name, err string
	}{
		{in: "", kind: "bridge"},
		{in: "default", kind: "bridge"},
		{in: "bridge", kind: "bridge"},
		{in: "none", kind: "none"},
		{in: "host", kind: "host"},
		{in: "container:web", kind: "container", name: "web"},
		{in: "container:3f4e8a1b2c9d", kind: "container", name: "3f4e8a1b2c9d"},
		{in: "my-net", kind: "network", name: "my-net"},
		{in: "my_net.2", kind: "network", name: "my_net.2"},
		{in: "0net", kind: "network", name: "0net"},
		{in: "Host", kind: "network", name: "Host"},
		{in: "container:", err: "invalid network mode: invalid container format container:<name|id>"},
		{in: "-net", err: "invalid network name (-net), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"},
		{in: "_net", err: "invalid network name (_net), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"},
		{in: "my net", err: "invalid network name (my net), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"},
		{in: "ns:/proc/1/ns/net", err: "invalid network name (ns:/proc/1/ns/net), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"},
		{in: "net\n", err: `invalid network name ("net\n"), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`},
	}
	for _, c := range cases {
		kind, name, err := ParseNetworkMode(c.in)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("ParseNetworkMode(%q) error = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || kind != c.kind || name != c.name {
			t.Errorf("ParseNetworkMode(%q) = %q, %q, %v; want %q, %q", c.in, kind, name, err, c.kind, c.name)
		}
	}
}

func TestValidNetworkName(t *testing.T) {
	for _, ok := range []string{"a", "bridge", "Net-1", "a.b_c-d", "9"} {
		if err := ValidNetworkName(ok); err != nil {
			t.Errorf("ValidNetworkName(%q) = %v", ok, err)
		}
	}
	cases := map[string]string{
		"":     "invalid network name: the name is empty",
		".net": "invalid network name (.net), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
		"a/b":  "invalid network name (a/b), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
		"ä":    "invalid network name (ä), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
		"a:b":  "invalid network name (a:b), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
	}
	for in, want := range cases {
		if err := ValidNetworkName(in); err == nil || err.Error() != want {
			t.Errorf("ValidNetworkName(%q) = %v, want %q", in, err, want)
		}
	}
}

func FuzzParseExtraHost(f *testing.F) {
	for _, s := range []string{"db:10.0.0.2", "h=[::1]", "h:::1", "x:host-gateway"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		host, ip, err := ParseExtraHost(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("ParseExtraHost(%q) error spans lines: %q", s, err)
			}
			return
		}
		if host == "" || ip == "" || strings.ContainsAny(host+ip, " \t\n") {
			t.Fatalf("ParseExtraHost(%q) = %q, %q", s, host, ip)
		}
	})
}
