package network

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"regexp"
	"strings"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/netutil"
	"github.com/berth-project/berth/pkg/opts"
)

// CreateOptions are the flags and argument of `network create`.
type CreateOptions struct {
	// Name is the new network's name.
	Name string
	// Driver is bridge, macvlan or ipvlan.
	Driver string
	// Subnets, Gateways and IPRanges are --subnet, --gateway and
	// --ip-range; each gateway and range belongs to the subnet that
	// contains it, as in Docker.
	Subnets  []string
	Gateways []string
	IPRanges []string
	// IPv4 is --ipv4, which cannot be turned off: every berth network has
	// an IPv4 subnet.
	IPv4 bool
	// IPv6 adds the IPv6 subnets given with --subnet.
	IPv6 bool
	// Internal networks have no route out of the host.
	Internal bool
	// Attachable is accepted for Docker's scripts: any container can join
	// any berth network already.
	Attachable bool
	// Labels are --label key=value values.
	Labels []string
	// Options are -o key=value driver options.
	Options []string
	// The flags below are Docker's for what berth does not have (other
	// IPAM drivers, swarm); Validate refuses them.
	IPAMDriver   string
	IPAMOptions  []string
	AuxAddresses []string
	Scope        string
	ConfigFrom   string
	ConfigOnly   bool
	Ingress      bool
}

// validNetworkName is Docker's rule for network names; it also keeps the
// name usable as part of the network's file name.
var validNetworkName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// Validate checks the flags before anything is stored.
func (o *CreateOptions) Validate() error {
	if err := o.refuseUnsupported(); err != nil {
		return err
	}
	if isPredefined(o.Name) {
		return fmt.Errorf("operation is not permitted on predefined %s network", o.Name)
	}
	if !validNetworkName.MatchString(o.Name) || len(o.Name) > 128 {
		return fmt.Errorf("invalid network name %q: it must match [a-zA-Z0-9][a-zA-Z0-9_.-]* and have at most 128 characters", o.Name)
	}
	if _, err := opts.ParseLabels(o.Labels); err != nil {
		return err
	}
	if _, err := parseDriverOptions(o.Options); err != nil {
		return err
	}
	_, _, err := matchIPAM(o.Subnets, o.Gateways, o.IPRanges)
	return err
}

// refuseUnsupported names the flag berth cannot honour and what to do.
func (o *CreateOptions) refuseUnsupported() error {
	switch {
	case o.IPAMDriver != "" && o.IPAMDriver != "default":
		return fmt.Errorf("--ipam-driver %s is not supported: berth allocates addresses with its default IPAM driver only", o.IPAMDriver)
	case len(o.IPAMOptions) > 0:
		return errors.New("--ipam-opt is not supported: the default IPAM driver takes no options")
	case len(o.AuxAddresses) > 0:
		return errors.New("--aux-address is not supported: use --ip-range to keep addresses out of the allocator's range")
	case o.Scope != "" && o.Scope != scopeLocal:
		return fmt.Errorf("--scope %s is not supported: berth has no swarm, every network is local", o.Scope)
	case o.ConfigFrom != "" || o.ConfigOnly:
		return errors.New("--config-from and --config-only are not supported: give the network's configuration with its own flags")
	case o.Ingress:
		return errors.New("--ingress is not supported: berth has no swarm routing mesh")
	case !o.IPv4:
		return errors.New("--ipv4=false is not supported: every berth network has an IPv4 subnet")
	}
	return nil
}

// parseDriverOptions reads -o values as Docker's map options do: key=value,
// or a bare key with an empty value.
func parseDriverOptions(values []string) (map[string]string, error) {
	m := make(map[string]string, len(values))
	for _, kv := range values {
		k, v, _ := strings.Cut(kv, "=")
		if strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("invalid option %q: the key must not be empty", kv)
		}
		m[k] = v
	}
	return m, nil
}

// matchIPAM pairs each gateway and IP range with the subnet that contains
// it, as Docker's CLI does, and returns them aligned with subnets ("" for
// a subnet without one).
func matchIPAM(subnets, gateways, ranges []string) ([]string, []string, error) {
	if len(subnets) < len(gateways) || len(subnets) < len(ranges) {
		return nil, nil, errors.New("every ip-range or gateway must have a corresponding subnet")
	}
	pfxs := make([]netip.Prefix, len(subnets))
	for i, s := range subnets {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, nil, fmt.Errorf("invalid subnet %s: %w", s, err)
		}
		pfxs[i] = p.Masked()
	}
	gws := make([]string, len(subnets))
	for _, g := range gateways {
		if err := assign(pfxs, subnets, gws, g, "gateway", "cannot configure multiple gateways (%s, %s) for the same subnet (%s)"); err != nil {
			return nil, nil, err
		}
	}
	rngs := make([]string, len(subnets))
	for _, r := range ranges {
		if err := assign(pfxs, subnets, rngs, r, "range", "cannot configure multiple ranges (%s, %s) on the same subnet (%s)"); err != nil {
			return nil, nil, err
		}
	}
	return gws, rngs, nil
}

// assign puts value (an address, or a CIDR whose address counts) in slot
// i of out for each subnet i that contains it.
func assign(pfxs []netip.Prefix, subnets, out []string, value, what, twice string) error {
	addr, err := netip.ParseAddr(value)
	if strings.Contains(value, "/") {
		var p netip.Prefix
		p, err = netip.ParsePrefix(value)
		addr = p.Addr()
	}
	matched := false
	for i, p := range pfxs {
		if err != nil || !p.Contains(addr) {
			continue
		}
		if out[i] != "" {
			return fmt.Errorf(twice, value, out[i], subnets[i])
		}
		out[i], matched = value, true
	}
	if !matched {
		return fmt.Errorf("no matching subnet for %s %s", what, value)
	}
	return nil
}

// Create stores the network and prints its ID.
func Create(ctx context.Context, cfg *config.Config, w io.Writer, o CreateOptions) error {
	labels, err := opts.ParseLabels(o.Labels)
	if err != nil {
		return err
	}
	driverOpts, err := parseDriverOptions(o.Options)
	if err != nil {
		return err
	}
	gws, rngs, err := matchIPAM(o.Subnets, o.Gateways, o.IPRanges)
	if err != nil {
		return err
	}
	p := prepare(ctx, cfg)
	// The default network takes its fixed subnet when first used, without
	// looking at the others: it must exist before a user's --subnet can
	// be checked against it.
	if _, err := netutil.EnsureDefault(p); err != nil {
		return fmt.Errorf("the default network: %w", err)
	}
	n, err := netutil.Create(p, netutil.CreateOptions{Name: o.Name, Driver: o.Driver, Subnets: o.Subnets,
		Gateways: gws, IPRanges: rngs, IPv6: o.IPv6, Internal: o.Internal, Labels: labels, Options: driverOpts})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, n.ID)
	return err
}
