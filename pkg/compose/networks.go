package compose

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-project/berth/pkg/netutil"
)

// usedNetworks are the keys of the project networks the services join.
func usedNetworks(services []types.ServiceConfig) []string {
	var out []string
	for _, s := range services {
		if s.NetworkMode != "" {
			continue
		}
		for key := range s.Networks {
			if !slices.Contains(out, key) {
				out = append(out, key)
			}
		}
	}
	slices.Sort(out)
	return out
}

// networkOptions are the options `network create` would take for key.
func networkOptions(p *types.Project, key string) netutil.CreateOptions {
	n := p.Networks[key]
	o := netutil.CreateOptions{
		Name:           NetworkName(p, key),
		Driver:         n.Driver,
		Internal:       n.Internal,
		IPv6:           n.EnableIPv6 != nil && *n.EnableIPv6,
		Options:        map[string]string(n.DriverOpts),
		Labels:         map[string]string{},
		IgnoreExisting: true,
	}
	for _, pool := range n.Ipam.Config {
		if pool == nil {
			continue
		}
		o.Subnets = append(o.Subnets, pool.Subnet)
		o.Gateways = append(o.Gateways, pool.Gateway)
		o.IPRanges = append(o.IPRanges, pool.IPRange)
	}
	for k, v := range n.Labels {
		o.Labels[k] = v
	}
	o.Labels[LabelProject] = p.Name
	o.Labels[LabelNetwork] = key
	o.Labels[LabelVersion] = ComposeVersion
	return o
}

// ensureNetworks creates the networks the services join that do not exist
// yet. External networks must exist: they are all checked before any
// network is created.
func (ss *session) ensureNetworks(p *types.Project, services []types.ServiceConfig) error {
	paths := netutil.ConfigPaths(ss.cfg)
	keys := usedNetworks(services)
	for _, key := range keys {
		n := p.Networks[key]
		if !n.External {
			if n.Ipam.Driver != "" && n.Ipam.Driver != "default" {
				return fmt.Errorf("network %s: ipam driver %q is not supported: berth has its own address management only", key, n.Ipam.Driver)
			}
			continue
		}
		if _, err := netutil.Get(paths, NetworkName(p, key)); err != nil {
			if netutil.IsNotFound(err) {
				return fmt.Errorf("network %s declared as external, but could not be found", NetworkName(p, key))
			}
			return err
		}
	}
	for _, key := range keys {
		if p.Networks[key].External {
			continue
		}
		o := networkOptions(p, key)
		if _, err := netutil.Get(paths, o.Name); err == nil {
			continue
		}
		ss.progress.event("Network", o.Name, "Creating")
		if _, err := netutil.Create(paths, o); err != nil {
			return fmt.Errorf("creating network %s: %w", o.Name, err)
		}
		ss.progress.event("Network", o.Name, "Created")
	}
	return nil
}

// removeNetworks removes the networks berth created for the project.
// One still in use (by a container of another project) is reported and
// left.
func (ss *session) removeNetworks(ctx context.Context, project string) error {
	paths := netutil.ConfigPaths(ss.cfg)
	nets, err := netutil.List(paths)
	if err != nil {
		return err
	}
	var errs []error
	for _, n := range nets {
		if n.Labels[LabelProject] != project {
			continue
		}
		ss.progress.event("Network", n.Name, "Removing")
		if _, err := netutil.Remove(ctx, paths, n.Name); err != nil {
			var inUse *netutil.InUseError
			if errors.As(err, &inUse) {
				ss.progress.event("Network", n.Name, "Resource is still in use")
				continue
			}
			errs = append(errs, err)
			continue
		}
		ss.progress.event("Network", n.Name, "Removed")
	}
	return errors.Join(errs...)
}

// applyNetworkRequests writes what create options cannot say into the
// container's network plan before its first start: each network's aliases,
// and the addresses asked for on the networks after the first (berth
// checked the first network's at create).
func applyNetworkRequests(paths netutil.Paths, stateDir string, reqs []NetworkRequest) error {
	if len(reqs) == 0 {
		return nil
	}
	pl, err := netutil.LoadPlan(stateDir)
	if err != nil {
		return fmt.Errorf("reading the network plan: %w", err)
	}
	for i, r := range reqs {
		pn := pl.On(r.Name)
		if pn == nil {
			continue
		}
		pn.Aliases = r.Aliases
		if i == 0 {
			continue
		}
		n, err := netutil.Get(paths, r.Name)
		if err != nil {
			return err
		}
		for _, ip := range []string{r.IPv4, r.IPv6} {
			if ip == "" {
				continue
			}
			a, err := netip.ParseAddr(ip)
			if err != nil || !n.IPIn(a) {
				return fmt.Errorf("invalid address %s: it does not belong to any of network %s's subnets", ip, r.Name)
			}
		}
		pn.IPv4, pn.IPv6 = r.IPv4, r.IPv6
	}
	return netutil.SavePlan(stateDir, pl)
}
