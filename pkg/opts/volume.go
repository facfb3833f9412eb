package opts

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"
)

// VolumeSpec is one parsed -v: a bind mount (Source is an absolute host
// path), a named volume (Source is the name) or an anonymous volume
// (Source is empty).
type VolumeSpec struct {
	// Type is "bind" or "volume".
	Type   string
	Source string
	// Target is the path in the container, cleaned.
	Target string
	// Mode is the third section as written ("ro", "rw,Z", ...).
	Mode     string
	ReadOnly bool
	// Propagation is the mode's propagation (rprivate when none, for binds).
	Propagation string
	// NoCopy turns off the copy of the image's content into a new volume.
	NoCopy bool
	// Raw is the spec as Docker stores it in HostConfig.Binds: a relative
	// host path made absolute.
	Raw string
}

// Anonymous reports a volume without a name.
func (v VolumeSpec) Anonymous() bool { return v.Type == "volume" && v.Source == "" }

// volumeNamePattern is Docker's rule for local volume names.
var volumeNamePattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

// ValidateVolumeName checks a local volume's name as Docker's local driver
// does; the name becomes a directory, so "/" and a leading "." are refused.
func ValidateVolumeName(name string) error {
	if len(name) == 1 {
		return errors.New("volume name is too short, names should be at least two alphanumeric characters")
	}
	if !volumeNamePattern.MatchString(name) {
		return fmt.Errorf("%q includes invalid characters for a local volume name, only %q are allowed. If you intended to pass a host directory, use absolute path", name, "[a-zA-Z0-9][a-zA-Z0-9_.-]")
	}
	return nil
}

// ParseVolume parses -v as Docker's CLI and engine do between them:
// [SOURCE:]TARGET[:MODE]. A source starting with "." is a host path
// relative to cwd; another source that is not absolute is a volume name.
func ParseVolume(spec, cwd string) (VolumeSpec, error) {
	sections, err := splitVolumeSpec(spec)
	if err != nil {
		return VolumeSpec{}, err
	}
	if len(sections) == 1 {
		return anonymousVolume(spec, sections[0])
	}
	if strings.HasPrefix(sections[0], ".") {
		sections[0] = path.Join(cwd, sections[0])
		spec = strings.Join(sections, ":")
	}
	return parseVolumeSections(spec, sections)
}

// splitVolumeSpec splits at colons as Docker's CLI does: a spec of one or
// two characters is a target, no section may be empty, at most three.
func splitVolumeSpec(spec string) ([]string, error) {
	switch len(spec) {
	case 0:
		return nil, errors.New("invalid empty volume spec")
	case 1, 2:
		return []string{spec}, nil
	}
	sections := strings.Split(spec, ":")
	for i, s := range sections {
		if s == "" {
			return nil, fmt.Errorf("invalid spec: %s: empty section between colons", spec)
		}
		if i == 3 {
			return nil, fmt.Errorf("invalid spec: %s: too many colons", spec)
		}
	}
	return sections, nil
}

// anonymousVolume is "-v /path": a new volume without a name.
func anonymousVolume(spec, target string) (VolumeSpec, error) {
	if err := validateTarget(target); err != nil {
		return VolumeSpec{}, volumeSpecError(spec, "volume", err)
	}
	return VolumeSpec{Type: "volume", Target: path.Clean(target), Raw: spec}, nil
}

