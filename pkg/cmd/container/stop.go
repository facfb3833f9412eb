package container

import (
	"context"
	"errors"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/errdefs"
	"github.com/moby/sys/signal"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
)

// defaultStopTimeout is Docker's grace period between the stop signal and SIGKILL.
const defaultStopTimeout = 10

// StopOptions are the flags and arguments of `stop` (and `restart`).
type StopOptions struct {
	// Timeout is -t: seconds to wait before SIGKILL; negative waits forever.
	// TimeoutSet tells -t 0 from no -t (then the container's own, or 10).
	Timeout    int
	TimeoutSet bool
	// Signal replaces the container's stop signal (-s).
	Signal string
	// Containers are the names or IDs to stop.
	Containers []string
}

// Validate checks the flags before the engine is dialled.
func (o *StopOptions) Validate() error {
	if o.Signal != "" {
		if _, err := signal.ParseSignal(o.Signal); err != nil {
			return err
		}
	}
	return nil
}

// Stop stops containers as `docker stop` does: the stop signal, a grace
// period, then SIGKILL. A stopped container stays stopped, whatever its
// restart policy, until it is started again.
func Stop(ctx context.Context, cfg *config.Config, s Streams, o *StopOptions) error {
	return forEach(ctx, cfg, s.Out, o.Containers, true, func(ctx context.Context, t *target) error {
		err := stopTarget(context.WithoutCancel(ctx), cfg, t, o, true)
		if err != nil && errdefs.IsNotFound(err) {
			// An --rm container the engine removed as soon as it exited.
			if _, lerr := t.c.LoadContainer(ctx, t.ctr.ID()); errdefs.IsNotFound(lerr) {
				return nil
			}
		}
		return err
	})
}

// stopTarget stops one container; final removes an --rm container afterwards
// (restart passes false).
func stopTarget(ctx context.Context, cfg *config.Config, t *target, o *StopOptions, final bool) error {
	labels, err := t.ctr.Labels(ctx)
	if err != nil {
		return err
	}
	_, hasPolicy := labels[containerutil.RestartPolicyLabel]
	if hasPolicy {
		// First take the container out of the monitor's sight, so that it
		// neither starts it again once it exits nor cuts its grace period
		// short (a "stopped" status would make the monitor SIGKILL it).
		if err := t.ctr.Update(ctx, unmonitor); err != nil {
			return err
		}
	}
	meta, _ := t.store.LoadMeta(t.ctr.ID())
	task, st, err := loadTask(ctx, t.ctr)
	if err != nil {
		return err
	}
	if task != nil {
		code, at := int(st.ExitStatus), st.ExitTime
		if isLive(st) {
			sig, err := stopSignal(ctx, t.ctr, labels, meta, o.Signal)
			if err != nil {
				return err
			}
			if code, at, err = signalAndWait(ctx, task, st, sig, stopTimeout(labels, meta, o)); err != nil {
				return err
			}
		}
		recordExit(ctx, cfg, t.ctr.ID(), code, at)
		if err := t.store.UpdateMeta(t.ctr.ID(), func(m *containerutil.Meta) error {
			m.State.StoppedByUser = true
			return nil
		}); err != nil && !errors.Is(err, os.ErrNotExist) {
			// (A container berth did not create has no metadata.)
			return err
		}
	}
	// The task is deleted so that its shim exits; a start made by the restart
	// monitor between the reads above and the labels is undone here too.
	if err := dropTask(ctx, t.ctr); err != nil {
		return err
	}
	if hasPolicy {
		// A monitor pass that read the labels before they changed may still
		// start a task: it happens within a pass, so watch a little longer.
		for i := 0; i < 3; i++ {
			time.Sleep(150 * time.Millisecond)
			if err := dropTask(ctx, t.ctr); err != nil {
				return err
			}
		}
	}
	removeStdinFIFO(cfg, t.ctr.ID())
	if final && labels[containerutil.LabelAutoRemove] == "true" {
		return RemoveContainer(ctx, t.c, t.store, t.ctr, true)
	}
	return nil
}

