package image

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/snapshots"
	"github.com/opencontainers/go-digest"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/opts"
	"github.com/berth-project/berth/pkg/prompt"
)

// PruneOptions are the flags of `image prune`.
type PruneOptions struct {
	// All removes every image no container uses, not only dangling ones.
	All bool
	// Filters are until= and label= (label!=) values.
	Filters opts.Filters
	// Force skips the confirmation prompt.
	Force bool
}

// Validate checks the filters before the engine is dialed.
func (o *PruneOptions) Validate() error {
	return o.Filters.CheckPrune(time.Now())
}

// ErrCancelled is returned when the user declines a prompt. Docker exits 0
// and prints nothing more then; the command layer does the same.
var ErrCancelled = cancelledError{}

type cancelledError struct{}

func (cancelledError) Error() string { return "image prune has been cancelled" }

const (
	pruneAllWarning = `WARNING! This will remove all images without at least one container associated to them.
Are you sure you want to continue?`
	pruneDanglingWarning = `WARNING! This will remove all dangling images.
Are you sure you want to continue?`
)

// Prune removes dangling images, or with All every image no container
// uses, after asking on out and reading the answer from in as Docker does:
// anything but y or Y, end of input included, declines.
func Prune(ctx context.Context, cfg *config.Config, in io.Reader, out io.Writer, o PruneOptions) error {
	warning := pruneDanglingWarning
	if o.All {
		warning = pruneAllWarning
	}
	if err := prompt.ConfirmUnlessForced(ctx, in, out, o.Force, warning, ErrCancelled); err != nil {
		return err
	}
	ctx, st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.close()
	lines, reclaimed, err := st.prune(ctx, o)
	prompt.Deleted(out, "Deleted Images", lines)
	if err != nil {
		return err
	}
	prompt.Reclaimed(out, storeHumanSize(reclaimed))
	return nil
}

// prune removes the candidates and returns Docker's lines and the space
// freed, measured as the engine's disk use before and after.
func (st *localStore) prune(ctx context.Context, o PruneOptions) ([]string, int64, error) {
	match, err := st.compileFilter(&o.Filters, time.Now())
	if err != nil {
		return nil, 0, err
	}
	users, err := st.users(ctx)
	if err != nil {
		return nil, 0, err
	}
	var victims []digest.Digest
	for _, id := range st.ids() {
		recs := st.withID(id)
		var sum imageSummary
		for _, n := range st.namesOf(id) {
			sum.addName(n.rec.Name, n.rec.Target.Digest)
		}
		dangling := len(sum.repoTags) == 0 && len(sum.repoDigests) == 0
		if (dangling || o.All) && len(users[id]) == 0 && match(recs[0], &sum) {
			victims = append(victims, id)
		}
	}
	if len(victims) == 0 {
		return nil, 0, nil
	}
	before := st.diskUsage(ctx)
	var lines []string
	for _, id := range victims {
		removed, err := st.deleteImage(ctx, id)
		for _, l := range removed {
			// Docker's prune report uses lower case.
			lines = append(lines, strings.ToLower(l[:1])+l[1:])
		}
		if err != nil {
			return lines, 0, err
		}
	}
	return lines, max(before-st.diskUsage(ctx), 0), nil
}

// diskUsage is the size of the engine's content and committed snapshots.
func (st *localStore) diskUsage(ctx context.Context) int64 {
	var total int64
	_ = st.cs.Walk(ctx, func(info content.Info) error {
		total += info.Size
		return nil
	})
	sn := st.client.SnapshotService(st.snapshotter)
	_ = sn.Walk(ctx, func(ctx context.Context, info snapshots.Info) error {
		if info.Kind == snapshots.KindCommitted {
			if u, err := sn.Usage(ctx, info.Name); err == nil {
				total += u.Size
			}
		}
		return nil
	})
	return total
}
