package opts

import (
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	units "github.com/docker/go-units"
)

// Mount is one --mount, Docker's mount.Mount as HostConfig.Mounts shows it.
type Mount struct {
	Type          string         `json:",omitempty"`
	Source        string         `json:",omitempty"`
	Target        string         `json:",omitempty"`
	ReadOnly      bool           `json:",omitempty"`
	Consistency   string         `json:",omitempty"`
	BindOptions   *BindOptions   `json:",omitempty"`
	VolumeOptions *VolumeOptions `json:",omitempty"`
	TmpfsOptions  *TmpfsOptions  `json:",omitempty"`
}

// BindOptions are the bind-* keys.
type BindOptions struct {
	Propagation      string `json:",omitempty"`
	NonRecursive     bool   `json:",omitempty"`
	CreateMountpoint bool   `json:",omitempty"`
}

// VolumeOptions are the volume-* keys.
type VolumeOptions struct {
	NoCopy       bool              `json:",omitempty"`
	Labels       map[string]string `json:",omitempty"`
	Subpath      string            `json:",omitempty"`
	DriverConfig *VolumeDriver     `json:",omitempty"`
}

// VolumeDriver is volume-driver and its volume-opt values.
type VolumeDriver struct {
	Name    string            `json:",omitempty"`
	Options map[string]string `json:",omitempty"`
}

// TmpfsOptions are the tmpfs-* keys.
type TmpfsOptions struct {
	SizeBytes int64       `json:",omitempty"`
	Mode      os.FileMode `json:",omitempty"`
}

// ParseMount parses --mount as Docker's CLI does: comma-separated
// key=value fields (CSV, so a field may be quoted), type volume by default.
// A source "." or "./..." is made absolute against cwd. The engine's own
// checks are ValidateMount's.
func ParseMount(value, cwd string) (Mount, error) {
	fields, err := csv.NewReader(strings.NewReader(value)).Read()
	if err != nil {
		return Mount{}, err
	}
	m := Mount{Type: "volume"}
	for _, field := range fields {
		if err := m.setField(field, cwd); err != nil {
			return Mount{}, err
		}
	}
	switch {
	case m.Type == "":
		return Mount{}, errors.New("type is required")
	case m.Target == "":
		return Mount{}, errors.New("target is required")
	case m.VolumeOptions != nil && m.Type != "volume":
		return Mount{}, fmt.Errorf("cannot mix 'volume-*' options with mount type '%s'", m.Type)
	case m.BindOptions != nil && m.Type != "bind":
		return Mount{}, fmt.Errorf("cannot mix 'bind-*' options with mount type '%s'", m.Type)
	case m.TmpfsOptions != nil && m.Type != "tmpfs":
		return Mount{}, fmt.Errorf("cannot mix 'tmpfs-*' options with mount type '%s'", m.Type)
	}
	return m, nil
}

// mountFlags are the keys that may stand alone, meaning true.
var mountFlags = map[string]bool{"readonly": true, "ro": true, "volume-nocopy": true, "bind-nonrecursive": true, "bind-create-mountpoint": true}

func (m *Mount) setField(field, cwd string) error {
	key, val, hasValue := strings.Cut(field, "=")
	key = strings.ToLower(key)
	if !hasValue && !mountFlags[key] {
		return fmt.Errorf("invalid field '%s' must be a key=value pair", field)
	}
	boolValue := func() (bool, error) {
		if !hasValue {
			return true, nil
		}
		b, err := strconv.ParseBool(val)
		if err != nil {
			return false, fmt.Errorf("invalid value for %s: %s", key, val)
		}
		return b, nil
	}
	var err error
	switch key {
	case "type":
		m.Type = strings.ToLower(val)
	case "source", "src":
		m.Source = val
		if val == "." || strings.HasPrefix(val, "./") {
			m.Source = path.Join(cwd, val)
		}
	case "target", "dst", "destination":
		m.Target = val
	case "readonly", "ro":
		m.ReadOnly, err = boolValue()
	case "consistency":
		m.Consistency = strings.ToLower(val)
	case "bind-propagation":
		m.bindOptions().Propagation = strings.ToLower(val)
	case "bind-nonrecursive":
		m.bindOptions().NonRecursive, err = boolValue()
	case "bind-create-mountpoint":
		m.bindOptions().CreateMountpoint, err = boolValue()
	case "volume-nocopy":
		m.volumeOptions().NoCopy, err = boolValue()
	case "volume-label":
		setKV(m.volumeOptions().Labels, val)
	case "volume-driver":
		m.volumeOptions().DriverConfig.Name = val
	case "volume-opt":
		setKV(m.volumeOptions().DriverConfig.Options, val)
	case "volume-subpath":
		m.volumeOptions().Subpath = val
	case "tmpfs-size":
		size, perr := units.RAMInBytes(val)
		if perr != nil {
			return fmt.Errorf("invalid value for %s: %s", key, val)
		}
		m.tmpfsOptions().SizeBytes = size
	case "tmpfs-mode":
		mode, perr := strconv.ParseUint(val, 8, 32)
		if perr != nil {
			return fmt.Errorf("invalid value for %s: %s", key, val)
		}
		m.tmpfsOptions().Mode = os.FileMode(mode)
	default:
		return fmt.Errorf("unexpected key '%s' in '%s'", key, field)
	}
	return err
}

