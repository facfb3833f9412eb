package container_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	tasks "github.com/containerd/containerd/api/services/tasks/v1"
	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/cio"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/errdefs"

	"github.com/berth-project/berth/pkg/testutil"
)

// A task whose container record is deleted under it (rm winning a race with
// a task the restart monitor creates) is removed by the engine, its waiting
// runc init process included, instead of outliving the container.
func TestTaskOfDeletedContainerIsRemoved(t *testing.T) {
	img := loadBusybox(t)
	// A container ctr makes keeps runc's state under the host-wide default
	// root: a name of its own, never reused.
	id := fmt.Sprintf("orphan-task-%d", time.Now().UnixNano())
	engine.Ctr(t, "containers", "create", img, id, "sleep", "300")
	t.Cleanup(func() {
		engine.Ctr(t, "tasks", "kill", "-s", "KILL", id)
		engine.Ctr(t, "tasks", "rm", "-f", id)
		engine.Ctr(t, "containers", "rm", id)
		engine.Ctr(t, "snapshots", "rm", id)
	})
	c, err := client.New(engine.Daemon.Socket())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := namespaces.WithNamespace(t.Context(), "default")
	ctr, err := c.LoadContainer(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	// Created, not started: runc's init waits for the start.
	task, err := ctr.NewTask(ctx, cio.NullIO)
	if err != nil {
		t.Fatal(err)
	}
	initPID := task.Pid()
	t.Cleanup(func() {
		// Should the engine fail to, no init process may outlive the test.
		if cmd, _ := os.ReadFile("/proc/" + strconv.Itoa(int(initPID)) + "/cmdline"); strings.Contains(string(cmd), "init") {
			_ = syscall.Kill(int(initPID), syscall.SIGKILL)
		}
	})
	// The engine's own container service deletes a record whatever its
	// task does (the client's Delete would refuse).
	if err := c.ContainerService().Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	// The engine deletes the task through a stand-in record, which goes too.
	testutil.Poll(t, "the engine to remove the orphan task", time.Minute, func() (bool, string) {
		listed := taskListed(t, c, ctx, id)
		_, perr := os.Stat("/proc/" + strconv.Itoa(int(initPID)))
		_, rerr := c.ContainerService().Get(ctx, id)
		return !listed && perr != nil && errdefs.IsNotFound(rerr),
			fmt.Sprintf("task listed: %v, init process: %s, record: %s", listed, errString(perr), errString(rerr))
	})
}

// taskListed reports whether the engine lists a task for id; a task whose
// container is gone can be listed, not looked up.
func taskListed(t *testing.T, c *client.Client, ctx context.Context, id string) bool {
	t.Helper()
	resp, err := c.TaskService().List(ctx, &tasks.ListTasksRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range resp.Tasks {
		if p.ID == id || p.ContainerID == id {
			return true
		}
	}
	return false
}

func errString(err error) string {
	if err == nil {
		return "present"
	}
	return err.Error()
}
