// Package network wires `network create|ls|inspect|rm|prune|connect|disconnect`.
package network

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/cmd/network"
)

// Commands returns the top-level commands of this group.
func Commands(g *cli.Globals) []*cobra.Command {
	cmd := &cobra.Command{
		Use:   "network",
		Short: "Manage networks",
		Long: `Manage networks. Containers on a user network find each other by name; the
default network "bridge" is created on first use, and "host" and "none" stand
for the --network modes of the same names. Every network command first
cleans up what crashed containers left on the networks.`,
		Example: `  berth network create --subnet 10.10.0.0/24 app
  berth run -d --network app --name web nginx
  berth network ls`,
		GroupID: "management",
		Args:    cli.NoSubcommand,
		RunE:    func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newCreate(g), newList(g), newInspect(g), newRemove(g), newPrune(g),
		newConnect(g), newDisconnect(g))
	return []*cobra.Command{cmd}
}

func newList(g *cli.Globals) *cobra.Command {
	var o network.ListOptions
	cmd := &cobra.Command{
		Use:     "ls [OPTIONS]",
		Aliases: []string{"list"},
		Short:   "List networks",
		Long: `List networks by name: "bridge", "host", "none" and the user's. Columns:
NETWORK ID, NAME, DRIVER, SCOPE (always "local").

Filters (--filter key=value, repeatable; values of one key are
alternatives, keys must all match):
  driver=DRIVER           bridge, macvlan, ipvlan, host or null
  id=ID, name=NAME        regular expressions on the full ID or the name
  label=KEY[=VALUE]       networks with the label
  scope=local             every network (swarm and global match none)
  type=builtin|custom     bridge, host and none, or the user's networks
  dangling=true|false     user networks no container uses, or the others`,
		Example: `  berth network ls
  berth network ls -q --filter type=custom
  berth network ls --format '{{.Name}}: {{.Driver}}'`,
		Args: cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			return network.List(cmd.Context(), &g.Config, cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.VarP(&o.Filters, "filter", "f", `Provide filter values (e.g. "driver=bridge")`)
	f.StringVar(&o.Format, "format", "", cli.ListFormatHelp)
	f.BoolVar(&o.NoTrunc, "no-trunc", false, "Do not truncate the output")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Only display network IDs")
	return cmd
}

func newInspect(g *cli.Globals) *cobra.Command {
	var o network.InspectOptions
	cmd := &cobra.Command{
		Use:   "inspect [OPTIONS] NETWORK [NETWORK...]",
		Short: "Display detailed information on one or more networks",
		Long: `Print networks as a JSON array in Docker's shape (Name, Id, Created, Scope,
Driver, EnableIPv4, EnableIPv6, IPAM, Internal, Attachable, Ingress,
ConfigFrom, ConfigOnly, Containers, Options, Labels), or each through a Go
template. Containers lists the running containers on the network. Networks
that are not found fail the command with exit status 1 after the others are
printed.`,
		Example: `  berth network inspect bridge
  berth network inspect --format '{{range .IPAM.Config}}{{.Subnet}}{{end}}' app
  berth network inspect --format '{{json .Containers}}' app`,
		Args: cli.MinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Networks = args
			err := network.Inspect(cmd.Context(), &g.Config, cmd.OutOrStdout(), o)
			// Docker's inspect fails with status 1 for objects not found.
			var nf *network.NotFoundError
			if errors.As(err, &nf) {
				return &cli.StatusError{Status: 1, Message: err.Error()}
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Format, "format", "f", "", cli.InspectFormatHelp)
	f.BoolVarP(&o.Verbose, "verbose", "v", false, "Verbose output for diagnostics (swarm only: no effect on berth's local networks)")
	return cmd
}

func newRemove(g *cli.Globals) *cobra.Command {
	var o network.RemoveOptions
	cmd := &cobra.Command{
		Use:     "rm NETWORK [NETWORK...]",
		Aliases: []string{"remove"},
		Short:   "Remove one or more networks",
		Long: `Remove networks no container uses, created or running, with their bridge
and firewall rules; each one removed is printed as it was given. The others
fail the command after them, naming the containers that use them.
"bridge", "host" and "none" cannot be removed.`,
		Example: `  berth network rm app
  berth network rm -f app db-net`,
		Args: cli.MinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Networks = args
			return network.Remove(cmd.Context(), &g.Config, cmd.OutOrStdout(), o)
		},
	}
	cmd.Flags().BoolVarP(&o.Force, "force", "f", false, "Do not error if the network does not exist")
	return cmd
}

func newPrune(g *cli.Globals) *cobra.Command {
	var o network.PruneOptions
	cmd := &cobra.Command{
		Use:   "prune [OPTIONS]",
		Short: "Remove all unused networks",
		Long: `Remove every user network that no container uses, created or running. Without
-f it asks first and reads the answer from standard input; anything but "y",
end of input included, cancels.

Filters (--filter key=value, repeatable):
  until=TIMESTAMP         networks created before a time or a duration ago (24h)
  label=KEY[=VALUE]       networks with the label; label!=KEY[=VALUE] without it`,
		Example: `  berth network prune
  berth network prune -f --filter until=24h
  berth network prune -f --filter label=stage=test`,
		Args: cli.NoArgs,
		RunE: cli.PruneRunE(g, &o, network.Prune, network.ErrCancelled),
	}
	f := cmd.Flags()
	f.Var(&o.Filters, "filter", `Provide filter values (e.g. "until=<timestamp>")`)
	f.BoolVarP(&o.Force, "force", "f", false, "Do not prompt for confirmation")
	return cmd
}
