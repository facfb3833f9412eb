package image

import (
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/cmd/image"
)

// newRemove is `rmi`, and `image rm` when name is "rm".
func newRemove(g *cli.Globals, name string) *cobra.Command {
	var o image.RemoveOptions
	cmd := &cobra.Command{
		Use:   name + " [OPTIONS] IMAGE [IMAGE...]",
		Short: "Remove one or more images",
		Long: `Remove images by name or ID. Removing a name removes the image when it was its
last name. An image that a container uses is refused unless forced; a running
container's image is only untagged, even when forced, and stays as <none>.`,
		Example: `  berth rmi busybox
  berth rmi -f busybox:1.36 alpine
  berth image rm 3f57d9401f8d`,
		Args: cli.MinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Images = args
			return image.Remove(cmd.Context(), &g.Config, cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.Force, "force", "f", false, "Force removal of the image")
	f.BoolVar(&o.NoPrune, "no-prune", false, "Do not delete untagged parents")
	return cmd
}

// newTag is `tag`.
func newTag(g *cli.Globals) *cobra.Command {
	var o image.TagOptions
	return &cobra.Command{
		Use:   "tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
		Short: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
		Long: `Give an image another name. SOURCE_IMAGE is a name or an image ID. An image
that TARGET_IMAGE named before keeps its other names, or stays as <none>.`,
		Example: `  berth tag busybox registry.local:5000/tools/busybox:1.0
  berth tag 3f57d9401f8d myimage`,
		Args: cli.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Source, o.Target = args[0], args[1]
			if err := o.Validate(); err != nil {
				return err
			}
			return image.Tag(cmd.Context(), &g.Config, o)
		},
	}
}
