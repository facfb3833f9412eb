package container

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/errdefs"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
)

// RmOptions are the flags and arguments of `rm`.
type RmOptions struct {
	// Force kills a running container before removing it (-f); containers
	// that do not exist are then reported without failing the command.
	Force bool
	// Volumes removes the container's anonymous volumes (-v) that no other
	// container uses; named volumes stay.
	Volumes bool
	// Containers are names, IDs or ID prefixes.
	Containers []string
}

// Rm removes containers as `docker rm` does: each one removed is printed
// as it was given, and it goes on after an error.
func Rm(ctx context.Context, cfg *config.Config, out, errOut io.Writer, o RmOptions) error {
	c, ctx, err := clientutil.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	store := containerutil.NewStore(cfg.DataRoot, cfg.Namespace)
	var errs []error
	for _, q := range o.Containers {
		err := rmOne(ctx, c, store, q, o.Force, o.Volumes)
		switch {
		case err == nil:
			fmt.Fprintln(out, q)
		case o.Force && errdefs.IsNotFound(err):
			fmt.Fprintln(errOut, "berth:", err)
		default:
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func rmOne(ctx context.Context, c *client.Client, store *containerutil.Store, q string, force, volumes bool) error {
	if strings.Trim(q, "/") == "" {
		return errors.New("Container name cannot be empty")
	}
	ctr, err := containerutil.Resolve(ctx, c, store, q)
	if err != nil {
		return err
	}
	return removeWithVolumes(ctx, c, store, ctr, force, volumes)
}

// RunningError is Docker's refusal to remove a container that runs.
type RunningError struct {
	Name   string
	Status string
}

func (e *RunningError) Error() string {
	if e.Status == StatusPaused {
		return fmt.Sprintf("cannot remove container %q: container is paused and must be unpaused first", "/"+e.Name)
	}
	return fmt.Sprintf("cannot remove container %q: container is %s: stop the container before removing or force remove", "/"+e.Name, e.Status)
}

// Is makes errdefs.IsConflict true for it.
func (e *RunningError) Is(target error) bool { return target == errdefs.ErrConflict }

// RemoveContainer deletes a container with everything berth keeps for it:
// its task, the engine's record, its snapshot, its state directory and its
// name. A running, paused or restarting container is refused unless force,
// which kills it first. Nothing is released before the engine's record is
// gone, so a failure leaves the container whole and removable again.
func RemoveContainer(ctx context.Context, c *client.Client, store *containerutil.Store, ctr client.Container, force bool) error {
	labels, err := ctr.Labels(ctx)
	if err != nil {
		return err
	}
	id := ctr.ID()
	meta := metaOrEmpty(store, id)
	ts, err := taskStatus(ctx, c, id)
	if err != nil {
		return err
	}
	st := stateOf(labels, meta, ts)
	name := meta.Name
	if name == "" {
		name = labels[containerutil.LabelName]
	}
	if st.Running && !force {
		shown := strings.TrimPrefix(name, "/")
		if shown == "" {
			shown = id // a container berth did not create has no name
		}
		return &RunningError{Name: shown, Status: st.Status}
	}
	// Clean-up must finish even when the user's Ctrl-C cancelled ctx.
	ctx = context.WithoutCancel(ctx)
	if err := disableRestarts(ctx, ctr, labels); err != nil {
		return err
	}
	if ts.Status != "" {
		if err := killAndDeleteTask(ctx, ctr); err != nil {
			return fmt.Errorf("cannot remove container %s: could not kill: %w", id, err)
		}
	}
	if err := deleteContainer(ctx, ctr); err != nil {
		return fmt.Errorf("removing container %s: %w", id, err)
	}
	if err := store.ReleaseName(name, id); err != nil {
		return err
	}
	return store.RemoveContainer(id)
}

// deleteContainer deletes the container record and its snapshot. The
// restart monitor may have decided to start a task just before its labels
// were changed; such a task is killed and the delete tried again.
func deleteContainer(ctx context.Context, ctr client.Container) error {
	var err error
	for attempt := 0; attempt < 10; attempt++ {
		err = ctr.Delete(ctx, client.WithSnapshotCleanup)
		if err == nil || errdefs.IsNotFound(err) {
			return nil
		}
		_ = killAndDeleteTask(ctx, ctr)
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

// disableRestarts takes the container out of the restart monitor's sight
// (as stop does), so that it neither starts a task between the kill and the
// removal nor kills the task itself at the same time as rm: a status
// "stopped" would have the monitor kill and delete the task too, and one of
// the two would find the task's shim gone under it.
func disableRestarts(ctx context.Context, ctr client.Container, labels map[string]string) error {
	if _, ok := labels[containerutil.RestartPolicyLabel]; !ok {
		return nil
	}
	err := ctr.Update(ctx, unmonitor)
	if errdefs.IsNotFound(err) {
		return nil
	}
	return err
}

// rmKillWait bounds the wait for a killed task to exit.
const rmKillWait = 10 * time.Second

// killAndDeleteTask kills the container's task with SIGKILL if it runs,
// waits for it to exit and deletes it. Someone else may delete the task at
// the same time (the engine's supervisor, or a restart monitor pass that
// read the labels before they changed); what counts is that no task is left,
// so a failure is retried while a task is still there.
func killAndDeleteTask(ctx context.Context, ctr client.Container) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if attempt > 0 {
			time.Sleep(50 * time.Millisecond)
		}
		if err = killAndDeleteOnce(ctx, ctr); err == nil {
			return nil
		}
		if _, terr := ctr.Task(ctx, nil); errdefs.IsNotFound(terr) {
			return nil
		}
	}
	return err
}

func killAndDeleteOnce(ctx context.Context, ctr client.Container) error {
	task, err := ctr.Task(ctx, nil)
	if errdefs.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	st, err := task.Status(ctx)
	if err == nil && st.Status == client.Paused {
		// A frozen process cannot act on SIGKILL until it is thawed.
		_ = task.Resume(ctx)
	}
	if err == nil && st.Status != client.Stopped {
		exitC, werr := task.Wait(ctx)
		if werr == nil {
			if kerr := task.Kill(ctx, syscall.SIGKILL, client.WithKillAll); kerr != nil && !errdefs.IsNotFound(kerr) {
				return kerr
			}
			select {
			case <-exitC:
			case <-time.After(rmKillWait):
				// Delete below kills again and reports what stands in the way.
			}
		}
	}
	if _, err := task.Delete(ctx, client.WithProcessKill); err != nil && !errdefs.IsNotFound(err) {
		return err
	}
	return nil
}
