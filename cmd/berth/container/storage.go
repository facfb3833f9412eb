package container

import (
	"os"

	"github.com/containerd/console"
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/cmd/container"
)

// stdoutIsTerminal tells whether stdout is a terminal: cp reports what it
// copied only then, and export refuses to write an archive to one.
func stdoutIsTerminal() bool {
	_, err := console.ConsoleFromFile(os.Stdout)
	return err == nil
}

func newCp(g *cli.Globals) *cobra.Command {
	o := &container.CpOptions{}
	cmd := &cobra.Command{
		Use: `cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-
	berth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH`,
		Short: "Copy files/folders between a container and the local filesystem",
		Long: `Copy files/folders between a container and the local filesystem, running or
stopped. Use '-' as the source to read a tar archive from stdin and extract it
to a directory destination in a container; use '-' as the destination to
stream a tar archive of a container source to stdout.

Container paths are relative to the container's root. Symlinks inside the
container are resolved inside it, whatever they point to: a copy never reads
or writes a file of the host through them, and no program of the container
is run. Files copied into a container belong to root unless -a keeps their
owners; files copied out belong to the caller, without their set-user-ID bits
and device nodes, unless -a.`,
		Example: `  berth cp web:/etc/nginx/nginx.conf .
  berth cp ./site/. web:/usr/share/nginx/html
  berth cp web:/var/log - | tar -tv
  tar -c -C conf . | berth cp - web:/etc/app`,
		Args:                  cli.ExactArgs(2),
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Source, o.Destination = args[0], args[1]
			if !cmd.Flags().Changed("quiet") {
				o.Quiet = !stdoutIsTerminal()
			}
			if err := o.Validate(); err != nil {
				return rejectFlags(err)
			}
			return container.Cp(cmd.Context(), &g.Config, streams(cmd), o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.FollowLink, "follow-link", "L", false, "Always follow symbol link in SRC_PATH")
	f.BoolVarP(&o.Archive, "archive", "a", false, "Archive mode (copy all uid/gid information)")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached")
	return cmd
}

func newCommit(g *cli.Globals) *cobra.Command {
	o := &container.CommitOptions{}
	cmd := &cobra.Command{
		Use:   "commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
		Short: "Create a new image from a container's changes",
		Long: `Make an image of a container's changes: what the container changed in its
filesystem becomes one new layer on top of its image's, the container's
configuration (command, environment, user, working directory, labels) that of
the image, with the -c changes applied. A running container is paused while
its changes are read, unless --pause=false. Prints the new image's ID.`,
		Example: `  berth commit web
  berth commit -m "add the site" -a "Jo <jo@example.com>" web web:v2
  berth commit -c 'CMD ["httpd", "-f"]' -c 'EXPOSE 80' web web:v3`,
		Args: cli.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Container = args[0]
			if len(args) > 1 {
				o.Reference = args[1]
			}
			if err := o.Validate(); err != nil {
				return rejectFlags(err)
			}
			return container.Commit(cmd.Context(), &g.Config, streams(cmd), o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Author, "author", "a", "", `Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")`)
	// An array, not a slice: an instruction may hold commas (CMD ["a", "b"]).
	f.StringArrayVarP(&o.Changes, "change", "c", nil, "Apply Dockerfile instruction to the created image")
	f.StringVarP(&o.Message, "message", "m", "", "Commit message")
	f.BoolVarP(&o.Pause, "pause", "p", true, "Pause container during commit")
	return cmd
}

func newDiff(g *cli.Globals) *cobra.Command {
	o := &container.DiffOptions{}
	cmd := &cobra.Command{
		Use:   "diff CONTAINER",
		Short: "Inspect changes to files or directories on a container's filesystem",
		Long: `List the files and directories the container added (A), changed (C) or
deleted (D) compared with its image, sorted by path. The mount points made for
the container's mounts (/proc, /etc/hosts, volumes) are not listed.`,
		Example: "  berth diff web",
		Args:    cli.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Container = args[0]
			return container.Diff(cmd.Context(), &g.Config, streams(cmd), o)
		},
	}
	return cmd
}

func newExport(g *cli.Globals) *cobra.Command {
	o := &container.ExportOptions{}
	cmd := &cobra.Command{
		Use:   "export [OPTIONS] CONTAINER",
		Short: "Export a container's filesystem as a tar archive",
		Long: `Write a container's filesystem, running or stopped, as a tar archive to stdout
or a file: its image's files with the container's changes, without the
contents of its volumes and other mounts. berth import makes an image of it.`,
		Example: `  berth export web > web.tar
  berth export -o web.tar web`,
		Args: cli.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Container = args[0]
			if err := o.Validate(stdoutIsTerminal()); err != nil {
				return rejectFlags(err)
			}
			return container.Export(cmd.Context(), &g.Config, streams(cmd), o)
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "Write to a file, instead of STDOUT")
	return cmd
}
