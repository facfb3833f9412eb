package containerutil

import (
	"errors"
	"os"
	"path/filepath"
)

// MountPoint is one of the container's mounts, Docker's MountPoint as
// inspect's Mounts shows it, plus what berth needs to remove and share it.
type MountPoint struct {
	// Type is "volume", "bind" or "tmpfs".
	Type string
	// Name is the volume's name.
	Name string `json:",omitempty"`
	// Source is the host path: the bind's, or the volume's data directory.
	Source      string
	Destination string
	// Driver is the volume's driver ("local").
	Driver      string `json:",omitempty"`
	Mode        string
	RW          bool
	Propagation string
	// Anonymous marks a volume made for this container without a name
	// (or taken from one with --volumes-from): rm -v and run --rm remove it.
	Anonymous bool `json:",omitempty"`
	// Options are the tmpfs mount options of a --mount type=tmpfs.
	Options []string `json:",omitempty"`
}

// ContainerIDs lists the containers that have files in the store, in no
// particular order. A container being created or removed may be among
// them; the engine's list says which exist.
func (s *Store) ContainerIDs() ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(s.root, "containers"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.IsDir() {
			ids = append(ids, e.Name())
		}
	}
	return ids, nil
}
