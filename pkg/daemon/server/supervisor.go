package server

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"time"

	eventtypes "github.com/containerd/containerd/api/events"
	tasks "github.com/containerd/containerd/api/services/tasks/v1"
	tasktypes "github.com/containerd/containerd/api/types/task"
	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/events"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/log"
	"github.com/containerd/typeurl/v2"

	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/daemon"
	"github.com/berth-project/berth/pkg/netutil"
)

// resyncInterval bounds how long a missed event can go unnoticed.
const resyncInterval = 10 * time.Second

// supervisor is the part of berth that lives in the engine process, because
// its work must go on after the CLI exits: it records the starts and exits
// of berth's containers in their metadata (the restart monitor starts them
// without berth), and it runs their health checks.
type supervisor struct {
	d        *daemon.Daemon
	socket   string
	dataRoot string
	fifoDir  string
	// net is where containers' network endpoints are recorded: an exited
	// task's network is torn down at once, not when it is deleted.
	net netutil.Paths

	// ctx lives as long as the supervisor; the checks run under it.
	ctx context.Context

	mu     sync.Mutex
	checks map[string]*healthCheck // by namespace/id
	// suppressed are containers whose next exit is an undone start's.
	suppressed map[string]bool
	wg         sync.WaitGroup
}

// startSupervisor runs the supervisor until the returned stop is called;
// stop waits for its goroutines, the health checks included.
func startSupervisor(ctx context.Context, d *daemon.Daemon) (stop func()) {
	s := &supervisor{
		d:        d,
		socket:   d.Socket(),
		dataRoot: d.DataRoot(),
		fifoDir:  filepath.Join(d.RunDir(), "fifo"),
		net:      netutil.NewPaths(d.DataRoot(), d.RunDir(), "", ""),
		checks:   map[string]*healthCheck{},
	}
	s.suppressed = map[string]bool{}
	ctx, cancel := context.WithCancel(ctx)
	s.ctx = ctx
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.run(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

func (s *supervisor) run(ctx context.Context) {
	defer s.stopAll()
	// The engine serves a few milliseconds after it starts.
	for !s.d.Serving(ctx) {
		select {
		case <-ctx.Done():
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
	c, err := client.New(s.socket, client.WithTimeout(5*time.Second))
	if err != nil {
		log.G(ctx).WithError(err).Error("berth supervisor: connecting to the engine")
		return
	}
	defer c.Close()
	stopEvents := s.startEventLog(ctx, c)
	defer stopEvents()
	for {
		s.watch(ctx, c)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

// watch follows the engine's task events until the stream breaks.
func (s *supervisor) watch(ctx context.Context, c *client.Client) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	evC, errC := c.Subscribe(ctx, `topic=="/tasks/create"`, `topic=="/tasks/start"`, `topic=="/tasks/exit"`,
		`topic=="/tasks/delete"`, `topic=="/containers/delete"`)
	s.resync(ctx, c)
	tick := time.NewTicker(resyncInterval)
	defer tick.Stop()
	for {
		select {
		case env := <-evC:
			s.handle(ctx, c, env)
		case err := <-errC:
			if err != nil && ctx.Err() == nil {
				log.G(ctx).WithError(err).Warn("berth supervisor: event stream ended")
			}
			return
		case <-tick.C:
			s.resync(ctx, c)
		case <-ctx.Done():
			return
		}
	}
}

func (s *supervisor) handle(ctx context.Context, c *client.Client, env *events.Envelope) {
	if env == nil || env.Event == nil {
		return
	}
	ev, err := typeurl.UnmarshalAny(env.Event)
	if err != nil {
		return
	}
	ns := env.Namespace
	switch e := ev.(type) {
	case *eventtypes.TaskCreate:
		if containerGone(ctx, c, ns, e.ContainerID) {
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.removeOrphanTask(c, ns, e.ContainerID)
			}()
		}
	case *eventtypes.TaskStart:
		if s.unwantedStart(c, ns, e.ContainerID) {
			s.undoStart(c, ns, e.ContainerID)
			return
		}
		at := env.Timestamp.UTC()
		if err := s.updateMeta(ns, e.ContainerID, func(m *containerutil.Meta) error {
			if at.After(m.State.StartedAt) {
				m.State.StartedAt = at
			}
			return nil
		}); err != nil {
			return
		}
		s.startCheck(c, ns, e.ContainerID, e.Pid, at)
	case *eventtypes.TaskExit:
		if e.ID != e.ContainerID {
			return // an exec'd process, a health check's among them
		}
		s.stopCheck(ns, e.ContainerID)
		if s.takeSuppressed(ns, e.ContainerID) {
			return
		}
		labels := containerLabels(ctx, c, ns, e.ContainerID)
		// The CLI of an attached `run --rm` removes the container right
		// away: recording its exit would be work thrown away.
		byCLI := labels[containerutil.LabelAutoRemove] == containerutil.AutoRemoveByCLI
		if !byCLI {
			exited := e.ExitedAt.AsTime().UTC()
			_ = s.updateMeta(ns, e.ContainerID, func(m *containerutil.Meta) error {
				m.State.ExitCode = int(e.ExitStatus)
				m.State.FinishedAt = exited
				return nil
			})
		}
		// Docker frees a stopped container's address and ports; the
		// task's postStop hook would only run when the task is deleted.
		if err := netutil.Teardown(ctx, s.net, ns, e.ContainerID, int(e.Pid)); err != nil {
			log.G(ctx).WithError(err).Warnf("berth supervisor: network clean-up of %s", e.ContainerID)
		}
		if byCLI {
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				// The supervisor's context: the event stream's ends when
				// the stream breaks, and the CLI may live on past that.
				s.removeAfterCLI(s.ctx, c, ns, e.ContainerID)
			}()
		} else {
			s.autoRemove(ctx, c, ns, e.ContainerID, labels)
		}
	case *eventtypes.TaskDelete:
		s.stopCheck(ns, e.ContainerID)
	case *eventtypes.ContainerDelete:
		s.stopCheck(ns, e.ID)
	}
}

// resync starts the checks of running containers that have none (the
// engine restarted, or an event was missed) and stops those of containers
// that no longer run.
func (s *supervisor) resync(ctx context.Context, c *client.Client) {
	// Networks of containers that died while no engine watched them.
	if n, err := netutil.Sweep(ctx, s.net); err != nil {
		log.G(ctx).WithError(err).Warn("berth supervisor: network sweep")
	} else if n > 0 {
		log.G(ctx).Infof("berth supervisor: cleaned up the networks of %d gone containers", n)
	}
	nss, err := c.NamespaceService().List(ctx)
	if err != nil {
		return
	}
	live := map[string]bool{}
	for _, ns := range nss {
		nctx := namespaces.WithNamespace(ctx, ns)
		resp, err := c.TaskService().List(nctx, &tasks.ListTasksRequest{})
		if err != nil {
			continue
		}
		for _, p := range resp.Tasks {
			// The list names a task by ID (its container's); ContainerID is empty.
			id := p.ID
			if id == "" {
				id = p.ContainerID
			}
			if containerGone(ctx, c, ns, id) {
				s.removeOrphanTask(c, ns, id)
				continue
			}
			if p.Status != tasktypes.Status_RUNNING && p.Status != tasktypes.Status_PAUSED {
				continue
			}
			live[ns+"/"+id] = true
			meta, err := containerutil.NewStore(s.dataRoot, ns).LoadMeta(id)
			if err != nil {
				continue
			}
			s.startCheck(c, ns, id, p.Pid, meta.State.StartedAt)
		}
	}
	s.mu.Lock()
	var gone []*healthCheck
	for key, hc := range s.checks {
		if !live[key] {
			gone = append(gone, hc)
			delete(s.checks, key)
		}
	}
	s.mu.Unlock()
	for _, hc := range gone {
		hc.stop()
	}
}

// startCheck starts the health check of a container's task unless it runs
// for that task already. Containers without a health check are skipped.
func (s *supervisor) startCheck(c *client.Client, ns, id string, pid uint32, started time.Time) {
	meta, err := containerutil.NewStore(s.dataRoot, ns).LoadMeta(id)
	if err != nil {
		return
	}
	cfg := healthConfigOf(meta.Config.Healthcheck)
	if cfg == nil {
		return
	}
	key := ns + "/" + id
	s.mu.Lock()
	old := s.checks[key]
	if old != nil && old.pid == pid {
		s.mu.Unlock()
		return
	}
	hc := newHealthCheck(s.ctx, s, c, ns, id, pid, cfg, started)
	s.checks[key] = hc
	s.wg.Add(1)
	s.mu.Unlock()
	if old != nil {
		old.stop()
	}
	go func() {
		defer s.wg.Done()
		hc.run()
	}()
}

func (s *supervisor) stopCheck(ns, id string) {
	s.mu.Lock()
	hc := s.checks[ns+"/"+id]
	delete(s.checks, ns+"/"+id)
	s.mu.Unlock()
	if hc != nil {
		hc.stop()
	}
}

func (s *supervisor) stopAll() {
	s.mu.Lock()
	all := s.checks
	s.checks = map[string]*healthCheck{}
	s.mu.Unlock()
	for _, hc := range all {
		hc.stop()
	}
	s.wg.Wait()
}

// errGone stops an update of a container whose files were removed.
var errGone = errors.New("container removed")

// updateMeta changes the metadata of a berth container and does nothing
// for other containers (ctr's, nerdctl's) or removed ones: unlike the
// store's UpdateMeta it never creates a container's directory.
func (s *supervisor) updateMeta(ns, id string, fn func(*containerutil.Meta) error) error {
	store := containerutil.NewStore(s.dataRoot, ns)
	dir := store.ContainerDir(id)
	if _, err := os.Stat(filepath.Join(dir, "container.json")); err != nil {
		return err
	}
	err := store.UpdateMeta(id, func(m *containerutil.Meta) error {
		if m.Name == "" && m.Created.IsZero() {
			return errGone
		}
		return fn(m)
	})
	if errors.Is(err, errGone) {
		// rm won the race: take back the lock file UpdateMeta created.
		_ = os.Remove(filepath.Join(dir, ".lock"))
		_ = os.Remove(dir)
	}
	return err
}
