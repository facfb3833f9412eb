package system

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	units "github.com/docker/go-units"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/cmd/container"
	"github.com/berth-project/berth/pkg/cmd/image"
	"github.com/berth-project/berth/pkg/cmd/network"
	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/opts"
	"github.com/berth-project/berth/pkg/prompt"
	"github.com/berth-project/berth/pkg/volume"
)

// PruneOptions are the flags of `system prune`.
type PruneOptions struct {
	// All removes every image no container uses, not only dangling ones.
	All bool
	// Volumes removes the anonymous volumes no container uses too.
	Volumes bool
	// Filters are until= and label= (label!=) values.
	Filters opts.Filters
	// Force skips the confirmation prompt (-f).
	Force bool
}

// Validate checks the filters before anything is asked or removed.
func (o *PruneOptions) Validate() error {
	if err := o.Filters.CheckPrune(time.Now()); err != nil {
		return err
	}
	// Docker's engine refuses until= for volumes after it has pruned the
	// rest; berth refuses it before pruning anything.
	if o.Volumes && o.Filters.Has("until") {
		return errors.New("invalid filter 'until': volumes cannot be filtered by age; " +
			"prune without --volumes, then run `berth volume prune`")
	}
	return nil
}

// ErrPruneCancelled is returned when the user declines the prompt; Docker
// exits 0 and prints nothing more then.
var ErrPruneCancelled = errors.New("system prune has been cancelled")

// pruneWarning is Docker's question, line for line. Docker adds a line on
// its build cache; berth has no builder, and so no build cache to remove.
func pruneWarning(o *PruneOptions) string {
	var b strings.Builder
	b.WriteString("WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n")
	if o.Volumes {
		b.WriteString("  - all anonymous volumes not used by at least one container\n")
	}
	if o.All {
		b.WriteString("  - all images without at least one container associated to them\n")
	} else {
		b.WriteString("  - all dangling images\n")
	}
	var filters []string
	for _, name := range []string{"label", "label!", "until"} {
		for _, v := range o.Filters.Get(name) {
			filters = append(filters, name+"="+v)
		}
	}
	sort.Strings(filters)
	if len(filters) > 0 {
		b.WriteString("\n  Items to be pruned will be filtered with:\n")
		for _, f := range filters {
			b.WriteString("  - " + f + "\n")
		}
	}
	b.WriteString("\nAre you sure you want to continue?")
	return b.String()
}

// Prune removes, as `docker system prune` does and in its order, the
// stopped containers, the unused networks, with Volumes the unused
// anonymous volumes, and the dangling images (with All every unused one),
// then prints the space reclaimed. Nothing in use is removed, not even by
// a container that is being created: see withUsersLock.
func Prune(ctx context.Context, cfg *config.Config, in io.Reader, out io.Writer, o PruneOptions) error {
	if err := prompt.ConfirmUnlessForced(ctx, in, out, o.Force, pruneWarning(&o), ErrPruneCancelled); err != nil {
		return err
	}
	c, ctx, err := clientutil.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	vols := volume.NewStore(cfg.DataRoot, cfg.Namespace)
	ctrs := containerutil.NewStore(cfg.DataRoot, cfg.Namespace)
	var reclaimed int64
	// The users lock, taken exclusively, waits for the creates under way
	// to finish: a container half-created is not taken for a stopped one.
	err = withUsersLock(vols, func() error {
		ids, size, err := container.PruneStopped(ctx, c, cfg, &o.Filters)
		prompt.Deleted(out, "Deleted Containers", ids)
		reclaimed += size
		return err
	})
	if err != nil {
		return err
	}
	nets, err := network.PruneUnused(ctx, cfg, &o.Filters)
	prompt.Deleted(out, "Deleted Networks", nets)
	if err != nil {
		return err
	}
	if o.Volumes {
		// Store.Prune decides and removes under the users lock itself.
		r, err := vols.Prune(ctrs, volume.EngineContainers(ctx, c), volume.PruneOptions{
			Match: func(v *volume.Volume) bool { return o.Filters.MatchLabels(v.Labels) },
		})
		prompt.Deleted(out, "Deleted Volumes", r.Deleted)
		reclaimed += r.Reclaimed
		if err != nil {
			return err
		}
	}
	err = withUsersLock(vols, func() error {
		lines, size, err := image.PruneUnused(ctx, c, cfg.Snapshotter, image.PruneOptions{All: o.All, Filters: o.Filters})
		prompt.Deleted(out, "Deleted Images", lines)
		reclaimed += size
		return err
	})
	if err != nil {
		return err
	}
	prompt.Reclaimed(out, units.HumanSize(float64(reclaimed)))
	return nil
}

// withUsersLock runs fn holding the volumes' users lock exclusively. A
// create holds it shared from before it makes its container until the
// container's metadata names its volumes, so under it every container the
// engine has is whole, and its image and volumes count as used.
func withUsersLock(vols *volume.Store, fn func() error) error {
	lock, err := vols.LockUsers()
	if err != nil {
		return fmt.Errorf("waiting for the containers being created: %w", err)
	}
	defer lock.Unlock()
	return fn()
}
