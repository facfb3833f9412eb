package compose

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"golang.org/x/sync/errgroup"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/cmd/container"
	"github.com/berth-project/berth/pkg/config"
)

// UpOptions are the flags of `compose up`; `compose create` uses the part
// that creates.
type UpOptions struct {
	// Services are the services named on the command line; none is all.
	Services []string
	// Detach leaves the containers running in the background (-d).
	Detach bool
	// NoStart creates the containers without starting them (create).
	NoStart bool
	// ForceRecreate recreates containers whose configuration is unchanged;
	// NoRecreate keeps existing containers even when it changed.
	ForceRecreate bool
	NoRecreate    bool
	// RemoveOrphans removes containers of services no longer in the files.
	RemoveOrphans bool
	// Scale sets the number of containers of services (--scale SVC=N).
	Scale Scales
	// Wait waits until the services run (and are healthy, where they have a
	// health check); it implies Detach. WaitTimeout bounds it (0: none).
	Wait        bool
	WaitTimeout time.Duration
	// AbortOnContainerExit stops every container once one exits;
	// ExitCodeFrom also returns that service's exit status, and implies it.
	AbortOnContainerExit bool
	ExitCodeFrom         string
	// NoDeps leaves the services the named ones depend on alone.
	NoDeps bool
	// Pull is --pull: "always", "missing", "never", or "" (each service's
	// pull_policy).
	Pull string
	// Timeout is -t, the stop grace period when containers are recreated
	// or stopped; TimeoutSet tells -t 0 from none.
	Timeout    int
	TimeoutSet bool
	// NoColor prints attached output without colours; NoLogPrefix without
	// the "web-1  | " prefix.
	NoColor     bool
	NoLogPrefix bool
}

// Validate checks flag combinations before anything is loaded.
func (o *UpOptions) Validate() error {
	if o.ForceRecreate && o.NoRecreate {
		return errors.New("--force-recreate and --no-recreate are incompatible")
	}
	if o.ExitCodeFrom != "" {
		o.AbortOnContainerExit = true
	}
	if o.Detach && o.AbortOnContainerExit {
		return errors.New("--abort-on-container-exit and --detach are incompatible")
	}
	if o.Wait && o.AbortOnContainerExit {
		return errors.New("--abort-on-container-exit and --wait are incompatible")
	}
	if o.Wait {
		o.Detach = true
	}
	switch o.Pull {
	case "", pullAlways, pullMissing, pullNever, "policy":
	default:
		return fmt.Errorf("invalid --pull option %q: must be always, missing, never or policy", o.Pull)
	}
	for name, n := range o.Scale {
		if n < 0 {
			return fmt.Errorf("invalid --scale %s=%d: the number of containers cannot be negative", name, n)
		}
	}
	return nil
}

// Up creates and starts the project's containers, as `docker compose up`:
// images first, then networks, then each service after the services it
// depends on, each in the state its conditions ask for. Containers whose
// configuration did not change are left as they are. Attached, it prints
// the containers' output until they all exit.
func Up(ctx context.Context, cfg *config.Config, s container.Streams, p *Project, o UpOptions) error {
	sel, err := p.Select(o.Services, o.NoDeps)
	if err != nil {
		return err
	}
	if o.ExitCodeFrom != "" {
		if _, ok := sel.Services[o.ExitCodeFrom]; !ok {
			return fmt.Errorf("no such service: %s", o.ExitCodeFrom)
		}
	}
	// Everything that can be checked without the engine is checked first,
	// so that bad input creates nothing.
	plan, err := Plan(sel, o.Scale, StateDir(cfg, p.Name))
	if err != nil {
		return err
	}
	levels, err := StartOrder(sel.Services)
	if err != nil {
		return err
	}
	c, ctx, err := clientutil.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	ss := &session{c: c, cfg: cfg, s: s, progress: &progress{w: s.Err}}
	p.Warn(s.Err)
	fresh, err := ss.up(ctx, p, sel, plan, levels, o)
	if err != nil {
		return err
	}
	if o.NoStart {
		return nil
	}
	if o.Detach {
		if o.Wait {
			return ss.waitReady(ctx, sel.Project, o.WaitTimeout)
		}
		return nil
	}
	return ss.attach(ctx, sel.Project, fresh, o)
}

// up makes the selected services' containers as planned, level after
// level, and returns the IDs of those it started.
func (ss *session) up(ctx context.Context, p, sel *Project, plan map[string][]*Replica, levels [][]string, o UpOptions) (map[string]time.Time, error) {
	services := serviceList(sel.Project)
	imageIDs, err := ss.ensureImages(ctx, services, o.Pull)
	if err != nil {
		return nil, err
	}
	// Volumes are checked before networks are made, so that a missing
	// external volume leaves nothing behind.
	if err := ss.checkVolumes(sel.Project, services); err != nil {
		return nil, err
	}
	if err := ss.ensureNetworks(sel.Project, services); err != nil {
		return nil, err
	}
	if err := ss.ensureVolumes(sel.Project, services); err != nil {
		return nil, err
	}
	existing, err := ss.list(ctx, filter{project: p.Name, oneoff: "False", all: true})
	if err != nil {
		return nil, err
	}
	if err := ss.orphans(ctx, p, existing, o.RemoveOrphans); err != nil {
		return nil, err
	}
	have := byService(existing)
	fresh := map[string]time.Time{}
	updated := map[string]bool{}
	for _, level := range levels {
		g, gctx := errgroup.WithContext(ctx)
		results := make([]convergeResult, len(level))
		for i, name := range level {
			g.Go(func() error {
				if !o.NoStart {
					if err := ss.waitDependencies(gctx, sel.Project, sel.Services[name]); err != nil {
						return err
					}
				}
				restart := false
				for dep, d := range sel.Services[name].DependsOn {
					restart = restart || d.Restart && updated[dep]
				}
				r, err := ss.converge(gctx, sel.Project, name, plan[name], have[name], imageIDs[sel.Services[name].Image], o, restart)
				results[i] = r
				return err
			})
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
		for i, r := range results {
			for id, at := range r.started {
				fresh[id] = at
			}
			updated[level[i]] = r.updated
		}
	}
	return fresh, nil
}

// StateDir is where berth keeps its own files of a project: the secrets
// and configs it writes for the services.
func StateDir(cfg *config.Config, project string) string {
	return filepath.Join(cfg.DataRoot, cfg.Namespace, "compose", project)
}

// serviceList is the project's services, by name.
func serviceList(p *types.Project) []types.ServiceConfig {
	names := p.ServiceNames()
	slices.Sort(names)
	out := make([]types.ServiceConfig, 0, len(names))
	for _, n := range names {
		out = append(out, p.Services[n])
	}
	return out
}

// orphans are the project's containers whose service is not in the files
// (any more): removed with --remove-orphans, else reported.
func (ss *session) orphans(ctx context.Context, p *Project, ctrs []Ctr, remove bool) error {
	var orphans []Ctr
	for _, c := range ctrs {
		_, enabled := p.Services[c.Service]
		_, disabled := p.DisabledServices[c.Service]
		if !enabled && !disabled {
			orphans = append(orphans, c)
		}
	}
	if len(orphans) == 0 {
		return nil
	}
	if !remove {
		fmt.Fprintf(ss.s.Err, "WARNING: Found orphan containers (%s) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.\n",
			strings.Join(names(orphans), ", "))
		return nil
	}
	for _, c := range orphans {
		if err := ss.stopAndRemove(ctx, c, &container.StopOptions{}, false); err != nil {
			return err
		}
	}
	return nil
}
