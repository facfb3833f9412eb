package main

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/config"
)

// composeCommand is `berth compose`. Compose lives in its own binary,
// libexec/berth/berth-compose, as Docker's lives in a CLI plugin: the
// compose-spec loader's packages cost every process that links them about
// 3 ms of start-up, and the CLI also runs as every networked container's
// OCI hook. The helper gets the whole command line and parses it as berth
// would.
func composeCommand() *cobra.Command {
	cmd := cli.ComposeGroup()
	cmd.DisableFlagParsing = true
	cmd.RunE = func(*cobra.Command, []string) error { return execCompose(os.Args[1:]) }
	// `berth help compose` asks the helper too.
	cmd.SetHelpFunc(func(*cobra.Command, []string) {
		if err := execCompose([]string{"compose", "--help"}); err != nil {
			fmt.Fprintln(os.Stderr, "berth:", err)
			os.Exit(125)
		}
	})
	return cmd
}

// execCompose replaces this process with the compose helper. It tells the
// helper where the libexec directory and this CLI are: the helper runs
// from libexec, and containers' hooks must run the CLI.
func execCompose(args []string) error {
	libexec := config.LibexecDir()
	helper := filepath.Join(libexec, "berth-compose")
	if _, err := os.Stat(helper); err != nil {
		return fmt.Errorf("compose is not installed: %s is missing (make install puts it there)", helper)
	}
	self, err := config.CLIBinary()
	if err != nil {
		return err
	}
	env := append(os.Environ(), "BERTH_LIBEXEC="+libexec, config.CLIBinaryEnv+"="+self)
	if err := syscall.Exec(helper, append([]string{"berth"}, args...), env); err != nil {
		return fmt.Errorf("running %s: %w", helper, err)
	}
	return nil
}
