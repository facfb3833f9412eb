package network

import (
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/cmd/network"
)

func newCreate(g *cli.Globals) *cobra.Command {
	var o network.CreateOptions
	cmd := &cobra.Command{
		Use:   "create [OPTIONS] NETWORK",
		Short: "Create a network",
		Long: `Create a network and print its ID. Without an IPv4 --subnet it takes the first
/24 from 10.4.1.0/24 to 10.31.255.0/24 that no other network and no host
address uses. Each
--gateway and --ip-range belongs to the --subnet that contains it. The
network's bridge appears on the host when its first container starts.

Drivers: bridge (the default: a Linux bridge with NAT to the outside unless
--internal), macvlan and ipvlan (on a host interface: -o parent=eth0, and
-o mode=bridge|private|vepa|passthru or l2|l3|l3s).

Driver options (-o): com.docker.network.bridge.name=NAME (the bridge
device), com.docker.network.driver.mtu=N or mtu=N, parent=IFACE, mode=MODE.`,
		Example: `  berth network create app
  berth network create --subnet 10.10.0.0/24 --gateway 10.10.0.254 --ip-range 10.10.0.128/25 app
  berth network create --ipv6 --subnet fd00:10::/64 app6
  berth network create -d macvlan --subnet 192.168.1.0/24 -o parent=eth0 lan`,
		Args: cli.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name = args[0]
			if err := o.Validate(); err != nil {
				return err
			}
			return network.Create(cmd.Context(), &g.Config, cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Driver, "driver", "d", "bridge", "Driver to manage the Network (bridge, macvlan or ipvlan)")
	// StringSlices, as in Docker: an address never holds a comma, so
	// --subnet a,b is two subnets.
	f.StringSliceVar(&o.Subnets, "subnet", nil, "Subnet in CIDR format that represents a network segment")
	f.StringSliceVar(&o.Gateways, "gateway", nil, "IPv4 or IPv6 Gateway for the master subnet")
	f.StringSliceVar(&o.IPRanges, "ip-range", nil, "Allocate container ip from a sub-range")
	f.BoolVar(&o.IPv4, "ipv4", true, "Enable IPv4 networking (cannot be turned off)")
	f.BoolVar(&o.IPv6, "ipv6", false, "Enable IPv6 networking (needs an IPv6 --subnet)")
	f.BoolVar(&o.Internal, "internal", false, "Restrict external access to the network")
	f.BoolVar(&o.Attachable, "attachable", false, "Accepted for Docker's scripts: every berth network is attachable already")
	// StringArrays: a label or option value may contain commas.
	f.StringArrayVar(&o.Labels, "label", nil, "Set metadata on a network")
	f.StringArrayVarP(&o.Options, "opt", "o", nil, "Set driver specific options")
	// Docker's flags for other IPAM drivers and swarm: parsed so that
	// Validate can say why berth refuses them.
	f.StringVar(&o.IPAMDriver, "ipam-driver", "default", "IP Address Management Driver")
	f.StringArrayVar(&o.IPAMOptions, "ipam-opt", nil, "Set IPAM driver specific options")
	f.StringArrayVar(&o.AuxAddresses, "aux-address", nil, "Auxiliary IPv4 or IPv6 addresses used by Network driver")
	f.StringVar(&o.Scope, "scope", "", "Control the network's scope")
	f.StringVar(&o.ConfigFrom, "config-from", "", "The network from which to copy the configuration")
	f.BoolVar(&o.ConfigOnly, "config-only", false, "Create a configuration only network")
	f.BoolVar(&o.Ingress, "ingress", false, "Create swarm routing-mesh network")
	for _, name := range []string{"ipam-driver", "ipam-opt", "aux-address", "scope", "config-from", "config-only", "ingress"} {
		_ = f.MarkHidden(name)
	}
	return cmd
}
