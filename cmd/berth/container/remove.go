package container

import (
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/cmd/container"
)

// newRm is `rm` (`container rm`).
func newRm(g *cli.Globals) *cobra.Command {
	o := container.RmOptions{}
	cmd := &cobra.Command{
		Use:   "rm [OPTIONS] CONTAINER [CONTAINER...]",
		Short: "Remove one or more containers",
		Long: `Remove containers with their writable layer, their logs and files, and free
their names. A running container is refused unless -f, which kills it first.
Each container removed is printed as it was named.`,
		Example: `  berth rm web
  berth rm -f web db
  berth rm $(berth ps -aq --filter status=exited)`,
		Args: cli.MinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Containers = args
			return container.Rm(cmd.Context(), &g.Config, cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.Force, "force", "f", false, "Force the removal of a running container (uses SIGKILL)")
	f.BoolVarP(&o.Volumes, "volumes", "v", false, "Remove anonymous volumes associated with the container")
	return cmd
}

// newPrune is `container prune`.
func newPrune(g *cli.Globals) *cobra.Command {
	o := container.PruneOptions{}
	cmd := &cobra.Command{
		Use:   "prune [OPTIONS]",
		Short: "Remove all stopped containers",
		Long: `Remove every container that is not running. Without -f it asks first and
reads the answer from standard input; anything but "y", end of input
included, cancels.

Filters (--filter key=value, repeatable):
  until=TIMESTAMP         containers created before a time or a duration ago (24h)
  label=KEY[=VALUE]       containers with the label; label!=KEY[=VALUE] without it`,
		Example: `  berth container prune
  berth container prune -f --filter until=24h
  berth container prune -f --filter label=stage=test`,
		Args: cli.NoArgs,
		RunE: cli.PruneRunE(g, &o, container.Prune, container.ErrPruneCancelled),
	}
	f := cmd.Flags()
	f.Var(&o.Filters, "filter", `Provide filter values (e.g. "until=<timestamp>")`)
	f.BoolVarP(&o.Force, "force", "f", false, "Do not prompt for confirmation")
	return cmd
}

// newRename is `rename` (`container rename`).
func newRename(g *cli.Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "rename CONTAINER NEW_NAME",
		Short: "Rename a container",
		Long: `Give a container another name. The new name is claimed before the old one is
freed, so the container always has a name and two renames cannot take the
same one.`,
		Example: "  berth rename web web-old",
		Args:    cli.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o := container.RenameOptions{Old: args[0], New: args[1]}
			if err := o.Validate(); err != nil {
				return err
			}
			return container.Rename(cmd.Context(), &g.Config, o)
		},
	}
}
