// Package system implements the engine and system commands.
package system

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/berth-project/berth/pkg/daemon"
	"github.com/berth-project/berth/pkg/formatter"
)

// DaemonStatusOptions are the flags of `daemon status`.
type DaemonStatusOptions struct {
	// Format is a Go template or "json".
	Format string
}

// DaemonStatus prints whether the engine runs and serves.
func DaemonStatus(ctx context.Context, d *daemon.Daemon, w io.Writer, o DaemonStatusOptions) error {
	st := d.Status(ctx)
	if o.Format != "" {
		return formatter.Object(w, o.Format, st)
	}
	state := "stopped"
	switch {
	case st.Running && st.Serving:
		state = fmt.Sprintf("running (pid %d)", st.Pid)
	case st.Running:
		state = fmt.Sprintf("starting or not serving (pid %d)", st.Pid)
	}
	fmt.Fprintf(w, "Engine:    %s\nSocket:    %s\nData root: %s\nLog:       %s\n", state, st.Socket, st.DataRoot, st.LogPath)
	return nil
}

// DaemonStopOptions are the flags of `daemon stop`.
type DaemonStopOptions struct {
	// Timeout is how many seconds to wait before killing the engine.
	Timeout int
}

// DaemonStop stops the engine and says so.
func DaemonStop(ctx context.Context, d *daemon.Daemon, w io.Writer, o DaemonStopOptions) error {
	err := d.Stop(ctx, time.Duration(o.Timeout)*time.Second)
	if errors.Is(err, daemon.ErrNotRunning) {
		fmt.Fprintln(w, "The engine is not running.")
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "The engine stopped; running containers keep running.")
	return nil
}

// DaemonLogsOptions are the flags of `daemon logs`.
type DaemonLogsOptions struct {
	// Tail is the number of lines from the end, 0 for all.
	Tail int
}

// DaemonLogs prints the log of the engine started in the background.
func DaemonLogs(_ context.Context, d *daemon.Daemon, w io.Writer, o DaemonLogsOptions) error {
	data, err := os.ReadFile(d.LogPath())
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no engine log at %s (the engine was never started in the background)", d.LogPath())
	}
	if err != nil {
		return err
	}
	lines := strings.SplitAfter(string(data), "\n")
	if o.Tail > 0 && len(lines) > o.Tail+1 {
		lines = lines[len(lines)-o.Tail-1:]
	}
	_, err = io.WriteString(w, strings.Join(lines, ""))
	return err
}

// DaemonForeground replaces this process with the engine, so that a
// supervisor that started `berth daemon` supervises the engine itself.
func DaemonForeground(d *daemon.Daemon) error {
	bin := d.Binary()
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("the engine binary %s is missing (reinstall berth): %w", bin, err)
	}
	return syscall.Exec(bin, append([]string{bin}, d.Args()...), os.Environ())
}
