package compose

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-project/berth/pkg/cmd/container"
)

// ProjectFile is a file berth writes for a service before its containers
// are created: a secret taken from the environment, a config given as
// content. It is bind-mounted read-only.
type ProjectFile struct {
	Path    string
	Content []byte
}

// setMounts maps volumes:, secrets: and configs: to berth's -v and
// --mount values. stateDir is where the files berth writes for the project
// live. Named volumes are created (with compose's labels) before the
// containers, by the session; tmpfs entries are --tmpfs values already.
func setMounts(p *types.Project, s types.ServiceConfig, o *container.CreateOptions, stateDir string) ([]ProjectFile, error) {
	for _, v := range s.Volumes {
		switch v.Type {
		case types.VolumeTypeTmpfs:
		case types.VolumeTypeVolume:
			o.Mounts = append(o.Mounts, volumeMount(p, v))
		case types.VolumeTypeBind:
			if v.Bind == nil || bool(v.Bind.CreateHostPath) {
				// -v makes a missing host directory, as Docker Compose
				// does for the short syntax.
				o.Volumes = append(o.Volumes, bindVolume(v))
			} else {
				o.Mounts = append(o.Mounts, bindMount(v))
			}
		default:
			return nil, fmt.Errorf("service %q: volumes: %s: volume type %q is not supported by berth", s.Name, v.Target, v.Type)
		}
	}
	if len(s.VolumesFrom) > 0 {
		for _, from := range s.VolumesFrom {
			ref, err := volumesFrom(p, from)
			if err != nil {
				return nil, fmt.Errorf("service %q: volumes_from: %w", s.Name, err)
			}
			o.VolumesFrom = append(o.VolumesFrom, ref)
		}
	}
	return fileMounts(p, s, o, stateDir)
}

// fileMounts bind-mounts the service's secrets (at /run/secrets/<name> or
// their target) and configs (at their target, else /<name>) read-only.
func fileMounts(p *types.Project, s types.ServiceConfig, o *container.CreateOptions, stateDir string) ([]ProjectFile, error) {
	var files []ProjectFile
	for _, sec := range s.Secrets {
		def, ok := p.Secrets[sec.Source]
		if !ok {
			return nil, fmt.Errorf("service %q refers to undefined secret %s", s.Name, sec.Source)
		}
		target := sec.Target
		if target == "" {
			target = sec.Source
		}
		if !path.IsAbs(target) {
			target = path.Join("/run/secrets", target)
		}
		src, f, err := fileSource(p, types.FileObjectConfig(def), "secrets", sec.Source, stateDir)
		if err != nil {
			return nil, fmt.Errorf("service %q: secret %s: %w", s.Name, sec.Source, err)
		}
		files = append(files, f...)
		o.Mounts = append(o.Mounts, csvJoin("type=bind", "src="+src, "dst="+target, "readonly"))
	}
	for _, cfg := range s.Configs {
		def, ok := p.Configs[cfg.Source]
		if !ok {
			return nil, fmt.Errorf("service %q refers to undefined config %s", s.Name, cfg.Source)
		}
		target := cfg.Target
		if target == "" {
			target = "/" + cfg.Source
		}
		src, f, err := fileSource(p, types.FileObjectConfig(def), "configs", cfg.Source, stateDir)
		if err != nil {
			return nil, fmt.Errorf("service %q: config %s: %w", s.Name, cfg.Source, err)
		}
		files = append(files, f...)
		o.Mounts = append(o.Mounts, csvJoin("type=bind", "src="+src, "dst="+target, "readonly"))
	}
	return files, nil
}

// fileSource is the host file of a secret or config: its file:, or a
// file berth writes from its environment: or content:.
func fileSource(p *types.Project, def types.FileObjectConfig, kind, name, stateDir string) (string, []ProjectFile, error) {
	switch {
	case bool(def.External):
		return "", nil, fmt.Errorf("external %s are a Swarm feature berth does not have", kind)
	case def.File != "":
		return def.File, nil, nil
	case def.Environment != "":
		v, ok := p.Environment[def.Environment]
		if !ok {
			return "", nil, fmt.Errorf("environment variable %s is not set", def.Environment)
		}
		f := ProjectFile{Path: filepath.Join(stateDir, kind, name), Content: []byte(v)}
		return f.Path, []ProjectFile{f}, nil
	case def.Content != "":
		f := ProjectFile{Path: filepath.Join(stateDir, kind, name), Content: []byte(def.Content)}
		return f.Path, []ProjectFile{f}, nil
	}
	return "", nil, fmt.Errorf("it has no file, environment or content")
}

// volumeMount is a volume entry as --mount: a named volume by its
// engine name, or an anonymous one.
func volumeMount(p *types.Project, v types.ServiceVolumeConfig) string {
	fields := []string{"type=volume"}
	if v.Source != "" {
		fields = append(fields, "src="+VolumeName(p, v.Source))
	}
	fields = append(fields, "dst="+v.Target)
	if v.ReadOnly {
		fields = append(fields, "readonly")
	}
	if v.Volume != nil {
		if v.Volume.NoCopy {
			fields = append(fields, "volume-nocopy")
		}
		if v.Volume.Subpath != "" {
			fields = append(fields, "volume-subpath="+v.Volume.Subpath)
		}
	}
	return csvJoin(fields...)
}

// bindVolume is a bind entry as -v SRC:DST[:OPTIONS].
func bindVolume(v types.ServiceVolumeConfig) string {
	var opts []string
	if v.ReadOnly {
		opts = append(opts, "ro")
	}
	if v.Bind != nil {
		if v.Bind.Propagation != "" {
			opts = append(opts, v.Bind.Propagation)
		}
		if v.Bind.SELinux != "" {
			opts = append(opts, v.Bind.SELinux)
		}
	}
	s := v.Source + ":" + v.Target
	if len(opts) > 0 {
		s += ":" + strings.Join(opts, ",")
	}
	return s
}

// bindMount is a bind entry as --mount, which does not make the source.
func bindMount(v types.ServiceVolumeConfig) string {
	fields := []string{"type=bind", "src=" + v.Source, "dst=" + v.Target}
	if v.ReadOnly {
		fields = append(fields, "readonly")
	}
	if v.Bind != nil && v.Bind.Propagation != "" {
		fields = append(fields, "bind-propagation="+v.Bind.Propagation)
	}
	return csvJoin(fields...)
}

// volumesFrom maps "service:NAME[:ro]" and "container:NAME[:ro]" to
// --volumes-from, a service by its first container.
func volumesFrom(p *types.Project, from string) (string, error) {
	if name, ok := strings.CutPrefix(from, types.ContainerPrefix); ok {
		return name, nil
	}
	svc, mode, _ := strings.Cut(strings.TrimPrefix(from, types.ServicePrefix), ":")
	s, err := p.GetService(svc)
	if err != nil {
		return "", err
	}
	ref := ContainerName(p.Name, s, 1)
	if mode != "" {
		ref += ":" + mode
	}
	return ref, nil
}

// csvJoin writes --mount fields as Docker's CLI reads them: CSV, so that
// a path with a comma or a quote stays one field.
func csvJoin(fields ...string) string {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(fields)
	w.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}
