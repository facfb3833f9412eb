package container

import (
	"context"

	"github.com/containerd/containerd/v2/client"
)

// diskSizer measures containers' disk use from the snapshotter: the writable
// layer (Docker's SizeRw) and the whole root filesystem, image layers
// included (SizeRootFs). The image layers' sum is cached, since containers
// of one image share it.
type diskSizer struct {
	c      *client.Client
	chains map[string]int64
}

func newDiskSizer(c *client.Client) *diskSizer {
	return &diskSizer{c: c, chains: map[string]int64{}}
}

// measure fills r's sizes; a container without a snapshot has none.
func (s *diskSizer) measure(ctx context.Context, r *ctrRecord) {
	r.sized = true
	if r.info.SnapshotKey == "" || r.info.Snapshotter == "" {
		return
	}
	sn := s.c.SnapshotService(r.info.Snapshotter)
	u, err := sn.Usage(ctx, r.info.SnapshotKey)
	if err != nil {
		return
	}
	r.sizeRw = u.Size
	info, err := sn.Stat(ctx, r.info.SnapshotKey)
	if err != nil {
		return
	}
	r.sizeRootFs = r.sizeRw + s.chain(ctx, r.info.Snapshotter, info.Parent)
}

// chain is the size of a committed snapshot and all its parents.
func (s *diskSizer) chain(ctx context.Context, snapshotter, name string) int64 {
	if name == "" {
		return 0
	}
	key := snapshotter + "/" + name
	if n, ok := s.chains[key]; ok {
		return n
	}
	sn := s.c.SnapshotService(snapshotter)
	var total int64
	if u, err := sn.Usage(ctx, name); err == nil {
		total = u.Size
	}
	if info, err := sn.Stat(ctx, name); err == nil {
		total += s.chain(ctx, snapshotter, info.Parent)
	}
	s.chains[key] = total
	return total
}
