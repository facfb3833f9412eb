package container

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/containerd/errdefs"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/netutil"
)

// RenameOptions are the arguments of `rename`.
type RenameOptions struct {
	// Old is the container (name, ID or ID prefix); New its new name.
	Old, New string
}

// Validate checks the names before the engine is dialed.
func (o *RenameOptions) Validate() error {
	if strings.TrimPrefix(o.Old, "/") == "" || strings.TrimPrefix(o.New, "/") == "" {
		return errors.New("Neither old nor new names may be empty")
	}
	return containerutil.ValidateName(o.New)
}

// Rename gives a container another name. The new name is claimed first,
// under the name store's lock, so two renames or a create cannot both take
// it; the old name is released last, so the container is never without one.
func Rename(ctx context.Context, cfg *config.Config, o RenameOptions) error {
	c, ctx, err := clientutil.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	store := containerutil.NewStore(cfg.DataRoot, cfg.Namespace)
	ctr, err := containerutil.Resolve(ctx, c, store, o.Old)
	if err != nil {
		return err
	}
	id := ctr.ID()
	labels, err := ctr.Labels(ctx)
	if err != nil {
		return err
	}
	oldName := labels[containerutil.LabelName]
	if m, err := store.LoadMeta(id); err == nil && m.Name != "" {
		oldName = m.Name
	}
	oldName = strings.TrimPrefix(oldName, "/")
	newName := strings.TrimPrefix(o.New, "/")
	if oldName == newName {
		return errors.New("Renaming a container with the same name as its current name")
	}
	exists := func(holder string) (bool, error) {
		_, err := c.LoadContainer(ctx, holder)
		if errdefs.IsNotFound(err) {
			return false, nil
		}
		return err == nil, err
	}
	if err := store.ReserveName(newName, id, exists); err != nil {
		return fmt.Errorf("Error when allocating new name: %w", err)
	}
	// Undo the claim if the rename fails: ctx may be cancelled by then.
	undo := context.WithoutCancel(ctx)
	if _, err := ctr.SetLabels(ctx, map[string]string{containerutil.LabelName: newName}); err != nil {
		_ = store.ReleaseName(newName, id)
		return fmt.Errorf("renaming container %s: %w", id, err)
	}
	if err := store.UpdateMeta(id, func(m *containerutil.Meta) error {
		m.Name = newName
		return nil
	}); err != nil {
		_, _ = ctr.SetLabels(undo, map[string]string{containerutil.LabelName: oldName})
		_ = store.ReleaseName(newName, id)
		return err
	}
	// Peers on user networks know the container by its new name from its
	// next start on.
	if pl, err := netutil.LoadPlan(store.ContainerDir(id)); err == nil {
		pl.Name = newName
		_ = netutil.SavePlan(store.ContainerDir(id), pl)
	}
	return store.ReleaseName(oldName, id)
}
