// Command benchtool is the Go half of berth's benchmarks (bench/run): the
// parts that are awkward in bash or that need berth's own packages. The
// scripts call one subcommand at a time:
//
//	benchtool registry [-mb 300] [-files 2000] [-ref bench/large:latest] [-small N]
//	benchtool exec -o FILE -- CMD [ARG...]
//	benchtool ready -dir ENGINEDIR -rounds N -o FILE
//	benchtool rootfs -o DIR
//	benchtool cleanup ENGINEDIR...
//	benchtool procmem -address SOCKET [-ids ID,...]
//	benchtool engstat -dir ENGINEDIR [-goroutines]
//	benchtool bundle -config CONFIG.json -rootfs DIR -o BUNDLE -cgroup PATH [-no-seccomp | -seccomp-arches A,B]
//
// An engine dir is laid out as pkg/testutil lays out a test engine:
// DIR/data, DIR/run, DIR/berth.toml, DIR/docker-config.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	var err error
	args := os.Args[2:]
	switch os.Args[1] {
	case "registry":
		err = runRegistry(ctx, args)
	case "exec":
		// exec passes the command's exit status on, so it exits itself.
		os.Exit(runExec(ctx, args))
	case "ready":
		err = runReady(ctx, args)
	case "rootfs":
		err = runRootfs(args)
	case "cleanup":
		err = runCleanup(ctx, args)
	case "procmem":
		err = runProcmem(args)
	case "engstat":
		err = runEngstat(ctx, args)
	case "bundle":
		err = runBundle(args)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "benchtool %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: benchtool registry|exec|ready|rootfs|cleanup|procmem|engstat|bundle [flags]")
	os.Exit(2)
}
