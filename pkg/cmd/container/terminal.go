package container

import (
	"context"
	"time"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
)

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
