package netutil

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vishvananda/netlink"
)

// CreateOptions describe a network to create, as `network create` takes it.
type CreateOptions struct {
	Name     string
	Driver   string
	Subnets  []string
	Gateways []string
	IPRanges []string
	IPv6     bool
	Internal bool
	Labels   map[string]string
	Options  map[string]string
	// IgnoreExisting makes creating an existing network a no-op (compose).
	IgnoreExisting bool
}

// ExistsError is the answer for creating a network whose name is taken.
type ExistsError struct{ Name string }

func (e *ExistsError) Error() string {
	return fmt.Sprintf("network with name %s already exists", e.Name)
}

// Create validates o and stores the network. Nothing is stored when it
// fails. The network's bridge appears when its first container starts.
func Create(p Paths, o CreateOptions) (*Network, error) {
	lock, err := p.Lock()
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	return create(p, o)
}

func create(p Paths, o CreateOptions) (*Network, error) {
	if o.Name == "" {
		return nil, errors.New("network name is required")
	}
	if existing, err := Get(p, o.Name); err == nil && existing.Name == o.Name {
		if o.IgnoreExisting {
			return existing, nil
		}
		return nil, &ExistsError{Name: o.Name}
	}
	nets, err := List(p)
	if err != nil {
		return nil, err
	}
	n := &Network{Name: o.Name, ID: newID(), Created: time.Now().UTC(), Driver: o.Driver,
		IPv6: o.IPv6, Internal: o.Internal, Labels: o.Labels, Options: map[string]string{}}
	if n.Driver == "" {
		n.Driver = DriverBridge
	}
	if n.Labels == nil {
		n.Labels = map[string]string{}
	}
	for k, v := range o.Options {
		n.Options[k] = v
	}
	if err := applyDriverOptions(p, n, nets); err != nil {
		return nil, err
	}
	if err := applySubnets(n, o, nets); err != nil {
		return nil, err
	}
	if err := save(p, n); err != nil {
		return nil, err
	}
	if n.Driver == DriverBridge {
		if err := syncFirewall(p, append(nets, n)); err != nil {
			_ = os.Remove(p.confFile(n.Name))
			return nil, err
		}
		// The bridge exists from now on, as docker's do: the host's
		// addresses then show the subnet as taken to other data roots.
		if err := ensureBridge(n); err != nil {
			_ = os.Remove(p.confFile(n.Name))
			_ = syncFirewall(p, nets)
			return nil, err
		}
	}
	return n, nil
}

// applyDriverOptions checks the driver and its -o options.
func applyDriverOptions(p Paths, n *Network, nets []*Network) error {
	known := map[string]bool{OptMTU: true, "mtu": true}
	switch n.Driver {
	case DriverBridge:
		known[OptBridgeName] = true
		known["com.docker.network.bridge.enable_ip_masquerade"] = true
		n.Bridge = n.Options[OptBridgeName]
		if n.Bridge == "" {
			n.Bridge = "br-" + n.ID[:12]
			if n.Name == DefaultNetwork {
				n.Bridge = p.DefaultBridge
			}
		}
		if err := validIfName(n.Bridge); err != nil {
			return err
		}
		for _, o := range nets {
			if o.Driver == DriverBridge && o.Bridge == n.Bridge {
				return fmt.Errorf("bridge name %s is already used by network %s", n.Bridge, o.Name)
			}
		}
	case DriverMacvlan, DriverIPvlan:
		known[OptParent], known[OptMode] = true, true
		n.Parent = n.Options[OptParent]
		if n.Parent == "" {
			return fmt.Errorf("the %s driver needs a parent interface: -o parent=IFACE", n.Driver)
		}
		if _, err := net.InterfaceByName(n.Parent); err != nil {
			return fmt.Errorf("parent interface %s: %w", n.Parent, err)
		}
		modes := map[string][]string{DriverMacvlan: {"bridge", "private", "vepa", "passthru"}, DriverIPvlan: {"l2", "l3", "l3s"}}[n.Driver]
		if m := n.Options[OptMode]; m != "" && !contains(modes, m) {
			return fmt.Errorf("invalid %s mode %q (valid: %s)", n.Driver, m, strings.Join(modes, ", "))
		}
	default:
		return fmt.Errorf("unsupported network driver %q (berth supports bridge, macvlan and ipvlan)", n.Driver)
	}
	for k := range n.Options {
		if !known[k] {
			return fmt.Errorf("unsupported option %q for the %s driver", k, n.Driver)
		}
	}
	for _, k := range []string{OptMTU, "mtu"} {
		if v, ok := n.Options[k]; ok {
			mtu, err := strconv.Atoi(v)
			if err != nil || mtu < 68 || mtu > 65535 {
				return fmt.Errorf("invalid MTU %q: must be a number from 68 to 65535", v)
			}
			n.MTU = mtu
		}
	}
	return nil
}

