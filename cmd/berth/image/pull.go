package image

import (
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
)

// newPull is replaced by the real `pull` command.
func newPull(g *cli.Globals) *cobra.Command { return &cobra.Command{Use: "pull", Hidden: true} }

// newPush is replaced by the real `push` command.
func newPush(g *cli.Globals) *cobra.Command { return &cobra.Command{Use: "push", Hidden: true} }
