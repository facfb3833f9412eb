package container

import (
	"strconv"
	"strings"

	"github.com/berth-project/berth/pkg/containerutil"
)

// mountsColumn is ps's MOUNTS: each mount's volume name, or its source,
// shortened to 15 characters unless --no-trunc, as Docker prints them.
func mountsColumn(meta *containerutil.Meta, trunc bool) string {
	names := make([]string, 0, len(meta.MountPoints))
	for _, m := range meta.MountPoints {
		name := m.Name
		if name == "" {
			name = m.Source
		}
		if trunc {
			name = ellipsize(name, 15)
		}
		names = append(names, name)
	}
	return strings.Join(names, ",")
}

// localVolumesColumn is ps's LOCAL VOLUMES: the number of local volumes.
func localVolumesColumn(meta *containerutil.Meta) string {
	n := 0
	for _, m := range meta.MountPoints {
		if m.Driver == "local" {
			n++
		}
	}
	return strconv.Itoa(n)
}

// mountsVolume is ps's --filter volume=: a mount's destination, or its
// volume's name (its source for a bind), is one of the values.
func mountsVolume(meta *containerutil.Meta, values []string) bool {
	if len(values) == 0 {
		return true
	}
	for _, m := range meta.MountPoints {
		name := m.Name
		if name == "" {
			name = m.Source
		}
		for _, v := range values {
			if v == m.Destination || v == name {
				return true
			}
		}
	}
	return false
}
