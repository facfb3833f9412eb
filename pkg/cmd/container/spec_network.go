package container

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/netutil"
	"github.com/berth-project/berth/pkg/ocihook"
	"github.com/berth-project/berth/pkg/opts"
)

// netFlags are the parsed network flags.
type netFlags struct {
	mode      string // bridge, none, host, container
	container string // container mode's target
	networks  []string
	ports     []opts.PortBinding
	exposed   []opts.ExposedPort
	hosts     []netutil.HostEntry
	dns       []string
	search    []string
	options   []string
	mac       string
}

// network parses and cross-checks the network flags, as docker does, with
// no I/O.
func (o *CreateOptions) network() (*netFlags, error) {
	f := &netFlags{mode: netutil.ModeBridge}
	kinds := map[string]bool{}
	for _, v := range o.Networks {
		kind, name, err := opts.ParseNetworkMode(v)
		if err != nil {
			return nil, err
		}
		kinds[kind] = true
		switch kind {
		case "bridge":
			f.networks = appendOnce(f.networks, netutil.DefaultNetwork)
		case "network":
			f.networks = appendOnce(f.networks, name)
		case "container":
			f.mode, f.container = netutil.ModeContainer, name
		default:
			f.mode = kind
		}
	}
	if len(kinds) > 1 && (kinds["none"] || kinds["host"] || kinds["container"]) || len(o.Networks) > 1 && kinds["container"] {
		return nil, errors.New("conflicting options: cannot attach both user-defined and non-user-defined network-modes")
	}
	if f.mode == netutil.ModeBridge && len(f.networks) == 0 {
		f.networks = []string{netutil.DefaultNetwork}
	}
	var err error
	if err = o.parsePorts(f); err != nil {
		return nil, err
	}
	for _, h := range o.AddHosts {
		host, ip, err := opts.ParseExtraHost(h)
		if err != nil {
			return nil, err
		}
		f.hosts = append(f.hosts, netutil.HostEntry{Host: host, IP: ip})
	}
	for _, p := range []struct {
		in    []string
		out   *[]string
		parse func(string) (string, error)
	}{{o.DNS, &f.dns, opts.ParseDNS}, {o.DNSSearch, &f.search, opts.ParseDNSSearch}, {o.DNSOptions, &f.options, opts.ParseDNSOption}} {
		for _, v := range p.in {
			s, err := p.parse(v)
			if err != nil {
				return nil, err
			}
			*p.out = append(*p.out, s)
		}
	}
	if o.MACAddress != "" {
		if f.mac, err = opts.ParseMAC(o.MACAddress); err != nil {
			return nil, err
		}
	}
	return f, f.checkMode(o)
}

func (o *CreateOptions) parsePorts(f *netFlags) error {
	for _, p := range o.Publish {
		b, err := opts.ParsePublish(p)
		if err != nil {
			return err
		}
		f.ports = append(f.ports, b...)
	}
	for _, e := range o.Expose {
		x, err := opts.ParseExpose(e)
		if err != nil {
			return err
		}
		f.exposed = append(f.exposed, x...)
	}
	return nil
}

