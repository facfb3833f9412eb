package image

import (
	"errors"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/cmd/image"
)

// newPull is `pull`; call it again for `image pull`, a command has one parent.
func newPull(g *cli.Globals) *cobra.Command {
	o := image.PullOptions{Unpack: true}
	cmd := &cobra.Command{
		Use:   "pull [OPTIONS] NAME[:TAG|@DIGEST]",
		Short: "Download an image from a registry",
		Long: `Download an image from a registry and unpack it for the snapshotter, ready to
run. Credentials come from the docker config ($DOCKER_CONFIG/config.json, see
'berth login'); registry mirrors, CA certificates and plain HTTP from hosts.toml
files under --hosts-dir. Registries on localhost and 127.0.0.0/8 may speak
plain HTTP; others only with --insecure-registry.`,
		Example: `  berth pull busybox
  berth pull -q alpine:3.20
  berth pull --platform linux/arm64 alpine
  berth pull --all-platforms alpine
  berth --insecure-registry pull registry.local:5000/app:1.0`,
		Args:    cli.ExactArgs(1),
		GroupID: "common",
		RunE: func(cmd *cobra.Command, args []string) error {
			return image.Pull(cmd.Context(), &g.Config, cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0], o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Suppress verbose output")
	// A slice, as in nerdctl: several platforms may be pulled at once.
	f.StringSliceVar(&o.Platforms, "platform", nil, "Pull content for a specific platform (os[/arch[/variant]])")
	f.BoolVar(&o.AllPlatforms, "all-platforms", false, "Pull content for all platforms")
	f.BoolVar(&o.Unpack, "unpack", true, "Unpack the image for the snapshotter")
	addContentTrustFlag(cmd)
	return cmd
}

// newPush is `push`; call it again for `image push`.
func newPush(g *cli.Globals) *cobra.Command {
	var o image.PushOptions
	cmd := &cobra.Command{
		Use:   "push [OPTIONS] NAME[:TAG]",
		Short: "Upload an image to a registry",
		Long: `Upload a local image to the registry its name points at. Log in first with
'berth login' when the registry wants credentials. A multi-platform image is
pushed whole when all its platforms are present locally; otherwise, as with
docker, only the host's platform is pushed, as a single-platform image.
--platform pushes one chosen platform that way; --all-platforms insists on all.`,
		Example: `  berth push registry.local:5000/app:1.0
  berth push -q myuser/app
  berth push --platform linux/amd64 registry.local:5000/app:1.0`,
		Args:    cli.ExactArgs(1),
		GroupID: "common",
		RunE: func(cmd *cobra.Command, args []string) error {
			return image.Push(cmd.Context(), &g.Config, cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0], o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Suppress verbose output")
	f.StringVar(&o.Platform, "platform", "", "Push only this platform of a multi-platform image, as a single-platform image (os[/arch[/variant]])")
	f.BoolVar(&o.AllPlatforms, "all-platforms", false, "Push all platforms; fails if one is missing locally")
	addContentTrustFlag(cmd)
	return cmd
}

// addContentTrustFlag accepts docker's --disable-content-trust, which scripts
// pass. berth has no content trust: asking for it, with
// --disable-content-trust=false or DOCKER_CONTENT_TRUST as docker reads it,
// is refused rather than ignored. Call it once cmd.RunE is set.
func addContentTrustFlag(cmd *cobra.Command) {
	fromEnv := contentTrustFromEnv()
	disable := !fromEnv
	cmd.Flags().BoolVar(&disable, "disable-content-trust", disable, "Skip image verification (berth does not implement content trust)")
	_ = cmd.Flags().MarkHidden("disable-content-trust")
	run := cmd.RunE
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if !disable {
			if fromEnv && !c.Flags().Changed("disable-content-trust") {
				return errors.New("content trust is not supported: berth cannot verify image signatures (unset DOCKER_CONTENT_TRUST)")
			}
			return errors.New("content trust is not supported: berth cannot verify image signatures (drop --disable-content-trust=false)")
		}
		return run(c, args)
	}
}

// contentTrustFromEnv reads DOCKER_CONTENT_TRUST as docker does: any value
// but an empty one or one that parses as false turns content trust on.
func contentTrustFromEnv() bool {
	v := os.Getenv("DOCKER_CONTENT_TRUST")
	if v == "" {
		return false
	}
	on, err := strconv.ParseBool(v)
	return on || err != nil
}
