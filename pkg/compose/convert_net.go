package compose

import (
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// hostList is extra_hosts as --add-host values, "name=ip" (an IPv6
// address holds colons).
func hostList(h types.HostsList) []string {
	out := h.AsList("=")
	sort.Strings(out)
	return out
}

// PortString is a ports: entry as a -p value.
func PortString(pc types.ServicePortConfig) string {
	proto := pc.Protocol
	if proto == "" {
		proto = "tcp"
	}
	target := fmt.Sprintf("%d/%s", pc.Target, proto)
	ip := pc.HostIP
	if strings.Contains(ip, ":") {
		ip = "[" + ip + "]"
	}
	switch {
	case ip != "":
		return ip + ":" + pc.Published + ":" + target
	case pc.Published != "":
		return pc.Published + ":" + target
	}
	return target
}

// sharedNamespace maps ipc:/pid: "service:NAME" to the namespace of that
// service's first container.
func sharedNamespace(p *types.Project, v string) (string, error) {
	name, ok := strings.CutPrefix(v, types.ServicePrefix)
	if !ok {
		return v, nil
	}
	s, err := p.GetService(name)
	if err != nil {
		return "", err
	}
	return "container:" + ContainerName(p.Name, s, 1), nil
}

// setNetworks maps network_mode and networks. On user networks the
// service's name is an alias, so that the other services reach it by name.
func setNetworks(p *types.Project, s types.ServiceConfig, r *Replica) error {
	o := &r.Create
	switch mode := s.NetworkMode; {
	case mode == "none" || mode == "host" || mode == "bridge":
		o.Networks = []string{mode}
		o.MACAddress = s.MacAddress
		return nil
	case strings.HasPrefix(mode, types.ContainerPrefix):
		o.Networks = []string{mode}
		return nil
	case strings.HasPrefix(mode, types.ServicePrefix):
		ns, err := sharedNamespace(p, mode)
		if err != nil {
			return fmt.Errorf("network_mode: %w", err)
		}
		o.Networks = []string{ns}
		return nil
	case mode != "":
		return fmt.Errorf("network_mode %q is not supported: use none, host, bridge, service:NAME or container:NAME", mode)
	}
	for i, key := range s.NetworksByPriority() {
		if _, ok := p.Networks[key]; !ok {
			return fmt.Errorf("service refers to undefined network %s", key)
		}
		cfg := s.Networks[key]
		req := NetworkRequest{Name: NetworkName(p, key)}
		if cfg.ServiceNameAliasEnabled() {
			req.Aliases = append(req.Aliases, s.Name)
		}
		if cfg != nil {
			for _, a := range cfg.Aliases {
				if !slices.Contains(req.Aliases, a) {
					req.Aliases = append(req.Aliases, a)
				}
			}
			req.IPv4, req.IPv6 = cfg.Ipv4Address, cfg.Ipv6Address
			if i == 0 && cfg.MacAddress != "" {
				o.MACAddress = cfg.MacAddress
			}
		}
		if i == 0 {
			// berth checks the first network's addresses at create.
			o.IP, o.IP6 = req.IPv4, req.IPv6
			if o.MACAddress == "" {
				o.MACAddress = s.MacAddress
			}
		}
		o.Networks = append(o.Networks, req.Name)
		r.Networks = append(r.Networks, req)
	}
	return nil
}

// hostPortsOf lists the fixed host ports a service publishes, for the
// conflict check: ip ("" for all addresses), port and protocol.
func hostPortsOf(s types.ServiceConfig) ([]hostPort, error) {
	var out []hostPort
	for _, pc := range s.Ports {
		if pc.Published == "" {
			continue
		}
		first, last, err := portRange(pc.Published)
		if err != nil {
			return nil, fmt.Errorf("service %q: invalid published port %q", s.Name, pc.Published)
		}
		if last > first {
			// A range lets the engine pick a free port in it.
			continue
		}
		proto := pc.Protocol
		if proto == "" {
			proto = "tcp"
		}
		ip := pc.HostIP
		if parsed := net.ParseIP(ip); parsed != nil && parsed.IsUnspecified() {
			ip = ""
		}
		out = append(out, hostPort{ip: ip, port: first, proto: proto})
	}
	return out, nil
}

type hostPort struct {
	ip    string
	port  int
	proto string
}

func (h hostPort) String() string {
	if h.ip == "" {
		return fmt.Sprintf("%d/%s", h.port, h.proto)
	}
	return fmt.Sprintf("%s:%d/%s", h.ip, h.port, h.proto)
}

// overlaps reports two bindings the kernel would not both let listen.
func (h hostPort) overlaps(o hostPort) bool {
	return h.port == o.port && h.proto == o.proto && (h.ip == "" || o.ip == "" || h.ip == o.ip)
}

func portRange(s string) (int, int, error) {
	a, b, isRange := strings.Cut(s, "-")
	first, err := strconv.Atoi(a)
	if err != nil {
		return 0, 0, err
	}
	last := first
	if isRange {
		if last, err = strconv.Atoi(b); err != nil {
			return 0, 0, err
		}
	}
	return first, last, nil
}
