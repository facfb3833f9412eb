package logging

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// Default caps. Docker's json-file driver grows without bound unless
// max-size is given (moby#40207); berth caps every file-backed log so that a
// chatty container cannot fill the disk: at most DefaultMaxFile files of
// DefaultMaxSize each (100 MB per container). local compresses rotated files
// by default, as Docker's local driver does.
const (
	DefaultMaxSize = "20m"
	DefaultMaxFile = 5
)

// Host socket paths, variables so that tests can point them elsewhere.
var (
	journalSocket = "/run/systemd/journal/socket"
	devLog        = "/dev/log"
)

// HostCaps says which host log services exist.
type HostCaps struct {
	// Journald is true when the systemd journal's socket exists.
	Journald bool
	// DevLog is true when a local syslog socket exists at /dev/log.
	DevLog bool
}

// DetectHost looks for journald's socket and /dev/log.
func DetectHost() HostCaps {
	return HostCaps{Journald: isSocket(journalSocket), DevLog: isSocket(devLog)}
}

func isSocket(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode()&os.ModeSocket != 0
}

// options are a driver's effective settings, defaults applied.
type options struct {
	driver string
	// json-file and local
	maxSize  int64
	maxFile  int
	compress bool
	// syslog and journald
	tag string
	// syslog
	network, address string // empty network: the local /dev/log
	facility         int
	format           string
}

// driverOpts are the options each driver takes; unsupported are Docker's
// options that berth does not implement, refused with their own message.
var (
	driverOpts = map[string][]string{
		JSONFile: {"max-size", "max-file", "compress"},
		Local:    {"max-size", "max-file", "compress"},
		None:     nil,
		Syslog:   {"syslog-address", "syslog-facility", "syslog-format", "tag"},
		Journald: {"tag"},
	}
	unsupportedOpts = []string{"labels", "labels-regex", "env", "env-regex", "tag",
		"syslog-tls-ca-cert", "syslog-tls-cert", "syslog-tls-key", "syslog-tls-skip-verify"}
)

// Validate checks a container's log configuration before anything is
// created: the driver must be known, each --log-opt must be one the driver
// takes with a valid value, and the host must have what the driver needs
// (journald's socket; /dev/log for syslog without syslog-address). Errors
// name the driver or the option.
func Validate(c Config, host HostCaps) error {
	o, err := parseOptions(c)
	if err != nil {
		return err
	}
	switch o.driver {
	case Journald:
		if !host.Journald {
			return fmt.Errorf("journald logging driver is not available: this host has no systemd journal (%s is missing); use --log-driver json-file or syslog", journalSocket)
		}
	case Syslog:
		if o.network == "" && !host.DevLog {
			return fmt.Errorf("syslog logging driver: this host has no syslog socket at %s; start a syslog daemon or set --log-opt syslog-address=udp://HOST:514", devLog)
		}
		if o.network == "unix" || o.network == "unixgram" {
			if !isSocket(o.address) {
				return fmt.Errorf("syslog-address %s: no such socket", o.address)
			}
		}
	}
	return nil
}

// parseOptions checks c without looking at the host and returns the
// effective options.
func parseOptions(c Config) (options, error) {
	o := options{driver: c.driverName()}
	known, ok := driverOpts[o.driver]
	if !ok {
		return o, fmt.Errorf("logger: no log driver named '%s' is registered (berth has %s)", c.Type, strings.Join(Drivers, ", "))
	}
	for _, k := range sortedKeys(c.Config) {
		if contains(known, k) {
			continue
		}
		if contains(unsupportedOpts, k) {
			return o, fmt.Errorf("log opt '%s' of the %s log driver is not supported by berth", k, o.driver)
		}
		return o, fmt.Errorf("unknown log opt '%s' for %s log driver", k, o.driver)
	}
	var err error
	switch o.driver {
	case JSONFile, Local:
		err = o.parseFileOpts(c.Config)
	case Syslog:
		err = o.parseSyslogOpts(c.Config)
	case Journald:
		o.tag, err = parseTag(c.Config)
	}
	return o, err
}

