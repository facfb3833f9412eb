package compose

import (
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/pkg/compose"
)

func newPull(e *env) *cobra.Command {
	o := &compose.PullOptions{}
	cmd := &cobra.Command{
		Use:     "pull [OPTIONS] [SERVICE...]",
		Short:   "Pull service images",
		Long:    "Pull the services' images (not those with pull_policy: never).",
		Example: "  berth compose pull\n  berth compose pull --policy missing -q web",
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Services = args
			p, err := e.load(cmd)
			if err != nil {
				return err
			}
			return compose.Pull(cmd.Context(), &e.g.Config, streams(cmd), p, *o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Pull without printing progress information")
	f.BoolVar(&o.IgnoreFailures, "ignore-pull-failures", false, "Pull what it can and ignores images with pull failures")
	f.StringVar(&o.Policy, "policy", "always", `Apply pull policy ("missing"|"always")`)
	return cmd
}

func newPush(e *env) *cobra.Command {
	o := &compose.PushOptions{}
	cmd := &cobra.Command{
		Use:     "push [OPTIONS] [SERVICE...]",
		Short:   "Push service images",
		Long:    "Push the services' images to their registries, as `berth push` does.",
		Example: "  berth compose push\n  berth compose push --ignore-push-failures web",
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Services = args
			p, err := e.load(cmd)
			if err != nil {
				return err
			}
			return compose.Push(cmd.Context(), &e.g.Config, streams(cmd), p, *o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Push without printing progress information")
	f.BoolVar(&o.IgnoreFailures, "ignore-push-failures", false, "Push what it can and ignores images with push failures")
	return cmd
}

func newImages(e *env) *cobra.Command {
	o := &compose.ImagesOptions{}
	cmd := &cobra.Command{
		Use:     "images [OPTIONS] [SERVICE...]",
		Short:   "List images used by the created containers",
		Example: "  berth compose images\n  berth compose images -q web",
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Services = args
			p, err := e.loadOrName(cmd)
			if err != nil {
				return err
			}
			return compose.Images(cmd.Context(), &e.g.Config, streams(cmd), p, *o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Only display IDs")
	f.StringVar(&o.Format, "format", "table", "Format the output. Values: [table | json | TEMPLATE]")
	return cmd
}
