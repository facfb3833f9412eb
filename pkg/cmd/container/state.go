package container

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	tasks "github.com/containerd/containerd/api/services/tasks/v1"
	"github.com/containerd/containerd/api/types/task"
	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/runtime/restart"
	"github.com/containerd/errdefs"
	"github.com/containerd/errdefs/pkg/errgrpc"
	units "github.com/docker/go-units"

	"github.com/berth-project/berth/pkg/containerutil"
)

// Docker's container states: State.Status and the State column of ps.
const (
	StatusCreated    = "created"
	StatusRunning    = "running"
	StatusPaused     = "paused"
	StatusRestarting = "restarting"
	StatusExited     = "exited"
	StatusDead       = "dead"
)

// validStatuses are the values of ps --filter status=, Docker's list.
var validStatuses = []string{StatusCreated, StatusRunning, StatusPaused, StatusRestarting, "removing", StatusExited, StatusDead}

// State is Docker's State of a container, computed from the engine's task
// and what berth recorded. As in Docker, a paused or restarting container
// is also Running. Times are UTC; JSON prints them in RFC 3339 with
// nanoseconds, and an unknown time as "0001-01-01T00:00:00Z".
type State struct {
	Status     string
	Running    bool
	Paused     bool
	Restarting bool
	OOMKilled  bool
	Dead       bool
	Pid        int
	ExitCode   int
	Error      string
	StartedAt  time.Time
	FinishedAt time.Time
	Health     *containerutil.Health `json:",omitempty"`
}

// TaskStatus is what the engine reports of a container's task; the zero
// value is a container without a task.
type TaskStatus struct {
	Status     client.ProcessStatus
	Pid        int
	ExitStatus int
	ExitedAt   time.Time
}

// ContainerState computes Docker's State of ctr from its task and berth's
// metadata.
func ContainerState(ctx context.Context, c *client.Client, store *containerutil.Store, ctr client.Container) (State, error) {
	labels, err := ctr.Labels(ctx)
	if err != nil {
		return State{}, err
	}
	ts, err := taskStatus(ctx, c, ctr.ID())
	if err != nil {
		return State{}, err
	}
	return liveState(labels, metaOrEmpty(store, ctr.ID()), ts), nil
}

// taskStatus asks the engine for the task of container id.
func taskStatus(ctx context.Context, c *client.Client, id string) (TaskStatus, error) {
	resp, err := c.TaskService().Get(ctx, &tasks.GetRequest{ContainerID: id})
	if err != nil {
		if err = errgrpc.ToNative(err); errdefs.IsNotFound(err) {
			return TaskStatus{}, nil
		}
		return TaskStatus{}, fmt.Errorf("reading the task of %s: %w", id, err)
	}
	return taskStatusOf(resp.Process), nil
}

// allTaskStatus returns the task of every container of the namespace, in
// one call.
func allTaskStatus(ctx context.Context, c *client.Client) (map[string]TaskStatus, error) {
	resp, err := c.TaskService().List(ctx, &tasks.ListTasksRequest{})
	if err != nil {
		return nil, fmt.Errorf("listing tasks: %w", errgrpc.ToNative(err))
	}
	out := make(map[string]TaskStatus, len(resp.Tasks))
	for _, p := range resp.Tasks {
		// A listed task's ID is its container's; ContainerID is left empty.
		id := p.ContainerID
		if id == "" {
			id = p.ID
		}
		out[id] = taskStatusOf(p)
	}
	return out, nil
}

func taskStatusOf(p *task.Process) TaskStatus {
	ts := TaskStatus{Pid: int(p.Pid), ExitStatus: int(p.ExitStatus)}
	if p.ExitedAt != nil {
		ts.ExitedAt = p.ExitedAt.AsTime().UTC()
	}
	switch p.Status {
	case task.Status_CREATED:
		ts.Status = client.Created
	case task.Status_RUNNING:
		ts.Status = client.Running
	case task.Status_STOPPED:
		ts.Status = client.Stopped
	case task.Status_PAUSED:
		ts.Status = client.Paused
	case task.Status_PAUSING:
		ts.Status = client.Pausing
	default:
		ts.Status = client.Unknown
	}
	return ts
}

// metaOrEmpty returns the container's metadata, or an empty one for a
// container berth did not create (ctr, nerdctl) or whose files are gone.
func metaOrEmpty(store *containerutil.Store, id string) *containerutil.Meta {
	m, err := store.LoadMeta(id)
	if err != nil {
		return &containerutil.Meta{}
	}
	return m
}

// liveState is stateOf with the start time of a task the restart monitor
// started (berth did not see that start) read from the process itself.
func liveState(labels map[string]string, meta *containerutil.Meta, ts TaskStatus) State {
	s := stateOf(labels, meta, ts)
	restarted, _ := strconv.Atoi(labels[containerutil.RestartCountLabel])
	if s.Running && s.Pid > 0 && (restarted > 0 || s.StartedAt.IsZero()) {
		if t, err := procStartTime(s.Pid); err == nil && t.After(s.StartedAt.Add(time.Second)) {
			s.StartedAt = t
		}
	}
	return s
}

