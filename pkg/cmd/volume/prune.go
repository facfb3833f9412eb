package volume

import (
	"context"
	"errors"
	"io"

	units "github.com/docker/go-units"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/opts"
	"github.com/berth-project/berth/pkg/prompt"
	"github.com/berth-project/berth/pkg/volume"
)

// PruneOptions are the flags of `volume prune`.
type PruneOptions struct {
	// All removes unused named volumes too (-a, or --filter all=true).
	All bool
	// Filters are label= (label!=) and all= values.
	Filters opts.Filters
	// Force skips the confirmation prompt (-f).
	Force bool
}

// Validate checks the filters before anything is done.
func (o *PruneOptions) Validate() error {
	if err := o.Filters.CheckKeys("label", "label!", "all"); err != nil {
		return err
	}
	for _, v := range o.Filters.Get("all") {
		all, err := parseBool(v)
		if err != nil {
			return opts.InvalidFilter("all", v)
		}
		o.All = o.All || all
	}
	return nil
}

// ErrPruneCancelled is returned when the user declines the prompt; Docker
// exits 0 then.
var ErrPruneCancelled = errors.New("volume prune has been cancelled")

const (
	pruneWarning = `WARNING! This will remove anonymous local volumes not used by at least one container.
Are you sure you want to continue?`
	pruneAllWarning = `WARNING! This will remove all local volumes not used by at least one container.
Are you sure you want to continue?`
)

// Prune removes the volumes no container uses, after asking as Docker
// does: the anonymous ones only, unless All. A container being created
// holds its volumes: they are never removed from under it.
func Prune(ctx context.Context, cfg *config.Config, in io.Reader, out io.Writer, o PruneOptions) error {
	warning := pruneWarning
	if o.All {
		warning = pruneAllWarning
	}
	if err := prompt.ConfirmUnlessForced(ctx, in, out, o.Force, warning, ErrPruneCancelled); err != nil {
		return err
	}
	var report volume.PruneReport
	err := withUsers(ctx, cfg, func(store *volume.Store, ctrs *containerutil.Store, live volume.LiveFunc) error {
		var err error
		report, err = store.Prune(ctrs, live, volume.PruneOptions{
			All:   o.All,
			Match: func(v *volume.Volume) bool { return o.Filters.MatchLabels(v.Labels) },
		})
		return err
	})
	if err != nil && len(report.Deleted) == 0 {
		return err
	}
	prompt.Deleted(out, "Deleted Volumes", report.Deleted)
	prompt.Reclaimed(out, units.HumanSize(float64(report.Reclaimed)))
	return err
}
