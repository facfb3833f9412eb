package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// runExec runs a command with the caller's stdio and appends one line to the
// file named by -o: wall-clock seconds and the peak RSS in KiB. The peak RSS
// is ru_maxrss from wait4, the figure GNU time prints as %M, so no package
// beyond Go is needed. It returns the command's exit status.
func runExec(ctx context.Context, args []string) int {
	if len(args) < 4 || args[0] != "-o" || args[2] != "--" {
		fmt.Fprintln(os.Stderr, "usage: benchtool exec -o FILE -- CMD [ARG...]")
		return 2
	}
	out, argv := args[1], args[3:]
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		fmt.Fprintf(os.Stderr, "benchtool exec: %v\n", err)
		return 127
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss
	}
	f, ferr := os.OpenFile(out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if ferr == nil {
		_, ferr = fmt.Fprintf(f, "%.6f %d\n", wall.Seconds(), rss)
		ferr = errors.Join(ferr, f.Close())
	}
	if ferr != nil {
		fmt.Fprintf(os.Stderr, "benchtool exec: recording the result: %v\n", ferr)
		return 125
	}
	return cmd.ProcessState.ExitCode()
}
