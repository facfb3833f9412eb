package compose

import (
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/compose"
)

func newDown(e *env) *cobra.Command {
	o := &compose.DownOptions{}
	cmd := &cobra.Command{
		Use:   "down [OPTIONS] [SERVICE...]",
		Short: "Stop and remove containers, networks",
		Long: `Stop and remove the project's containers (dependents first), then the
networks berth created for it. With -p and no compose file, the project is
found by its containers' labels.`,
		Example: `  berth compose down
  berth compose down --remove-orphans -t 2
  berth compose -p app down --rmi all`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Services = args
			o.TimeoutSet = cmd.Flags().Changed("timeout")
			if err := o.Validate(); err != nil {
				return usage(err)
			}
			p, err := e.loadOrName(cmd)
			if err != nil {
				return err
			}
			return compose.Down(cmd.Context(), &e.g.Config, streams(cmd), p, *o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.RemoveOrphans, "remove-orphans", false, "Remove containers for services not defined in the Compose file")
	f.BoolVarP(&o.Volumes, "volumes", "v", false, "Remove named volumes declared in the \"volumes\" section of the Compose file")
	f.StringVar(&o.RMI, "rmi", "", `Remove images used by services. "local" remove only images that don't have a custom tag ("local"|"all")`)
	f.IntVarP(&o.Timeout, "timeout", "t", 0, "Specify a shutdown timeout in seconds")
	return cmd
}

// stopFlags binds -t for stop and restart.
func stopCommand(e *env, use, short, long, example string, run func(*cobra.Command, *compose.Project, compose.StopOptions) error) *cobra.Command {
	var o compose.StopOptions
	cmd := &cobra.Command{
		Use: use, Short: short, Long: long, Example: example,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Services = args
			o.TimeoutSet = cmd.Flags().Changed("timeout")
			p, err := e.loadOrName(cmd)
			if err != nil {
				return err
			}
			return run(cmd, p, o)
		},
	}
	cmd.Flags().IntVarP(&o.Timeout, "timeout", "t", 0, "Specify a shutdown timeout in seconds")
	return cmd
}

func newStop(e *env) *cobra.Command {
	return stopCommand(e, "stop [OPTIONS] [SERVICE...]", "Stop services",
		"Stop the services' running containers, dependents first, as `berth stop` does.",
		"  berth compose stop\n  berth compose stop -t 2 web",
		func(cmd *cobra.Command, p *compose.Project, o compose.StopOptions) error {
			return compose.Stop(cmd.Context(), &e.g.Config, streams(cmd), p, o)
		})
}

func newRestart(e *env) *cobra.Command {
	return stopCommand(e, "restart [OPTIONS] [SERVICE...]", "Restart service containers",
		"Stop and start the services' containers, stopped ones too.",
		"  berth compose restart\n  berth compose restart -t 2 web",
		func(cmd *cobra.Command, p *compose.Project, o compose.StopOptions) error {
			return compose.Restart(cmd.Context(), &e.g.Config, streams(cmd), p, o)
		})
}

func newStart(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "start [SERVICE...]",
		Short: "Start services",
		Long: `Start the services' existing containers, each service after those it depends
on, waiting for their conditions as up does. It creates nothing: see up.`,
		Example: "  berth compose start\n  berth compose start web",
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := e.loadOrName(cmd)
			if err != nil {
				return err
			}
			return compose.Start(cmd.Context(), &e.g.Config, streams(cmd), p, args)
		},
	}
}

func newRm(e *env) *cobra.Command {
	o := &compose.RmOptions{}
	cmd := &cobra.Command{
		Use:   "rm [OPTIONS] [SERVICE...]",
		Short: "Removes stopped service containers",
		Long: `Remove the services' stopped containers, one-off containers of run too,
after asking for confirmation unless -f. Running containers are kept unless
-s stops them first.`,
		Example: "  berth compose rm -f\n  berth compose rm -s -f web",
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Services = args
			p, err := e.loadOrName(cmd)
			if err != nil {
				return err
			}
			return compose.Rm(cmd.Context(), &e.g.Config, streams(cmd), p, *o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.Force, "force", "f", false, "Don't ask to confirm removal")
	f.BoolVarP(&o.Stop, "stop", "s", false, "Stop the containers, if required, before removing")
	f.BoolVarP(&o.Volumes, "volumes", "v", false, "Remove any anonymous volumes attached to containers")
	return cmd
}

func newKill(e *env) *cobra.Command {
	o := &compose.KillOptions{}
	cmd := &cobra.Command{
		Use:     "kill [OPTIONS] [SERVICE...]",
		Short:   "Force stop service containers",
		Long:    "Send a signal (SIGKILL by default) to the services' running containers.",
		Example: "  berth compose kill\n  berth compose kill -s SIGHUP web",
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Services = args
			p, err := e.loadOrName(cmd)
			if err != nil {
				return err
			}
			return compose.Kill(cmd.Context(), &e.g.Config, streams(cmd), p, *o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Signal, "signal", "s", "SIGKILL", "SIGNAL to send to the container")
	f.BoolVar(&o.RemoveOrphans, "remove-orphans", false, "Remove containers for services not defined in the Compose file")
	return cmd
}

func pauseCommand(e *env, use, short, example string, unpause bool) *cobra.Command {
	return &cobra.Command{
		Use: use, Short: short, Example: example,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := e.loadOrName(cmd)
			if err != nil {
				return err
			}
			return compose.Pause(cmd.Context(), &e.g.Config, streams(cmd), p, args, unpause)
		},
	}
}

func newPause(e *env) *cobra.Command {
	return pauseCommand(e, "pause [SERVICE...]", "Pause services", "  berth compose pause\n  berth compose pause web", false)
}

func newUnpause(e *env) *cobra.Command {
	return pauseCommand(e, "unpause [SERVICE...]", "Unpause services", "  berth compose unpause\n  berth compose unpause web", true)
}

func newWait(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "wait SERVICE [SERVICE...]",
		Short: "Block until containers of all (or specified) services stop",
		Long: `Wait until the services' containers stop and print each one's exit code; the
command exits with the first non-zero one.`,
		Example: "  berth compose wait migrate",
		Args:    cli.MinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := e.loadOrName(cmd)
			if err != nil {
				return err
			}
			return status(compose.Wait(cmd.Context(), &e.g.Config, streams(cmd), p, args))
		},
	}
}

func newTop(e *env) *cobra.Command {
	return &cobra.Command{
		Use:     "top [SERVICES...]",
		Short:   "Display the running processes",
		Long:    "Print the processes of the services' running containers, each under its container's name.",
		Example: "  berth compose top\n  berth compose top web",
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := e.loadOrName(cmd)
			if err != nil {
				return err
			}
			return compose.Top(cmd.Context(), &e.g.Config, streams(cmd), p, args)
		},
	}
}

func newPort(e *env) *cobra.Command {
	o := &compose.PortOptions{}
	cmd := &cobra.Command{
		Use:     "port [OPTIONS] SERVICE PRIVATE_PORT",
		Short:   "Print the public port for a port binding",
		Example: "  berth compose port web 80\n  berth compose port --index 2 --protocol udp dns 53",
		Args:    cli.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Service, o.Port = args[0], args[1]
			p, err := e.loadOrName(cmd)
			if err != nil {
				return err
			}
			return compose.Port(cmd.Context(), &e.g.Config, streams(cmd), p, *o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Protocol, "protocol", "tcp", "tcp or udp")
	f.IntVar(&o.Index, "index", 0, "Index of the container if service has multiple replicas")
	return cmd
}
