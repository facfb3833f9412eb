// Command berth-logger writes a container's stdout and stderr to its log
// driver. containerd's shim starts it for a task created with berth's
// `binary://` log URI (see pkg/logging.LogURI): the URI's query arrives as
// `key value` argument pairs, the container as CONTAINER_ID and
// CONTAINER_NAMESPACE, its stdout as fd 3, its stderr as fd 4, and fd 5 is
// the pipe on which the logger says it is ready.
//
// One logger runs per running container, so it is a small binary of its
// own, with the standard library and pkg/logging only, and one P.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/berth-project/berth/pkg/logging"
)

func main() {
	runtime.GOMAXPROCS(1)
	os.Exit(run())
}

func run() int {
	spec, err := logging.ParseLoggerArgs(os.Args[1:], os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "berth-logger:", err)
		return 2
	}
	// The shim sends SIGTERM after closing its ends of the pipes: the
	// logger then drains what is left and exits.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	term := make(chan struct{})
	go func() {
		<-sigs
		close(term)
	}()
	stdout, stderr := pipe(3, "stdout"), pipe(4, "stderr")
	ready := os.NewFile(5, "ready")
	if err := logging.RunLogger(spec, stdout, stderr, ready, term, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "berth-logger:", err)
		return 1
	}
	return 0
}

// pipe wraps an inherited pipe in non-blocking mode, so that Go's poller
// serves it and reads can time out (how partial lines are flushed).
func pipe(fd int, name string) *os.File {
	if err := syscall.SetNonblock(fd, true); err != nil {
		return nil // not open: that stream is not logged
	}
	return os.NewFile(uintptr(fd), name)
}
