package container

import (
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/cmd/container"
)

// psLong describes ps and container ls.
const psLong = `List containers, newest first: the running ones, or all with -a. STATUS is
Docker's ("Up 5 minutes (healthy)", "Exited (3) 2 seconds ago", "Created");
SIZE (-s) is the writable layer, with the whole root filesystem as "virtual".

Filters (--filter key=value, repeatable; values of one key are alternatives):
  id=ID, name=NAME        IDs or names matching (a regular expression)
  label=KEY[=VALUE]       containers with the label
  status=STATUS           created, running, paused, restarting, exited, dead
  exited=CODE             exited containers with that exit code
  health=HEALTH           starting, healthy, unhealthy or none
  ancestor=IMAGE          containers of the image or of an image built on it
  before=CONTAINER, since=CONTAINER  containers created before or after it`

// newPs is `ps`.
func newPs(g *cli.Globals) *cobra.Command {
	cmd := psCommand(g, "ps [OPTIONS]")
	cmd.GroupID = "common"
	return cmd
}

// newContainerLs is `container ls` (also `container list` and `container ps`).
func newContainerLs(g *cli.Globals) *cobra.Command {
	cmd := psCommand(g, "ls [OPTIONS]")
	cmd.Aliases = []string{"list"}
	return cmd
}

func psCommand(g *cli.Globals, use string) *cobra.Command {
	o := container.PsOptions{}
	cmd := &cobra.Command{
		Use:   use,
		Short: "List containers",
		Long:  psLong,
		Example: `  berth ps
  berth ps -a --filter status=exited --filter exited=0
  berth ps -q --filter label=app=web
  berth ps -s --no-trunc
  berth ps --format '{{.Names}}\t{{.Status}}'
  berth ps -a --format json`,
		Args: cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.SizeSet = cmd.Flags().Changed("size")
			if err := o.Validate(); err != nil {
				return err
			}
			return container.Ps(cmd.Context(), &g.Config, cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.All, "all", "a", false, "Show all containers (default shows just running)")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Only display container IDs")
	f.IntVarP(&o.Last, "last", "n", -1, "Show n last created containers (includes all states)")
	f.BoolVarP(&o.Latest, "latest", "l", false, "Show the latest created container (includes all states)")
	f.BoolVarP(&o.Size, "size", "s", false, "Display total file sizes")
	f.BoolVar(&o.NoTrunc, "no-trunc", false, "Don't truncate output")
	f.VarP(&o.Filters, "filter", "f", "Filter output based on conditions provided")
	f.StringVar(&o.Format, "format", "", cli.ListFormatHelp)
	return cmd
}

// newInspect is `inspect`, and `container inspect` where only containers
// are looked up.
func newInspect(g *cli.Globals) *cobra.Command {
	o := container.InspectOptions{}
	cmd := &cobra.Command{
		Use:   "inspect [OPTIONS] NAME|ID [NAME|ID...]",
		Short: "Return low-level information on containers and images",
		Long: `Print containers as a JSON array in Docker's shape (Id, Created, Path, Args,
State, Image, Name, RestartCount, HostConfig, Config, NetworkSettings, ...), or
each through a Go template. Without --type an argument is looked up as a
container, then as an image; under "container inspect" only as a container.
Objects that are not found fail the command after the others are printed.`,
		Example: `  berth inspect web
  berth inspect --format '{{.State.Status}} {{.State.ExitCode}}' web
  berth inspect -s --format '{{.SizeRw}}' web
  berth inspect --type image busybox`,
		Args: cli.MinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Objects = args
			if p := cmd.Parent(); p != nil && p.Name() == "container" && o.Type == "" {
				o.Type = "container"
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return container.Inspect(cmd.Context(), &g.Config, cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Format, "format", "f", "", cli.InspectFormatHelp)
	f.BoolVarP(&o.Size, "size", "s", false, "Display total file sizes if the type is container")
	f.StringVar(&o.Type, "type", "", `Only look for objects of this type ("container" or "image")`)
	return cmd
}
