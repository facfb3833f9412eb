// Package volume wires `volume create|ls|inspect|rm|prune`.
package volume

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/cmd/volume"
)

// Commands returns the top-level commands of this group.
func Commands(g *cli.Globals) []*cobra.Command {
	cmd := &cobra.Command{
		Use:   "volume",
		Short: "Manage volumes",
		Long: `Manage volumes: directories under berth's data root (<data root>/<namespace>/volumes)
that outlive containers and engine restarts. run and create mount them with
-v NAME:/path or --mount source=NAME,target=/path, making a missing one; a
new volume is filled from the image's content at the mount point.`,
		Example: `  berth volume create data
  berth run --rm -v data:/data busybox sh -c 'echo hi > /data/f'
  berth volume ls`,
		GroupID: "management",
		Args:    cli.NoSubcommand,
		RunE:    func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newCreate(g), newList(g), newInspect(g), newRemove(g), newPrune(g))
	return []*cobra.Command{cmd}
}

func newCreate(g *cli.Globals) *cobra.Command {
	var o volume.CreateOptions
	cmd := &cobra.Command{
		Use:   "create [OPTIONS] [VOLUME]",
		Short: "Create a volume",
		Long: `Create a volume and print its name; without a name it gets a random one. A
volume that exists already is left as it is. The local driver's options:
  -o type=tmpfs -o device=tmpfs -o o=size=64m      a tmpfs, empty at each start
  -o type=none -o device=/srv/data -o o=bind       a host directory`,
		Example: `  berth volume create data
  berth volume create --label app=web web-data
  berth volume create -o type=tmpfs -o device=tmpfs -o o=size=64m scratch`,
		Args: cli.RangeArgs(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if o.Name != "" && o.Name != args[0] {
					return errors.New("conflicting options: either specify --name or provide positional arg, not both")
				}
				o.Name = args[0]
			}
			return volume.Create(&g.Config, cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Driver, "driver", "d", "local", "Specify volume driver name")
	// StringArrays: a label's value or an o= option holds commas.
	f.StringArrayVar(&o.Labels, "label", nil, "Set metadata for a volume")
	f.StringArrayVarP(&o.Options, "opt", "o", nil, "Set driver specific options")
	f.StringVar(&o.Name, "name", "", "Specify volume name")
	_ = f.MarkHidden("name")
	return cmd
}

func newList(g *cli.Globals) *cobra.Command {
	var o volume.ListOptions
	cmd := &cobra.Command{
		Use:     "ls [OPTIONS]",
		Aliases: []string{"list"},
		Short:   "List volumes",
		Long: `List volumes by name, with the columns DRIVER and VOLUME NAME.

Filters (--filter key=value, repeatable):
  dangling=true|false     volumes no container uses (or that one uses)
  name=NAME               volumes whose name matches
  driver=DRIVER           volumes of the driver (local)
  label=KEY[=VALUE]       volumes with the label; label!=KEY[=VALUE] without it`,
		Example: `  berth volume ls
  berth volume ls -q --filter dangling=true
  berth volume ls --format '{{.Name}} {{.Mountpoint}}'`,
		Args: cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			return volume.List(cmd.Context(), &g.Config, cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Only display volume names")
	f.StringVar(&o.Format, "format", "", cli.ListFormatHelp)
	f.VarP(&o.Filters, "filter", "f", `Provide filter values (e.g. "dangling=true")`)
	return cmd
}

func newInspect(g *cli.Globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:     "inspect [OPTIONS] VOLUME [VOLUME...]",
		Short:   "Display detailed information on one or more volumes",
		Example: "  berth volume inspect data\n  berth volume inspect --format '{{.Mountpoint}}' data",
		Args:    cli.MinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return volume.Inspect(&g.Config, cmd.OutOrStdout(), args, format)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", cli.InspectFormatHelp)
	return cmd
}

func newRemove(g *cli.Globals) *cobra.Command {
	var o volume.RemoveOptions
	cmd := &cobra.Command{
		Use:     "rm [OPTIONS] VOLUME [VOLUME...]",
		Aliases: []string{"remove"},
		Short:   "Remove one or more volumes",
		Long: `Remove volumes and their data. A volume a container uses (running or not) is
refused, naming the containers: remove them first. Each volume removed is
printed.`,
		Example: "  berth volume rm data\n  berth volume rm $(berth volume ls -q --filter dangling=true)",
		Args:    cli.MinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Names = args
			return volume.Remove(cmd.Context(), &g.Config, cmd.OutOrStdout(), o)
		},
	}
	cmd.Flags().BoolVarP(&o.Force, "force", "f", false, "Force the removal of one or more volumes")
	return cmd
}

func newPrune(g *cli.Globals) *cobra.Command {
	var o volume.PruneOptions
	cmd := &cobra.Command{
		Use:   "prune [OPTIONS]",
		Short: "Remove unused local volumes",
		Long: `Remove the anonymous volumes no container uses; with -a, every unused volume.
Without -f it asks first and reads the answer from standard input; anything
but "y", end of input included, cancels.

Filters (--filter key=value, repeatable):
  label=KEY[=VALUE]       volumes with the label; label!=KEY[=VALUE] without it
  all=true                as -a`,
		Example: `  berth volume prune
  berth volume prune -a -f
  berth volume prune -f --filter label=stage=test`,
		Args: cli.NoArgs,
		RunE: cli.PruneRunE(g, &o, volume.Prune, volume.ErrPruneCancelled),
	}
	f := cmd.Flags()
	f.BoolVarP(&o.All, "all", "a", false, "Remove all unused volumes, not just anonymous ones")
	f.Var(&o.Filters, "filter", `Provide filter values (e.g. "label=<label>")`)
	f.BoolVarP(&o.Force, "force", "f", false, "Do not prompt for confirmation")
	return cmd
}
