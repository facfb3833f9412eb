package container

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/errdefs"
	"github.com/moby/sys/signal"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
)

// KillOptions are the flags and arguments of `kill`.
type KillOptions struct {
	// Signal is -s: a name (KILL, SIGKILL) or a number; Docker's default is KILL.
	Signal string
	// Containers are the names or IDs.
	Containers []string
}

// Validate checks the signal before the engine is dialled.
func (o *KillOptions) Validate() error {
	_, err := o.signal()
	return err
}

func (o *KillOptions) signal() (syscall.Signal, error) {
	if o.Signal == "" {
		return syscall.SIGKILL, nil
	}
	return signal.ParseSignal(o.Signal)
}

// Kill sends a signal to containers as `docker kill` does. The stop signal
// or SIGKILL counts as a stop by the user: the restart monitor leaves the
// container stopped (until the engine restarts, for "always", as Docker).
// After SIGKILL it waits for the exit, records it and, unless a restart
// policy needs the stopped task, deletes it.
func Kill(ctx context.Context, cfg *config.Config, s Streams, o *KillOptions) error {
	sig, err := o.signal()
	if err != nil {
		return err
	}
	return forEach(ctx, cfg, s.Out, o.Containers, true, func(ctx context.Context, t *target) error {
		return killTarget(context.WithoutCancel(ctx), cfg, t, sig)
	})
}

func killTarget(ctx context.Context, cfg *config.Config, t *target, sig syscall.Signal) error {
	task, st, err := loadTask(ctx, t.ctr)
	if err != nil {
		return err
	}
	if !isLive(st) {
		return fmt.Errorf("cannot kill container: %s: %w", t.query, notRunningError(t.ctr.ID()))
	}
	labels, err := t.ctr.Labels(ctx)
	if err != nil {
		return err
	}
	meta, _ := t.store.LoadMeta(t.ctr.ID())
	stopSig, _ := stopSignal(ctx, t.ctr, labels, meta, "")
	stopping := sig == syscall.SIGKILL || sig == stopSig
	if stopping {
		if _, ok := labels[containerutil.RestartPolicyLabel]; ok {
			if _, err := t.ctr.SetLabels(ctx, map[string]string{containerutil.RestartExplicitStop: "true"}); err != nil {
				return err
			}
		}
		if err := t.store.UpdateMeta(t.ctr.ID(), func(m *containerutil.Meta) error {
			m.State.StoppedByUser = true
			return nil
		}); err != nil && !errors.Is(err, os.ErrNotExist) {
			// (A container berth did not create has no metadata.)
			return err
		}
	}
	if sig != syscall.SIGKILL {
		if err := task.Kill(ctx, sig); err != nil {
			return fmt.Errorf("cannot kill container: %s: %w", t.query, err)
		}
		return nil
	}
	exitC, err := task.Wait(ctx)
	if err != nil {
		return err
	}
	if err := task.Kill(ctx, sig, client.WithKillAll); err != nil && !errdefs.IsNotFound(err) {
		return fmt.Errorf("cannot kill container: %s: %w", t.query, err)
	}
	if st.Status != client.Running {
		_ = task.Resume(ctx)
	}
	code, at, err := (<-exitC).Result()
	if err != nil {
		return err
	}
	recordExit(ctx, cfg, t.ctr.ID(), int(code), at)
	if _, ok := labels[containerutil.RestartPolicyLabel]; ok && labels[containerutil.LabelAutoRemove] != "true" {
		// The stopped task stays for the restart monitor: it reads the exit
		// from it, and without one it logs an error on every pass.
		return nil
	}
	if _, err := task.Delete(ctx); err != nil && !errdefs.IsNotFound(err) {
		return err
	}
	removeStdinFIFO(cfg, t.ctr.ID())
	if labels[containerutil.LabelAutoRemove] == "true" {
		return RemoveContainer(ctx, t.c, t.store, t.ctr, true)
	}
	return nil
}
