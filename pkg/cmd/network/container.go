package network

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/containerd/containerd/v2/client"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/fsutil"
	"github.com/berth-project/berth/pkg/netutil"
)

// target is the container of connect and disconnect.
type target struct {
	c        *client.Client
	ctr      client.Container
	store    *containerutil.Store
	id       string
	name     string
	stateDir string
}

// openContainer dials the engine and finds the container q names. The
// context it returns carries the engine's namespace.
func openContainer(ctx context.Context, cfg *config.Config, q string) (*target, context.Context, error) {
	c, ctx, err := clientutil.New(ctx, cfg)
	if err != nil {
		return nil, ctx, err
	}
	store := containerutil.NewStore(cfg.DataRoot, cfg.Namespace)
	ctr, err := containerutil.Resolve(ctx, c, store, q)
	if err != nil {
		c.Close()
		return nil, ctx, err
	}
	labels, err := ctr.Labels(ctx)
	if err != nil {
		c.Close()
		return nil, ctx, err
	}
	t := &target{c: c, ctr: ctr, store: store, id: ctr.ID(), name: labels[containerutil.LabelName],
		stateDir: labels[containerutil.LabelStateDir]}
	if t.name == "" {
		t.name = q
	}
	if t.stateDir == "" {
		t.stateDir = store.ContainerDir(t.id)
	}
	return t, ctx, nil
}

func (t *target) close() { t.c.Close() }

// pid is the container's process while it runs (or is paused, when its
// network namespace is still there), else 0.
func (t *target) pid(ctx context.Context) int {
	task, err := t.ctr.Task(ctx, nil)
	if err != nil {
		return 0
	}
	st, err := task.Status(ctx)
	if err != nil || (st.Status != client.Running && st.Status != client.Paused) {
		return 0
	}
	return int(task.Pid())
}

// planLock orders changes to a container's plan: two connects at once
// must not lose one another's network.
const planLock = "network.lock"

// changePlan runs change on the container's plan under its lock and saves
// the plan when change succeeds. A container without a plan (host, none
// or container mode) gets one that says its mode, for change to refuse.
func (t *target) changePlan(change func(*netutil.Plan) error) (*netutil.Plan, error) {
	lock, err := fsutil.LockFile(filepath.Join(t.stateDir, planLock))
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	pl, err := netutil.LoadPlan(t.stateDir)
	if errors.Is(err, os.ErrNotExist) {
		pl = &netutil.Plan{Mode: t.modeWithoutPlan(), Name: t.name}
	} else if err != nil {
		return nil, err
	}
	if err := change(pl); err != nil {
		return nil, err
	}
	return pl, netutil.SavePlan(t.stateDir, pl)
}

// modeWithoutPlan is the network mode of a container that has no plan, as
// its metadata records it.
func (t *target) modeWithoutPlan() string {
	m, err := t.store.LoadMeta(t.id)
	if err != nil {
		return netutil.ModeNone
	}
	switch mode := m.HostConfig.NetworkMode; {
	case mode == netutil.ModeHost:
		return netutil.ModeHost
	case strings.HasPrefix(mode, netutil.ModeContainer+":"):
		return netutil.ModeContainer
	}
	return netutil.ModeNone
}

// syncMeta keeps the container's HostConfig.NetworkMode on a network it
// is on, for ps and inspect of a stopped container.
func (t *target) syncMeta(pl *netutil.Plan) error {
	err := t.store.UpdateMeta(t.id, func(m *containerutil.Meta) error {
		m.HostConfig.NetworkMode = networkMode(m.HostConfig.NetworkMode, pl)
		return nil
	})
	if errors.Is(err, os.ErrNotExist) {
		return nil // not a berth container: no metadata to keep in step
	}
	return err
}
