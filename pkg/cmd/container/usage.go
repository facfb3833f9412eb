package container

import (
	"context"
	"time"

	"github.com/containerd/containerd/v2/client"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
)

// Usage is one container as `system df` counts it.
type Usage struct {
	// Row is the container's ps row (the fields of `system df -v`'s
	// table, its templates and its JSON), its SIZE the writable layer
	// only, as Docker's df shows it.
	Row any
	// SizeRw is the size of the container's writable layer.
	SizeRw int64
	// Active is a running, paused or restarting container: its layer is
	// not reclaimable.
	Active bool
}

// DiskUsage lists the containers of cfg's namespace with their writable
// layers' sizes, newest first; trunc shortens IDs and commands as ps does.
func DiskUsage(ctx context.Context, c *client.Client, cfg *config.Config, trunc bool) ([]Usage, error) {
	recs, err := listRecords(ctx, c, containerutil.NewStore(cfg.DataRoot, cfg.Namespace))
	if err != nil {
		return nil, err
	}
	sz := newDiskSizer(c)
	for _, r := range recs {
		sz.measure(ctx, r)
		r.sizeRootFs = 0 // Docker's df leaves the image's layers out
	}
	rows := psRows(recs, trunc, time.Now())
	out := make([]Usage, len(recs))
	for i, r := range recs {
		switch r.state.Status {
		case StatusRunning, StatusPaused, StatusRestarting:
			out[i].Active = true
		}
		out[i].Row, out[i].SizeRw = rows[i], r.sizeRw
	}
	return out, nil
}
