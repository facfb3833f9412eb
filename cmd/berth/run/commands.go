// Package run wires `run`; the rest of the container commands follow it.
package run

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/cmd/container"
)

// Commands returns the top-level commands of this group.
func Commands(g *cli.Globals) []*cobra.Command {
	return []*cobra.Command{newRun(g)}
}

func newRun(g *cli.Globals) *cobra.Command {
	var o container.RunOptions
	cmd := &cobra.Command{
		Use:   "run [OPTIONS] IMAGE [COMMAND] [ARG...]",
		Short: "Create and run a new container from an image",
		Long: `Create a container from an image, run it attached to the terminal's stdout
and stderr, and exit with its exit status. A missing image is pulled first.
This version supports foreground containers with --rm only: the container is
removed when it exits.`,
		Example: `  berth run --rm busybox echo hello
  echo hi | berth run --rm -i busybox cat`,
		Args:    cli.MinArgs(1),
		GroupID: "common",
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Image, o.Args = args[0], args[1:]
			if err := o.Validate(); err != nil {
				return &cli.StatusError{Status: 125, Message: err.Error()}
			}
			err := container.Run(cmd.Context(), &g.Config, cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
			var ee *container.ExitError
			if errors.As(err, &ee) {
				return &cli.StatusError{Status: ee.Status, Message: ee.Error()}
			}
			return err
		},
	}
	// Everything after the image belongs to the container's command.
	cmd.Flags().SetInterspersed(false)
	cmd.Flags().BoolVar(&o.Rm, "rm", false, "Automatically remove the container when it exits")
	cmd.Flags().BoolVarP(&o.Interactive, "interactive", "i", false, "Keep STDIN open and connect it to the container")
	cmd.Flags().StringVar(&o.Pull, "pull", "missing", `Pull image before running ("always", "missing", "never")`)
	cmd.Flags().BoolVarP(&o.Quiet, "quiet", "q", false, "Suppress the pull output")
	return cmd
}
