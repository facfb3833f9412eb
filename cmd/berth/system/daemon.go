// Package system wires the engine and system commands: daemon, version,
// info, events, and system df and prune.
package system

import (
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/cmd/system"
)

// Commands returns the top-level commands of this group.
func Commands(g *cli.Globals) []*cobra.Command {
	sys := &cobra.Command{
		Use:     "system",
		Short:   "Manage berth and its engine",
		Example: "  berth system info\n  berth system df\n  berth system prune -a\n  berth system daemon status",
		GroupID: "management",
		Args:    cli.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	sys.AddCommand(newDaemon(g), newInfo(g), newDf(g), newPrune(g), newEvents(g))
	return []*cobra.Command{newDaemon(g), newVersion(g), newInfo(g), newEvents(g), sys}
}

func newDaemon(g *cli.Globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "daemon",
		Short: "Run berth's engine in the foreground, or look after it",
		Long: `Run berth's embedded engine (containerd with berth's configuration) in the
foreground. Other berth commands start it in the background by themselves when
it is not serving; this command is for supervisors such as systemd, and for
debugging.`,
		Example: `  berth daemon
  berth daemon status
  berth daemon stop`,
		Args: cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !g.Embedded() {
				return errAddress(g)
			}
			return system.DaemonForeground(clientutil.Daemon(&g.Config))
		},
	}
	var statusOpts system.DaemonStatusOptions
	status := &cobra.Command{
		Use:     "status",
		Short:   "Show whether the engine is running",
		Example: "  berth daemon status\n  berth daemon status --format '{{.Pid}}'",
		Args:    cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !g.Embedded() {
				return errAddress(g)
			}
			return system.DaemonStatus(cmd.Context(), clientutil.Daemon(&g.Config), cmd.OutOrStdout(), statusOpts)
		},
	}
	status.Flags().StringVarP(&statusOpts.Format, "format", "f", "", "Format the output using a Go template, or 'json'")
	var stopOpts system.DaemonStopOptions
	stop := &cobra.Command{
		Use:   "stop",
		Short: "Stop the engine; running containers keep running",
		Long: `Stop berth's engine. Running containers keep running and are found again
when the engine comes back (any berth command starts it).`,
		Example: "  berth daemon stop",
		Args:    cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !g.Embedded() {
				return errAddress(g)
			}
			return system.DaemonStop(cmd.Context(), clientutil.Daemon(&g.Config), cmd.OutOrStdout(), stopOpts)
		},
	}
	stop.Flags().IntVarP(&stopOpts.Timeout, "time", "t", 30, "Seconds to wait for the engine to stop before killing it")
	var logsOpts system.DaemonLogsOptions
	logs := &cobra.Command{
		Use:     "logs",
		Short:   "Show the log of the engine started in the background",
		Example: "  berth daemon logs --tail 50",
		Args:    cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return system.DaemonLogs(cmd.Context(), clientutil.Daemon(&g.Config), cmd.OutOrStdout(), logsOpts)
		},
	}
	logs.Flags().IntVarP(&logsOpts.Tail, "tail", "n", 0, "Number of lines to show from the end (0 for all)")
	cmd.AddCommand(status, stop, logs)
	return cmd
}

func errAddress(g *cli.Globals) error {
	return &cli.StatusError{Status: 125, Message: "berth talks to the containerd at " + g.Address +
		" (--address); it does not start, stop or supervise that engine"}
}
