package network

import (
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/cmd/network"
)

func newConnect(g *cli.Globals) *cobra.Command {
	var o network.ConnectOptions
	cmd := &cobra.Command{
		Use:   "connect [OPTIONS] NETWORK CONTAINER",
		Short: "Connect a container to a network",
		Long: `Put a container on one more network. The container keeps it across restarts;
a running container gets its new interface at once. Only containers on
networks (not --network host, none or container:) can be connected.`,
		Example: `  berth network connect app web
  berth network connect --ip 10.10.0.20 --alias api app web`,
		Args: cli.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Network, o.Container = args[0], args[1]
			if err := o.Validate(); err != nil {
				return err
			}
			return network.Connect(cmd.Context(), &g.Config, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.IPv4, "ip", "", "IPv4 address (e.g., \"172.30.100.104\")")
	f.StringVar(&o.IPv6, "ip6", "", "IPv6 address (e.g., \"2001:db8::33\")")
	f.StringSliceVar(&o.Aliases, "alias", nil, "Add network-scoped alias for the container")
	// Docker's flags for what berth does not have: parsed so that
	// Validate can say why berth refuses them.
	f.StringSliceVar(&o.Links, "link", nil, "Add link to another container")
	f.StringSliceVar(&o.LinkLocalIPs, "link-local-ip", nil, "Add a link-local address for the container")
	f.StringSliceVar(&o.DriverOpts, "driver-opt", nil, "driver options for the network")
	f.IntVar(&o.GwPriority, "gw-priority", 0, "Highest gw-priority provides the default gateway")
	for _, name := range []string{"link", "link-local-ip", "driver-opt", "gw-priority"} {
		_ = f.MarkHidden(name)
	}
	return cmd
}

func newDisconnect(g *cli.Globals) *cobra.Command {
	var o network.DisconnectOptions
	cmd := &cobra.Command{
		Use:   "disconnect [OPTIONS] NETWORK CONTAINER",
		Short: "Disconnect a container from a network",
		Long: `Take a container off a network, for good: a running container loses its
interface on it at once. Its last network may go too; the container then has
only its loopback interface.`,
		Example: `  berth network disconnect app web
  berth network disconnect -f gone-net web`,
		Args: cli.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Network, o.Container = args[0], args[1]
			return network.Disconnect(cmd.Context(), &g.Config, o)
		},
	}
	cmd.Flags().BoolVarP(&o.Force, "force", "f", false, "Force the container to disconnect from a network, even one that no longer exists")
	return cmd
}
