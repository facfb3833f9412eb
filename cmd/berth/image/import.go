package image

import (
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/cmd/image"
)

// newImport is `import` and `image import`.
func newImport(g *cli.Globals) *cobra.Command {
	var o image.ImportOptions
	cmd := &cobra.Command{
		Use:   "import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
		Short: "Import the contents from a tarball to create a filesystem image",
		Long: `Make an image of one layer from a filesystem tarball, such as berth export
writes, plain or compressed (gzip, bzip2, zstd): from a file, an http(s) URL,
or stdin ('-'). The whole archive is checked first: a corrupt or truncated
archive, or an entry that leaves the archive's root, imports nothing. Prints
the new image's ID.`,
		Example: `  berth import web.tar web:imported
  berth export web | berth import - web:flat
  berth import -c 'CMD ["/bin/sh"]' -m "from the build" https://example.com/rootfs.tar.gz base:1`,
		Args: cli.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Source = args[0]
			if len(args) > 1 {
				o.Reference = args[1]
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return image.Import(cmd.Context(), &g.Config, cmd.InOrStdin(), cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	// An array, not a slice: an instruction may hold commas (CMD ["a", "b"]).
	f.StringArrayVarP(&o.Changes, "change", "c", nil, "Apply Dockerfile instruction to the created image")
	f.StringVarP(&o.Message, "message", "m", "", "Set commit message for imported image")
	f.StringVar(&o.Platform, "platform", "", "Set platform if server is multi-platform capable")
	return cmd
}
