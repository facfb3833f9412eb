package opts

import (
	"errors"
	"fmt"
	"net"
	"strings"
)

// hostGatewayName is the --add-host address that stands for the host,
// resolved by the engine when the container starts.
const hostGatewayName = "host-gateway"

// ParseExtraHost parses one --add-host value, "name:ip" or "name=ip".
// With ":", the address is all after the first colon, so "h:::1" is h at
// ::1; an address in brackets ("h=[::1]") loses them. ip may be
// "host-gateway", returned as is; otherwise it is returned as typed, as
// docker keeps it for /etc/hosts.
func ParseExtraHost(s string) (host, ip string, err error) {
	fail := func(format string, args ...any) (string, string, error) {
		return "", "", fmt.Errorf("invalid argument %q for \"--add-host\" flag: "+format, append([]any{s}, args...)...)
	}
	// A space or newline would split the /etc/hosts line the entry becomes.
	if strings.ContainsAny(s, " \t\r\n\v\f") {
		return fail("white space is not allowed in add-host")
	}
	host, ip, ok := strings.Cut(s, "=")
	if !ok {
		host, ip, ok = strings.Cut(s, ":")
	}
	if !ok || host == "" || strings.Contains(host, ":") {
		return fail("bad format for add-host: %q", s)
	}
	if !validHostName(host) {
		return fail("invalid host name in add-host: %q", host)
	}
	if ip == hostGatewayName {
		return host, ip, nil
	}
	if len(ip) > 2 && ip[0] == '[' && ip[len(ip)-1] == ']' {
		ip = ip[1 : len(ip)-1]
	}
	if net.ParseIP(ip) == nil {
		return fail("invalid IP address in add-host: %q", ip)
	}
	return host, ip, nil
}

// validHostName accepts the letters, digits, '-', '_' and '.' of host
// names (underscores are common in compose service names), not starting
// with '-' or '.'.
func validHostName(s string) bool {
	if len(s) > 255 || s[0] == '-' || s[0] == '.' {
		return false
	}
	for _, c := range []byte(s) {
		if !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// ParseMAC validates a --mac-address, a 6-byte unicast Ethernet address,
// and returns it as xx:xx:xx:xx:xx:xx in lower case. Like docker it takes
// what Go's net.ParseMAC reads ("02-42-AC-11-00-02" too), but it refuses
// what the kernel would refuse on an interface: a multicast address
// (broadcast included) or all zeros.
func ParseMAC(s string) (string, error) {
	hw, err := net.ParseMAC(s)
	if err != nil {
		return "", fmt.Errorf("invalid MAC address: %s", printableValue(s))
	}
	if len(hw) != 6 {
		return "", fmt.Errorf("invalid MAC address: %s: expected 6 bytes, xx:xx:xx:xx:xx:xx", printableValue(s))
	}
	if hw[0]&1 == 1 {
		return "", fmt.Errorf("invalid MAC address: %s: a multicast address cannot be a container's address", printableValue(s))
	}
	if hw.String() == "00:00:00:00:00:00" {
		return "", fmt.Errorf("invalid MAC address: %s: the address cannot be all zeros", printableValue(s))
	}
	return hw.String(), nil
}

// ParseDNS validates a --dns server address, IPv4 or IPv6 without a port,
// and returns it normalised (0:0:0:0:0:0:0:1 becomes ::1). Surrounding
// white space is dropped, as docker does.
func ParseDNS(s string) (string, error) {
	ip := net.ParseIP(strings.TrimSpace(s))
	if ip == nil {
		return "", fmt.Errorf("IP address is not correctly formatted: %s", printableValue(s))
	}
	return ip.String(), nil
}

// ParseDNSSearch validates a --dns-search domain and returns it without a
// trailing dot. "." is allowed and means no search domain. Like docker, a
// domain has labels of letters, digits and inner '-', at least one letter,
// and fewer than 255 characters; unlike docker, white space is refused
// rather than trimmed, since it cannot be in a resolv.conf search entry.
func ParseDNSSearch(s string) (string, error) {
	if s == "." {
		return s, nil
	}
	domain := strings.TrimSuffix(s, ".")
	if !validDomain(domain) {
		return "", fmt.Errorf("%s is not a valid domain", printableValue(s))
	}
	return domain, nil
}

func validDomain(s string) bool {
	if s == "" || len(s) >= 255 || !strings.ContainsFunc(s, func(r rune) bool {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
	}) {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			if !isAlnum(c) && c != '-' {
				return false
			}
		}
	}
	return true
}

// ParseDNSOption validates a --dns-option ("ndots:2", "timeout:3",
// "rotate", "edns0"). Docker passes these on unchecked; we refuse what
// would break resolv.conf's "options" line: white space, an empty option,
// or an empty value after ':'.
func ParseDNSOption(s string) (string, error) {
	if s == "" {
		return "", errors.New("invalid DNS option: the option is empty")
	}
	if strings.ContainsAny(s, " \t\r\n\v\f") {
		return "", fmt.Errorf("invalid DNS option %q: white space is not allowed", s)
	}
	name, value, hasValue := strings.Cut(s, ":")
	if name == "" || hasValue && value == "" {
		return "", fmt.Errorf("invalid DNS option %q: expected name or name:value", s)
	}
	return s, nil
}

// ParseNetworkMode splits a --network value into its kind and name. The
// kinds are "bridge" (also for "default" and ""), "none" and "host" with
// no name; "container" for "container:NAME", with the container's name
// or ID; and "network" for any other value, a user network's name, which
// must be one docker would accept.
func ParseNetworkMode(s string) (kind, name string, err error) {
	switch s {
	case "", "default", "bridge":
		return "bridge", "", nil
	case "none", "host":
		return s, "", nil
	}
	if ref, ok := strings.CutPrefix(s, "container:"); ok {
		if ref == "" {
			return "", "", errors.New("invalid network mode: invalid container format container:<name|id>")
		}
		return "container", ref, nil
	}
	if err := ValidNetworkName(s); err != nil {
		return "", "", err
	}
	return "network", s, nil
}

// ValidNetworkName reports an error for a network name docker would
// refuse: it must match [a-zA-Z0-9][a-zA-Z0-9_.-]*.
func ValidNetworkName(s string) error {
	if s == "" {
		return errors.New("invalid network name: the name is empty")
	}
	ok := isAlnum(s[0])
	for _, c := range []byte(s[1:]) {
		ok = ok && (isAlnum(c) || c == '_' || c == '.' || c == '-')
	}
	if !ok {
		return fmt.Errorf("invalid network name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", printableValue(s))
	}
	return nil
}
