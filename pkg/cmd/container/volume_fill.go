package container

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/mount"

	"github.com/berth-project/berth/pkg/volume"
)

// fill copies the image's content into the container's volumes that are
// still empty, as Docker does at a volume's first use: the container's
// snapshot, which holds the image, is mounted read-only for the copy.
func (p *volumePlan) fill(ctx context.Context, snapshotter, id string) error {
	var todo []*plannedMount
	for _, pm := range p.mounts {
		if pm.fill == "" {
			continue
		}
		if empty, err := volume.IsEmpty(pm.fill); err != nil {
			return err
		} else if empty {
			todo = append(todo, pm)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	mounts, err := p.c.SnapshotService(snapshotter).Mounts(ctx, id)
	if err != nil {
		return fmt.Errorf("mounting the container's filesystem to fill its volumes: %w", err)
	}
	return mount.WithReadonlyTempMount(ctx, mounts, func(root string) error {
		for _, pm := range todo {
			if err := p.volumes.Fill(pm.point.Name, pm.fill, root, pm.point.Destination); err != nil {
				return err
			}
		}
		return nil
	})
}

// finish releases the users lock. After a failed create it takes back the
// volumes and host directories the plan made: the volumes unless another
// container took them meanwhile, the directories if still empty.
func (p *volumePlan) finish(ctx context.Context, failed bool) {
	if p == nil {
		return
	}
	p.lock.Unlock()
	if !failed {
		return
	}
	// The users lock is taken again, exclusively: this process's shared
	// hold is gone, so it cannot wait on itself.
	_ = p.volumes.RemoveUnused(p.ctrs, engineContainers(ctx, p.c), p.created)
	p.created = nil
	for _, d := range p.dirs {
		for dir := d.leaf; ; dir = parentDir(dir) {
			if os.Remove(dir) != nil || dir == d.top {
				break
			}
		}
	}
	p.dirs = nil
}

func parentDir(p string) string {
	if i := strings.LastIndex(p, "/"); i > 0 {
		return p[:i]
	}
	return "/"
}

// engineContainers lists the IDs of the engine's containers in ctx's
// namespace: the containers whose metadata counts for the volumes' users.
func engineContainers(ctx context.Context, c *client.Client) volume.LiveFunc {
	return volume.EngineContainers(context.WithoutCancel(ctx), c)
}
