package system

import (
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/cmd/system"
)

func newVersion(g *cli.Globals) *cobra.Command {
	var o system.VersionOptions
	cmd := &cobra.Command{
		Use:   "version [OPTIONS]",
		Short: "Show the berth version information",
		Long: `Show the versions of the berth client, its engine, containerd, runc and the
CNI plugins. The engine is started when it is not running.`,
		Example: `  berth version
  berth version --format '{{.Server.Version}}'
  berth version --format json`,
		Args:    cli.NoArgs,
		GroupID: "common",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return system.Version(cmd.Context(), &g.Config, cmd.OutOrStdout(), o)
		},
	}
	cmd.Flags().StringVarP(&o.Format, "format", "f", "", "Format the output using a Go template, or 'json'")
	return cmd
}

func newInfo(g *cli.Globals) *cobra.Command {
	var o system.InfoOptions
	cmd := &cobra.Command{
		Use:   "info [OPTIONS]",
		Short: "Display system-wide information",
		Example: `  berth info
  berth info --format '{{.ServerVersion}}'
  berth info --format json`,
		Args: cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return system.Info(cmd.Context(), &g.Config, cmd.OutOrStdout(), o)
		},
	}
	cmd.Flags().StringVarP(&o.Format, "format", "f", "", "Format the output using a Go template, or 'json'")
	return cmd
}
