package container

import (
	"errors"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/cmd/container"
)

// containerStatus turns a container's exit status into the CLI's, and any
// other error of a lifecycle verb into berth's 125.
func containerStatus(err error) error {
	var ee *container.ExitError
	if errors.As(err, &ee) {
		return &cli.StatusError{Status: ee.Status, Message: ee.Error()}
	}
	return err
}

// rejectFlags is a flag combination refused before the engine is dialled.
func rejectFlags(err error) error {
	if err == nil {
		return nil
	}
	return &cli.StatusError{Status: 125, Message: err.Error()}
}

func newStart(g *cli.Globals) *cobra.Command {
	o := &container.StartOptions{}
	cmd := &cobra.Command{
		Use:   "start [OPTIONS] CONTAINER [CONTAINER...]",
		Short: "Start one or more stopped containers",
		Long: `Start containers that were created or stopped; each started container is
printed as it was named. With -a, berth follows the container's output from
this start on and exits with its exit status. -i feeds stdin to a container
created with -i -t.`,
		Example: `  berth start web
  berth start -a job
  berth start -ai shell`,
		Args: cli.MinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Containers = args
			o.StdinIsTerminal = stdinIsTerminal()
			if err := o.Validate(); err != nil {
				return rejectFlags(err)
			}
			return containerStatus(container.Start(cmd.Context(), &g.Config, streams(cmd), o))
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.Attach, "attach", "a", false, "Attach STDOUT/STDERR and forward signals")
	f.BoolVarP(&o.Interactive, "interactive", "i", false, "Attach container's STDIN")
	f.StringVar(&o.DetachKeys, "detach-keys", "", "Override the key sequence for detaching a container")
	return cmd
}

// bindStopFlags binds -s and -t; --time is Docker's old name of --timeout.
func bindStopFlags(cmd *cobra.Command, o *container.StopOptions) {
	f := cmd.Flags()
	f.StringVarP(&o.Signal, "signal", "s", "", "Signal to send to the container")
	f.IntVarP(&o.Timeout, "timeout", "t", 0, "Seconds to wait before killing the container")
	f.IntVar(&o.Timeout, "time", 0, "Seconds to wait before killing the container (deprecated: --timeout)")
	_ = f.MarkHidden("time")
}

func stopArgs(cmd *cobra.Command, o *container.StopOptions, args []string) error {
	o.Containers = args
	o.TimeoutSet = cmd.Flags().Changed("timeout") || cmd.Flags().Changed("time")
	return rejectFlags(o.Validate())
}

func newStop(g *cli.Globals) *cobra.Command {
	o := &container.StopOptions{}
	cmd := &cobra.Command{
		Use:   "stop [OPTIONS] CONTAINER [CONTAINER...]",
		Short: "Stop one or more running containers",
		Long: `Stop containers: the stop signal (-s, else the container's --stop-signal, else
the image's STOPSIGNAL, else SIGTERM), then SIGKILL after the grace period (-t,
else the container's --stop-timeout, else 10 seconds; -1 waits forever). A
stopped container stays stopped whatever its restart policy, also across
engine restarts, until it is started again.`,
		Example: `  berth stop web
  berth stop -t 0 web db
  berth stop -s SIGINT web`,
		Args: cli.MinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := stopArgs(cmd, o, args); err != nil {
				return err
			}
			return container.Stop(cmd.Context(), &g.Config, streams(cmd), o)
		},
	}
	bindStopFlags(cmd, o)
	return cmd
}

func newRestart(g *cli.Globals) *cobra.Command {
	o := &container.RestartOptions{}
	cmd := &cobra.Command{
		Use:     "restart [OPTIONS] CONTAINER [CONTAINER...]",
		Short:   "Restart one or more containers",
		Long:    `Stop containers as "stop" does, then start them again.`,
		Example: "  berth restart web\n  berth restart -t 2 web",
		Args:    cli.MinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := stopArgs(cmd, &o.StopOptions, args); err != nil {
				return err
			}
			return container.Restart(cmd.Context(), &g.Config, streams(cmd), o)
		},
	}
	bindStopFlags(cmd, &o.StopOptions)
	return cmd
}

func newKill(g *cli.Globals) *cobra.Command {
	o := &container.KillOptions{}
	cmd := &cobra.Command{
		Use:   "kill [OPTIONS] CONTAINER [CONTAINER...]",
		Short: "Kill one or more running containers",
		Long: `Send a signal (SIGKILL unless -s) to the main process of running containers.
SIGKILL or the container's stop signal counts as a stop: the restart policy
does not start the container again (an "always" container comes back when
the engine restarts, as in Docker).`,
		Example: "  berth kill web\n  berth kill -s HUP web",
		Args:    cli.MinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Containers = args
			if err := o.Validate(); err != nil {
				return rejectFlags(err)
			}
			return container.Kill(cmd.Context(), &g.Config, streams(cmd), o)
		},
	}
	cmd.Flags().StringVarP(&o.Signal, "signal", "s", "KILL", "Signal to send to the container")
	return cmd
}

func newWait(g *cli.Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "wait CONTAINER [CONTAINER...]",
		Short: "Block until one or more containers stop, then print their exit codes",
		Long: `Wait for each container to stop and print its exit code, one per line. A
container that is not running answers at once with the code of its last run
(0 if it never ran).`,
		Example: "  berth wait job\n  code=$(berth wait job)",
		Args:    cli.MinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return container.Wait(cmd.Context(), &g.Config, streams(cmd), args)
		},
	}
}

func newPause(g *cli.Globals) *cobra.Command {
	return &cobra.Command{
		Use:     "pause CONTAINER [CONTAINER...]",
		Short:   "Pause all processes within one or more containers",
		Example: "  berth pause web",
		Args:    cli.MinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return container.Pause(cmd.Context(), &g.Config, streams(cmd), args)
		},
	}
}

func newUnpause(g *cli.Globals) *cobra.Command {
	return &cobra.Command{
		Use:     "unpause CONTAINER [CONTAINER...]",
		Short:   "Unpause all processes within one or more containers",
		Example: "  berth unpause web",
		Args:    cli.MinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return container.Unpause(cmd.Context(), &g.Config, streams(cmd), args)
		},
	}
}

// noInterspersed stops flag parsing at the first argument: what follows
// the container belongs to the command run in it (exec, top).
func noInterspersed(f *pflag.FlagSet) { f.SetInterspersed(false) }
