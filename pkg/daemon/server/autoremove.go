package server

import (
	"context"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/namespaces"

	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/logging"
	"github.com/berth-project/berth/pkg/volume"
)

// autoRemove removes a container run with `-d --rm` (or created with --rm)
// once it exits: no CLI waits for it, so the engine does what the CLI of an
// attached `run --rm` does. labels are the container's, as the caller read
// them; a container without LabelAutoRemove, or with a restart policy
// (which wins over --rm, as in Docker), is left alone.
func (s *supervisor) autoRemove(ctx context.Context, c *client.Client, ns, id string, labels map[string]string) {
	if labels[containerutil.LabelAutoRemove] == "" {
		return
	}
	if _, ok := labels[containerutil.RestartPolicyLabel]; ok {
		return
	}
	ctx = namespaces.WithNamespace(ctx, ns)
	ctr, err := c.LoadContainer(ctx, id)
	if err != nil {
		return
	}
	if task, err := ctr.Task(ctx, nil); err == nil {
		_, _ = task.Delete(ctx, client.WithProcessKill)
	}
	store := containerutil.NewStore(s.dataRoot, ns)
	var anonymous []string
	if meta, err := store.LoadMeta(id); err == nil {
		anonymous = volume.AnonymousOf(meta)
	}
	if err := ctr.Delete(ctx, client.WithSnapshotCleanup); err != nil {
		return
	}
	_ = store.ReleaseName(labels[containerutil.LabelName], id)
	_ = store.RemoveContainer(id)
	// As `run --rm` attached: the anonymous volumes go too, unless another
	// container uses them.
	_ = volume.NewStore(s.dataRoot, ns).RemoveUnused(store, volume.EngineContainers(ctx, c), anonymous)
}

// removeAfterCLI removes an attached `run --rm` container whose CLI went
// away without removing it (killed, or its terminal closed), as Docker's
// engine would have. The CLI holds the container's log lock until it has
// removed the container; once nothing holds it, whatever is left is the
// engine's to remove.
func (s *supervisor) removeAfterCLI(ctx context.Context, c *client.Client, ns, id string) {
	for logging.LoggerRunning(s.dataRoot, ns, id) {
		select {
		case <-ctx.Done():
			return
		case <-time.After(cliPoll):
		}
	}
	// Read again: a CLI that detached (--detach-keys) handed the container
	// over to the engine by relabelling it.
	s.autoRemove(ctx, c, ns, id, containerLabels(ctx, c, ns, id))
}

// cliPoll is how often removeAfterCLI looks whether the CLI is still there.
const cliPoll = time.Second

// containerLabels are a container's labels, nil when it cannot be read.
func containerLabels(ctx context.Context, c *client.Client, ns, id string) map[string]string {
	ctx = namespaces.WithNamespace(ctx, ns)
	info, err := c.ContainerService().Get(ctx, id)
	if err != nil {
		return nil
	}
	return info.Labels
}
