package container

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/errdefs"
	units "github.com/docker/go-units"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/opts"
	"github.com/berth-project/berth/pkg/prompt"
)

// PruneOptions are the flags of `container prune`.
type PruneOptions struct {
	// Filters are until= and label= (label!=) values.
	Filters opts.Filters
	// Force skips the confirmation prompt (-f).
	Force bool
}

// Validate checks the filters before the engine is dialed.
func (o *PruneOptions) Validate() error {
	return o.Filters.CheckPrune(time.Now())
}

// ErrPruneCancelled is returned when the user declines the prompt. Docker
// exits 0 and prints nothing more then; the command layer does the same.
var ErrPruneCancelled = errors.New("container prune has been cancelled")

const pruneWarning = `WARNING! This will remove all stopped containers.
Are you sure you want to continue?`

// Prune removes every container that is not running, after asking on out
// and reading the answer from in as Docker does: anything but y or Y, end
// of input included, declines. The space reclaimed is the removed
// containers' writable layers.
func Prune(ctx context.Context, cfg *config.Config, in io.Reader, out io.Writer, o PruneOptions) error {
	if err := prompt.ConfirmUnlessForced(ctx, in, out, o.Force, pruneWarning, ErrPruneCancelled); err != nil {
		return err
	}
	c, ctx, err := clientutil.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	deleted, reclaimed, err := PruneStopped(ctx, c, cfg, &o.Filters)
	prompt.Deleted(out, "Deleted Containers", deleted)
	prompt.Reclaimed(out, units.HumanSize(float64(reclaimed)))
	return err
}

// PruneStopped removes the containers that are not running and pass the
// until= and label= filters, and returns their IDs and the size of their
// writable layers. It goes on after a failure and returns them all.
func PruneStopped(ctx context.Context, c *client.Client, cfg *config.Config, f *opts.Filters) ([]string, int64, error) {
	store := containerutil.NewStore(cfg.DataRoot, cfg.Namespace)
	recs, err := listRecords(ctx, c, store)
	if err != nil {
		return nil, 0, err
	}
	until, err := f.Timestamps("until", time.Now())
	if err != nil {
		return nil, 0, err
	}
	sz := newDiskSizer(c)
	var deleted []string
	var reclaimed int64
	var errs []error
	for _, r := range recs {
		if r.state.Running || !f.MatchLabels(r.userLabels()) || !createdBeforeAll(r.created(), until) {
			continue
		}
		sz.measure(ctx, r)
		ctr, err := c.LoadContainer(ctx, r.info.ID)
		if err == nil {
			err = RemoveContainer(ctx, c, store, ctr, false)
		}
		var running *RunningError
		if errors.As(err, &running) || errdefs.IsNotFound(err) {
			continue // started or removed meanwhile: not ours to prune
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		deleted = append(deleted, r.info.ID)
		reclaimed += r.sizeRw
	}
	return deleted, reclaimed, errors.Join(errs...)
}

func createdBeforeAll(created time.Time, until []time.Time) bool {
	for _, t := range until {
		if !created.Before(t) {
			return false
		}
	}
	return true
}
