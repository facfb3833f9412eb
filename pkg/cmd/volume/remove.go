package volume

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/volume"
)

// RemoveOptions are the flags and arguments of `volume rm`.
type RemoveOptions struct {
	// Force reports nothing for volumes that do not exist (-f). A volume
	// in use is refused all the same, as in Docker.
	Force bool
	// Names are the volumes to remove.
	Names []string
}

// Remove removes volumes no container uses, printing each name removed;
// one in use is refused, naming the containers, and the others go on.
func Remove(ctx context.Context, cfg *config.Config, w io.Writer, o RemoveOptions) error {
	return withUsers(ctx, cfg, func(store *volume.Store, ctrs *containerutil.Store, live volume.LiveFunc) error {
		lock, err := store.LockUsers()
		if err != nil {
			return err
		}
		defer lock.Unlock()
		users, err := volume.Users(ctrs, live)
		if err != nil {
			return err
		}
		var errs []error
		for _, name := range o.Names {
			err := removeOne(store, users, name)
			var nf *volume.NotFoundError
			switch {
			case err == nil, o.Force && errors.As(err, &nf):
				fmt.Fprintln(w, name)
			default:
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	})
}

func removeOne(store *volume.Store, users map[string][]string, name string) error {
	if _, err := store.Get(name); err != nil {
		return err
	}
	if ids := users[name]; len(ids) > 0 {
		return &volume.InUseError{Name: name, Containers: ids}
	}
	return store.Delete(name)
}
