// Package namespace wires the namespace commands.
package namespace

import (
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
)

// Commands returns the top-level commands of this group.
func Commands(g *cli.Globals) []*cobra.Command { return nil }
