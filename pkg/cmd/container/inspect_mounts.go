package container

import "github.com/berth-project/berth/pkg/containerutil"

// mountPointsOf is inspect's Mounts: the container's volumes, binds and
// --mount tmpfs, by destination ([] when none, as Docker prints it).
func mountPointsOf(meta *containerutil.Meta) []mountPoint {
	out := make([]mountPoint, 0, len(meta.MountPoints))
	for _, m := range meta.MountPoints {
		out = append(out, mountPoint{
			Type: m.Type, Name: m.Name, Source: m.Source, Destination: m.Destination,
			Driver: m.Driver, Mode: m.Mode, RW: m.RW, Propagation: m.Propagation,
		})
	}
	return out
}
