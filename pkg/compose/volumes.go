package compose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/compose-spec/compose-go/v2/types"

	cmdvolume "github.com/berth-project/berth/pkg/cmd/volume"
	"github.com/berth-project/berth/pkg/fsutil"
	"github.com/berth-project/berth/pkg/volume"
)

// usedVolumes are the keys of the project volumes the services mount.
func usedVolumes(services []types.ServiceConfig) []string {
	var out []string
	for _, s := range services {
		for _, v := range s.Volumes {
			if v.Type == types.VolumeTypeVolume && v.Source != "" && !slices.Contains(out, v.Source) {
				out = append(out, v.Source)
			}
		}
	}
	slices.Sort(out)
	return out
}

// checkVolumes checks the named volumes the services mount before
// anything is created: external ones must exist, the others must have a
// driver and options berth has.
func (ss *session) checkVolumes(p *types.Project, services []types.ServiceConfig) error {
	store := volume.NewStore(ss.cfg.DataRoot, ss.cfg.Namespace)
	for _, key := range usedVolumes(services) {
		v := p.Volumes[key]
		name := VolumeName(p, key)
		if v.External {
			if _, err := store.Get(name); err != nil {
				var nf *volume.NotFoundError
				if errors.As(err, &nf) {
					return fmt.Errorf("external volume %q not found", name)
				}
				return err
			}
			continue
		}
		if err := volume.CheckDriver(name, v.Driver); err != nil {
			return fmt.Errorf("volume %s: %w", key, err)
		}
		if err := volume.ValidateOptions(v.DriverOpts); err != nil {
			return fmt.Errorf("volume %s: %w", key, err)
		}
	}
	return nil
}

// ensureVolumes creates the named volumes the services mount, with Docker
// Compose's labels, once checkVolumes passed.
func (ss *session) ensureVolumes(p *types.Project, services []types.ServiceConfig) error {
	if err := ss.checkVolumes(p, services); err != nil {
		return err
	}
	store := volume.NewStore(ss.cfg.DataRoot, ss.cfg.Namespace)
	for _, key := range usedVolumes(services) {
		v := p.Volumes[key]
		if v.External {
			continue
		}
		name := VolumeName(p, key)
		labels := map[string]string{LabelProject: p.Name, LabelVolume: key, LabelVersion: ComposeVersion}
		for k, val := range v.Labels {
			labels[k] = val
		}
		if _, err := store.Get(name); err == nil {
			continue
		}
		ss.progress.event("Volume", name, "Creating")
		if _, _, err := store.Create(name, volume.CreateOptions{Driver: v.Driver, Labels: labels, Options: v.DriverOpts}); err != nil {
			return fmt.Errorf("creating volume %s: %w", name, err)
		}
		ss.progress.event("Volume", name, "Created")
	}
	return nil
}

// removeVolumes removes the volumes berth created for the project (down
// -v); one a container of another project uses is reported and kept.
func (ss *session) removeVolumes(ctx context.Context, project string) error {
	store := volume.NewStore(ss.cfg.DataRoot, ss.cfg.Namespace)
	vols, err := store.List()
	if err != nil {
		return err
	}
	var errs []error
	for _, v := range vols {
		if v.Labels[LabelProject] != project {
			continue
		}
		ss.progress.event("Volume", v.Name, "Removing")
		if err := cmdvolume.Remove(ctx, ss.cfg, io.Discard, cmdvolume.RemoveOptions{Force: true, Names: []string{v.Name}}); err != nil {
			ss.progress.event("Volume", v.Name, "Error")
			errs = append(errs, err)
			continue
		}
		ss.progress.event("Volume", v.Name, "Removed")
	}
	return errors.Join(errs...)
}

// writeFiles writes the files berth makes for secrets and configs,
// readable by the container's user whoever it is: the directory above them
// is berth's own.
func writeFiles(files []ProjectFile) error {
	for _, f := range files {
		if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
			return err
		}
		if err := fsutil.WriteFileAtomic(f.Path, f.Content, 0o444); err != nil {
			return fmt.Errorf("writing %s: %w", f.Path, err)
		}
	}
	return nil
}