// checkMode refuses flags that cannot apply to the network mode, with
// docker's messages.
func (f *netFlags) checkMode(o *CreateOptions) error {
	userNet := f.mode == netutil.ModeBridge && (len(f.networks) > 1 || f.networks[0] != netutil.DefaultNetwork)
	switch f.mode {
	case netutil.ModeContainer:
		switch {
		case len(f.ports) > 0 || o.PublishAll:
			return errors.New("conflicting options: port publishing and the container type network mode")
		case len(f.dns) > 0 || len(f.search) > 0 || len(f.options) > 0:
			return errors.New("conflicting options: dns and the network mode")
		case len(f.hosts) > 0:
			return errors.New("conflicting options: custom host-to-IP mapping and the network mode")
		case o.Hostname != "":
			return errors.New("conflicting options: hostname and the network mode")
		case f.mac != "":
			return errors.New("conflicting options: mac-address and the network mode")
		}
	case netutil.ModeHost, netutil.ModeNone:
		if len(f.ports) > 0 || o.PublishAll {
			return fmt.Errorf("conflicting options: port publishing and the %s network mode", f.mode)
		}
		if f.mac != "" {
			return errors.New("conflicting options: mac-address and the network mode")
		}
	}
	if f.mode != netutil.ModeBridge || !userNet {
		if o.IP != "" || o.IP6 != "" {
			return errors.New("user specified IP address is supported on user defined networks only")
		}
		if len(o.Aliases) > 0 {
			return errors.New("network-scoped alias is supported only for containers in user defined networks")
		}
	}
	for _, v := range []struct{ flag, val string }{{"--ip", o.IP}, {"--ip6", o.IP6}} {
		if v.val == "" {
			continue
		}
		a, err := netip.ParseAddr(v.val)
		if err != nil || (v.flag == "--ip") != a.Is4() {
			return fmt.Errorf("invalid argument %q for %q flag: not an IPv%s address", v.val, v.flag, map[bool]string{true: "4", false: "6"}[v.flag == "--ip"])
		}
	}
	return nil
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// specNetwork resolves the network flags against the stored networks and
// other containers, writes the container's hosts, resolv.conf and hostname
// files and its network plan into its state directory, and returns the
// spec options that mount them and wire the container at each start.
func specNetwork(ctx context.Context, c *client.Client, cfg *config.Config, o *CreateOptions, ic *ocispec.Image, id, stateDir string, meta *containerutil.Meta) ([]oci.SpecOpts, error) {
	f, err := o.network()
	if err != nil {
		return nil, err
	}
	p := netutil.ConfigPaths(cfg)
	hc := &meta.HostConfig
	// Docker shows empty lists, not null.
	hc.DNS, hc.DNSSearch, hc.DNSOptions = append([]string{}, f.dns...), append([]string{}, f.search...), append([]string{}, f.options...)
	hc.PublishAllPorts = o.PublishAll
	for _, h := range o.AddHosts {
		hc.ExtraHosts = append(hc.ExtraHosts, h)
	}
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return nil, err
	}
	files := map[string]string{"hosts": filepath.Join(stateDir, "hosts"), "resolv.conf": filepath.Join(stateDir, "resolv.conf"),
		"hostname": filepath.Join(stateDir, "hostname")}
	var specOpts []oci.SpecOpts
	switch f.mode {
	case netutil.ModeHost:
		hc.NetworkMode = "host"
		if o.Hostname == "" {
			meta.Config.Hostname, _ = os.Hostname()
		}
		specOpts = append(specOpts, oci.WithHostNamespace(specs.NetworkNamespace), oci.WithHostname(meta.Config.Hostname))
		if err := writeHostFiles(files, meta, f); err != nil {
			return nil, err
		}
	case netutil.ModeContainer:
		target, err := joinTarget(ctx, c, cfg, f.container, id)
		if err != nil {
			return nil, err
		}
		hc.NetworkMode = "container:" + target.id
		meta.Config.Hostname = target.hostname
		specOpts = append(specOpts, oci.WithLinuxNamespace(specs.LinuxNamespace{Type: specs.NetworkNamespace,
			Path: fmt.Sprintf("/proc/%d/ns/net", target.pid)}), oci.WithHostname(target.hostname))
		for name := range files {
			files[name] = filepath.Join(target.stateDir, name)
		}
	default:
		if hc.NetworkMode, err = planNetworks(ctx, p, cfg, o, f, ic, id, stateDir, files["hosts"], meta); err != nil {
			return nil, err
		}
		if hc.NetworkMode != "none" {
			// The network hook runs the berth CLI.
			exe, err := config.CLIBinary()
			if err != nil {
				return nil, err
			}
			specOpts = append(specOpts, withHooks(ocihook.Hooks(exe, ocihook.Options{DataRoot: cfg.DataRoot, RunDir: cfg.RunDir,
				ConfDir: cfg.CNINetConfPath, PluginDir: cfg.CNIBinDir(), Namespace: cfg.Namespace, StateDir: stateDir})))
		}
	}
	return append(specOpts, withEtcFiles(files, meta.Config.Hostname)), nil
}

