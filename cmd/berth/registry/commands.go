// Package registry wires the registry commands: login and logout.
package registry

import (
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/cmd/registry"
)

// Commands returns the top-level commands of this group.
func Commands(g *cli.Globals) []*cobra.Command {
	return []*cobra.Command{newLogin(g), newLogout(g)}
}

func newLogin(g *cli.Globals) *cobra.Command {
	var o registry.LoginOptions
	cmd := &cobra.Command{
		Use:   "login [OPTIONS] [SERVER]",
		Short: "Log in to a registry",
		Long: `Log in to a registry: the credentials are checked against the registry and,
once accepted, stored in $DOCKER_CONFIG/config.json (default ~/.docker), or in
the credential helper it names (credsStore, credHelpers), where docker keeps
them too. Without SERVER, logs in to Docker Hub.`,
		Example: `  berth login registry.local:5000
  echo "$TOKEN" | berth login -u ci --password-stdin ghcr.io
  berth login -u myuser`,
		Args:    cli.RangeArgs(0, 1),
		GroupID: "common",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				o.Server = args[0]
			}
			s := registry.IO{In: cmd.InOrStdin(), Out: cmd.OutOrStdout(), Err: cmd.ErrOrStderr()}
			return registry.Login(cmd.Context(), &g.Config, s, o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Username, "username", "u", "", "Username")
	f.StringVarP(&o.Password, "password", "p", "", "Password (insecure: it shows in the process list and history)")
	f.BoolVar(&o.PasswordStdin, "password-stdin", false, "Take the password from stdin")
	return cmd
}

func newLogout(g *cli.Globals) *cobra.Command {
	var o registry.LogoutOptions
	cmd := &cobra.Command{
		Use:   "logout [SERVER]",
		Short: "Log out from a registry",
		Long: `Remove the credentials of a registry from the docker config and from the
credential helper that holds them. Without SERVER, logs out from Docker Hub.`,
		Example: `  berth logout registry.local:5000
  berth logout`,
		Args:    cli.RangeArgs(0, 1),
		GroupID: "common",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				o.Server = args[0]
			}
			return registry.Logout(cmd.Context(), cmd.OutOrStdout(), o)
		},
	}
	return cmd
}
