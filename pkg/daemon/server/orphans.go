package server

import (
	"context"
	"syscall"

	tasks "github.com/containerd/containerd/api/services/tasks/v1"
	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/containerd/v2/plugins"
	"github.com/containerd/errdefs"
	"github.com/containerd/errdefs/pkg/errgrpc"
	"github.com/containerd/log"
	"github.com/containerd/typeurl/v2"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A task can outlive its container's record: the restart monitor starts a
// task on its own, and when `rm` deletes the container while the monitor's
// task is being created (the shim is up, runc has not finished), the task
// is registered after the record is gone. The engine's task service deletes
// a task only through its container's record, so such a task would run (or
// wait to be started) until the engine restarted, and then its shim's
// clean-up would leave runc's init process behind, waiting for a start that
// never comes.
//
// The supervisor removes such a task as soon as it is created, and looks
// for any it missed on every resync.

// orphanLabel marks the stand-in record of an orphan task's container.
const orphanLabel = "berth/orphan-task"

// containerGone reports whether ns/id has no container record.
func containerGone(ctx context.Context, c *client.Client, ns, id string) bool {
	_, err := c.ContainerService().Get(namespaces.WithNamespace(ctx, ns), id)
	return errdefs.IsNotFound(err)
}

// removeOrphanTask kills the task of a container that no longer exists and
// deletes it through a stand-in record made for that alone.
func (s *supervisor) removeOrphanTask(c *client.Client, ns, id string) {
	ctx := namespaces.WithNamespace(s.ctx, ns)
	_, _ = c.TaskService().Kill(ctx, &tasks.KillRequest{ContainerID: id, Signal: uint32(syscall.SIGKILL), All: true})
	spec, err := typeurl.MarshalAny(&specs.Spec{Version: specs.Version})
	if err != nil {
		return
	}
	_, err = c.ContainerService().Create(ctx, containers.Container{
		ID:      id,
		Labels:  map[string]string{orphanLabel: "true"},
		Runtime: containers.RuntimeInfo{Name: plugins.RuntimeRuncV2},
		Spec:    spec,
	})
	if err != nil {
		// AlreadyExists: the container is there after all; not an orphan.
		if !errdefs.IsAlreadyExists(err) {
			log.G(ctx).WithError(err).Warnf("berth supervisor: removing the orphan task %s", id)
		}
		return
	}
	if _, err := c.TaskService().Delete(ctx, &tasks.DeleteTaskRequest{ContainerID: id}); err != nil && !errdefs.IsNotFound(errgrpc.ToNative(err)) {
		log.G(ctx).WithError(err).Warnf("berth supervisor: deleting the orphan task %s", id)
	}
	if err := c.ContainerService().Delete(ctx, id); err != nil && !errdefs.IsNotFound(err) {
		log.G(ctx).WithError(err).Warnf("berth supervisor: deleting the stand-in record of %s", id)
	}
	log.G(ctx).Infof("berth supervisor: removed task %s, whose container was deleted while the task was created", id)
}
