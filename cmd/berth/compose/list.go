package compose

import (
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/compose"
)

func newPs(e *env) *cobra.Command {
	o := &compose.PsOptions{}
	cmd := &cobra.Command{
		Use:   "ps [OPTIONS] [SERVICE...]",
		Short: "List containers",
		Long: `List the project's running containers (all with -a, one-off containers of
run too): NAME, IMAGE, COMMAND, SERVICE, CREATED, STATUS and PORTS.`,
		Example: `  berth compose ps
  berth compose ps -a --status exited
  berth compose ps --services
  berth compose ps --format json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Services = args
			if err := o.Validate(); err != nil {
				return usage(err)
			}
			p, err := e.loadOrName(cmd)
			if err != nil {
				return err
			}
			return compose.Ps(cmd.Context(), &e.g.Config, streams(cmd), p, *o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.All, "all", "a", false, "Show all stopped containers (including those created by the run command)")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Only display IDs")
	f.BoolVar(&o.ServicesOnly, "services", false, "Display services")
	f.StringArrayVar(&o.Status, "status", nil, "Filter services by status. Values: [paused | restarting | removing | running | dead | created | exited]")
	f.Var(&o.Filters, "filter", "Filter services by a property (supported filters: status)")
	f.StringVar(&o.Format, "format", "table", "Format the output. Values: [table | json | TEMPLATE]")
	f.BoolVar(&o.NoTrunc, "no-trunc", false, "Don't truncate output")
	return cmd
}

func newLogs(e *env) *cobra.Command {
	o := &compose.LogsOptions{}
	cmd := &cobra.Command{
		Use:   "logs [OPTIONS] [SERVICE...]",
		Short: "View output from containers",
		Long: `Print the logs of the services' containers, each line prefixed with the
container ("web-1  | "), coloured on a terminal. With -f, keep printing until
the containers stop or Ctrl-C.`,
		Example: `  berth compose logs
  berth compose logs -f --tail 10 web
  berth compose logs --no-log-prefix -t db`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Services = args
			o.NoColor = o.NoColor || !stdoutIsTerminal()
			if err := o.Validate(); err != nil {
				return usage(err)
			}
			p, err := e.loadOrName(cmd)
			if err != nil {
				return err
			}
			return compose.Logs(cmd.Context(), &e.g.Config, streams(cmd), p, *o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.Follow, "follow", "f", false, "Follow log output")
	f.StringVarP(&o.Tail, "tail", "n", "all", "Number of lines to show from the end of the logs for each container")
	f.BoolVarP(&o.Timestamps, "timestamps", "t", false, "Show timestamps")
	f.BoolVar(&o.NoColor, "no-color", false, "Produce monochrome output")
	f.BoolVar(&o.NoLogPrefix, "no-log-prefix", false, "Don't print prefix in logs")
	f.StringVar(&o.Since, "since", "", "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)")
	f.StringVar(&o.Until, "until", "", "Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)")
	f.IntVar(&o.Index, "index", 0, "Index of the container if service has multiple replicas")
	return cmd
}

func newConfig(e *env) *cobra.Command {
	o := &compose.ConfigOptions{}
	cmd := &cobra.Command{
		Use:     "config [OPTIONS] [SERVICE...]",
		Aliases: []string{"convert"},
		Short:   "Parse, resolve and render compose file in canonical format",
		Long: `Load the project as every other command does (files merged, variables
interpolated, include and extends resolved, profiles applied, everything
validated) and print it, or only the lists the flags ask for.`,
		Example: `  berth compose config
  berth compose config --services
  berth compose config -q
  berth compose config --format json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Services = args
			if err := o.Validate(); err != nil {
				return usage(err)
			}
			p, err := e.load(cmd)
			if err != nil {
				return err
			}
			return compose.Config(cmd.OutOrStdout(), p, *o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Format, "format", "yaml", "Format the output. Values: [yaml | json]")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Only validate the configuration, don't print anything")
	f.BoolVar(&o.ListServices, "services", false, "Print the service names, one per line")
	f.BoolVar(&o.ListVolumes, "volumes", false, "Print the volume names, one per line")
	f.BoolVar(&o.ListNetworks, "networks", false, "Print the network names, one per line")
	f.BoolVar(&o.ListImages, "images", false, "Print the image names, one per line")
	f.BoolVar(&o.ListProfiles, "profiles", false, "Print the profile names, one per line")
	return cmd
}

func newLs(e *env) *cobra.Command {
	o := &compose.LsOptions{}
	cmd := &cobra.Command{
		Use:   "ls [OPTIONS]",
		Short: "List running compose projects",
		Long: `List the projects that have running containers (all with -a), from the
containers' labels: NAME, STATUS (containers by state) and CONFIG FILES.`,
		Example: "  berth compose ls\n  berth compose ls -a --format json",
		Args:    cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return usage(err)
			}
			return compose.Ls(cmd.Context(), &e.g.Config, streams(cmd), *o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.All, "all", "a", false, "Show all stopped Compose projects")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Only display project names")
	f.StringVar(&o.Format, "format", "table", "Format the output. Values: [table | json | TEMPLATE]")
	f.Var(&o.Filters, "filter", "Filter output based on conditions provided (name=)")
	return cmd
}

func newVersion(e *env) *cobra.Command {
	o := &compose.VersionOptions{}
	cmd := &cobra.Command{
		Use:     "version [OPTIONS]",
		Short:   "Show the Docker Compose version information",
		Example: "  berth compose version\n  berth compose version --short",
		Args:    cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return compose.Version(cmd.OutOrStdout(), *o)
		},
	}
	cmd.Flags().BoolVar(&o.Short, "short", false, "Shows only Compose's version number")
	cmd.Flags().StringVarP(&o.Format, "format", "f", "", "Format the output. Values: [pretty | json]")
	return cmd
}