func parseVolumeSections(spec string, sections []string) (VolumeSpec, error) {
	v := VolumeSpec{Source: sections[0], Target: sections[1], Raw: spec}
	if len(sections) == 2 && validMountMode(v.Target) {
		// "/foo:rw": a target and a mode, but a volume needs a target.
		return VolumeSpec{}, invalidVolumeSpec(spec)
	}
	if len(sections) == 3 {
		v.Mode = sections[2]
	}
	if !validMountMode(v.Mode) {
		return VolumeSpec{}, fmt.Errorf("invalid mode: %s", v.Mode)
	}
	v.Type = "volume"
	if path.IsAbs(v.Source) {
		v.Type = "bind"
	}
	for _, o := range strings.Split(v.Mode, ",") {
		switch {
		case o == "ro":
			v.ReadOnly = true
		case o == "nocopy":
			v.NoCopy = true
		case propagationModes[o]:
			v.Propagation = o
		}
	}
	if err := validateTarget(v.Target); err != nil {
		return VolumeSpec{}, volumeSpecError(spec, v.Type, err)
	}
	// Docker's engine turns nocopy into volume options and a propagation
	// into bind options, which the other type refuses.
	if v.NoCopy && v.Type == "bind" {
		return VolumeSpec{}, volumeSpecError(spec, v.Type, errors.New("field VolumeOptions must not be specified"))
	}
	if v.Propagation != "" && v.Type == "volume" {
		return VolumeSpec{}, volumeSpecError(spec, v.Type, errors.New("field BindOptions must not be specified"))
	}
	v.Target = path.Clean(v.Target)
	if v.Type == "bind" {
		v.Source = path.Clean(v.Source)
		if v.Propagation == "" {
			v.Propagation = "rprivate"
		}
		return v, nil
	}
	if err := ValidateVolumeName(v.Source); err != nil {
		return VolumeSpec{}, fmt.Errorf("create %s: %w", v.Source, err)
	}
	return v, nil
}

func invalidVolumeSpec(spec string) error {
	return fmt.Errorf("invalid volume specification: '%s'", spec)
}

// volumeSpecError is Docker's wording for a -v whose parts do not fit its type.
func volumeSpecError(spec, typ string, err error) error {
	return fmt.Errorf("%v: %w", invalidVolumeSpec(spec), mountConfigError(typ, err))
}

// validateTarget checks a mount's path in the container.
func validateTarget(target string) error {
	if target == "" {
		return errors.New("field Target must not be empty")
	}
	if path.Clean(target) == "/" {
		return errors.New("invalid specification: destination can't be '/'")
	}
	if !path.IsAbs(target) {
		return fmt.Errorf("invalid mount path: '%s' mount path must be absolute", target)
	}
	return nil
}

// propagationModes are the mount propagations Linux has.
var propagationModes = map[string]bool{
	"private": true, "rprivate": true, "slave": true, "rslave": true, "shared": true, "rshared": true,
}

// validMountMode accepts a comma-separated mode with at most one of each
// kind: rw/ro, an SELinux label (z, Z), a propagation, nocopy, and a
// consistency (accepted and ignored on Linux, as in Docker).
func validMountMode(mode string) bool {
	if mode == "" {
		return true
	}
	counts := map[string]int{}
	for _, o := range strings.Split(mode, ",") {
		kind := ""
		switch {
		case o == "rw" || o == "ro":
			kind = "rw"
		case o == "z" || o == "Z":
			kind = "label"
		case propagationModes[o]:
			kind = "propagation"
		case o == "nocopy":
			kind = "copy"
		case o == "consistent" || o == "cached" || o == "delegated":
			kind = "consistency"
		default:
			return false
		}
		counts[kind]++
		if counts[kind] > 1 {
			return false
		}
	}
	return true
}

// VolumesFrom is one parsed --volumes-from: a container and the mode its
// mounts get here.
type VolumesFrom struct {
	Container string
	// Mode is "rw" or what was given ("ro", "ro,z", ...).
	Mode string
	// ReadOnly makes every mount read-only; otherwise each keeps its own.
	ReadOnly bool
}

// ParseVolumesFrom parses CONTAINER[:ro|rw] as Docker's engine does: no
// propagation or copy mode.
func ParseVolumesFrom(spec string) (VolumesFrom, error) {
	if spec == "" {
		return VolumesFrom{}, errors.New("volumes-from specification cannot be an empty string")
	}
	id, mode, _ := strings.Cut(spec, ":")
	if mode == "" {
		return VolumesFrom{Container: id, Mode: "rw"}, nil
	}
	if !validMountMode(mode) {
		return VolumesFrom{}, fmt.Errorf("invalid mode: %s", mode)
	}
	v := VolumesFrom{Container: id, Mode: mode}
	for _, o := range strings.Split(mode, ",") {
		if propagationModes[o] || o == "nocopy" {
			return VolumesFrom{}, fmt.Errorf("invalid mode: %s", mode)
		}
		v.ReadOnly = v.ReadOnly || o == "ro"
	}
	return v, nil
}
