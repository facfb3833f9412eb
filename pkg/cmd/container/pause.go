package container

import (
	"context"
	"fmt"

	"github.com/containerd/containerd/v2/client"

	"github.com/berth-project/berth/pkg/config"
)

// Pause freezes every process of containers (the cgroup freezer), as
// `docker pause` does.
func Pause(ctx context.Context, cfg *config.Config, s Streams, containers []string) error {
	return forEach(ctx, cfg, s.Out, containers, true, func(ctx context.Context, t *target) error {
		task, st, err := loadTask(ctx, t.ctr)
		if err != nil {
			return err
		}
		switch st.Status {
		case client.Paused, client.Pausing:
			return fmt.Errorf("container %s is already paused", t.ctr.ID())
		case client.Running:
			return task.Pause(ctx)
		}
		return notRunningError(t.ctr.ID())
	})
}

// Unpause thaws paused containers, as `docker unpause` does.
func Unpause(ctx context.Context, cfg *config.Config, s Streams, containers []string) error {
	return forEach(ctx, cfg, s.Out, containers, true, func(ctx context.Context, t *target) error {
		task, st, err := loadTask(ctx, t.ctr)
		if err != nil {
			return err
		}
		if st.Status != client.Paused && st.Status != client.Pausing {
			return fmt.Errorf("container %s is not paused", t.ctr.ID())
		}
		return task.Resume(ctx)
	})
}
