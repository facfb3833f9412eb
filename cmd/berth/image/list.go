package image

import (
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/cmd/image"
)

// newImages is `images`, and `image ls` when name is "ls".
func newImages(g *cli.Globals, name string) *cobra.Command {
	var o image.ImagesOptions
	cmd := &cobra.Command{
		Use:   name + " [OPTIONS] [REPOSITORY[:TAG]]",
		Short: "List images",
		Long: `List the images of the store: one row per name, newest first. IMAGE ID is the
image's config digest for the host platform, SIZE its unpacked size (its
download size when not unpacked). Untagged images show as <none>.

Filters (--filter key=value, repeatable):
  dangling=true|false     images without a name, or with one
  reference=PATTERN       names matching a shell pattern (busybox, "*/app:1.*")
  label=KEY[=VALUE]       images whose config has the label
  before=IMAGE, since=IMAGE  images created before or after IMAGE
  until=TIMESTAMP         images created before a time or duration ago (24h)`,
		Example: `  berth images
  berth images busybox
  berth images -q --filter dangling=true
  berth images --digests --no-trunc
  berth images --format '{{.Repository}}:{{.Tag}} {{.Size}}'
  berth images --format json`,
		Args:    maxArgs(1),
		GroupID: "common",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.Repository = args[0]
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return image.Images(cmd.Context(), &g.Config, cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.All, "all", "a", false, "Show all images (default hides intermediate images)")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Only show image IDs")
	f.BoolVar(&o.Digests, "digests", false, "Show digests")
	f.BoolVar(&o.NoTrunc, "no-trunc", false, "Don't truncate output")
	f.VarP(&o.Filters, "filter", "f", "Filter output based on conditions provided")
	f.StringVar(&o.Format, "format", "", cli.ListFormatHelp)
	return cmd
}
