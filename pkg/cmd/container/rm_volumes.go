package container

import (
	"context"
	"fmt"

	"github.com/containerd/containerd/v2/client"

	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/volume"
)

// removeWithVolumes is RemoveContainer, then with volumes (`rm -v`,
// `run --rm`) the removal of the container's anonymous volumes that no
// other container uses, as Docker does; named volumes stay.
func removeWithVolumes(ctx context.Context, c *client.Client, store *containerutil.Store, ctr client.Container, force, volumes bool) error {
	var anonymous []string
	if volumes {
		anonymous = volume.AnonymousOf(metaOrEmpty(store, ctr.ID()))
	}
	if err := RemoveContainer(ctx, c, store, ctr, force); err != nil {
		return err
	}
	vs := volume.NewStore(store.DataRoot(), store.Namespace())
	if err := vs.RemoveUnused(store, engineContainers(ctx, c), anonymous); err != nil {
		return fmt.Errorf("Error removing volumes:\n%w", err)
	}
	return nil
}
