// Command berth is a Docker-compatible command line for containerd that
// carries its own engine: `berth daemon` is containerd linked in.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/containerd/log"
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/cmd/berth/compose"
	"github.com/berth-project/berth/cmd/berth/container"
	"github.com/berth-project/berth/cmd/berth/image"
	"github.com/berth-project/berth/cmd/berth/namespace"
	"github.com/berth-project/berth/cmd/berth/network"
	"github.com/berth-project/berth/cmd/berth/registry"
	"github.com/berth-project/berth/cmd/berth/system"
	"github.com/berth-project/berth/cmd/berth/volume"
	"github.com/berth-project/berth/pkg/ocihook"
)

func main() {
	os.Exit(runCLI())
}

func runCLI() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// runc runs the OCI hook at every start and stop of a networked
	// container: it skips the command tree and the config file, which its
	// flags replace.
	if len(os.Args) > 2 && os.Args[1] == "internal" && os.Args[2] == "oci-hook" {
		return ocihook.Main(ctx, os.Args[3:], os.Stdin, os.Stderr)
	}
	g, err := cli.LoadGlobals()
	if err != nil {
		fmt.Fprintln(os.Stderr, "berth:", err)
		return 125
	}
	root := newRoot(g)
	cmd, err := root.ExecuteContextC(ctx)
	return exitStatus(cmd, err)
}

func newRoot(g *cli.Globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "berth [OPTIONS] COMMAND",
		Short: "A Docker-compatible command line for containerd, with its own engine",
		Long: `berth runs containers the way docker does, on containerd. It carries its own
engine and starts it when none is serving; --address points it at an existing
containerd instead.`,
		Example: `  berth run --rm busybox echo hello
  berth pull alpine:3.20
  berth images`,
		// An unknown command reaches root as an argument: root's
		// TraverseChildren skips cobra's own check.
		Args:              cli.NoSubcommand,
		RunE:              func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		SilenceUsage:      true,
		SilenceErrors:     true,
		Version:           "",
		CompletionOptions: cobra.CompletionOptions{HiddenDefaultCmd: true},
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if g.Debug || g.DebugFull {
				_ = log.SetLevel("debug")
			}
			return g.Finish()
		},
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &cli.StatusError{Status: 125, Message: fmt.Sprintf("%v\nSee '%s --help'.", err, c.CommandPath())}
	})
	cli.BindGlobals(root.PersistentFlags(), g)
	cli.BindRootShorthands(root.Flags(), g)
	// Root's own flags (-a, -H) are parsed before the command name.
	root.TraverseChildren = true
	root.AddGroup(&cobra.Group{ID: "common", Title: "Common Commands:"},
		&cobra.Group{ID: "management", Title: "Management Commands:"})
	root.AddCommand(system.Commands(g)...)
	root.AddCommand(image.Commands(g)...)
	root.AddCommand(registry.Commands(g)...)
	root.AddCommand(namespace.Commands(g)...)
	root.AddCommand(network.Commands(g)...)
	root.AddCommand(volume.Commands(g)...)
	root.AddCommand(container.Commands(g)...)
	root.AddCommand(compose.Commands(g)...)
	return root
}

// exitStatus prints err as Docker does and maps it to an exit status: the
// status carried by the error, else 125 for an error of berth itself.
func exitStatus(cmd *cobra.Command, err error) int {
	if err == nil {
		return 0
	}
	var se *cli.StatusError
	if errors.As(err, &se) {
		if se.Message != "" {
			fmt.Fprintln(os.Stderr, prefix(cmd)+se.Message)
		}
		return se.Status
	}
	if errors.Is(err, context.Canceled) {
		return 130
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "unknown flag") ||
		strings.HasPrefix(msg, "unknown shorthand flag") {
		msg += "\nSee 'berth --help'."
	}
	fmt.Fprintln(os.Stderr, prefix(cmd)+msg)
	return 125
}

// prefix starts every error line, as "docker: " does for docker.
func prefix(*cobra.Command) string { return "berth: " }
