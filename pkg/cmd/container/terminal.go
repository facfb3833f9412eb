package container

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/containerd/console"
	"github.com/containerd/containerd/v2/client"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
)

// setupTerminal puts the caller's terminal in raw mode and makes the
// container's terminal follow the window's size. It returns the undo.
func setupTerminal(ctx context.Context, task client.Task) func() {
	con, err := console.ConsoleFromFile(os.Stdin)
	if err != nil {
		return func() {}
	}
	if err := con.SetRaw(); err != nil {
		return func() {}
	}
	resize := func() {
		if size, err := con.Size(); err == nil {
			_ = task.Resize(ctx, uint32(size.Width), uint32(size.Height))
		}
	}
	resize()
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-winch:
				resize()
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(winch)
		close(done)
		_ = con.Reset()
	}
}

// recordExit keeps the exit status and time in berth's metadata: the engine
// forgets them once the stopped task is deleted.
func recordExit(ctx context.Context, cfg *config.Config, id string, code int, at time.Time) {
	store := containerutil.NewStore(cfg.DataRoot, cfg.Namespace)
	_ = store.UpdateMeta(id, func(m *containerutil.Meta) error {
		m.State.ExitCode = code
		m.State.FinishedAt = at.UTC()
		return nil
	})
}
