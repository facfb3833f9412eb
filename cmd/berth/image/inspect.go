package image

import (
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/cmd/image"
)

// newInspect is `image inspect`.
func newInspect(g *cli.Globals) *cobra.Command {
	var o image.InspectOptions
	cmd := &cobra.Command{
		Use:   "inspect [OPTIONS] IMAGE [IMAGE...]",
		Short: "Display detailed information on one or more images",
		Long: `Print images as a JSON array in Docker's shape (Id, RepoTags, RepoDigests,
Created, Config, Architecture, Os, Size, RootFS, Metadata, ...), or each through
a Go template. Images that are not found fail the command after the others
are printed.`,
		Example: `  berth image inspect busybox
  berth image inspect --format '{{.Id}} {{.Os}}/{{.Architecture}}' busybox
  berth image inspect --format '{{json .Config.Env}}' busybox`,
		Args: cli.MinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Images = args
			return image.Inspect(cmd.Context(), &g.Config, cmd.OutOrStdout(), o)
		},
	}
	cmd.Flags().StringVarP(&o.Format, "format", "f", "", cli.InspectFormatHelp)
	return cmd
}

// newHistory is `history` and `image history`.
func newHistory(g *cli.Globals) *cobra.Command {
	o := image.HistoryOptions{Human: true}
	cmd := &cobra.Command{
		Use:   "history [OPTIONS] IMAGE",
		Short: "Show the history of an image",
		Long: `Show how an image was built, newest step first, from the history in its
config. Only the newest step is the image itself; the others show <missing>, as
with images that were pulled rather than built here.`,
		Example: `  berth history busybox
  berth history --no-trunc -H=false busybox
  berth history --format '{{.CreatedBy}}: {{.Size}}' busybox`,
		Args: cli.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Image = args[0]
			if err := o.Validate(); err != nil {
				return err
			}
			return image.History(cmd.Context(), &g.Config, cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.Human, "human", "H", true, "Print sizes and dates in human readable format")
	f.BoolVar(&o.NoTrunc, "no-trunc", false, "Don't truncate output")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Only show image IDs")
	f.StringVar(&o.Format, "format", "", cli.ListFormatHelp)
	return cmd
}

// newPrune is `image prune`.
func newPrune(g *cli.Globals) *cobra.Command {
	var o image.PruneOptions
	cmd := &cobra.Command{
		Use:   "prune [OPTIONS]",
		Short: "Remove unused images",
		Long: `Remove dangling images (those without a name), or with -a every image no
container uses. Without -f it asks first and reads the answer from standard
input; anything but "y", end of input included, cancels.

Filters (--filter key=value, repeatable):
  until=TIMESTAMP         images created before a time or a duration ago (24h)
  label=KEY[=VALUE]       images with the label; label!=KEY[=VALUE] without it`,
		Example: `  berth image prune
  berth image prune -a -f
  berth image prune -a -f --filter until=24h`,
		Args: cli.NoArgs,
		RunE: cli.PruneRunE(g, &o, image.Prune, image.ErrCancelled),
	}
	f := cmd.Flags()
	f.BoolVarP(&o.All, "all", "a", false, "Remove all unused images, not just dangling ones")
	f.Var(&o.Filters, "filter", `Provide filter values (e.g. "until=<timestamp>")`)
	f.BoolVarP(&o.Force, "force", "f", false, "Do not prompt for confirmation")
	return cmd
}
