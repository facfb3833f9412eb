package container

import (
	"context"
	"fmt"

	"github.com/containerd/containerd/v2/client"

	"github.com/berth-project/berth/pkg/config"
)

// Wait blocks until each container stops and prints its exit status, as
// `docker wait` does. A container that is not running answers at once: the
// status of its last run (kept in berth's metadata once the task is gone),
// or 0 when it never ran.
func Wait(ctx context.Context, cfg *config.Config, s Streams, containers []string) error {
	return forEach(ctx, cfg, s.Out, containers, false, func(ctx context.Context, t *target) error {
		code, err := waitExit(ctx, t)
		if err != nil {
			return err
		}
		fmt.Fprintln(s.Out, code)
		return nil
	})
}

func waitExit(ctx context.Context, t *target) (int, error) {
	task, st, err := loadTask(ctx, t.ctr)
	if err != nil {
		return 0, err
	}
	if task != nil && st.Status == client.Stopped {
		return int(st.ExitStatus), nil
	}
	if task != nil && st.Status != client.Created {
		exitC, err := task.Wait(ctx)
		if err != nil {
			return 0, err
		}
		select {
		case es := <-exitC:
			code, _, err := es.Result()
			return int(code), err
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	meta, err := t.store.LoadMeta(t.ctr.ID())
	if err != nil {
		return 0, err
	}
	return meta.State.ExitCode, nil
}
