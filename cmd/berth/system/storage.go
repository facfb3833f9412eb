package system

import (
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/cmd/system"
)

// newDf is `system df`.
func newDf(g *cli.Globals) *cobra.Command {
	var o system.DfOptions
	cmd := &cobra.Command{
		Use:   "df [OPTIONS]",
		Short: "Show disk usage",
		Long: `Show how much disk the images, containers and local volumes use, and how
much of it a prune would free (RECLAIMABLE). berth has no builder: its build
cache is always empty.`,
		Example: `  berth system df
  berth system df -v
  berth system df --format '{{.Type}}: {{.Size}}'
  berth system df --format json`,
		Args: cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return system.Df(cmd.Context(), &g.Config, cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.Verbose, "verbose", "v", false, "Show detailed information on space usage")
	f.StringVar(&o.Format, "format", "", cli.ListFormatHelp)
	return cmd
}

// newPrune is `system prune`.
func newPrune(g *cli.Globals) *cobra.Command {
	var o system.PruneOptions
	cmd := &cobra.Command{
		Use:   "prune [OPTIONS]",
		Short: "Remove unused data",
		Long: `Remove the stopped containers, the networks no container uses and the
dangling images; with -a every image no container uses, with --volumes the
anonymous volumes no container uses. Nothing in use is removed: prune waits
for the containers being created to be complete before it decides. Without
-f it asks first and reads the answer from standard input; anything but "y",
end of input included, cancels.

Filters (--filter key=value, repeatable):
  until=TIMESTAMP         containers, networks and images created before a
                          time or a duration ago (24h)
  label=KEY[=VALUE]       with the label; label!=KEY[=VALUE] without it`,
		Example: `  berth system prune
  berth system prune -a --volumes -f
  berth system prune -f --filter until=24h --filter label=stage=test`,
		Args: cli.NoArgs,
		RunE: cli.PruneRunE(g, &o, system.Prune, system.ErrPruneCancelled),
	}
	f := cmd.Flags()
	f.BoolVarP(&o.All, "all", "a", false, "Remove all unused images not just dangling ones")
	f.BoolVar(&o.Volumes, "volumes", false, "Prune anonymous volumes")
	f.Var(&o.Filters, "filter", `Provide filter values (e.g. "label=<key>=<value>")`)
	f.BoolVarP(&o.Force, "force", "f", false, "Do not prompt for confirmation")
	return cmd
}

// newEvents is `events`, and `system events`.
func newEvents(g *cli.Globals) *cobra.Command {
	var o system.EventsOptions
	cmd := &cobra.Command{
		Use:   "events [OPTIONS]",
		Short: "Get real time events from the engine",
		Long: `Print the engine's events as they happen, in Docker's form: those of
containers (create, start, die, destroy, pause, unpause, oom, rename), images
(pull, tag, untag, delete), volumes (create, mount, unmount, destroy) and
networks (create, connect, disconnect, destroy). berth's engine keeps a log of
its last events: --since replays them, --until ends the stream (at once for a
time past).

Filters (--filter key=value, repeatable; values of one key are alternatives):
  type=container|image|volume|network|daemon
  container=NAME|ID      image=NAME|ID     volume=NAME       network=NAME|ID
  event=ACTION           label=KEY[=VALUE]`,
		Example: `  berth events
  berth events --filter type=container --filter event=die
  berth events --since 10m --until 0s --format json
  berth events --filter container=web --format '{{.Action}} {{.Actor.Attributes.exitCode}}'`,
		Args: cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			return system.Events(cmd.Context(), &g.Config, cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.VarP(&o.Filters, "filter", "f", "Filter output based on conditions provided")
	f.StringVar(&o.Since, "since", "", "Show all events created since timestamp")
	f.StringVar(&o.Until, "until", "", "Stream events until this timestamp")
	f.StringVar(&o.Format, "format", "", "Format the output using the given Go template, or 'json'")
	return cmd
}
