// Command berth-compose is `berth compose`: the berth CLI hands its whole
// command line over to it, and it parses it with the same global flags.
// It lives in libexec/berth beside the engine, apart from the CLI, so that
// the CLI and the OCI hooks do not pay for the compose-spec loader's
// start-up.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/cmd/berth/compose"
	"github.com/berth-project/berth/pkg/config"
)

func main() {
	cli.TuneGC()
	// Run by hand rather than by berth: libexec is this binary's
	// directory and the CLI sits in ../../bin, as make install lays out.
	if exe, err := config.Executable(); err == nil {
		setDefault("BERTH_LIBEXEC", filepath.Dir(exe))
		setDefault(config.CLIBinaryEnv, filepath.Join(filepath.Dir(filepath.Dir(filepath.Dir(exe))), "bin", "berth"))
	}
	os.Exit(cli.Main(func(g *cli.Globals) []*cobra.Command { return compose.Commands(g) }))
}

func setDefault(key, value string) {
	if os.Getenv(key) == "" {
		if err := os.Setenv(key, value); err != nil {
			fmt.Fprintln(os.Stderr, "berth:", err)
		}
	}
}
