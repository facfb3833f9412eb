package network

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/netutil"
	"github.com/berth-project/berth/pkg/opts"
	"github.com/berth-project/berth/pkg/prompt"
)

// RemoveOptions are the flags and arguments of `network rm`.
type RemoveOptions struct {
	// Force ignores networks that do not exist.
	Force bool
	// Networks are names, IDs or ID prefixes.
	Networks []string
}

// Remove deletes networks no container uses, printing each one as it was
// given; it goes on after an error and fails after the others.
func Remove(ctx context.Context, cfg *config.Config, w io.Writer, o RemoveOptions) error {
	p := prepare(ctx, cfg)
	nets, err := all(p)
	if err != nil {
		return err
	}
	var errs []error
	for _, q := range o.Networks {
		err := removeOne(ctx, p, nets, q)
		switch {
		case err == nil:
			fmt.Fprintln(w, q)
		case o.Force && netutil.IsNotFound(err):
		default:
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func removeOne(ctx context.Context, p netutil.Paths, nets []*netutil.Network, q string) error {
	n, err := lookup(nets, q)
	if err != nil {
		return err
	}
	if isPredefined(n.Name) {
		return fmt.Errorf("%s is a pre-defined network and cannot be removed", n.Name)
	}
	_, err = netutil.Remove(ctx, p, n.Name)
	return err
}

// PruneOptions are the flags of `network prune`.
type PruneOptions struct {
	// Filters are until= and label= (label!=) values.
	Filters opts.Filters
	// Force skips the confirmation prompt (-f).
	Force bool
}

// Validate checks the filters before anything is asked or removed.
func (o *PruneOptions) Validate() error {
	return o.Filters.CheckPrune(time.Now())
}

// ErrCancelled is returned when the user declines the prompt. Docker exits
// 0 and prints nothing more then; the command layer does the same.
var ErrCancelled = errors.New("network prune has been cancelled")

const pruneWarning = `WARNING! This will remove all custom networks not used by at least one container.
Are you sure you want to continue?`

// Prune removes the user's networks that no container uses, created or
// running: a stopped container keeps its networks, so that it can start
// again.
func Prune(ctx context.Context, cfg *config.Config, in io.Reader, out io.Writer, o PruneOptions) error {
	if _, err := o.Filters.Timestamps("until", time.Now()); err != nil {
		return err
	}
	if err := prompt.ConfirmUnlessForced(ctx, in, out, o.Force, pruneWarning, ErrCancelled); err != nil {
		return err
	}
	deleted, err := PruneUnused(ctx, cfg, &o.Filters)
	prompt.Deleted(out, "Deleted Networks", deleted)
	return err
}

// PruneUnused removes the user's networks that pass the until= and label=
// filters and that no container uses, and returns their names. It goes on
// after a failure and returns them all.
func PruneUnused(ctx context.Context, cfg *config.Config, f *opts.Filters) ([]string, error) {
	until, err := f.Timestamps("until", time.Now())
	if err != nil {
		return nil, err
	}
	p := prepare(ctx, cfg)
	nets, err := netutil.List(p)
	if err != nil {
		return nil, err
	}
	var deleted []string
	var errs []error
	for _, n := range prunable(nets, f, until) {
		if len(netutil.Users(p, n.Name)) > 0 {
			continue
		}
		_, err := netutil.Remove(ctx, p, n.Name)
		var inUse *netutil.InUseError
		switch {
		case errors.As(err, &inUse), netutil.IsNotFound(err):
			continue // taken or removed meanwhile: not ours to prune
		case err != nil:
			errs = append(errs, err)
			continue
		}
		deleted = append(deleted, n.Name)
	}
	return deleted, errors.Join(errs...)
}

// prunable are the user's networks that pass the filters, by name.
func prunable(nets []*netutil.Network, f *opts.Filters, until []time.Time) []*netutil.Network {
	var out []*netutil.Network
next:
	for _, n := range nets {
		if isPredefined(n.Name) || !f.MatchLabels(n.Labels) {
			continue
		}
		for _, t := range until {
			if !n.Created.Before(t) {
				continue next
			}
		}
		out = append(out, n)
	}
	sortNetworks(out)
	return out
}
