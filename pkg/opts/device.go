package opts

import (
	"fmt"
	"path"
	"strings"
)

// Device is one parsed --device: a host device node (or a directory of
// them), where it appears in the container, and the cgroup permissions
// (a combination of r, w and m).
type Device struct {
	PathOnHost        string
	PathInContainer   string
	CgroupPermissions string
}

// ParseDevice parses --device HOST[:CONTAINER][:PERMISSIONS] as docker does
// for a Linux engine: the container path defaults to the host path, the
// permissions to rwm, and a second field that is a valid permission string
// is taken as the permissions. Whether the host path is a device is checked
// when the container is created.
func ParseDevice(s string) (Device, error) {
	if strings.Count(s, ":") > 2 {
		return Device{}, fmt.Errorf("bad format for path: %s", s)
	}
	parts := strings.Split(s, ":")
	if parts[0] == "" {
		return Device{}, fmt.Errorf("bad format for path: %s", s)
	}
	d := Device{PathOnHost: parts[0], PathInContainer: parts[0], CgroupPermissions: "rwm"}
	switch len(parts) {
	case 2:
		if validDeviceMode(parts[1]) {
			d.CgroupPermissions = parts[1]
		} else {
			d.PathInContainer = parts[1]
		}
	case 3:
		if !validDeviceMode(parts[2]) {
			return Device{}, fmt.Errorf("bad mode specified: %s", parts[2])
		}
		d.PathInContainer, d.CgroupPermissions = parts[1], parts[2]
	}
	if !path.IsAbs(d.PathInContainer) {
		return Device{}, fmt.Errorf("%s is not an absolute path", d.PathInContainer)
	}
	d.PathInContainer = path.Clean(d.PathInContainer)
	return d, nil
}

// validDeviceMode is true for a non-empty combination of r, w and m, each
// at most once.
func validDeviceMode(mode string) bool {
	if mode == "" || len(mode) > 3 {
		return false
	}
	seen := map[rune]bool{}
	for _, c := range mode {
		if !strings.ContainsRune("rwm", c) || seen[c] {
			return false
		}
		seen[c] = true
	}
	return true
}
