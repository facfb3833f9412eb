// Command berth is a Docker-compatible command line for containerd that
// carries its own engine (libexec/berth/berth-engine, containerd linked in).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/cmd/berth/container"
	"github.com/berth-project/berth/cmd/berth/image"
	"github.com/berth-project/berth/cmd/berth/namespace"
	"github.com/berth-project/berth/cmd/berth/network"
	"github.com/berth-project/berth/cmd/berth/registry"
	"github.com/berth-project/berth/cmd/berth/system"
	"github.com/berth-project/berth/cmd/berth/volume"
	"github.com/berth-project/berth/pkg/ocihook"
)

func main() {
	cli.TuneGC()
	// runc runs the OCI hook at every start and stop of a networked
	// container: it skips the command tree and the config file, which its
	// flags replace.
	if len(os.Args) > 2 && os.Args[1] == "internal" && os.Args[2] == "oci-hook" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		status := ocihook.Main(ctx, os.Args[3:], os.Stdin, os.Stderr)
		stop()
		os.Exit(status)
	}
	os.Exit(cli.Main(commands))
}

// commands are the CLI's commands; `compose` hands over to the compose
// helper, which the CLI does not link (see compose.go).
func commands(g *cli.Globals) []*cobra.Command {
	var cmds []*cobra.Command
	for _, group := range [][]*cobra.Command{
		system.Commands(g), image.Commands(g), registry.Commands(g), namespace.Commands(g),
		network.Commands(g), volume.Commands(g), container.Commands(g),
	} {
		cmds = append(cmds, group...)
	}
	return append(cmds, composeCommand())
}
