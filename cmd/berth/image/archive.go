package image

import (
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/cmd/image"
)

// newSave is `save` and `image save`.
func newSave(g *cli.Globals) *cobra.Command {
	var o image.SaveOptions
	cmd := &cobra.Command{
		Use:   "save [OPTIONS] IMAGE [IMAGE...]",
		Short: "Save one or more images to a tar archive (streamed to STDOUT by default)",
		Long: `Write images to a tar archive that is both an OCI image layout (oci-layout,
index.json, blobs/) and a docker save archive (manifest.json, repositories):
docker load, ctr import and berth load all read it. By default only the host
platform of a multi-platform image is saved.`,
		Example: `  berth save -o busybox.tar busybox
  berth save busybox alpine:3.20 | gzip > images.tar.gz
  berth save --platform linux/arm64 -o alpine-arm64.tar alpine`,
		Args: cli.MinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Images = args
			if err := o.Validate(); err != nil {
				return err
			}
			return image.Save(cmd.Context(), &g.Config, cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Output, "output", "o", "", "Write to a file, instead of STDOUT")
	// A slice, as in nerdctl: several platforms may be saved at once.
	f.StringSliceVar(&o.Platforms, "platform", nil, "Save only the given platform(s) (os[/arch[/variant]])")
	f.BoolVar(&o.AllPlatforms, "all-platforms", false, "Save every platform; all must be present")
	return cmd
}

// newLoad is `load` and `image load`.
func newLoad(g *cli.Globals) *cobra.Command {
	var o image.LoadOptions
	cmd := &cobra.Command{
		Use:   "load [OPTIONS]",
		Short: "Load an image from a tar archive or STDIN",
		Long: `Load images from a docker save archive or an OCI layout tar, plain or
compressed (gzip, bzip2, zstd), and unpack them for the snapshotter. The whole
archive is checked before anything is imported: entries outside the archive,
links leaving it, devices, missing or corrupt blobs and truncated archives are
refused, and nothing is loaded.`,
		Example: `  berth load -i busybox.tar
  gunzip -c images.tar.gz | berth load
  berth load --platform linux/arm64 -i alpine-multi.tar`,
		Args: cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			return image.Load(cmd.Context(), &g.Config, cmd.InOrStdin(), cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Input, "input", "i", "", "Read from tar archive file, instead of STDIN")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Suppress the load output")
	f.StringSliceVar(&o.Platforms, "platform", nil, "Load only the given platform(s) (os[/arch[/variant]])")
	f.BoolVar(&o.AllPlatforms, "all-platforms", false, "Load every platform; the archive must hold them all")
	return cmd
}
