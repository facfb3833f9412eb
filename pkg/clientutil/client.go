// Package clientutil connects commands to the engine: berth's own (started
// when it is not serving) or the containerd named by --address.
package clientutil

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/containerd/v2/plugins"
	"github.com/containerd/errdefs"
	"github.com/containerd/log"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/daemon"
)

// Daemon describes the embedded engine that cfg points at.
func Daemon(cfg *config.Config) *daemon.Daemon {
	opts := []daemon.Opt{
		daemon.WithDataRoot(cfg.DataRoot),
		daemon.WithRunDir(cfg.RunDir),
		daemon.WithSnapshotter(cfg.Snapshotter),
		daemon.WithDebug(cfg.DebugFull),
	}
	if cfg.CgroupManager != "cgroupfs" {
		opts = append(opts, daemon.WithArgs("--cgroup-manager", cfg.CgroupManager))
	}
	return daemon.New(opts...)
}

// New returns a client in cfg's namespace and a context carrying it. For the
// embedded engine it starts the engine first when nothing serves.
func New(ctx context.Context, cfg *config.Config) (*client.Client, context.Context, error) {
	addr := cfg.EngineAddress()
	log.G(ctx).Debugf("engine address %s (berth's own engine: %v), namespace %s", addr, cfg.Embedded(), cfg.Namespace)
	if cfg.Embedded() {
		if err := Daemon(cfg).Start(ctx); err != nil {
			return nil, ctx, connectError(addr, err)
		}
	} else if _, err := os.Stat(addr); err != nil {
		return nil, ctx, connectError(addr, err)
	}
	c, err := client.New(addr, client.WithDefaultNamespace(cfg.Namespace), client.WithTimeout(5*time.Second),
		// Without it every new container asks the engine for a namespace label.
		client.WithDefaultRuntime(plugins.RuntimeRuncV2))
	if err != nil {
		return nil, ctx, connectError(addr, err)
	}
	return c, namespaces.WithNamespace(ctx, cfg.Namespace), nil
}

// connectError explains a failed connection and what to do about it.
func connectError(addr string, err error) error {
	var se *daemon.StartError
	var de *daemon.DirError
	switch {
	case errors.As(err, &se), errors.As(err, &de):
		return err
	case errors.Is(err, os.ErrPermission), errors.Is(err, syscall.EACCES):
		return fmt.Errorf("cannot connect to the engine at %s: permission denied (run as root, or use rootless mode: berth rootless setup)", addr)
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("cannot connect to the engine at %s: no such socket (is containerd running there?)", addr)
	}
	return fmt.Errorf("cannot connect to the engine at %s: %w", addr, err)
}

// IsNotFound reports a containerd "not found" error.
func IsNotFound(err error) bool { return errdefs.IsNotFound(err) }