func setKV(m map[string]string, kv string) {
	if k, v, _ := strings.Cut(kv, "="); k != "" {
		m[k] = v
	}
}

func (m *Mount) bindOptions() *BindOptions {
	if m.BindOptions == nil {
		m.BindOptions = &BindOptions{}
	}
	return m.BindOptions
}

func (m *Mount) volumeOptions() *VolumeOptions {
	if m.VolumeOptions == nil {
		m.VolumeOptions = &VolumeOptions{Labels: map[string]string{}, DriverConfig: &VolumeDriver{Options: map[string]string{}}}
	}
	return m.VolumeOptions
}

func (m *Mount) tmpfsOptions() *TmpfsOptions {
	if m.TmpfsOptions == nil {
		m.TmpfsOptions = &TmpfsOptions{}
	}
	return m.TmpfsOptions
}

// mountConfigError is Docker's engine's wording for a mount it refuses.
func mountConfigError(typ string, err error) error {
	return fmt.Errorf("invalid mount config for type %q: %w", typ, err)
}

// ValidateMount checks a --mount as Docker's engine does, with its
// messages, except whether a bind's source exists: that is I/O, for the
// caller.
func ValidateMount(m Mount) error {
	if err := validateTarget(m.Target); err != nil {
		return mountConfigError(m.Type, err)
	}
	var err error
	switch m.Type {
	case "bind":
		err = validateBindMount(m)
	case "volume":
		err = validateVolumeMount(m)
	case "tmpfs":
		if m.Source != "" {
			err = errors.New("field Source must not be specified")
		}
	default:
		err = errors.New("mount type unknown")
	}
	if err != nil {
		return mountConfigError(m.Type, err)
	}
	if m.Type == "volume" && m.Source != "" {
		if err := ValidateVolumeName(m.Source); err != nil {
			return fmt.Errorf("create %s: %w", m.Source, err)
		}
	}
	return nil
}

func validateBindMount(m Mount) error {
	if m.Source == "" {
		return errors.New("field Source must not be empty")
	}
	if b := m.BindOptions; b != nil && b.Propagation != "" && !propagationModes[b.Propagation] {
		return fmt.Errorf("invalid propagation mode: %s", b.Propagation)
	}
	if m.VolumeOptions != nil {
		return errors.New("field VolumeOptions must not be specified")
	}
	if !path.IsAbs(m.Source) {
		return fmt.Errorf("invalid mount path: '%s' mount path must be absolute", m.Source)
	}
	return nil
}

func validateVolumeMount(m Mount) error {
	if m.BindOptions != nil {
		return errors.New("field BindOptions must not be specified")
	}
	anonymous := m.Source == ""
	if v := m.VolumeOptions; v != nil && v.Subpath != "" {
		if anonymous {
			return errors.New("must not set Subpath when using anonymous volumes")
		}
		if !filepath.IsLocal(v.Subpath) {
			return errors.New("subpath must be a relative path within the volume")
		}
	}
	if m.ReadOnly && anonymous {
		return errors.New("must not set ReadOnly mode when using anonymous volumes")
	}
	return nil
}

// TmpfsMountOptions are the mount options of a --mount type=tmpfs, as
// Docker's engine writes them: ro, mode in octal, size with the largest
// suffix that divides it.
func TmpfsMountOptions(m Mount) []string {
	var out []string
	if m.ReadOnly {
		out = append(out, "ro")
	}
	t := m.TmpfsOptions
	if t == nil {
		return out
	}
	if t.Mode != 0 {
		out = append(out, fmt.Sprintf("mode=%o", t.Mode))
	}
	if t.SizeBytes != 0 {
		size, suffix := t.SizeBytes, ""
		for _, u := range []struct {
			suffix string
			div    int64
		}{{"g", 1 << 30}, {"m", 1 << 20}, {"k", 1 << 10}} {
			if size%u.div == 0 {
				size, suffix = size/u.div, u.suffix
				break
			}
		}
		out = append(out, fmt.Sprintf("size=%d%s", size, suffix))
	}
	return out
}

// Mounts is the pflag.Value of --mount: each use is parsed as Docker's CLI
// does and appended as written.
type Mounts struct{ p *[]string }

// NewMounts returns a --mount value appending to p.
func NewMounts(p *[]string) *Mounts { return &Mounts{p: p} }

// Set checks and appends s. The working directory does not change what
// is valid, so "/" stands in for it here.
func (m *Mounts) Set(s string) error {
	if _, err := ParseMount(s, "/"); err != nil {
		return err
	}
	*m.p = append(*m.p, s)
	return nil
}

// String lists the values.
func (m *Mounts) String() string { return strings.Join(*m.p, ", ") }

// Type is Docker's name for the flag type in help output.
func (m *Mounts) Type() string { return "mount" }