func validIfName(s string) error {
	if s == "" || len(s) > 15 || strings.ContainsAny(s, "/ \t\n:") {
		return fmt.Errorf("invalid bridge name %q: at most 15 characters, no '/', ':' or spaces", s)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// applySubnets validates --subnet, --gateway and --ip-range (the n-th of
// each belong together, as in docker), or picks a free IPv4 subnet.
func applySubnets(n *Network, o CreateOptions, nets []*Network) error {
	if len(o.Gateways) > len(o.Subnets) || len(o.IPRanges) > len(o.Subnets) {
		return errors.New("every --gateway and --ip-range needs its own --subnet, given in the same order")
	}
	has4 := false
	for i, s := range o.Subnets {
		pfx, err := netip.ParsePrefix(s)
		if err != nil {
			return fmt.Errorf("invalid subnet %s: %w", s, err)
		}
		if pfx != pfx.Masked() {
			return fmt.Errorf("invalid subnet %s: it has host bits set (did you mean %s?)", s, pfx.Masked())
		}
		if pfx.Addr().Is4() {
			has4 = true
			if pfx.Bits() > 30 {
				return fmt.Errorf("invalid subnet %s: too small, at most /30", s)
			}
		} else {
			if !o.IPv6 {
				return fmt.Errorf("invalid subnet %s: an IPv6 subnet needs --ipv6", s)
			}
			if pfx.Bits() > 126 {
				return fmt.Errorf("invalid subnet %s: too small, at most /126", s)
			}
		}
		sub := Subnet{Subnet: pfx.String()}
		if i < len(o.Gateways) && o.Gateways[i] != "" {
			gw, err := netip.ParseAddr(o.Gateways[i])
			if err != nil || !pfx.Contains(gw) {
				return fmt.Errorf("invalid gateway %s: not an address in subnet %s", o.Gateways[i], s)
			}
			sub.Gateway = gw.String()
		}
		if i < len(o.IPRanges) && o.IPRanges[i] != "" {
			r, err := netip.ParsePrefix(o.IPRanges[i])
			if err != nil || r != r.Masked() || !pfx.Contains(r.Addr()) || r.Bits() < pfx.Bits() {
				return fmt.Errorf("invalid ip-range %s: must be a subnet inside %s", o.IPRanges[i], s)
			}
			sub.IPRange = r.String()
		}
		if other, ok := overlapping(pfx, nets, n.Subnets); ok {
			return fmt.Errorf("invalid subnet %s: it overlaps with network %s (%s)", s, other.name, other.subnet)
		}
		n.Subnets = append(n.Subnets, sub)
	}
	if o.IPv6 && !hasV6(n.Subnets) {
		return errors.New("--ipv6 needs an IPv6 --subnet (for example --subnet fd00:1::/64)")
	}
	if o.IPv6 {
		if _, err := os.Stat("/proc/sys/net/ipv6"); err != nil {
			return errors.New("--ipv6: this kernel has IPv6 disabled")
		}
	}
	if !has4 {
		pfx, err := freeSubnet(n.Name, nets)
		if err != nil {
			return err
		}
		n.Subnets = append([]Subnet{{Subnet: pfx.String()}}, n.Subnets...)
	}
	for i := range n.Subnets {
		s := &n.Subnets[i]
		if s.Gateway == "" && n.Driver == DriverBridge {
			pfx := netip.MustParsePrefix(s.Subnet)
			s.Gateway = pfx.Addr().Next().String()
		}
	}
	return nil
}

func hasV6(subs []Subnet) bool {
	for _, s := range subs {
		if family(s.Subnet) == "ip6" {
			return true
		}
	}
	return false
}

type owner struct{ name, subnet string }

// overlapping finds a network (or an earlier subnet of the same one) whose
// subnet overlaps pfx.
func overlapping(pfx netip.Prefix, nets []*Network, own []Subnet) (owner, bool) {
	for _, n := range nets {
		for _, s := range n.Subnets {
			if o, err := netip.ParsePrefix(s.Subnet); err == nil && o.Overlaps(pfx) {
				return owner{n.Name, s.Subnet}, true
			}
		}
	}
	for _, s := range own {
		if o, err := netip.ParsePrefix(s.Subnet); err == nil && o.Overlaps(pfx) {
			return owner{"(itself)", s.Subnet}, true
		}
	}
	return owner{}, false
}

// freeSubnet picks the first /24 of 10.4.0.0/16 and then 10.5.0.0/16 ...
// that no network uses and no host address covers. The default network
// takes DefaultSubnet when it is free.
func freeSubnet(name string, nets []*Network) (netip.Prefix, error) {
	host := hostPrefixes()
	if def := netip.MustParsePrefix(DefaultSubnet); name == DefaultNetwork && !overlapsAny(def, host) {
		if _, used := overlapping(def, nets, nil); !used {
			return def, nil
		}
	}
	for b := 4; b < 32; b++ {
		for c := 1; c < 256; c++ {
			pfx := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(b), byte(c), 0}), 24)
			if _, used := overlapping(pfx, nets, nil); used {
				continue
			}
			if overlapsAny(pfx, host) {
				continue
			}
			return pfx, nil
		}
	}
	return netip.Prefix{}, errors.New("no free subnet left in 10.4.0.0/14 to 10.31.0.0/16: give one with --subnet")
}

