package opts

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// PortBinding is one published port.
type PortBinding struct {
	// HostIP is the host address to listen on; "" means every address.
	// An IPv6 address is kept without brackets.
	HostIP string
	// HostPort is the host port; 0 means a free port chosen at start.
	HostPort uint16
	// HostPortEnd, when above HostPort, lets the engine pick any free port
	// of HostPort..HostPortEnd (docker's "8000-8010:80"); otherwise 0.
	HostPortEnd uint16
	// ContainerPort is the port inside the container, never 0.
	ContainerPort uint16
	// Proto is "tcp", "udp" or "sctp".
	Proto string
}

// String prints the binding as docker's `ps` does once the host port is
// known: "0.0.0.0:8080->80/tcp", "[::1]:8080->80/tcp". An empty HostIP
// shows as 0.0.0.0. A host range not yet narrowed to one port shows as
// "0.0.0.0:8000-8010->80/tcp", and a host port still to be chosen (0)
// leaves only the container side, "80/tcp", as `ps` prints an unpublished
// port.
func (b PortBinding) String() string {
	container := ExposedPort{Port: b.ContainerPort, Proto: b.Proto}.String()
	if b.HostPort == 0 {
		return container
	}
	ip := b.HostIP
	if ip == "" {
		ip = "0.0.0.0"
	}
	host := strconv.Itoa(int(b.HostPort))
	if b.HostPortEnd > b.HostPort {
		host += "-" + strconv.Itoa(int(b.HostPortEnd))
	}
	return net.JoinHostPort(ip, host) + "->" + container
}

// ExposedPort is a container port and protocol, as in an image's EXPOSE.
type ExposedPort struct {
	// Port is the container port, never 0.
	Port uint16
	// Proto is "tcp", "udp" or "sctp".
	Proto string
}

// String prints the port as docker keys it, "80/tcp"; an empty Proto
// prints as tcp.
func (p ExposedPort) String() string {
	proto := p.Proto
	if proto == "" {
		proto = "tcp"
	}
	return strconv.Itoa(int(p.Port)) + "/" + proto
}

// ParsePublish parses one -p/--publish value in every form docker takes:
// "80", "8080:80", "127.0.0.1:8080:80", "127.0.0.1::80", "[::1]:8080:80",
// "8080:80/udp", "80/sctp", and ranges. Equal host and container ranges
// ("8000-8010:80-90") give one binding per port; a host range for one
// container port ("8000-8010:80") gives one binding with HostPortEnd; a
// container range alone ("80-82") gives one binding per port with
// HostPort 0.
func ParsePublish(s string) ([]PortBinding, error) {
	ip, hostPart, containerPart, err := splitPublish(s)
	if err != nil {
		return nil, err
	}
	// "/tcp" has no port either; docker says so in the same words.
	if containerPart == "" || strings.HasPrefix(containerPart, "/") {
		return nil, fmt.Errorf("no port specified: %s<empty>", printableValue(s))
	}
	containerPart, proto, err := splitPortProto(containerPart)
	if err != nil {
		return nil, err
	}
	first, last, err := parsePortRange(containerPart, 1)
	if err != nil {
		return nil, fmt.Errorf("invalid containerPort: %s", printableValue(containerPart))
	}
	var hostFirst, hostLast uint16
	if hostPart != "" {
		// A lone 0 means "any free port", as in docker; a range must
		// start at a real port.
		lowest := uint16(1)
		if !strings.Contains(hostPart, "-") {
			lowest = 0
		}
		if hostFirst, hostLast, err = parsePortRange(hostPart, lowest); err != nil {
			return nil, fmt.Errorf("invalid hostPort: %s", printableValue(hostPart))
		}
	}
	// One container port takes any host range (a choice of ports); a
	// container range needs a host range of the same length.
	if hostPart != "" && first != last && hostLast-hostFirst != last-first {
		return nil, fmt.Errorf("invalid ranges specified for container and host Ports: %s and %s",
			printableValue(containerPart), printableValue(hostPart))
	}
	return publishBindings(ip, hostFirst, hostLast, first, last, proto), nil
}

// publishBindings expands a parsed -p into its bindings; the ranges are
// known to fit together.
func publishBindings(ip string, hostFirst, hostLast, first, last uint16, proto string) []PortBinding {
	if first == last {
		b := PortBinding{HostIP: ip, HostPort: hostFirst, ContainerPort: first, Proto: proto}
		if hostLast > hostFirst {
			b.HostPortEnd = hostLast
		}
		return []PortBinding{b}
	}
	out := make([]PortBinding, 0, int(last-first)+1)
	for p := int(first); p <= int(last); p++ {
		b := PortBinding{HostIP: ip, ContainerPort: uint16(p), Proto: proto}
		if hostFirst != 0 {
			b.HostPort = hostFirst + uint16(p-int(first))
		}
		out = append(out, b)
	}
	return out
}

