package container

import (
	"errors"
	"fmt"
	"os"

	"github.com/berth-project/berth/pkg/opts"
	"github.com/berth-project/berth/pkg/volume"
)

// volumeFlags are the parsed -v, --mount and --volumes-from.
type volumeFlags struct {
	// binds are the -v values with a source: host paths and named volumes.
	binds []opts.VolumeSpec
	// anonymous are the -v values without one.
	anonymous []opts.VolumeSpec
	mounts    []opts.Mount
	from      []opts.VolumesFrom
}

// volumeFlags parses the volume flags and checks them against each other
// and --tmpfs, with Docker's messages. A host path starting with "." is
// relative to berth's working directory, as in Docker's CLI.
func (o *CreateOptions) volumeFlags() (*volumeFlags, error) {
	cwd, err := os.Getwd()
	if err != nil {
		cwd = "/"
	}
	vf := &volumeFlags{}
	for _, s := range o.Volumes {
		v, err := opts.ParseVolume(s, cwd)
		if err != nil {
			return nil, err
		}
		if v.Anonymous() {
			vf.anonymous = append(vf.anonymous, v)
		} else {
			vf.binds = append(vf.binds, v)
		}
	}
	for _, s := range o.Mounts {
		m, err := opts.ParseMount(s, cwd)
		if err != nil {
			return nil, flagError("--mount", s, err)
		}
		if err := opts.ValidateMount(m); err != nil {
			return nil, err
		}
		if m.VolumeOptions != nil && m.VolumeOptions.Subpath != "" {
			// Mounting a directory the container can swap for a symlink
			// needs a race-free bind, which berth does not have yet.
			return nil, errors.New("--mount volume-subpath is not supported yet")
		}
		vf.mounts = append(vf.mounts, m)
	}
	for _, s := range o.VolumesFrom {
		f, err := opts.ParseVolumesFrom(s)
		if err != nil {
			return nil, err
		}
		vf.from = append(vf.from, f)
	}
	if err := vf.checkDuplicates(o.Tmpfs); err != nil {
		return nil, err
	}
	if err := vf.checkDrivers(o.VolumeDriver); err != nil {
		return nil, err
	}
	return vf, nil
}

// checkDuplicates refuses two binds, mounts or tmpfs at one place, as
// Docker's engine does; an anonymous volume there just gives way.
func (vf *volumeFlags) checkDuplicates(tmpfs []string) error {
	taken := map[string]bool{}
	parsed, err := opts.ParseTmpfsList(tmpfs)
	if err != nil {
		return err
	}
	for _, t := range parsed {
		taken[t.Destination] = true
	}
	dests := make([]string, 0, len(vf.binds)+len(vf.mounts))
	for _, b := range vf.binds {
		dests = append(dests, b.Target)
	}
	for _, m := range vf.mounts {
		dests = append(dests, cleanTarget(m.Target))
	}
	for _, d := range dests {
		if taken[d] {
			return fmt.Errorf("Duplicate mount point: %s", d)
		}
		taken[d] = true
	}
	return nil
}

// checkDrivers refuses a volume driver other than local for the volumes
// the flags would make: berth has no volume plugins.
func (vf *volumeFlags) checkDrivers(volumeDriver string) error {
	for _, b := range append(append([]opts.VolumeSpec{}, vf.binds...), vf.anonymous...) {
		if b.Type == "volume" {
			if err := volume.CheckDriver(b.Source, volumeDriver); err != nil {
				return err
			}
		}
	}
	for _, m := range vf.mounts {
		if err := volume.CheckDriver(m.Source, mountDriver(m, volumeDriver)); m.Type == "volume" && err != nil {
			return err
		}
	}
	return nil
}

// mountDriver is a --mount volume's driver: its own, else --volume-driver.
func mountDriver(m opts.Mount, volumeDriver string) string {
	if v := m.VolumeOptions; v != nil && v.DriverConfig != nil && v.DriverConfig.Name != "" {
		return v.DriverConfig.Name
	}
	return volumeDriver
}
