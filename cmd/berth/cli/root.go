package cli

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
)

// Main runs a berth command tree: the global flags and the config file,
// the commands that commands returns, Docker's exit statuses. The berth CLI
// and its compose helper (libexec/berth/berth-compose) both run through it,
// so that `berth compose` reads the same flags and answers the same way.
func Main(commands func(g *Globals) []*cobra.Command) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	g, err := LoadGlobals()
	if err != nil {
		fmt.Fprintln(os.Stderr, "berth:", err)
		return 125
	}
	root := NewRoot(g, commands(g)...)
	cmd, err := root.ExecuteContextC(ctx)
	return ExitStatus(cmd, err)
}

// NewRoot is the root command with the global flags and the commands.
func NewRoot(g *Globals, commands ...*cobra.Command) *cobra.Command {
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
		Args:              NoSubcommand,
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
		return &StatusError{Status: 125, Message: fmt.Sprintf("%v\nSee '%s --help'.", err, c.CommandPath())}
	})
	BindGlobals(root.PersistentFlags(), g)
	BindRootShorthands(root.Flags(), g)
	// Root's own flags (-a, -H) are parsed before the command name.
	root.TraverseChildren = true
	root.AddGroup(&cobra.Group{ID: "common", Title: "Common Commands:"},
		&cobra.Group{ID: "management", Title: "Management Commands:"})
	root.AddCommand(commands...)
	return root
}

// ExitStatus prints err as Docker does and maps it to an exit status: the
// status carried by the error, else 125 for an error of berth itself.
func ExitStatus(cmd *cobra.Command, err error) int {
	if err == nil {
		return 0
	}
	var se *StatusError
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
