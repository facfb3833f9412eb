// Package server runs the embedded containerd in the current process. It is
// kept apart from package daemon so that tests and the CLI, which only
// supervise the engine, do not link the whole server.
package server

import (
	"context"
	"fmt"
	"os"

	"github.com/containerd/containerd/v2/cmd/containerd/command"
	// The engine's builtin plugins: snapshotters, runtime, restart monitor,
	// transfer, GC, sandbox controller.
	_ "github.com/containerd/containerd/v2/cmd/containerd/builtins"

	"github.com/berth-project/berth/pkg/daemon"
)

// Run serves the engine in the foreground until ctx ends or it is signalled.
// libexec is put first on PATH so that containerd finds the shim link and the
// shim finds the bundled runc.
func Run(ctx context.Context, d *daemon.Daemon, libexec string) error {
	if err := d.PrepareDataRoot(); err != nil {
		return err
	}
	lock, err := d.AcquireRoot()
	if err != nil {
		return err
	}
	defer lock.Release()
	if err := d.PrepareRunDir(); err != nil {
		return err
	}
	path, err := d.WriteConfig()
	if err != nil {
		return fmt.Errorf("writing engine config: %w", err)
	}
	if err := os.Setenv("PATH", libexec+string(os.PathListSeparator)+os.Getenv("PATH")); err != nil {
		return err
	}
	// The supervisor (health checks, start and exit records) lives as long
	// as the engine: it must go on after the CLI that started a container exits.
	stop := startSupervisor(ctx, d)
	defer stop()
	return command.App().Run(ctx, []string{"containerd", "--config", path})
}
