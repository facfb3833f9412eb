package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/berth-project/berth/pkg/config"
)

// PruneRunE returns the RunE of a prune command (`container prune`,
// `image prune`, `network prune`, `volume prune`, `system prune`). It checks
// o before anything is asked or dialled, runs prune with the command's
// standard input, where the answer to the prompt is read, and output, and
// ends with exit status 0 and nothing more printed when prune returns
// cancelled, as Docker does when the user declines.
//
// o is read when the command runs, after the flags bound to it are set.
func PruneRunE[O any, P interface {
	*O
	Validate() error
}](g *Globals, o P, prune func(context.Context, *config.Config, io.Reader, io.Writer, O) error, cancelled error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		if err := o.Validate(); err != nil {
			return err
		}
		err := prune(cmd.Context(), &g.Config, cmd.InOrStdin(), cmd.OutOrStdout(), *o)
		if errors.Is(err, cancelled) {
			return &StatusError{Status: 0}
		}
		return err
	}
}

// NoSubcommand is the Args of a command that only groups others (`berth`,
// `network`, `volume`, `image`): cobra hands it an unknown command name as
// an argument. main adds "See 'berth --help'." to the error.
func NoSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())
	}
	return nil
}
