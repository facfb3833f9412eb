package cli

import "github.com/spf13/cobra"

// ComposeGroup is the `compose` command's name and help, shared by the
// berth CLI, where it hands over to the compose helper, and the helper,
// which carries the subcommands.
func ComposeGroup() *cobra.Command {
	return &cobra.Command{
		Use:   "compose [OPTIONS] COMMAND",
		Short: "Define and run multi-container applications",
		Long: `Run the services of a Compose project (compose.yaml) as Docker Compose does,
with berth's engine. The project flags come before the command:
berth compose -f a.yaml -p app up -d.`,
		Example: `  berth compose up -d
  berth compose -f compose.yaml -f compose.prod.yaml ps
  berth compose logs -f web
  berth compose down`,
		GroupID: "management",
	}
}
