// Command berth-engine is berth's embedded engine: containerd v2 with its
// builtin plugins, configured by berth, plus berth's supervisor (health
// checks). It lives in libexec beside runc and the shim, apart from the CLI:
// linking containerd's server into every CLI process cost 15 MiB of RSS per
// command. `berth daemon` runs it in the foreground; any berth command starts
// it in the background when nothing serves.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/daemon"
	"github.com/berth-project/berth/pkg/daemon/server"
)

func main() {
	def := config.Default()
	dataRoot := flag.String("data-root", def.DataRoot, "root of berth's state and the engine's data")
	runDir := flag.String("run-dir", def.RunDir, "directory of the socket, state and log")
	snapshotter := flag.String("snapshotter", def.Snapshotter, "snapshotter images are unpacked into")
	debug := flag.Bool("debug-full", false, "log at debug level")
	cgroupManager := flag.String("cgroup-manager", def.CgroupManager, "cgroup manager")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "berth: berth-engine takes no arguments, got %q\n", flag.Args())
		os.Exit(125)
	}
	_ = cgroupManager // containers choose their cgroup driver; accepted for the CLI's sake
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "berth:", err)
		os.Exit(125)
	}
	d := daemon.New(daemon.WithDataRoot(*dataRoot), daemon.WithRunDir(*runDir),
		daemon.WithSnapshotter(*snapshotter), daemon.WithDebug(*debug), daemon.WithBinary(exe))
	// containerd handles SIGTERM and SIGINT itself and returns from Run.
	if err := server.Run(context.Background(), d, filepath.Dir(exe)); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "berth:", err)
		os.Exit(125)
	}
}
