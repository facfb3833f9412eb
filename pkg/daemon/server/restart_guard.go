package server

import (
	"os"
	"path/filepath"
	"strconv"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/log"

	"github.com/berth-project/berth/pkg/containerutil"
)

// The restart monitor decides on a pass which containers to start and then
// starts them. A container the user stops between the decision and the
// start is started all the same, and, stopped as far as the monitor's labels
// go, would then run for good. berth marks the intent to run (the status
// label "running") before every start of its own, so a start of a berth
// container that is explicitly stopped and not marked running is such a
// stale one: the supervisor undoes it.

// unwantedStart reports a start the user's stop has overtaken.
func (s *supervisor) unwantedStart(c *client.Client, ns, id string) bool {
	dir := containerutil.NewStore(s.dataRoot, ns).ContainerDir(id)
	if _, err := os.Stat(filepath.Join(dir, "container.json")); err != nil {
		return false // not berth's container: not berth's business
	}
	ctx := namespaces.WithNamespace(s.ctx, ns)
	ctr, err := c.LoadContainer(ctx, id)
	if err != nil {
		return false
	}
	labels, err := ctr.Labels(ctx)
	if err != nil {
		return false
	}
	if _, ok := labels[containerutil.RestartPolicyLabel]; !ok {
		return false
	}
	if labels[containerutil.RestartStatusLabel] == string(client.Running) {
		return false
	}
	stopped, _ := strconv.ParseBool(labels[containerutil.RestartExplicitStop])
	return stopped
}

// undoStart kills and deletes the task of an unwanted start; its exit is
// not recorded, so the container keeps the exit of the user's stop.
func (s *supervisor) undoStart(c *client.Client, ns, id string) {
	key := ns + "/" + id
	s.mu.Lock()
	s.suppressed[key] = true
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx := namespaces.WithNamespace(s.ctx, ns)
		ctr, err := c.LoadContainer(ctx, id)
		if err != nil {
			return
		}
		if task, err := ctr.Task(ctx, nil); err == nil {
			_, _ = task.Delete(ctx, client.WithProcessKill)
		}
		log.G(ctx).Infof("berth supervisor: undid a restart of %s, which was stopped meanwhile", id)
	}()
}

// takeSuppressed reports, once, that the exit of ns/id is an undone start's.
func (s *supervisor) takeSuppressed(ns, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := ns + "/" + id
	if s.suppressed[key] {
		delete(s.suppressed, key)
		return true
	}
	return false
}