// unmonitor takes a stopped container out of the restart monitor's sight:
// it watches only containers with a status label, and start puts it back
// (markRunning). explicitly-stopped alone would not do: the monitor resets it
// for "always" containers when the engine starts (nerdctl's #2991). Nor
// would status "stopped": for a container whose task is deleted the monitor
// logs an error on every pass, forever.
func unmonitor(_ context.Context, _ *client.Client, c *containers.Container) error {
	delete(c.Labels, containerutil.RestartStatusLabel)
	c.Labels[containerutil.RestartExplicitStop] = "true"
	return nil
}

// signalAndWait sends sig, waits up to timeout seconds (forever when
// negative) and then kills every process of the container.
func signalAndWait(ctx context.Context, task client.Task, st client.Status, sig syscall.Signal, timeout int) (int, time.Time, error) {
	exitC, err := task.Wait(ctx)
	if err != nil {
		return 0, time.Time{}, err
	}
	if err := task.Kill(ctx, sig); err != nil && !errdefs.IsNotFound(err) {
		return 0, time.Time{}, err
	}
	if st.Status != client.Running {
		// A frozen process gets the signal only once it is thawed.
		_ = task.Resume(ctx)
	}
	var grace <-chan time.Time
	if timeout >= 0 {
		timer := time.NewTimer(time.Duration(timeout) * time.Second)
		defer timer.Stop()
		grace = timer.C
	}
	select {
	case es := <-exitC:
		code, at, err := es.Result()
		return int(code), at, err
	case <-grace:
	}
	if err := task.Kill(ctx, syscall.SIGKILL, client.WithKillAll); err != nil && !errdefs.IsNotFound(err) {
		return 0, time.Time{}, err
	}
	es := <-exitC
	code, at, err := es.Result()
	return int(code), at, err
}

// dropTask kills and deletes whatever task the container has.
func dropTask(ctx context.Context, ctr client.Container) error {
	task, st, err := loadTask(ctx, ctr)
	if err != nil || task == nil {
		return err
	}
	if isLive(st) || st.Status == client.Created {
		if _, err := task.Delete(ctx, client.WithProcessKill); err != nil && !errdefs.IsNotFound(err) {
			return err
		}
		return nil
	}
	if _, err := task.Delete(ctx); err != nil && !errdefs.IsNotFound(err) {
		return err
	}
	return nil
}

// stopSignal is -s, else --stop-signal, else the image's STOPSIGNAL, else SIGTERM.
func stopSignal(ctx context.Context, ctr client.Container, labels map[string]string, meta *containerutil.Meta, override string) (syscall.Signal, error) {
	name := override
	if name == "" {
		name = labels[containerutil.LabelStopSignal]
	}
	if name == "" && meta != nil {
		name = meta.Config.StopSignal
	}
	if name == "" {
		if img, err := ctr.Image(ctx); err == nil {
			if s, err := client.GetOCIStopSignal(ctx, img, ""); err == nil {
				name = s
			}
		}
	}
	if name == "" {
		return syscall.SIGTERM, nil
	}
	return signal.ParseSignal(name)
}

// stopTimeout is -t, else --stop-timeout, else Docker's 10 seconds.
func stopTimeout(labels map[string]string, meta *containerutil.Meta, o *StopOptions) int {
	if o.TimeoutSet {
		return o.Timeout
	}
	if v, err := strconv.Atoi(labels[containerutil.LabelStopTimeout]); err == nil {
		return v
	}
	if meta != nil && meta.Config.StopTimeout != nil {
		return *meta.Config.StopTimeout
	}
	return defaultStopTimeout
}

// removeStdinFIFO removes the stdin FIFO of a container created with -i -t.
func removeStdinFIFO(cfg *config.Config, id string) {
	_ = os.Remove(stdinFIFOPath(cfg, id))
}
