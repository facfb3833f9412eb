package volume

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/containerd/containerd/v2/client"

	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/fsutil"
)

// The users lock keeps "is this volume in use?" true while it is acted on.
// A create holds it shared from the moment it picks its volumes until its
// container and metadata exist, so creates run side by side; removal and
// prune hold it exclusively while they decide and remove, so they never see
// a container half-created and never remove what it is about to mount. A
// crashed holder's lock goes with it.

// LockUsers takes the users lock exclusively.
func (s *Store) LockUsers() (*fsutil.Lock, error) {
	if err := os.MkdirAll(s.root, 0o711); err != nil {
		return nil, err
	}
	return fsutil.LockFile(filepath.Join(s.root, ".users.lock"))
}

// LockUsersShared takes the users lock shared, for a create.
func (s *Store) LockUsersShared() (*fsutil.Lock, error) {
	if err := os.MkdirAll(s.root, 0o711); err != nil {
		return nil, err
	}
	return fsutil.LockFileShared(filepath.Join(s.root, ".users.lock"))
}

// LiveFunc lists the IDs of the containers the engine has. It is called
// under the users lock, so that a container created just before counts.
type LiveFunc func() (map[string]bool, error)

// EngineContainers is the LiveFunc of the engine c is connected to: the IDs
// of its containers in ctx's namespace.
func EngineContainers(ctx context.Context, c *client.Client) LiveFunc {
	return func() (map[string]bool, error) {
		list, err := c.ContainerService().List(ctx)
		if err != nil {
			return nil, err
		}
		ids := make(map[string]bool, len(list))
		for _, ctr := range list {
			ids[ctr.ID] = true
		}
		return ids, nil
	}
}

// Users maps each volume to the IDs of the containers that mount it, by
// their metadata, among the containers the engine has: the metadata of a
// container the engine no longer has is a removal under way or a crash's
// leftover, and holds nothing. Call it under the users lock.
func Users(ctrs *containerutil.Store, live LiveFunc) (map[string][]string, error) {
	ids, err := ctrs.ContainerIDs()
	if err != nil {
		return nil, err
	}
	alive, err := live()
	if err != nil {
		return nil, err
	}
	users := map[string][]string{}
	for _, id := range ids {
		if !alive[id] {
			continue
		}
		meta, err := ctrs.LoadMeta(id)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, m := range meta.MountPoints {
			if m.Type == "volume" && m.Name != "" && !seen[m.Name] {
				seen[m.Name] = true
				users[m.Name] = append(users[m.Name], id)
			}
		}
	}
	for _, ids := range users {
		sort.Strings(ids)
	}
	return users, nil
}

// InUseError is Docker's refusal to remove a volume a container uses.
type InUseError struct {
	Name       string
	Containers []string
}

func (e *InUseError) Error() string {
	return fmt.Sprintf("remove %s: volume is in use - [%s]", e.Name, strings.Join(e.Containers, ", "))
}

// RemoveUnused removes the volumes among names that no container uses,
// keeping the others without a word: that is what `rm -v`, `run --rm` and
// a failed create do with the volumes they made.
func (s *Store) RemoveUnused(ctrs *containerutil.Store, live LiveFunc, names []string) error {
	if len(names) == 0 {
		return nil
	}
	lock, err := s.LockUsers()
	if err != nil {
		return err
	}
	defer lock.Unlock()
	users, err := Users(ctrs, live)
	if err != nil {
		return err
	}
	var errs []error
	for _, name := range names {
		if len(users[name]) > 0 {
			continue
		}
		var nf *NotFoundError
		if err := s.Delete(name); err != nil && !errors.As(err, &nf) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// PruneOptions say which unused volumes a prune removes.
type PruneOptions struct {
	// All removes named volumes too, not only anonymous ones.
	All bool
	// Match is the filters' verdict on a volume; nil matches all.
	Match func(*Volume) bool
}

// PruneReport is what a prune removed.
type PruneReport struct {
	Deleted   []string
	Reclaimed int64
}

// Prune removes the volumes no container uses, the anonymous ones only
// unless o.All, as Docker 23+ does.
func (s *Store) Prune(ctrs *containerutil.Store, live LiveFunc, o PruneOptions) (PruneReport, error) {
	var r PruneReport
	lock, err := s.LockUsers()
	if err != nil {
		return r, err
	}
	defer lock.Unlock()
	users, err := Users(ctrs, live)
	if err != nil {
		return r, err
	}
	vols, err := s.List()
	if err != nil {
		return r, err
	}
	var errs []error
	for _, v := range vols {
		if len(users[v.Name]) > 0 || (!o.All && !v.Anonymous()) || (o.Match != nil && !o.Match(v)) {
			continue
		}
		size := s.Size(v.Name)
		if err := s.Delete(v.Name); err != nil {
			errs = append(errs, err)
			continue
		}
		r.Deleted = append(r.Deleted, v.Name)
		r.Reclaimed += size
	}
	return r, errors.Join(errs...)
}

// AnonymousOf lists the anonymous volumes a container's metadata mounts:
// those `rm -v` and `run --rm` remove with it.
func AnonymousOf(meta *containerutil.Meta) []string {
	var names []string
	for _, m := range meta.MountPoints {
		if m.Type == "volume" && m.Anonymous && m.Name != "" {
			names = append(names, m.Name)
		}
	}
	return names
}
