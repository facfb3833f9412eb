package compose

import (
	"context"
	"fmt"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/containerd/containerd/v2/client"

	"github.com/berth-project/berth/pkg/cmd/container"
	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/netutil"
)

// convergeResult tells what converge did to a service.
type convergeResult struct {
	// started are the containers it started, by ID, with when.
	started map[string]time.Time
	// updated is set when it created or recreated a container: dependents
	// with `depends_on: {NAME: {restart: true}}` are restarted then.
	updated bool
}

// converge brings one service to its plan: the containers beyond its scale
// are removed, missing ones created, ones whose configuration (or image)
// changed recreated, and all of them started unless o.NoStart.
//
// restart restarts the running containers that are otherwise kept: a
// dependency they ask to follow (`restart: true`) was updated.
func (ss *session) converge(ctx context.Context, p *types.Project, name string, reps []*Replica, have []Ctr, imageID string, o UpOptions, restart bool) (convergeResult, error) {
	res := convergeResult{started: map[string]time.Time{}}
	s := p.Services[name]
	hash, err := ConfigHash(s)
	if err != nil {
		return res, err
	}
	stopOpts := &container.StopOptions{Timeout: o.Timeout, TimeoutSet: o.TimeoutSet}
	byNumber := map[int]Ctr{}
	for _, c := range have {
		if _, dup := byNumber[c.Number]; dup || c.Number < 1 || c.Number > len(reps) {
			// Scaled down, or a duplicate left by an interrupted run.
			if err := ss.stopAndRemove(ctx, c, stopOpts, false); err != nil {
				return res, err
			}
			continue
		}
		byNumber[c.Number] = c
	}
	for _, r := range reps {
		c, exists := byNumber[r.Number]
		var ctr client.Container
		switch {
		case !exists:
			if ctr, err = ss.createReplica(ctx, p, s, r, hash, imageID); err != nil {
				return res, err
			}
			res.updated = true
		case o.ForceRecreate || !o.NoRecreate && (c.Hash() != hash || c.Labels[LabelImage] != imageID):
			if ctr, err = ss.recreate(ctx, p, s, r, c, hash, imageID, stopOpts); err != nil {
				return res, err
			}
			res.updated = true
		default:
			if ctr, err = ss.load(ctx, c.ID); err != nil {
				return res, err
			}
			if c.State.Running && !c.State.Restarting && restart && !o.NoStart {
				ss.progress.event("Container", c.Name, "Restarting")
				at := time.Now()
				if err := container.RestartContainer(ctx, ss.c, ss.cfg, ctr, stopOpts); err != nil {
					return res, fmt.Errorf("restarting %s: %w", c.Name, err)
				}
				ss.progress.event("Container", c.Name, "Started")
				res.started[ctr.ID()] = at
				continue
			}
			if c.State.Running && !c.State.Restarting {
				ss.progress.event("Container", c.Name, "Running")
				continue
			}
		}
		if o.NoStart {
			continue
		}
		ss.progress.event("Container", r.Create.Name, "Starting")
		at := time.Now()
		if err := container.StartContainer(ctx, ss.c, ss.cfg, ctr); err != nil {
			return res, fmt.Errorf("starting %s: %w", r.Create.Name, err)
		}
		ss.progress.event("Container", r.Create.Name, "Started")
		res.started[ctr.ID()] = at
	}
	return res, nil
}

// createReplica creates one container with compose's labels and writes
// its per-network requests into its network plan.
func (ss *session) createReplica(ctx context.Context, p *types.Project, s types.ServiceConfig, r *Replica, hash, imageID string) (client.Container, error) {
	o := r.Create
	o.Labels = labelList(s.Labels, serviceLabels(p, s, r.Number, false, hash, imageID))
	if err := writeFiles(r.Files); err != nil {
		return nil, fmt.Errorf("service %q: %w", s.Name, err)
	}
	ss.progress.event("Container", o.Name, "Creating")
	ctr, err := container.Create(ctx, ss.c, ss.cfg, ss.s.Err, &o)
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", o.Name, err)
	}
	store := containerutil.NewStore(ss.cfg.DataRoot, ss.cfg.Namespace)
	if err := applyNetworkRequests(netutil.ConfigPaths(ss.cfg), store.ContainerDir(ctr.ID()), r.Networks); err != nil {
		_ = container.RemoveContainer(context.WithoutCancel(ctx), ss.c, store, ctr, true)
		return nil, fmt.Errorf("service %q: %w", s.Name, err)
	}
	ss.progress.event("Container", o.Name, "Created")
	return ctr, nil
}

// recreate replaces a container whose configuration changed.
func (ss *session) recreate(ctx context.Context, p *types.Project, s types.ServiceConfig, r *Replica, old Ctr, hash, imageID string, stop *container.StopOptions) (client.Container, error) {
	ss.progress.event("Container", old.Name, "Recreate")
	ctr, err := ss.load(ctx, old.ID)
	if err != nil {
		return nil, err
	}
	if err := container.StopContainer(ctx, ss.c, ss.cfg, ctr, stop); err != nil {
		return nil, fmt.Errorf("stopping %s: %w", old.Name, err)
	}
	store := containerutil.NewStore(ss.cfg.DataRoot, ss.cfg.Namespace)
	if err := container.RemoveContainer(ctx, ss.c, store, ctr, true); err != nil {
		return nil, fmt.Errorf("removing %s: %w", old.Name, err)
	}
	ctr, err = ss.createReplica(ctx, p, s, r, hash, imageID)
	if err != nil {
		return nil, err
	}
	ss.progress.event("Container", r.Create.Name, "Recreated")
	return ctr, nil
}

// stopAndRemove stops a container and removes it, with volumes its
// anonymous volumes.
func (ss *session) stopAndRemove(ctx context.Context, c Ctr, stop *container.StopOptions, volumes bool) error {
	ctr, err := ss.load(ctx, c.ID)
	if err != nil {
		return err
	}
	if c.State.Running {
		ss.progress.event("Container", c.Name, "Stopping")
		if err := container.StopContainer(ctx, ss.c, ss.cfg, ctr, stop); err != nil {
			return fmt.Errorf("stopping %s: %w", c.Name, err)
		}
		ss.progress.event("Container", c.Name, "Stopped")
	}
	ss.progress.event("Container", c.Name, "Removing")
	if err := container.RemoveWithVolumes(ctx, ss.c, ss.cfg, ctr, true, volumes); err != nil {
		return fmt.Errorf("removing %s: %w", c.Name, err)
	}
	ss.progress.event("Container", c.Name, "Removed")
	return nil
}