// hostPrefixes are the host's own networks, which a new subnet must not
// shadow.
func hostPrefixes() []netip.Prefix {
	var out []netip.Prefix
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok {
			if p, err := netip.ParsePrefix(ipn.String()); err == nil && !p.Addr().IsLoopback() {
				out = append(out, p.Masked())
			}
		}
	}
	return out
}

func overlapsAny(p netip.Prefix, list []netip.Prefix) bool {
	for _, o := range list {
		if o.Overlaps(p) {
			return true
		}
	}
	return false
}

// EnsureDefault returns the default network, creating it on first use.
func EnsureDefault(p Paths) (*Network, error) {
	if n, err := Get(p, DefaultNetwork); err == nil {
		return n, nil
	}
	lock, err := p.Lock()
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	return create(p, CreateOptions{Name: DefaultNetwork, Driver: DriverBridge, IgnoreExisting: true})
}

// ensureBridge creates a bridge network's device with its gateway
// addresses and brings it up; the bridge plugin finds it as it is.
func ensureBridge(n *Network) error {
	l, err := netlink.LinkByName(n.Bridge)
	if err != nil {
		la := netlink.NewLinkAttrs()
		la.Name = n.Bridge
		if n.MTU > 0 {
			la.MTU = n.MTU
		}
		if err := netlink.LinkAdd(&netlink.Bridge{LinkAttrs: la}); err != nil && !errors.Is(err, syscall.EEXIST) {
			return fmt.Errorf("creating bridge %s: %w", n.Bridge, err)
		}
		if l, err = netlink.LinkByName(n.Bridge); err != nil {
			return fmt.Errorf("creating bridge %s: %w", n.Bridge, err)
		}
	}
	for _, s := range n.Subnets {
		pfx, err := netip.ParsePrefix(s.Subnet)
		if err != nil || s.Gateway == "" {
			continue
		}
		addr, err := netlink.ParseAddr(s.Gateway + "/" + strconv.Itoa(pfx.Bits()))
		if err != nil {
			continue
		}
		// An IPv6 address may wait for the interface; the plugin adds it
		// again when the first container starts.
		if err := netlink.AddrAdd(l, addr); err != nil && !errors.Is(err, syscall.EEXIST) && pfx.Addr().Is4() {
			return fmt.Errorf("adding %s to bridge %s: %w", addr, n.Bridge, err)
		}
	}
	if err := netlink.LinkSetUp(l); err != nil {
		return fmt.Errorf("bringing bridge %s up: %w", n.Bridge, err)
	}
	return nil
}
