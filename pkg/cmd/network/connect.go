package network

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/netutil"
)

// ConnectOptions are the flags and arguments of `network connect`.
type ConnectOptions struct {
	// Network is a network's name, ID or ID prefix.
	Network string
	// Container is a container's name, ID or ID prefix.
	Container string
	// IPv4 and IPv6 are --ip and --ip6: the addresses to take on the network.
	IPv4 string
	IPv6 string
	// Aliases are more names of the container on the network.
	Aliases []string
	// The flags below are Docker's for what berth does not have; Validate
	// refuses them.
	Links        []string
	LinkLocalIPs []string
	DriverOpts   []string
	GwPriority   int
}

// Validate checks the flags before the engine is dialed.
func (o *ConnectOptions) Validate() error {
	switch {
	case len(o.Links) > 0:
		return errors.New("--link is not supported (legacy links are not supported: on a user network containers find each other by name)")
	case len(o.LinkLocalIPs) > 0:
		return errors.New("--link-local-ip is not supported: containers get no link-local addresses of their own")
	case len(o.DriverOpts) > 0:
		return errors.New("--driver-opt is not supported: berth's drivers take no options per container")
	case o.GwPriority != 0:
		return errors.New("--gw-priority is not supported: a container's default route is through its first network")
	}
	for _, v := range []struct{ flag, val string }{{"--ip", o.IPv4}, {"--ip6", o.IPv6}} {
		if v.val == "" {
			continue
		}
		a, err := netip.ParseAddr(v.val)
		if err != nil || (v.flag == "--ip") != a.Is4() || a.IsUnspecified() {
			return fmt.Errorf("invalid argument %q for %q flag: not an IPv%s address", v.val, v.flag,
				map[bool]string{true: "4", false: "6"}[v.flag == "--ip"])
		}
	}
	return nil
}

// Docker's refusals of network changes that do not fit a container's
// network mode.
var (
	errHostNetwork   = errors.New("container cannot be disconnected from host network or connected to host network")
	errSharedNetwork = errors.New("container sharing network namespace with another container or host cannot be connected to any other network")
	errNoneNetwork   = errors.New("container cannot be connected to multiple networks with one of the networks in private (none) mode")
)

// planConnect checks that the container of plan pl may join n and returns
// its entry on n.
func planConnect(pl *netutil.Plan, n *netutil.Network, o ConnectOptions, container string) (netutil.PlanNetwork, error) {
	pn := netutil.PlanNetwork{Name: n.Name, IPv4: o.IPv4, IPv6: o.IPv6, Aliases: o.Aliases}
	switch {
	case n.Name == netutil.ModeHost:
		return pn, errHostNetwork
	case pl.Mode == netutil.ModeHost || pl.Mode == netutil.ModeContainer:
		return pn, errSharedNetwork
	case n.Name == netutil.ModeNone || pl.Mode != netutil.ModeBridge:
		return pn, errNoneNetwork
	case pl.On(n.Name) != nil:
		return pn, fmt.Errorf("endpoint with name %s already exists in network %s", container, n.Name)
	}
	if n.Name == netutil.DefaultNetwork {
		if o.IPv4 != "" || o.IPv6 != "" {
			return pn, errors.New("user specified IP address is supported on user defined networks only")
		}
		if len(o.Aliases) > 0 {
			return pn, errors.New("network-scoped alias is supported only for containers in user defined networks")
		}
	}
	for _, ip := range []string{o.IPv4, o.IPv6} {
		if ip == "" {
			continue
		}
		if a, err := netip.ParseAddr(ip); err != nil || !n.IPIn(a) {
			var subs []string
			for _, s := range n.Subnets {
				subs = append(subs, s.Subnet)
			}
			return pn, fmt.Errorf("invalid address %s: it does not belong to any of network %s's subnets (%s)",
				ip, n.Name, strings.Join(subs, ", "))
		}
	}
	return pn, nil
}

