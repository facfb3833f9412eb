package container

import (
	"context"

	"github.com/containerd/containerd/v2/client"
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/cmd/container"
)

func newLogs(g *cli.Globals) *cobra.Command {
	o := &container.LogsOptions{}
	cmd := &cobra.Command{
		Use:   "logs [OPTIONS] CONTAINER",
		Short: "Fetch the logs of a container",
		Long: `Print what a container wrote to stdout and stderr, each to its own stream.
Logs are kept by the container's log driver (json-file by default, capped in
size) and survive restarts of the container.`,
		Example: `  berth logs web
  berth logs -f --tail 10 web
  berth logs --since 10m -t web`,
		Args:    cli.ExactArgs(1),
		GroupID: "common",
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Container = args[0]
			if err := o.Validate(); err != nil {
				return err
			}
			return cli.WithClient(cmd, g, func(ctx context.Context, c *client.Client) error {
				return container.Logs(ctx, c, &g.Config, streams(cmd), o)
			})
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.Follow, "follow", "f", false, "Follow log output")
	f.StringVar(&o.Since, "since", "", `Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)`)
	f.StringVar(&o.Until, "until", "", `Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)`)
	f.StringVarP(&o.Tail, "tail", "n", "all", "Number of lines to show from the end of the logs")
	f.BoolVarP(&o.Timestamps, "timestamps", "t", false, "Show timestamps")
	f.BoolVar(&o.Details, "details", false, "Show extra details provided to logs")
	return cmd
}
