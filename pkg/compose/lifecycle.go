package compose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/cmd/container"
	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/prompt"
)

// open connects a compose command to the engine.
func open(ctx context.Context, cfg *config.Config, s container.Streams) (*session, context.Context, error) {
	c, ctx, err := clientutil.New(ctx, cfg)
	if err != nil {
		return nil, ctx, err
	}
	return &session{c: c, cfg: cfg, s: s, progress: &progress{w: s.Err}}, ctx, nil
}

func (ss *session) close() { ss.c.Close() }

// openServices is how most compose commands begin: it refuses service
// names the project does not have before anything is dialled, connects to
// the engine and lists the containers of the project's services that f
// selects besides (f.project and f.services are filled in; no services is
// all). The caller closes the session.
func openServices(ctx context.Context, cfg *config.Config, s container.Streams, p *Project, services []string, f filter) (*session, context.Context, []Ctr, error) {
	if err := p.CheckServices(services); err != nil {
		return nil, ctx, nil, err
	}
	ss, ctx, err := open(ctx, cfg, s)
	if err != nil {
		return nil, ctx, nil, err
	}
	f.project, f.services = p.Name, services
	ctrs, err := ss.list(ctx, f)
	if err != nil {
		ss.close()
		return nil, ctx, nil, err
	}
	return ss, ctx, ctrs, nil
}

// CheckServices refuses service names the project does not have. A
// project known only by its name (no files) has no list to check against.
func (p *Project) CheckServices(names []string) error {
	if len(p.Services) == 0 && len(p.DisabledServices) == 0 {
		return nil
	}
	for _, n := range names {
		_, enabled := p.Services[n]
		_, disabled := p.DisabledServices[n]
		if !enabled && !disabled {
			return fmt.Errorf("no such service: %s", n)
		}
	}
	return nil
}

// NameOnly is a project known only by its name, for commands that work
// from the containers' labels when there are no files (`-p app down`).
func NameOnly(name string) *Project {
	return &Project{Project: &types.Project{Name: name}}
}

// stopLevels groups containers in the order to stop them: dependents
// before what they depend on; the containers of one level together.
// Containers of services the project does not know come first.
func stopLevels(p *Project, ctrs []Ctr) [][]Ctr {
	rank := map[string]int{}
	n := 0
	if levels, err := StartOrder(p.Services); err == nil {
		n = len(levels)
		for i, level := range levels {
			for _, name := range level {
				rank[name] = n - i
			}
		}
	}
	out := make([][]Ctr, n+1)
	for _, c := range ctrs {
		out[rank[c.Service]] = append(out[rank[c.Service]], c)
	}
	return out
}

// stopAll stops the containers, all at once.
func (ss *session) stopAll(ctx context.Context, ctrs []Ctr, o *container.StopOptions) error {
	return ss.each(ctx, ctrs, "Stopping", "Stopped", func(ctx context.Context, c Ctr) error {
		ctr, err := ss.load(ctx, c.ID)
		if err != nil {
			return err
		}
		return container.StopContainer(ctx, ss.c, ss.cfg, ctr, o)
	})
}

// killAll kills the running containers.
func (ss *session) killAll(ctx context.Context, ctrs []Ctr) {
	_ = ss.each(ctx, ctrs, "Killing", "Killed", func(ctx context.Context, c Ctr) error {
		ctr, err := ss.load(ctx, c.ID)
		if err != nil {
			return err
		}
		return container.KillContainer(ctx, ss.c, ss.cfg, ctr, "KILL")
	})
}

