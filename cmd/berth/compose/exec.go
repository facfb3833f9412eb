package compose

import (
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/compose"
)

func newExec(e *env) *cobra.Command {
	o := &compose.ExecOptions{Interactive: true}
	var noTTY bool
	cmd := &cobra.Command{
		Use:   "exec [OPTIONS] SERVICE COMMAND [ARGS...]",
		Short: "Execute a command in a running container",
		Long: `Run a command in a running container of the service (the first, or --index).
A terminal is allocated when stdin is one, unless -T.`,
		Example: `  berth compose exec web sh
  berth compose exec -T db cat /etc/hostname
  berth compose exec --index 2 -e DEBUG=1 worker env`,
		Args: cli.MinArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Service, o.Command = args[0], args[1:]
			o.TTY = !noTTY && stdinIsTerminal()
			if err := o.Validate(); err != nil {
				return usage(err)
			}
			p, err := e.loadOrName(cmd)
			if err != nil {
				return err
			}
			return status(compose.Exec(cmd.Context(), &e.g.Config, streams(cmd), p, *o))
		},
	}
	// Everything after the service belongs to the command.
	cmd.Flags().SetInterspersed(false)
	f := cmd.Flags()
	f.BoolVarP(&o.Detach, "detach", "d", false, "Detached mode: Run command in the background")
	f.BoolVarP(&noTTY, "no-tty", "T", false, "Disable pseudo-TTY allocation. By default a TTY is allocated when stdin is a terminal")
	f.BoolVarP(&o.Interactive, "interactive", "i", true, "Keep STDIN open even if not attached")
	f.StringArrayVarP(&o.Env, "env", "e", nil, "Set environment variables")
	f.StringVarP(&o.Workdir, "workdir", "w", "", "Path to workdir directory for this command")
	f.StringVarP(&o.User, "user", "u", "", "Run the command as this user")
	f.BoolVar(&o.Privileged, "privileged", false, "Give extended privileges to the process")
	f.IntVar(&o.Index, "index", 0, "Index of the container if service has multiple replicas")
	return cmd
}

func newRun(e *env) *cobra.Command {
	o := &compose.RunOptions{Interactive: true}
	var noTTY bool
	cmd := &cobra.Command{
		Use:   "run [OPTIONS] SERVICE [COMMAND] [ARGS...]",
		Short: "Run a one-off command on a service",
		Long: `Run a one-off container of the service, named <project>-<service>-run-<id>
unless --name: its dependencies are brought up first (unless --no-deps), its
ports are not published unless --service-ports or -p, and the command given
replaces the service's. Attached, the exit status is the container's.`,
		Example: `  berth compose run --rm web sh -c 'echo hello'
  berth compose run --rm --no-deps -e DEBUG=1 worker ./migrate
  berth compose run -d --name job web sleep 60`,
		Args: cli.MinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Service, o.Command = args[0], args[1:]
			o.EntrypointSet = cmd.Flags().Changed("entrypoint")
			o.TTY = !noTTY && stdinIsTerminal() && !o.Detach
			if err := o.Validate(); err != nil {
				return usage(err)
			}
			p, err := e.load(cmd)
			if err != nil {
				return err
			}
			return status(compose.Run(cmd.Context(), &e.g.Config, streams(cmd), p, *o))
		},
	}
	cmd.Flags().SetInterspersed(false)
	f := cmd.Flags()
	f.BoolVarP(&o.Detach, "detach", "d", false, "Run container in background and print container name")
	f.BoolVar(&o.Rm, "rm", false, "Automatically remove the container when it exits")
	f.StringVar(&o.Name, "name", "", "Assign a name to the container")
	f.StringArrayVarP(&o.Env, "env", "e", nil, "Set environment variables")
	f.StringArrayVarP(&o.Labels, "label", "l", nil, "Add or override a label")
	f.StringVar(&o.Entrypoint, "entrypoint", "", "Override the entrypoint of the image")
	f.StringArrayVarP(&o.Publish, "publish", "p", nil, "Publish a container's port(s) to the host")
	f.BoolVar(&o.ServicePorts, "service-ports", false, "Run command with all service's ports enabled and mapped to the host")
	f.BoolVar(&o.UseAliases, "use-aliases", false, "Use the service's network aliases in the network(s) the container connects to")
	f.BoolVar(&o.NoDeps, "no-deps", false, "Don't start linked services")
	f.StringVarP(&o.User, "user", "u", "", "Run as specified username or uid")
	f.StringVarP(&o.Workdir, "workdir", "w", "", "Working directory inside the container")
	f.BoolVarP(&noTTY, "no-TTY", "T", false, "Disable pseudo-TTY allocation (default: auto-detected)")
	f.BoolVarP(&o.Interactive, "interactive", "i", true, "Keep STDIN open even if not attached")
	f.StringVar(&o.Pull, "pull", "", `Pull image before running ("always"|"missing"|"never")`)
	f.BoolVar(&o.RemoveOrphans, "remove-orphans", false, "Remove containers for services not defined in the Compose file")
	return cmd
}

func newCp(e *env) *cobra.Command {
	o := &compose.CpOptions{}
	cmd := &cobra.Command{
		Use: `cp [OPTIONS] SERVICE:SRC_PATH DEST_PATH|-
	berth compose cp [OPTIONS] SRC_PATH|- SERVICE:DEST_PATH`,
		Short: "Copy files/folders between a service container and the local filesystem",
		Long: `Copy files between a container of the service (the first, --index, or with
--all each one) and the local filesystem, as berth cp does.`,
		Example: `  berth compose cp web:/etc/hosts .
  berth compose cp ./site/. web:/www
  berth compose cp --all config.ini worker:/etc/app/`,
		Args:                  cli.ExactArgs(2),
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Source, o.Destination = args[0], args[1]
			if !cmd.Flags().Changed("quiet") {
				o.Quiet = !stdoutIsTerminal()
			}
			if err := o.Validate(); err != nil {
				return usage(err)
			}
			p, err := e.loadOrName(cmd)
			if err != nil {
				return err
			}
			return compose.Cp(cmd.Context(), &e.g.Config, streams(cmd), p, *o)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.Index, "index", 0, "Index of the container if service has multiple replicas")
	f.BoolVar(&o.All, "all", false, "Copy to all the containers of the service")
	f.BoolVarP(&o.FollowLink, "follow-link", "L", false, "Always follow symbol link in SRC_PATH")
	f.BoolVarP(&o.Archive, "archive", "a", false, "Archive mode (copy all uid/gid information)")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Suppress progress output during copy")
	return cmd
}
