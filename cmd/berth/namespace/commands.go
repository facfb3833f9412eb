// Package namespace wires `namespace ls|create|rm|inspect`.
package namespace

import (
	"context"

	"github.com/containerd/containerd/v2/client"
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/cmd/namespace"
	"github.com/berth-project/berth/pkg/opts"
)

// Commands returns the top-level commands of this group.
func Commands(g *cli.Globals) []*cobra.Command {
	cmd := &cobra.Command{
		Use:     "namespace",
		Aliases: []string{"ns"},
		Short:   "Manage containerd namespaces",
		Long: `Manage containerd namespaces. Every berth object (image, container, network,
volume) lives in one namespace; the global --namespace flag picks it.`,
		Example: "  berth namespace ls\n  berth namespace create --label team=a build\n  berth -n build images",
		GroupID: "management",
		Args:    cli.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newList(g), newCreate(g), newRemove(g), newInspect(g))
	return []*cobra.Command{cmd}
}

func newList(g *cli.Globals) *cobra.Command {
	var o namespace.ListOptions
	cmd := &cobra.Command{
		Use:     "ls [OPTIONS]",
		Aliases: []string{"list"},
		Short:   "List namespaces",
		Example: "  berth namespace ls\n  berth namespace ls -q",
		Args:    cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			return cli.WithClient(cmd, g, func(ctx context.Context, c *client.Client) error {
				return namespace.List(ctx, c, cmd.OutOrStdout(), o)
			})
		},
	}
	cmd.Flags().BoolVarP(&o.Quiet, "quiet", "q", false, "Only display namespace names")
	cmd.Flags().StringVarP(&o.Format, "format", "f", "", "Format the output using a Go template, or 'json'")
	return cmd
}

func newCreate(g *cli.Globals) *cobra.Command {
	var labels []string
	cmd := &cobra.Command{
		Use:     "create [OPTIONS] NAMESPACE",
		Short:   "Create a namespace",
		Example: "  berth namespace create --label team=a build",
		Args:    cli.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			labels, err := opts.ParseLabels(labels)
			if err != nil {
				return err
			}
			o := namespace.CreateOptions{Labels: labels}
			return cli.WithClient(cmd, g, func(ctx context.Context, c *client.Client) error {
				return namespace.Create(ctx, c, args[0], o)
			})
		},
	}
	// A StringArray: a label value may contain commas.
	cmd.Flags().StringArrayVarP(&labels, "label", "l", nil, "Set a label on the namespace (key=value)")
	return cmd
}

func newRemove(g *cli.Globals) *cobra.Command {
	return &cobra.Command{
		Use:     "rm NAMESPACE [NAMESPACE...]",
		Aliases: []string{"remove"},
		Short:   "Remove one or more empty namespaces",
		Example: "  berth namespace rm build",
		Args:    cli.MinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return cli.WithClient(cmd, g, func(ctx context.Context, c *client.Client) error {
				return namespace.Remove(ctx, c, cmd.OutOrStdout(), args)
			})
		},
	}
}

func newInspect(g *cli.Globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:     "inspect NAMESPACE [NAMESPACE...]",
		Short:   "Display detailed information on one or more namespaces",
		Example: "  berth namespace inspect default\n  berth namespace inspect --format '{{.Labels}}' default",
		Args:    cli.MinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return cli.WithClient(cmd, g, func(ctx context.Context, c *client.Client) error {
				return namespace.Inspect(ctx, c, cmd.OutOrStdout(), args, format)
			})
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "Format the output using a Go template")
	return cmd
}