// each runs fn on every container at once, with its progress, and joins
// the errors.
func (ss *session) each(ctx context.Context, ctrs []Ctr, doing, done string, fn func(context.Context, Ctr) error) error {
	var wg sync.WaitGroup
	errs := make([]error, len(ctrs))
	for i, c := range ctrs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ss.progress.event("Container", c.Name, doing)
			if err := fn(ctx, c); err != nil {
				errs[i] = fmt.Errorf("%s: %w", c.Name, err)
				ss.progress.event("Container", c.Name, "Error")
				return
			}
			ss.progress.event("Container", c.Name, done)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// inOrder runs fn on the containers one after another.
func (ss *session) inOrder(ctx context.Context, ctrs []Ctr, doing, done string, fn func(context.Context, Ctr) error) error {
	var errs []error
	for _, c := range ctrs {
		ss.progress.event("Container", c.Name, doing)
		if err := fn(ctx, c); err != nil {
			ss.progress.event("Container", c.Name, "Error")
			errs = append(errs, fmt.Errorf("%s: %w", c.Name, err))
			continue
		}
		ss.progress.event("Container", c.Name, done)
	}
	return errors.Join(errs...)
}

// StopOptions are the flags of `compose stop` and `compose restart`.
type StopOptions struct {
	// Services are the services to act on; none is all.
	Services []string
	// Timeout is -t; TimeoutSet tells -t 0 from none.
	Timeout    int
	TimeoutSet bool
}

func (o StopOptions) stop() *container.StopOptions {
	return &container.StopOptions{Timeout: o.Timeout, TimeoutSet: o.TimeoutSet}
}

// Stop stops the services' running containers, dependents first.
func Stop(ctx context.Context, cfg *config.Config, s container.Streams, p *Project, o StopOptions) error {
	ss, ctx, ctrs, err := openServices(ctx, cfg, s, p, o.Services, filter{})
	if err != nil {
		return err
	}
	defer ss.close()
	var errs []error
	for _, level := range stopLevels(p, ctrs) {
		errs = append(errs, ss.stopAll(ctx, level, o.stop()))
	}
	return errors.Join(errs...)
}

// Restart restarts the services' containers, stopped ones too.
func Restart(ctx context.Context, cfg *config.Config, s container.Streams, p *Project, o StopOptions) error {
	ss, ctx, ctrs, err := openServices(ctx, cfg, s, p, o.Services, filter{oneoff: "False", all: true})
	if err != nil {
		return err
	}
	defer ss.close()
	return ss.inOrder(ctx, ctrs, "Restarting", "Started", func(ctx context.Context, c Ctr) error {
		ctr, err := ss.load(ctx, c.ID)
		if err != nil {
			return err
		}
		return container.RestartContainer(ctx, ss.c, cfg, ctr, o.stop())
	})
}

// Start starts the services' existing containers, in dependency order,
// waiting for each dependency's condition as up does.
func Start(ctx context.Context, cfg *config.Config, s container.Streams, p *Project, services []string) error {
	ss, ctx, ctrs, err := openServices(ctx, cfg, s, p, services, filter{oneoff: "False", all: true})
	if err != nil {
		return err
	}
	defer ss.close()
	if len(ctrs) == 0 {
		return errors.New("no containers to start")
	}
	have := byService(ctrs)
	levels, err := StartOrder(p.Services)
	if err != nil || len(p.Services) == 0 {
		levels = [][]string{sortedKeys(have)}
	}
	for _, level := range levels {
		for _, name := range level {
			if len(have[name]) == 0 {
				continue
			}
			if svc, ok := p.Services[name]; ok {
				if err := ss.waitDependencies(ctx, p.Project, svc); err != nil {
					return err
				}
			}
			err := ss.inOrder(ctx, have[name], "Starting", "Started", func(ctx context.Context, c Ctr) error {
				ctr, err := ss.load(ctx, c.ID)
				if err != nil {
					return err
				}
				return container.StartContainer(ctx, ss.c, cfg, ctr)
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// KillOptions are the flags of `compose kill`.
type KillOptions struct {
	Services []string
	// Signal is -s; "" is SIGKILL.
	Signal string
	// RemoveOrphans also kills containers of services not in the files.
	RemoveOrphans bool
}

// Kill sends a signal to the services' running containers.
func Kill(ctx context.Context, cfg *config.Config, s container.Streams, p *Project, o KillOptions) error {
	ss, ctx, ctrs, err := openServices(ctx, cfg, s, p, o.Services, filter{})
	if err != nil {
		return err
	}
	defer ss.close()
	if len(ctrs) == 0 {
		return errors.New("no container to kill")
	}
	return ss.each(ctx, ctrs, "Killing", "Killed", func(ctx context.Context, c Ctr) error {
		ctr, err := ss.load(ctx, c.ID)
		if err != nil {
			return err
		}
		return container.KillContainer(ctx, ss.c, cfg, ctr, o.Signal)
	})
}

// Pause freezes the services' running containers; with unpause it thaws
// them.
func Pause(ctx context.Context, cfg *config.Config, s container.Streams, p *Project, services []string, unpause bool) error {
	ss, ctx, ctrs, err := openServices(ctx, cfg, s, p, services, filter{})
	if err != nil {
		return err
	}
	defer ss.close()
	verb, doing, done := container.Pause, "Pausing", "Paused"
	if unpause {
		verb, doing, done = container.Unpause, "Unpausing", "Unpaused"
	}
	return ss.each(ctx, ctrs, doing, done, func(ctx context.Context, c Ctr) error {
		return verb(ctx, cfg, container.Streams{Out: io.Discard, Err: s.Err}, []string{c.ID})
	})
}

// RmOptions are the flags of `compose rm`.
type RmOptions struct {
	Services []string
	// Force removes without asking; Stop stops running containers first.
	Force bool
	Stop  bool
	// Volumes would remove the containers' anonymous volumes.
	Volumes bool
}

// Rm removes the services' stopped containers (one-off ones too), after
// asking unless Force; with Stop it stops running ones first.
func Rm(ctx context.Context, cfg *config.Config, s container.Streams, p *Project, o RmOptions) error {
	ss, ctx, ctrs, err := openServices(ctx, cfg, s, p, o.Services, filter{all: true})
	if err != nil {
		return err
	}
	defer ss.close()
	if o.Stop {
		var running []Ctr
		for _, c := range ctrs {
			if c.State.Running {
				running = append(running, c)
			}
		}
		if err := ss.stopAll(ctx, running, &container.StopOptions{}); err != nil {
			return err
		}
		if ctrs, err = ss.list(ctx, filter{project: p.Name, services: o.Services, all: true}); err != nil {
			return err
		}
	}
	var gone []Ctr
	for _, c := range ctrs {
		if !c.State.Running {
			gone = append(gone, c)
		}
	}
	if len(gone) == 0 {
		fmt.Fprintln(s.Err, "No stopped containers")
		return nil
	}
	if !o.Force {
		ok, err := prompt.Confirm(ctx, s.In, s.Out, fmt.Sprintf("Going to remove %s\nAre you sure?", strings.Join(names(gone), ", ")))
		if err != nil || !ok {
			return err
		}
	}
	return ss.each(ctx, gone, "Removing", "Removed", func(ctx context.Context, c Ctr) error {
		ctr, err := ss.load(ctx, c.ID)
		if err != nil {
			return err
		}
		return container.RemoveWithVolumes(ctx, ss.c, cfg, ctr, false, o.Volumes)
	})
}
