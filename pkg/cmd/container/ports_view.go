package container

import (
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"

	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/netutil"
)

// loadEndpoint reads a running container's network endpoint: its
// addresses and the host ports it holds.
func (r *ctrRecord) loadEndpoint(store *containerutil.Store) {
	if !r.state.Running && !r.state.Paused {
		return
	}
	p := netutil.NewPaths(store.DataRoot(), "", "", "")
	if ep, err := netutil.LoadEndpoint(p, store.Namespace(), r.info.ID); err == nil && ep.Alive() {
		r.ep = ep
	}
}

// publishedPorts are the running container's port bindings by "80/tcp",
// with its exposed but unpublished ports as keys with no binding.
func (r *ctrRecord) publishedPorts() map[string][]containerutil.PortBinding {
	out := map[string][]containerutil.PortBinding{}
	if r.ep == nil {
		return out
	}
	for k := range r.meta.Config.ExposedPorts {
		out[k] = nil
	}
	for _, pm := range r.ep.Ports {
		k := fmt.Sprintf("%d/%s", pm.ContainerPort, pm.Proto)
		ip := pm.HostIP
		if ip == "" {
			ip = "0.0.0.0"
		}
		out[k] = append(out[k], containerutil.PortBinding{HostIP: ip, HostPort: strconv.Itoa(pm.HostPort)})
	}
	return out
}

// portsColumn is ps's PORTS, as docker's: container ports published on
// the same host port, and exposed ones, grouped into ranges first
// ("443/tcp", "0.0.0.0:80-81->80-81/tcp"), then the other mappings
// ("0.0.0.0:8080->80/tcp").
func (r *ctrRecord) portsColumn() string {
	type port struct {
		priv, pub int
		proto, ip string
	}
	var ports []port
	for k, bs := range r.publishedPorts() {
		n, proto, _ := strings.Cut(k, "/")
		priv, _ := strconv.Atoi(n)
		if len(bs) == 0 {
			ports = append(ports, port{priv: priv, proto: proto})
		}
		for _, b := range bs {
			pub, _ := strconv.Atoi(b.HostPort)
			ports = append(ports, port{priv, pub, proto, b.HostIP})
		}
	}
	sort.Slice(ports, func(i, j int) bool {
		a, b := ports[i], ports[j]
		if a.priv != b.priv {
			return a.priv < b.priv
		}
		if a.pub != b.pub {
			return a.pub < b.pub
		}
		if a.proto != b.proto {
			return a.proto < b.proto
		}
		return a.ip < b.ip
	})
	type group struct{ first, last int }
	groups := map[string]*group{}
	var keys, result, mappings []string
	form := func(key string, g *group) string {
		r := strconv.Itoa(g.first)
		if g.last != g.first {
			r += "-" + strconv.Itoa(g.last)
		}
		ip, proto, ok := strings.Cut(key, "|")
		if !ok {
			return r + "/" + key
		}
		return net.JoinHostPort(ip, r) + "->" + r + "/" + proto
	}
	for _, p := range ports {
		key := p.proto
		if p.ip != "" {
			if p.pub != p.priv {
				mappings = append(mappings, fmt.Sprintf("%s->%d/%s", net.JoinHostPort(p.ip, strconv.Itoa(p.pub)), p.priv, p.proto))
				continue
			}
			key = p.ip + "|" + p.proto
		}
		g := groups[key]
		switch {
		case g == nil:
			groups[key] = &group{p.priv, p.priv}
			keys = append(keys, key)
		case p.priv == g.last+1:
			g.last = p.priv
		default:
			result = append(result, form(key, g))
			groups[key] = &group{p.priv, p.priv}
		}
	}
	for _, k := range keys {
		result = append(result, form(k, groups[k]))
	}
	return strings.Join(append(result, mappings...), ", ")
}

// portSortKey orders ports by container port, then text.
func portSortKey(s string) string {
	c := s
	if i := strings.LastIndex(s, "->"); i >= 0 {
		c = s[i+2:]
	}
	n, _, _ := strings.Cut(c, "/")
	v, _ := strconv.Atoi(n)
	return fmt.Sprintf("%05d %s", v, s)
}

