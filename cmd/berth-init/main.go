// Command berth-init is the PID 1 of a container run with --init: it
// starts the container's command, forwards the signals it receives to it,
// reaps every orphan that the kernel re-parents to it, and exits with the
// command's status (128+N when the command was killed by signal N).
//
// Usage: berth-init [--] COMMAND [ARG...]
//
// It is a static binary with no dependency beyond the standard library and
// x/sys, bind-mounted read-only into the container.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "berth-init: no command given\nusage: berth-init [--] COMMAND [ARG...]")
		os.Exit(2)
	}
	os.Exit(run(args))
}

// run starts the command and supervises it until it exits.
func run(args []string) int {
	// Every catchable signal is taken before the child exists, so that
	// none is lost in between.
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs)
	child, err := start(args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "berth-init: %v\n", err)
		return startStatus(err)
	}
	for sig := range sigs {
		s, ok := sig.(syscall.Signal)
		if !ok {
			continue
		}
		switch s {
		case unix.SIGCHLD:
			if status, done := reap(child); done {
				return status
			}
		case unix.SIGURG:
			// Go's scheduler preempts goroutines with SIGURG: most of
			// these are our own, not the sender's, so they stay here.
		default:
			_ = unix.Kill(child, s)
		}
	}
	return 0
}

// start runs the command in its own process group, in the foreground of
// the terminal when there is one, so that the terminal's job-control
// signals reach the command and not us twice.
func start(args []string) (int, error) {
	path, err := exec.LookPath(args[0])
	if err != nil {
		return 0, fmt.Errorf("exec %s: %w", args[0], err)
	}
	attr := &syscall.SysProcAttr{Setpgid: true}
	if _, err := unix.IoctlGetTermios(0, unix.TCGETS); err == nil {
		attr.Foreground, attr.Ctty = true, 0
	}
	p, err := os.StartProcess(path, args, &os.ProcAttr{
		Files: []*os.File{os.Stdin, os.Stdout, os.Stderr},
		Sys:   attr,
	})
	if err != nil {
		return 0, fmt.Errorf("exec %s: %w", args[0], err)
	}
	return p.Pid, nil
}

// startStatus is docker's status for a command that could not be started:
// 127 when it does not exist, 126 when it cannot be executed.
func startStatus(err error) int {
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
		return 127
	}
	return 126
}

// reap collects every exited child; done is true once the command itself
// has exited, with its status.
func reap(child int) (status int, done bool) {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil || pid <= 0 {
			return status, done
		}
		if pid != child {
			continue
		}
		done = true
		switch {
		case ws.Exited():
			status = ws.ExitStatus()
		case ws.Signaled():
			status = 128 + int(ws.Signal())
		}
	}
}