// planDisconnect takes the container of plan pl off network name.
func planDisconnect(pl *netutil.Plan, name, container string) error {
	switch {
	case name == netutil.ModeHost && pl.Mode == netutil.ModeHost:
		return errHostNetwork
	case name == netutil.ModeNone && pl.Mode == netutil.ModeNone:
		return fmt.Errorf("container %s cannot leave the none network: it was created with --network none; create it again on the networks it needs", container)
	case pl.Mode != netutil.ModeBridge || pl.On(name) == nil:
		return fmt.Errorf("container %s is not connected to network %s", container, name)
	}
	var keep []netutil.PlanNetwork
	for _, pn := range pl.Networks {
		if pn.Name != name {
			keep = append(keep, pn)
		}
	}
	pl.Networks = keep
	return nil
}

// networkMode is the container's HostConfig.NetworkMode after its plan
// changed: kept while the container is on that network, else its first
// network, else "none".
func networkMode(current string, pl *netutil.Plan) string {
	if pl.On(current) != nil {
		return current
	}
	if len(pl.Networks) > 0 {
		return pl.Networks[0].Name
	}
	return netutil.ModeNone
}

// Connect puts a container on one more network: in its plan, so that it
// stays there across restarts, and, while it runs, on the network at once.
func Connect(ctx context.Context, cfg *config.Config, o ConnectOptions) error {
	p := prepare(ctx, cfg)
	nets, err := all(p)
	if err != nil {
		return err
	}
	n, err := lookup(nets, o.Network)
	if err != nil {
		return err
	}
	ctr, ctx, err := openContainer(ctx, cfg, o.Container)
	if err != nil {
		return err
	}
	defer ctr.close()
	var pn netutil.PlanNetwork
	pl, err := ctr.changePlan(func(pl *netutil.Plan) error {
		var err error
		if pn, err = planConnect(pl, n, o, ctr.name); err != nil {
			return err
		}
		pl.Networks = append(pl.Networks, pn)
		return nil
	})
	if err != nil {
		return err
	}
	if pid := ctr.pid(ctx); pid != 0 {
		if err := netutil.Connect(ctx, p, cfg.Namespace, ctr.id, pn, pid); err != nil {
			// The plan must not promise a network the container is not on.
			_, rerr := ctr.changePlan(func(pl *netutil.Plan) error { return planDisconnect(pl, n.Name, ctr.name) })
			return errors.Join(fmt.Errorf("connecting container %s to network %s: %w", ctr.name, n.Name, err), rerr)
		}
	}
	return ctr.syncMeta(pl)
}

// DisconnectOptions are the flags and arguments of `network disconnect`.
type DisconnectOptions struct {
	// Network is a network's name, ID or ID prefix.
	Network string
	// Container is a container's name, ID or ID prefix.
	Container string
	// Force takes the container off a network that no longer exists.
	Force bool
}

// Disconnect takes a container off a network: from its plan and, while it
// runs, from the network at once. Its last network may go too; the
// container then has only its loopback interface.
func Disconnect(ctx context.Context, cfg *config.Config, o DisconnectOptions) error {
	p := prepare(ctx, cfg)
	nets, err := all(p)
	if err != nil {
		return err
	}
	name := o.Network
	n, err := lookup(nets, o.Network)
	switch {
	case err == nil:
		name = n.Name
	case !(o.Force && netutil.IsNotFound(err)):
		return err
	}
	ctr, ctx, err := openContainer(ctx, cfg, o.Container)
	if err != nil {
		return err
	}
	defer ctr.close()
	pl, err := ctr.changePlan(func(pl *netutil.Plan) error { return planDisconnect(pl, name, ctr.name) })
	if err != nil {
		return err
	}
	if pid := ctr.pid(ctx); pid != 0 {
		if err := netutil.Disconnect(ctx, p, cfg.Namespace, ctr.id, name); err != nil {
			return fmt.Errorf("disconnecting container %s from network %s: %w", ctr.name, name, err)
		}
	}
	return ctr.syncMeta(pl)
}