// planNetworks resolves a bridge-mode container's networks, checks its
// addresses and ports, and saves its plan and files. It returns docker's
// NetworkMode for it.
func planNetworks(ctx context.Context, p netutil.Paths, cfg *config.Config, o *CreateOptions, f *netFlags, ic *ocispec.Image, id, stateDir, hostsPath string, meta *containerutil.Meta) (string, error) {
	if f.mode == netutil.ModeNone {
		return "none", writeNetFiles(hostsPath, meta, f, nil, "")
	}
	if err := exposedPorts(o, f, ic, meta); err != nil {
		return "", err
	}
	pl := &netutil.Plan{Mode: netutil.ModeBridge, Name: meta.Name, Hostname: meta.Config.Hostname, HostsPath: hostsPath, Ports: f.ports}
	var first *netutil.Network
	for i, name := range f.networks {
		var n *netutil.Network
		var err error
		if name == netutil.DefaultNetwork {
			n, err = netutil.EnsureDefault(p)
		} else {
			n, err = netutil.Get(p, name)
		}
		if err != nil {
			return "", err
		}
		pn := netutil.PlanNetwork{Name: n.Name}
		if i == 0 {
			first = n
			pn.MAC = f.mac
			if pn.IPv4, pn.IPv6, err = requestedIPs(n, o); err != nil {
				return "", err
			}
		}
		if n.Name != netutil.DefaultNetwork {
			pn.Aliases = o.Aliases
		}
		pl.Networks = append(pl.Networks, pn)
	}
	if err := netutil.CheckPorts(ctx, p, f.ports); err != nil {
		return "", err
	}
	gw := ""
	if len(first.Subnets) > 0 {
		gw = first.Subnets[0].Gateway
	}
	for i, h := range f.hosts {
		if h.IP == "host-gateway" {
			f.hosts[i].IP = gw
		}
	}
	pl.ExtraHosts = f.hosts
	if err := writeNetFiles(hostsPath, meta, f, first, gw); err != nil {
		return "", err
	}
	if err := netutil.SavePlan(stateDir, pl); err != nil {
		return "", err
	}
	return first.Name, nil
}

// requestedIPs checks --ip and --ip6 against the network's subnets.
func requestedIPs(n *netutil.Network, o *CreateOptions) (string, string, error) {
	for _, v := range []string{o.IP, o.IP6} {
		if v == "" {
			continue
		}
		if !n.IPIn(netip.MustParseAddr(v)) {
			var subs []string
			for _, s := range n.Subnets {
				subs = append(subs, s.Subnet)
			}
			return "", "", fmt.Errorf("invalid address %s: it does not belong to any of network %s's subnets (%s)", v, n.Name, strings.Join(subs, ", "))
		}
	}
	return o.IP, o.IP6, nil
}

// exposedPorts merges the image's EXPOSE and --expose into the config, and
// with -P publishes each on a free host port.
func exposedPorts(o *CreateOptions, f *netFlags, ic *ocispec.Image, meta *containerutil.Meta) error {
	exposed := map[string]opts.ExposedPort{}
	for k := range ic.Config.ExposedPorts {
		p, err := opts.ParsePortKey(k)
		if err != nil {
			return fmt.Errorf("the image's exposed port %q: %w", k, err)
		}
		exposed[p.String()] = p
	}
	for _, p := range f.exposed {
		exposed[p.String()] = p
	}
	for _, b := range f.ports {
		p := opts.ExposedPort{Port: b.ContainerPort, Proto: b.Proto}
		exposed[p.String()] = p
	}
	if len(exposed) > 0 {
		meta.Config.ExposedPorts = map[string]struct{}{}
	}
	keys := make([]string, 0, len(exposed))
	for k := range exposed {
		meta.Config.ExposedPorts[k] = struct{}{}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if o.PublishAll {
		for _, k := range keys {
			p := exposed[k]
			f.ports = append(f.ports, opts.PortBinding{ContainerPort: p.Port, Proto: p.Proto})
		}
	}
	if len(f.ports) > 0 {
		meta.HostConfig.PortBindings = map[string][]containerutil.PortBinding{}
	}
	for _, b := range f.ports {
		k := opts.ExposedPort{Port: b.ContainerPort, Proto: b.Proto}.String()
		hp := ""
		if b.HostPort != 0 {
			hp = strconv.Itoa(int(b.HostPort))
			if b.HostPortEnd > b.HostPort {
				hp += "-" + strconv.Itoa(int(b.HostPortEnd))
			}
		}
		meta.HostConfig.PortBindings[k] = append(meta.HostConfig.PortBindings[k], containerutil.PortBinding{HostIP: b.HostIP, HostPort: hp})
	}
	return nil
}