// stateOf computes the state from the container's labels, berth's metadata
// and its task. A stopped task holds the exit of the last run; once the
// task is deleted, berth's metadata does.
func stateOf(labels map[string]string, meta *containerutil.Meta, ts TaskStatus) State {
	saved := meta.State
	s := State{
		OOMKilled: saved.OOMKilled, Error: saved.Error, ExitCode: saved.ExitCode,
		StartedAt: saved.StartedAt.UTC(), FinishedAt: saved.FinishedAt.UTC(),
	}
	neverRan := s.StartedAt.IsZero() && s.FinishedAt.IsZero()
	switch ts.Status {
	case client.Running:
		s.Status, s.Running, s.Pid = StatusRunning, true, ts.Pid
	case client.Paused, client.Pausing:
		s.Status, s.Running, s.Paused, s.Pid = StatusPaused, true, true, ts.Pid
	case client.Stopped:
		s.Status, s.ExitCode = StatusExited, ts.ExitStatus
		if !ts.ExitedAt.IsZero() {
			s.FinishedAt = ts.ExitedAt
		}
	case client.Unknown:
		// The engine has a task but cannot reach its shim.
		s.Status, s.Dead = StatusDead, true
	default:
		// No task, or one being created: the last run's outcome, if any.
		s.Status = StatusExited
		if neverRan {
			s.Status = StatusCreated
		}
	}
	if s.Status == StatusExited && willRestart(labels, ts) {
		s.Status, s.Running, s.Restarting = StatusRestarting, true, true
	}
	if h := saved.Health; h != nil {
		hc := *h
		// Docker reports a health monitor that stopped with its container
		// as unhealthy.
		if !s.Running && s.Status != StatusCreated {
			hc.Status = "unhealthy"
		}
		s.Health = &hc
	}
	return s
}

// willRestart reports whether the restart monitor is going to start the
// container again: the same decision the monitor takes on its next pass.
func willRestart(labels map[string]string, ts TaskStatus) bool {
	if _, ok := labels[containerutil.RestartPolicyLabel]; !ok {
		return false
	}
	if labels[containerutil.RestartStatusLabel] != string(client.Running) {
		return false
	}
	return restart.Reconcile(client.Status{Status: ts.Status, ExitStatus: uint32(ts.ExitStatus)}, labels)
}

// HealthStatus is the health column of the state: "starting", "healthy",
// "unhealthy", or "none" without a health check (ps --filter health=).
func (s State) HealthStatus() string {
	if s.Health == nil || s.Health.Status == "" {
		return "none"
	}
	return s.Health.Status
}

// HumanStatus is Docker's STATUS column: "Up 5 minutes (healthy)",
// "Exited (3) 2 seconds ago", "Created", ...
func (s State) HumanStatus(now time.Time) string {
	since := func(t time.Time) string { return units.HumanDuration(now.UTC().Sub(t)) }
	switch s.Status {
	case StatusRunning:
		if s.Health != nil && s.Health.Status != "" {
			h := s.Health.Status
			if h == "starting" {
				h = "health: starting"
			}
			return fmt.Sprintf("Up %s (%s)", since(s.StartedAt), h)
		}
		return "Up " + since(s.StartedAt)
	case StatusPaused:
		return fmt.Sprintf("Up %s (Paused)", since(s.StartedAt))
	case StatusRestarting:
		return fmt.Sprintf("Restarting (%d) %s ago", s.ExitCode, since(s.FinishedAt))
	case StatusDead:
		return "Dead"
	case StatusCreated:
		return "Created"
	}
	if s.FinishedAt.IsZero() {
		return ""
	}
	return fmt.Sprintf("Exited (%d) %s ago", s.ExitCode, since(s.FinishedAt))
}

// clockTicks is USER_HZ, 100 on every Linux architecture Go supports.
const clockTicks = 100

// procStartTime reads when process pid started, from /proc: its start in
// ticks after boot, and the boot time.
func procStartTime(pid int) (time.Time, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return time.Time{}, err
	}
	// The command name may hold spaces and parentheses: fields count from
	// the last ")". starttime is field 22, the 20th after it.
	i := strings.LastIndexByte(string(stat), ')')
	fields := strings.Fields(string(stat[i+1:]))
	if i < 0 || len(fields) < 20 {
		return time.Time{}, errors.New("malformed /proc stat")
	}
	ticks, err := strconv.ParseInt(fields[19], 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	boot, err := bootTime()
	if err != nil {
		return time.Time{}, err
	}
	return boot.Add(time.Duration(ticks) * time.Second / clockTicks).UTC(), nil
}

// bootTime is now less the uptime, which /proc gives to the hundredth of a
// second (the btime of /proc/stat is whole seconds only).
func bootTime() (time.Time, error) {
	data, err := os.ReadFile("/proc/uptime")
	if err != nil {
		return time.Time{}, err
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return time.Time{}, errors.New("malformed /proc/uptime")
	}
	up, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return time.Time{}, err
	}
	return time.Now().Add(-time.Duration(up * float64(time.Second))), nil
}
