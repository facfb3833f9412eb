package container

import (
	"fmt"
	"strings"

	"github.com/containerd/containerd/v2/pkg/oci"
	"github.com/moby/sys/mountinfo"

	"github.com/berth-project/berth/pkg/containerutil"
)

// checkBindPropagation checks that a shared or slave bind's source can
// give that propagation, as Docker does, before anything is made.
func checkBindPropagation(mp containerutil.MountPoint) error {
	if mp.Type != "bind" {
		return nil
	}
	switch mp.Propagation {
	case "shared", "rshared":
		return checkPropagation(mp.Source, "shared:")
	case "slave", "rslave":
		return checkPropagation(mp.Source, "shared:", "master:")
	}
	return nil
}

// setRootfsPropagation makes the container's root shared or slave when a
// bind asks for that propagation.
func setRootfsPropagation(s *oci.Spec, mounts []*plannedMount) {
	for _, pm := range mounts {
		if pm.point.Type != "bind" {
			continue
		}
		root := s.Linux.RootfsPropagation
		switch pm.point.Propagation {
		case "shared", "rshared":
			if root != "shared" && root != "rshared" {
				s.Linux.RootfsPropagation = "rshared"
			}
		case "slave", "rslave":
			if root != "shared" && root != "rshared" && root != "slave" && root != "rslave" {
				s.Linux.RootfsPropagation = "rslave"
			}
		}
	}
}

// checkPropagation checks that the mount holding path is shared (or a
// slave, when "master:" is among want).
func checkPropagation(path string, want ...string) error {
	infos, err := mountinfo.GetMounts(mountinfo.ParentsFilter(path))
	if err != nil {
		return err
	}
	var best *mountinfo.Info
	for _, m := range infos {
		if best == nil || len(m.Mountpoint) > len(best.Mountpoint) {
			best = m
		}
	}
	if best == nil {
		return fmt.Errorf("could not find the mount of %s", path)
	}
	for _, opt := range strings.Fields(best.Optional) {
		for _, w := range want {
			if strings.HasPrefix(opt, w) {
				return nil
			}
		}
	}
	if len(want) > 1 {
		return fmt.Errorf("path %s is mounted on %s but it is not a shared or slave mount", path, best.Mountpoint)
	}
	return fmt.Errorf("path %s is mounted on %s but it is not a shared mount", path, best.Mountpoint)
}
