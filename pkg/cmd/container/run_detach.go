package container

import (
	"context"
	"errors"
	"net/url"
	"time"

	"github.com/containerd/containerd/v2/client"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
)

// validateDetachKeys checks run's --detach-keys: the keys end an attached
// session of a container with a terminal, so they need -i and -t, and a
// log to follow.
func (o *RunOptions) validateDetachKeys() error {
	if o.DetachKeys == "" {
		return nil
	}
	if _, err := parseDetachKeys(o.DetachKeys); err != nil {
		return err
	}
	switch {
	case o.Detach:
		return errors.New("--detach-keys has no effect with -d: give it to `berth attach`")
	case !o.Interactive || !o.TTY:
		return errors.New("--detach-keys needs -i and -t: the keys are read from the terminal")
	case o.LogDriver == "none":
		return errors.New("--detach-keys needs a log driver that keeps the output (not none)")
	}
	return nil
}

// runWithDetachKeys runs `run -it --detach-keys`: the container gets the
// logger and a stdin FIFO as a detached one does, and the caller the same
// session `attach` gives. The keys end the session and leave the container
// running; with --rm the engine then removes it when it exits.
func runWithDetachKeys(ctx context.Context, c *client.Client, cfg *config.Config, ctr client.Container, meta *containerutil.Meta, uri *url.URL, s Streams, o *RunOptions) error {
	cleanCtx := context.WithoutCancel(ctx)
	keys, err := parseDetachKeys(o.DetachKeys)
	if err != nil {
		return err
	}
	ioc, err := TaskIO(cfg, ctr.ID(), meta, uri)
	if err != nil {
		removeContainer(cleanCtx, c, cfg, ctr)
		return err
	}
	began := time.Now().Add(-time.Millisecond)
	flags := startFlags{fresh: true, restartPolicy: meta.HostConfig.RestartPolicy.Name != "no"}
	task, _, err := startTaskWith(cleanCtx, cfg, ctr, ioc, uri, flags)
	if err != nil {
		removeContainer(cleanCtx, c, cfg, ctr)
		return err
	}
	t := &target{c: c, store: containerutil.NewStore(cfg.DataRoot, cfg.Namespace), ctr: ctr, query: meta.Name}
	sess := &session{cfg: cfg, t: t, meta: meta, task: task, stdin: true, since: began, tail: -1,
		keys: keys, userCtx: ctx}
	err = sess.run(cleanCtx, s)
	if _, st, lerr := loadTask(cleanCtx, ctr); lerr == nil && isLive(st) {
		if o.Rm {
			_, _ = ctr.SetLabels(cleanCtx, map[string]string{containerutil.LabelAutoRemove: "true"})
		}
		return nil
	}
	finishAttachedRun(cleanCtx, cfg, t)
	if o.Rm {
		removeContainer(cleanCtx, c, cfg, ctr)
	}
	return err
}