func (o *options) parseFileOpts(m map[string]string) error {
	// A file-backed driver rotates when max-size is reached. Docker keeps
	// one file when only max-size is given; berth's default cap applies
	// when it is not.
	size, hasSize := m["max-size"]
	_, hasFile := m["max-file"]
	o.maxFile = 1
	if !hasSize {
		size = DefaultMaxSize
		if !hasFile {
			o.maxFile = DefaultMaxFile
		}
	}
	parse := parseDecimalSize // json-file, as Docker's: 10m is 10,000,000 bytes
	if o.driver == Local {
		parse = parseBinarySize // local, as Docker's: 10m is 10 MiB
		o.compress = true
	}
	n, err := parse(size)
	if err != nil {
		return fmt.Errorf("invalid log opt max-size=%s: %w", size, err)
	}
	if n <= 0 {
		return errors.New("max-size must be a positive number")
	}
	o.maxSize = n
	if s, ok := m["max-file"]; ok {
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("invalid log opt max-file=%s: must be a whole number", s)
		}
		if n < 1 {
			return errors.New("max-file cannot be less than 1")
		}
		o.maxFile = n
	}
	if s, ok := m["compress"]; ok {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("invalid log opt compress=%s: must be true or false", s)
		}
		o.compress = b
	}
	return nil
}

func (o *options) parseSyslogOpts(m map[string]string) error {
	var err error
	if o.tag, err = parseTag(m); err != nil {
		return err
	}
	if o.network, o.address, err = parseSyslogAddress(m["syslog-address"]); err != nil {
		return err
	}
	if o.facility, err = parseFacility(m["syslog-facility"]); err != nil {
		return err
	}
	switch f := m["syslog-format"]; f {
	case "", "rfc3164", "rfc5424", "rfc5424micro":
		o.format = f
	default:
		return fmt.Errorf("invalid syslog format %q: must be rfc3164, rfc5424 or rfc5424micro", f)
	}
	return nil
}

// parseSyslogAddress splits Docker's syslog-address into a network and an
// address; an empty value means the local /dev/log.
func parseSyslogAddress(s string) (network, address string, err error) {
	if s == "" {
		return "", "", nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", "", fmt.Errorf("invalid syslog-address %q: %w", s, err)
	}
	switch u.Scheme {
	case "unix", "unixgram":
		if u.Path == "" {
			return "", "", fmt.Errorf("invalid syslog-address %q: no socket path", s)
		}
		return u.Scheme, u.Path, nil
	case "tcp", "udp":
		host := u.Host
		if _, _, err := net.SplitHostPort(host); err != nil {
			host = net.JoinHostPort(u.Hostname(), "514")
		}
		if u.Hostname() == "" {
			return "", "", fmt.Errorf("invalid syslog-address %q: no host", s)
		}
		return u.Scheme, host, nil
	case "tcp+tls":
		return "", "", fmt.Errorf("syslog-address %q: tcp+tls is not supported by berth; use tcp, udp, unix or unixgram", s)
	}
	return "", "", fmt.Errorf("unsupported scheme: '%s'", u.Scheme)
}

var facilities = map[string]int{
	"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6,
	"news": 7, "uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11,
	"local0": 16, "local1": 17, "local2": 18, "local3": 19,
	"local4": 20, "local5": 21, "local6": 22, "local7": 23,
}

// parseFacility takes a facility name or number; Docker's default is daemon.
func parseFacility(s string) (int, error) {
	if s == "" {
		return facilities["daemon"], nil
	}
	if f, ok := facilities[s]; ok {
		return f, nil
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n <= 23 {
		return n, nil
	}
	return 0, fmt.Errorf("invalid syslog facility %q", s)
}

// parseTag checks the tag option. The logger knows the container by its ID
// only, so the tag may use {{.ID}} (12 characters) and {{.FullID}}; Docker's
// default is {{.ID}}.
func parseTag(m map[string]string) (string, error) {
	t, ok := m["tag"]
	if !ok || t == "" {
		return "{{.ID}}", nil
	}
	if strings.ContainsFunc(t, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", fmt.Errorf("invalid log opt tag=%q: control characters are not allowed", t)
	}
	rest := strings.NewReplacer("{{.ID}}", "", "{{.FullID}}", "").Replace(t)
	if strings.Contains(rest, "{{") {
		return "", fmt.Errorf("invalid log opt tag=%s: berth's tag template knows only {{.ID}} and {{.FullID}}", t)
	}
	return t, nil
}

// renderTag fills the tag template for container id.
func renderTag(tag, id string) string {
	short := id
	if len(short) > 12 {
		short = short[:12]
	}
	return strings.NewReplacer("{{.ID}}", short, "{{.FullID}}", id).Replace(tag)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
