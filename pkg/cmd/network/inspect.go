package network

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/formatter"
	"github.com/berth-project/berth/pkg/netutil"
)

// InspectOptions are the flags and arguments of `network inspect`.
type InspectOptions struct {
	// Format is a Go template or "json"; empty prints a JSON array.
	Format string
	// Verbose is Docker's swarm diagnostics: local networks have none,
	// so the output is the same.
	Verbose bool
	// Networks are names, IDs or ID prefixes.
	Networks []string
}

// NotFoundError is Docker's answer for inspecting networks that do not
// exist; the command fails with exit status 1, after printing the others.
type NotFoundError struct{ Names []string }

func (e *NotFoundError) Error() string {
	msg := ""
	for i, n := range e.Names {
		if i > 0 {
			msg += "\n"
		}
		msg += "No such network: " + n
	}
	return msg
}

// Detail is Docker's network inspect object. Fields are named as its JSON
// keys (Id, not ID) because users' templates use the JSON keys.
type Detail struct {
	Name       string
	Id         string
	Created    time.Time
	Scope      string
	Driver     string
	EnableIPv4 bool
	EnableIPv6 bool
	IPAM       IPAM
	Internal   bool
	Attachable bool
	Ingress    bool
	ConfigFrom ConfigReference
	ConfigOnly bool
	Containers map[string]EndpointResource
	Options    map[string]string
	Labels     map[string]string
}

// IPAM is Docker's IPAM section: berth has the default driver only.
type IPAM struct {
	Driver  string
	Options map[string]string
	Config  []IPAMConfig
}

// IPAMConfig is one subnet.
type IPAMConfig struct {
	Subnet  string
	IPRange string `json:",omitempty"`
	Gateway string `json:",omitempty"`
}

// ConfigReference is Docker's --config-from, which berth does not have.
type ConfigReference struct {
	Network string
}

// EndpointResource is a running container on the network.
type EndpointResource struct {
	Name        string
	EndpointID  string
	MacAddress  string
	IPv4Address string
	IPv6Address string
}

// Inspect prints networks as a JSON array or through a template. Networks
// not found fail the command after the others are printed.
func Inspect(ctx context.Context, cfg *config.Config, w io.Writer, o InspectOptions) error {
	p := prepare(ctx, cfg)
	nets, err := all(p)
	if err != nil {
		return err
	}
	eps, err := netutil.Endpoints(p)
	if err != nil {
		return err
	}
	var objs []any
	missing := &NotFoundError{}
	var errs []error
	for _, q := range o.Networks {
		n, err := lookup(nets, q)
		switch {
		case netutil.IsNotFound(err):
			missing.Names = append(missing.Names, q)
		case err != nil:
			errs = append(errs, err)
		default:
			objs = append(objs, detail(n, live(eps)))
		}
	}
	if err := formatter.Inspect(w, o.Format, objs); err != nil {
		return err
	}
	if len(missing.Names) > 0 {
		errs = append(errs, missing)
	}
	return errors.Join(errs...)
}

// live keeps the endpoints whose containers still run.
func live(eps []*netutil.Endpoint) []*netutil.Endpoint {
	var out []*netutil.Endpoint
	for _, e := range eps {
		if e.Alive() {
			out = append(out, e)
		}
	}
	return out
}

// detail builds the inspect object of n, with the containers of eps
// that are attached to it.
func detail(n *netutil.Network, eps []*netutil.Endpoint) Detail {
	d := Detail{Name: n.Name, Id: n.ID, Created: n.Created, Scope: scopeLocal, Driver: n.Driver,
		EnableIPv4: true, EnableIPv6: n.IPv6, Internal: n.Internal,
		IPAM:       IPAM{Driver: "default", Options: map[string]string{}, Config: []IPAMConfig{}},
		Containers: map[string]EndpointResource{}, Options: map[string]string{}, Labels: map[string]string{}}
	for _, s := range n.Subnets {
		d.IPAM.Config = append(d.IPAM.Config, IPAMConfig{Subnet: s.Subnet, IPRange: s.IPRange, Gateway: s.Gateway})
	}
	for k, v := range n.Options {
		d.Options[k] = v
	}
	// The bridge device is where users look for the network on the host.
	if n.Driver == netutil.DriverBridge && n.Bridge != "" {
		d.Options[netutil.OptBridgeName] = n.Bridge
	}
	for k, v := range n.Labels {
		d.Labels[k] = v
	}
	for _, e := range eps {
		if a := e.On(n.Name); a != nil && a.NetworkID == n.ID {
			d.Containers[e.ID] = EndpointResource{Name: e.Name, EndpointID: endpointID(n.ID, e.ID),
				MacAddress: a.MAC, IPv4Address: a.IPv4, IPv6Address: a.IPv6}
		}
	}
	return d
}

// endpointID is a container's endpoint on a network. berth keeps none of
// its own, so it is derived from both IDs, as container inspect shows it.
func endpointID(networkID, containerID string) string {
	return networkID[:min(len(networkID), 32)] + containerID[:min(len(containerID), 32)]
}