// networksColumn is ps's NETWORKS: the networks the container is on.
func (r *ctrRecord) networksColumn() string {
	if r.ep != nil && len(r.ep.Attached) > 0 {
		var names []string
		for _, a := range r.ep.Attached {
			names = append(names, a.Network)
		}
		return strings.Join(names, ",")
	}
	return r.meta.HostConfig.NetworkMode
}

// endpointSettings is Docker's NetworkSettings.Networks entry.
type endpointSettings struct {
	IPAMConfig          *ipamConfig
	Links               []string
	Aliases             []string
	MacAddress          string
	DriverOpts          map[string]string
	NetworkID           string
	EndpointID          string
	Gateway             string
	IPAddress           string
	IPPrefixLen         int
	IPv6Gateway         string
	GlobalIPv6Address   string
	GlobalIPv6PrefixLen int
	DNSNames            []string
}

type ipamConfig struct {
	IPv4Address string `json:",omitempty"`
	IPv6Address string `json:",omitempty"`
}

// fillNetworkSettings sets inspect's NetworkSettings from the container's
// plan and, while it runs, its endpoint. As in docker, the top-level
// address fields are those on the default bridge network.
func fillNetworkSettings(ns *networkSettings, store *containerutil.Store, r *ctrRecord) {
	ns.Ports = map[string]any{}
	for k, v := range r.publishedPorts() {
		if v == nil {
			ns.Ports[k] = nil
		} else {
			ns.Ports[k] = v
		}
	}
	pl, err := netutil.LoadPlan(store.ContainerDir(r.info.ID))
	if err != nil {
		if mode := r.meta.HostConfig.NetworkMode; mode == "host" || mode == "none" {
			ns.Networks[mode] = &endpointSettings{}
		}
		return
	}
	p := netutil.NewPaths(store.DataRoot(), "", "", "")
	for _, pn := range pl.Networks {
		es := &endpointSettings{Aliases: pn.Aliases, MacAddress: pn.MAC}
		if pn.IPv4 != "" || pn.IPv6 != "" {
			es.IPAMConfig = &ipamConfig{IPv4Address: pn.IPv4, IPv6Address: pn.IPv6}
		}
		if n, err := netutil.Get(p, pn.Name); err == nil {
			es.NetworkID = n.ID
		}
		if r.ep != nil {
			if a := r.ep.On(pn.Name); a != nil {
				fillEndpoint(es, a, r)
			}
		}
		ns.Networks[pn.Name] = es
		if pn.Name == netutil.DefaultNetwork {
			ns.IPAddress, ns.IPPrefixLen, ns.Gateway, ns.MacAddress = es.IPAddress, es.IPPrefixLen, es.Gateway, es.MacAddress
			ns.GlobalIPv6Address, ns.GlobalIPv6PrefixLen, ns.IPv6Gateway = es.GlobalIPv6Address, es.GlobalIPv6PrefixLen, es.IPv6Gateway
			ns.EndpointID = es.EndpointID
		}
	}
	if r.ep != nil {
		ns.SandboxKey = fmt.Sprintf("/proc/%d/ns/net", r.ep.Pid)
		ns.SandboxID = r.info.ID
	}
}

func fillEndpoint(es *endpointSettings, a *netutil.Attachment, r *ctrRecord) {
	es.EndpointID = a.NetworkID[:min(len(a.NetworkID), 32)] + r.info.ID[:min(len(r.info.ID), 32)]
	es.MacAddress, es.Gateway, es.IPv6Gateway = a.MAC, a.Gateway, a.Gateway6
	if a.IPv4 != "" {
		es.IPAddress = netutil.Addr(a.IPv4)
		es.IPPrefixLen = prefixLen(a.IPv4)
	}
	if a.IPv6 != "" {
		es.GlobalIPv6Address = netutil.Addr(a.IPv6)
		es.GlobalIPv6PrefixLen = prefixLen(a.IPv6)
	}
	if a.UserNet {
		es.DNSNames = append([]string{r.name()}, a.Aliases...)
		es.DNSNames = append(es.DNSNames, r.info.ID[:min(len(r.info.ID), 12)])
	}
}

func prefixLen(cidr string) int {
	_, n, err := net.ParseCIDR(cidr)
	if err != nil {
		return 0
	}
	ones, _ := n.Mask.Size()
	return ones
}