// splitPublish splits a -p value into its address, host port and
// container port parts. An address in brackets may hold colons; without
// brackets, every part before the last two is the address, which is how
// docker reads an unbracketed IPv6 address ("::1:8080:80").
func splitPublish(s string) (ip, host, container string, err error) {
	if strings.HasPrefix(s, "[") {
		inside, rest, closed := strings.Cut(s[1:], "]")
		h, c, twoPorts := strings.Cut(strings.TrimPrefix(rest, ":"), ":")
		if !closed || !strings.HasPrefix(rest, ":") || !twoPorts || strings.Contains(c, ":") {
			return "", "", "", fmt.Errorf("invalid port format: %s: expected [IP]:[hostPort]:containerPort", printableValue(s))
		}
		if net.ParseIP(inside) == nil {
			return "", "", "", fmt.Errorf("invalid IP address: %s", printableValue(inside))
		}
		return inside, h, c, nil
	}
	parts := strings.Split(s, ":")
	n := len(parts)
	switch n {
	case 1:
		return "", "", parts[0], nil
	case 2:
		return "", parts[0], parts[1], nil
	}
	ip = strings.Join(parts[:n-2], ":")
	if ip != "" && net.ParseIP(ip) == nil {
		return "", "", "", fmt.Errorf("invalid IP address: %s", printableValue(ip))
	}
	return ip, parts[n-2], parts[n-1], nil
}

// ParseExpose parses one --expose value: "80", "80/udp", "8000-8010",
// "8000-8010/tcp", giving one port per number of a range.
func ParseExpose(s string) ([]ExposedPort, error) {
	if strings.Contains(s, ":") {
		return nil, fmt.Errorf("invalid port format for --expose: %s", printableValue(s))
	}
	ports, proto, err := splitPortProto(s)
	if err != nil {
		return nil, err
	}
	first, last, err := parsePortRange(ports, 1)
	if err != nil {
		return nil, fmt.Errorf("invalid range format for --expose: %s, error: %w", printableValue(s), err)
	}
	out := make([]ExposedPort, 0, int(last-first)+1)
	for p := int(first); p <= int(last); p++ {
		out = append(out, ExposedPort{Port: uint16(p), Proto: proto})
	}
	return out, nil
}

// ParsePortKey parses an image config's ExposedPorts key: "80/tcp",
// "53/udp", or "8080" (tcp).
func ParsePortKey(s string) (ExposedPort, error) {
	port, proto, err := splitPortProto(s)
	if err != nil {
		return ExposedPort{}, err
	}
	if strings.Contains(port, "-") {
		return ExposedPort{}, fmt.Errorf("invalid exposed port %q: expected one port, not a range", s)
	}
	p, _, err := parsePortRange(port, 1)
	if err != nil {
		return ExposedPort{}, fmt.Errorf("invalid exposed port %q: %w", s, err)
	}
	return ExposedPort{Port: p, Proto: proto}, nil
}

// splitPortProto splits "PORTS[/PROTO]", the protocol defaulting to tcp
// and read in any case, as docker does. Unlike docker, a "/" with nothing
// after it is refused rather than read as tcp: it is more likely a typo.
func splitPortProto(s string) (port, proto string, err error) {
	port, proto, hasProto := strings.Cut(s, "/")
	if !hasProto {
		return port, "tcp", nil
	}
	if proto == "" {
		return "", "", fmt.Errorf("no protocol specified: %s<empty>", printableValue(s))
	}
	proto = strings.ToLower(proto)
	switch proto {
	case "tcp", "udp", "sctp":
		return port, proto, nil
	}
	return "", "", fmt.Errorf("invalid proto: %s", printableValue(proto))
}

// parsePortRange parses "N" or "N-M" with lowest <= N <= M <= 65535. Only
// decimal digits are taken, so "+80" or " 80" are refused.
func parsePortRange(s string, lowest uint16) (first, last uint16, err error) {
	if s == "" {
		return 0, 0, errors.New("empty string specified for ports")
	}
	a, b, isRange := strings.Cut(s, "-")
	if first, err = parsePortNumber(a, lowest); err != nil {
		return 0, 0, err
	}
	if !isRange {
		return first, first, nil
	}
	if last, err = parsePortNumber(b, lowest); err != nil {
		return 0, 0, err
	}
	if last < first {
		return 0, 0, fmt.Errorf("invalid range specified for port: %s", printableValue(s))
	}
	return first, last, nil
}

func parsePortNumber(s string, lowest uint16) (uint16, error) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, fmt.Errorf("invalid port number %s", printableValue(s))
	}
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || uint16(n) < lowest {
		return 0, fmt.Errorf("port %s out of range (%d-65535)", s, lowest)
	}
	return uint16(n), nil
}

// printableValue returns s as typed when it fits on one line, and quoted
// otherwise, so that an error echoing user input stays one line.
func printableValue(s string) string {
	if utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	return strconv.Quote(s)
}
