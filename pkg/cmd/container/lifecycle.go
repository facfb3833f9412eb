package container

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/errdefs"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
)

// target is one container a command acts on, with what most verbs need.
type target struct {
	c     *client.Client
	store *containerutil.Store
	ctr   client.Container
	// query is what the user typed: Docker echoes it back on success.
	query string
}

// forEach resolves each query and runs fn on it, in order, going on after
// an error as Docker does. With echo, the query is printed once fn
// succeeded. The errors are returned joined.
func forEach(ctx context.Context, cfg *config.Config, out io.Writer, queries []string, echo bool, fn func(context.Context, *target) error) error {
	c, ctx, err := clientutil.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	store := containerutil.NewStore(cfg.DataRoot, cfg.Namespace)
	var errs []error
	for _, q := range queries {
		ctr, err := containerutil.Resolve(ctx, c, store, q)
		if err == nil {
			err = fn(ctx, &target{c: c, store: store, ctr: ctr, query: q})
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if echo {
			fmt.Fprintln(out, q)
		}
	}
	return joinErrors(errs)
}

// joinErrors keeps a single *ExitError intact so that its status reaches
// the exit code; several errors are joined.
func joinErrors(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}

// loadTask returns the status of the container's task, or "" when it has none.
func loadTask(ctx context.Context, ctr client.Container) (client.Task, client.Status, error) {
	task, err := ctr.Task(ctx, nil)
	if errdefs.IsNotFound(err) {
		return nil, client.Status{}, nil
	}
	if err != nil {
		return nil, client.Status{}, err
	}
	st, err := task.Status(ctx)
	if errdefs.IsNotFound(err) {
		return nil, client.Status{}, nil
	}
	return task, st, err
}

// isLive reports a task whose processes exist: running, paused or pausing.
func isLive(st client.Status) bool {
	switch st.Status {
	case client.Running, client.Paused, client.Pausing:
		return true
	}
	return false
}

// notRunningError is Docker's wording for a verb that needs a running container.
func notRunningError(id string) error {
	return fmt.Errorf("container %s is not running", id)
}

// StartOptions are the flags and arguments of `start`.
type StartOptions struct {
	// Attach follows the container's output and returns its exit status (-a).
	Attach bool
	// Interactive attaches the caller's stdin (-i); it needs a container
	// created with -i -t.
	Interactive bool
	// DetachKeys ends an interactive session without stopping the container.
	DetachKeys string
	// StdinIsTerminal tells whether the caller's stdin is a terminal (-i
	// with a container's TTY needs one, as in Docker).
	StdinIsTerminal bool
	// Containers are the names or IDs to start.
	Containers []string
}

// Validate checks the flags before the engine is dialled.
func (o *StartOptions) Validate() error {
	if (o.Attach || o.Interactive) && len(o.Containers) > 1 {
		return errors.New("you cannot start and attach multiple containers at once")
	}
	if _, err := parseDetachKeys(o.DetachKeys); err != nil {
		return err
	}
	return nil
}

// Start starts stopped or created containers as `docker start` does. With
// Attach it follows the one container's output and returns its exit status.
func Start(ctx context.Context, cfg *config.Config, s Streams, o *StartOptions) error {
	attach := o.Attach || o.Interactive
	return forEach(ctx, cfg, s.Out, o.Containers, !attach, func(ctx context.Context, t *target) error {
		if attach {
			return startAttached(ctx, cfg, s, t, o)
		}
		_, _, err := startContainer(context.WithoutCancel(ctx), cfg, t)
		return err
	})
}

// startContainer starts the container's task with its logger unless it runs
// already, and returns the task and its exit channel (nil when it was
// running already).
func startContainer(ctx context.Context, cfg *config.Config, t *target) (client.Task, <-chan client.ExitStatus, error) {
	task, st, err := loadTask(ctx, t.ctr)
	if err != nil {
		return nil, nil, err
	}
	if isLive(st) {
		return task, nil, nil
	}
	meta, err := t.store.LoadMeta(t.ctr.ID())
	if err != nil {
		return nil, nil, fmt.Errorf("container %s: %w", t.query, err)
	}
	uri, err := containerLogURI(cfg, t.ctr.ID(), meta)
	if err != nil {
		return nil, nil, err
	}
	ioc, err := TaskIO(cfg, t.ctr.ID(), meta, uri)
	if err != nil {
		return nil, nil, err
	}
	return startTask(ctx, cfg, t.ctr, ioc, uri)
}

// RestartOptions are the flags and arguments of `restart`.
type RestartOptions struct {
	StopOptions
}

// Restart stops and starts containers as `docker restart` does.
func Restart(ctx context.Context, cfg *config.Config, s Streams, o *RestartOptions) error {
	return forEach(ctx, cfg, s.Out, o.Containers, true, func(ctx context.Context, t *target) error {
		ctx = context.WithoutCancel(ctx)
		if err := stopTarget(ctx, cfg, t, &o.StopOptions, false); err != nil {
			return err
		}
		_, _, err := startContainer(ctx, cfg, t)
		return err
	})
}
