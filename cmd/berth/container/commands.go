// Package container wires the container commands: run, create, start, ps,
// and the `container <verb>` forms.
package container

import (
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
)

// constructor builds one command; each is called twice, for the top-level
// verb and for `container <verb>` (a cobra command has one parent).
type constructor func(*cli.Globals) *cobra.Command

// topLevel are the verbs docker has at the top level as well.
var topLevel = []constructor{
	newRun, newCreate, newStart, newStop, newRestart, newKill, newRm, newPs, newLogs,
	newExec, newAttach, newInspect, newWait, newTop, newPort, newStats, newPause, newUnpause,
	newRename, newUpdate, newCp, newCommit, newDiff, newExport,
}

// containerOnly exist only under `container`.
var containerOnly = []constructor{newPrune, newContainerLs}

// Commands returns the top-level commands of this group.
func Commands(g *cli.Globals) []*cobra.Command {
	group := &cobra.Command{
		Use:     "container",
		Short:   "Manage containers",
		Example: "  berth container ls -a\n  berth container prune -f",
		GroupID: "management",
		Args:    cli.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var out []*cobra.Command
	for _, mk := range topLevel {
		if cmd := mk(g); cmd != nil {
			out = append(out, cmd)
		}
		if cmd := mk(g); cmd != nil {
			cmd.GroupID = ""
			group.AddCommand(cmd)
		}
	}
	for _, mk := range containerOnly {
		if cmd := mk(g); cmd != nil {
			group.AddCommand(cmd)
		}
	}
	return append(out, group)
}
