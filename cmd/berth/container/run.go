package container

import (
	"errors"
	"os"

	"github.com/containerd/console"
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/cmd/container"
)

func newRun(g *cli.Globals) *cobra.Command {
	o := &container.RunOptions{}
	cmd := &cobra.Command{
		Use:   "run [OPTIONS] IMAGE [COMMAND] [ARG...]",
		Short: "Create and run a new container from an image",
		Long: `Create a container from an image and start it. Attached (the default), berth
copies the container's output to the terminal, forwards signals to it and
exits with its exit status; with -d it prints the container's ID and leaves it
running. A missing image is pulled first.`,
		Example: `  berth run --rm busybox echo hello
  berth run -d --name web --restart always busybox httpd -f
  echo hi | berth run --rm -i busybox cat
  berth run -it --rm busybox sh`,
		Args:    cli.MinArgs(1),
		GroupID: "common",
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Image, o.Args = args[0], args[1:]
			o.EntrypointSet = cmd.Flags().Changed("entrypoint")
			if err := o.Validate(stdinIsTerminal()); err != nil {
				return &cli.StatusError{Status: 125, Message: err.Error()}
			}
			err := container.Run(cmd.Context(), &g.Config, streams(cmd), o)
			var ee *container.ExitError
			if errors.As(err, &ee) {
				return &cli.StatusError{Status: ee.Status, Message: ee.Error()}
			}
			return err
		},
	}
	// Everything after the image belongs to the container's command.
	cmd.Flags().SetInterspersed(false)
	bindCreateFlags(cmd, &o.CreateOptions)
	f := cmd.Flags()
	f.BoolVarP(&o.Detach, "detach", "d", false, "Run container in background and print container ID")
	f.BoolVar(&o.Rm, "rm", false, "Automatically remove the container and its associated anonymous volumes when it exits")
	f.BoolVar(&o.SigProxy, "sig-proxy", true, "Proxy received signals to the process")
	f.StringArrayVarP(&o.Attach, "attach", "a", nil, "Attach to STDIN, STDOUT or STDERR")
	f.StringVar(&o.DetachKeys, "detach-keys", "", "Override the key sequence for detaching a container (with -it)")
	return cmd
}

func newCreate(g *cli.Globals) *cobra.Command {
	o := &container.CreateOptions{}
	cmd := &cobra.Command{
		Use:     "create [OPTIONS] IMAGE [COMMAND] [ARG...]",
		Short:   "Create a new container",
		Example: "  berth create --name web busybox httpd -f\n  berth start web",
		Args:    cli.MinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Image, o.Args = args[0], args[1:]
			o.EntrypointSet = cmd.Flags().Changed("entrypoint")
			if err := o.Validate(); err != nil {
				return &cli.StatusError{Status: 125, Message: err.Error()}
			}
			return container.CreateCommand(cmd.Context(), &g.Config, streams(cmd), o)
		},
	}
	cmd.Flags().SetInterspersed(false)
	bindCreateFlags(cmd, o)
	cmd.Flags().BoolVar(&o.Rm, "rm", false, "Automatically remove the container when it exits")
	return cmd
}

func streams(cmd *cobra.Command) container.Streams {
	return container.Streams{In: cmd.InOrStdin(), Out: cmd.OutOrStdout(), Err: cmd.ErrOrStderr()}
}

func stdinIsTerminal() bool {
	_, err := console.ConsoleFromFile(os.Stdin)
	return err == nil
}
