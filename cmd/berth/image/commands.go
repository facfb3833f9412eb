// Package image wires the image commands.
package image

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
)

// Commands returns the top-level commands of this group and the `image`
// management command. A cobra command has one parent, so each constructor
// runs once for the top level and once for `image`.
func Commands(g *cli.Globals) []*cobra.Command {
	return []*cobra.Command{
		newImages(g, "images"), newTag(g), newRemove(g, "rmi"), newHistory(g),
		newSave(g), newLoad(g), newPull(g), newPush(g), newImport(g), newImageCommand(g),
	}
}

// newImageCommand is `image`, which holds the image commands under
// Docker's management names.
func newImageCommand(g *cli.Globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "image",
		Short: "Manage images",
		Example: `  berth image ls
  berth image inspect busybox
  berth image prune -a`,
		GroupID: "management",
		Args:    cli.NoSubcommand,
		RunE:    func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	ls := newImages(g, "ls")
	ls.Aliases = []string{"list"}
	rm := newRemove(g, "rm")
	rm.Aliases = []string{"remove", "rmi"}
	for _, c := range []*cobra.Command{ls, rm, newTag(g), newInspect(g), newHistory(g),
		newPrune(g), newSave(g), newLoad(g), newPull(g), newPush(g), newImport(g)} {
		// Groups belong to the root; below `image` there are none.
		c.GroupID = ""
		cmd.AddCommand(c)
	}
	return cmd
}

// maxArgs refuses more than n arguments with Docker's wording ("requires at
// most 1 argument"), which cli.RangeArgs words for a range.
func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) <= n {
			return nil
		}
		plural := ""
		if n != 1 {
			plural = "s"
		}
		return fmt.Errorf("%q requires at most %d argument%s.\nSee '%s --help'.\n\nUsage:  %s\n\n%s",
			cmd.CommandPath(), n, plural, cmd.CommandPath(), cmd.UseLine(), cmd.Short)
	}
}
