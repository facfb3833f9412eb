package container

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/containerd/v2/pkg/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/fsutil"
	"github.com/berth-project/berth/pkg/opts"
	"github.com/berth-project/berth/pkg/volume"
)

// volumePlan is the container's mounts as create works them out: its mount
// points, the volumes and host directories create made for them (taken
// back if create fails), and the users lock, held shared until the
// container's metadata names its volumes so that no prune or `volume rm`
// removes them in between.
type volumePlan struct {
	c       *client.Client
	volumes *volume.Store
	ctrs    *containerutil.Store
	lock    *fsutil.Lock
	mounts  []*plannedMount
	created []string
	dirs    []madeDir
}

// madeDir is a host directory made for a -v bind: leaf, and top, the first
// of its parents that did not exist.
type madeDir struct{ leaf, top string }

// plannedMount is one mount point and what makes it.
type plannedMount struct {
	point containerutil.MountPoint
	// create has the options of a named volume to make when missing.
	create volume.CreateOptions
	// copyData fills a new (empty) volume from the image at first use.
	copyData bool
	// nonRecursive binds without the mounts below the source.
	nonRecursive bool
	// mkdir makes a missing bind source (-v does, --mount does not).
	mkdir bool
	vol   *volume.Volume
	spec  specs.Mount
	// fill is the host directory the image's content is copied into.
	fill string
}

// planVolumes works out the container's mounts in Docker's order: the
// mounts of --volumes-from, then -v binds and --mount (which replace those
// at the same place), then the anonymous volumes of -v /path and of the
// image's VOLUMEs where nothing is mounted yet. The flags are checked
// first; the missing volumes and -v host directories it makes are taken
// back when a later step fails.
//
// users is the caller's shared hold of the volumes' users lock, taken
// before the image was looked up; the plan keeps it and its finish
// releases it.
func planVolumes(ctx context.Context, c *client.Client, cfg *config.Config, ctrs *containerutil.Store, o *CreateOptions, ic *ocispec.Image, meta *containerutil.Meta, users *fsutil.Lock) (*volumePlan, error) {
	vf, err := o.volumeFlags()
	if err != nil {
		return nil, err
	}
	p := &volumePlan{c: c, volumes: volume.NewStore(cfg.DataRoot, cfg.Namespace), ctrs: ctrs}
	points := map[string]*plannedMount{}
	for _, f := range vf.from {
		if err := p.volumesFrom(ctx, f, points); err != nil {
			return nil, err
		}
	}
	hc := &meta.HostConfig
	hc.VolumesFrom, hc.VolumeDriver = o.VolumesFrom, o.VolumeDriver
	for _, b := range vf.binds {
		points[b.Target] = bindPoint(b, o.VolumeDriver)
		hc.Binds = append(hc.Binds, b.Raw)
	}
	for _, m := range vf.mounts {
		points[cleanTarget(m.Target)] = mountFlagPoint(m, o.VolumeDriver)
		hc.Mounts = append(hc.Mounts, m)
	}
	if err := anonymousPoints(o, vf, ic, meta, points); err != nil {
		return nil, err
	}
	for _, pm := range points {
		p.mounts = append(p.mounts, pm)
	}
	sort.Slice(p.mounts, func(i, j int) bool { return p.mounts[i].point.Destination < p.mounts[j].point.Destination })
	p.lock = users
	if err := p.make(); err != nil {
		p.finish(ctx, true)
		return nil, err
	}
	meta.MountPoints = make([]containerutil.MountPoint, 0, len(p.mounts))
	for _, pm := range p.mounts {
		meta.MountPoints = append(meta.MountPoints, pm.point)
	}
	return p, nil
}

// make makes the volumes, the OCI mounts and the -v host directories.
func (p *volumePlan) make() error {
	if err := p.makeVolumes(); err != nil {
		return err
	}
	if err := p.makeSpecMounts(); err != nil {
		return err
	}
	return p.makeBindSources()
}

func cleanTarget(t string) string { return path.Clean(t) }

// volumesFrom adds the mount points of another container, read-only with
// ":ro", each otherwise as it is there. Its volumes are not filled again.
func (p *volumePlan) volumesFrom(ctx context.Context, f opts.VolumesFrom, points map[string]*plannedMount) error {
	ctr, err := containerutil.Resolve(ctx, p.c, p.ctrs, f.Container)
	if err != nil {
		return err
	}
	meta, err := p.ctrs.LoadMeta(ctr.ID())
	if err != nil {
		return fmt.Errorf("reading the mounts of container %s: %w", f.Container, err)
	}
	for _, mp := range meta.MountPoints {
		mp.RW = mp.RW && !f.ReadOnly
		mp.Mode = ""
		points[mp.Destination] = &plannedMount{point: mp}
	}
	return nil
}

// bindPoint is a -v with a source: a host path or a named volume.
func bindPoint(b opts.VolumeSpec, driver string) *plannedMount {
	mp := containerutil.MountPoint{Type: b.Type, Destination: b.Target, Mode: b.Mode, RW: !b.ReadOnly}
	pm := &plannedMount{point: mp, copyData: !b.NoCopy, mkdir: true}
	if b.Type == "bind" {
		pm.point.Source, pm.point.Propagation = b.Source, b.Propagation
		return pm
	}
	pm.point.Name, pm.point.Driver = b.Source, volume.DriverLocal
	pm.create.Driver = driver
	if pm.point.Mode == "" {
		// Docker's engine marks a -v volume of the local driver so.
		pm.point.Mode = "z"
	}
	return pm
}

// mountFlagPoint is a --mount.
func mountFlagPoint(m opts.Mount, driver string) *plannedMount {
	mp := containerutil.MountPoint{Type: m.Type, Destination: cleanTarget(m.Target), RW: !m.ReadOnly}
	pm := &plannedMount{point: mp, copyData: true}
	switch m.Type {
	case "bind":
		pm.point.Source, pm.point.Propagation = path.Clean(m.Source), "rprivate"
		if b := m.BindOptions; b != nil {
			if b.Propagation != "" {
				pm.point.Propagation = b.Propagation
			}
			pm.nonRecursive, pm.mkdir = b.NonRecursive, b.CreateMountpoint
		}
	case "volume":
		pm.point.Name, pm.point.Driver, pm.point.Anonymous = m.Source, volume.DriverLocal, m.Source == ""
		pm.create.Driver = mountDriver(m, driver)
		if v := m.VolumeOptions; v != nil {
			pm.copyData = !v.NoCopy
			if len(v.Labels) > 0 {
				pm.create.Labels = v.Labels
			}
			if v.DriverConfig != nil && len(v.DriverConfig.Options) > 0 {
				pm.create.Options = v.DriverConfig.Options
			}
		}
	case "tmpfs":
		ro := m
		ro.ReadOnly = false
		pm.point.Options = opts.TmpfsMountOptions(ro)
	}
	return pm
}

// anonymousPoints adds a new anonymous volume for each -v /path and each
// VOLUME of the image where nothing else is mounted, and records them in
// Config.Volumes as Docker does.
func anonymousPoints(o *CreateOptions, vf *volumeFlags, ic *ocispec.Image, meta *containerutil.Meta, points map[string]*plannedMount) error {
	wanted := map[string]struct{}{}
	for v := range ic.Config.Volumes {
		wanted[v] = struct{}{}
	}
	for _, a := range vf.anonymous {
		wanted[a.Target] = struct{}{}
	}
	if len(wanted) > 0 {
		meta.Config.Volumes = wanted
	}
	tmpfs, err := opts.ParseTmpfsList(o.Tmpfs)
	if err != nil {
		return err
	}
	taken := map[string]bool{}
	for _, t := range tmpfs {
		taken[t.Destination] = true
	}
	for v := range wanted {
		dest := cleanTarget(v)
		if points[dest] != nil || taken[dest] || !path.IsAbs(dest) || dest == "/" {
			continue
		}
		if err := volume.CheckDriver("", o.VolumeDriver); err != nil {
			return err
		}
		mp := containerutil.MountPoint{Type: "volume", Destination: dest, Driver: volume.DriverLocal, RW: true, Anonymous: true}
		points[dest] = &plannedMount{point: mp, copyData: true, create: volume.CreateOptions{Driver: o.VolumeDriver}}
	}
	return nil
}

// makeVolumes finds each volume, making the missing ones and the
// anonymous ones; those it made are remembered for the rollback.
func (p *volumePlan) makeVolumes() error {
	for _, pm := range p.mounts {
		if pm.point.Type != "volume" {
			continue
		}
		mp := &pm.point
		if mp.Name == "" {
			v, err := p.volumes.CreateAnonymous(pm.create.Driver)
			if err != nil {
				return err
			}
			p.created = append(p.created, v.Name)
			pm.vol, mp.Name = v, v.Name
		} else {
			v, created, err := p.volumes.Create(mp.Name, pm.create)
			if err != nil {
				return err
			}
			if created {
				p.created = append(p.created, v.Name)
			}
			pm.vol = v
		}
		mp.Source = pm.vol.Mountpoint
	}
	return nil
}

// makeSpecMounts builds the OCI mount of each mount point.
func (p *volumePlan) makeSpecMounts() error {
	for _, pm := range p.mounts {
		mp := pm.point
		m := specs.Mount{Destination: mp.Destination, Type: "bind", Source: mp.Source}
		bindMode := "rbind"
		if pm.nonRecursive {
			bindMode = "bind"
		}
		switch mp.Type {
		case "tmpfs":
			m.Type, m.Source = "tmpfs", "tmpfs"
			m.Options = append([]string{"noexec", "nosuid", "nodev", "rprivate"}, mp.Options...)
		case "bind":
			if err := checkBindPropagation(mp); err != nil {
				return err
			}
			m.Options = []string{bindMode, mp.Propagation}
		case "volume":
			var err error
			if m, err = p.volumeMount(pm); err != nil {
				return err
			}
		}
		if !mp.RW {
			m.Options = append(m.Options, "ro")
		}
		pm.spec = m
	}
	return nil
}

// volumeMount is the OCI mount of a volume: its data directory bound, or
// the device its options name.
func (p *volumePlan) volumeMount(pm *plannedMount) (specs.Mount, error) {
	src, err := pm.vol.Source()
	if err != nil {
		return specs.Mount{}, err
	}
	m := specs.Mount{Destination: pm.point.Destination, Type: src.Type, Source: src.Source, Options: src.Options}
	if src.Type == "bind" {
		m.Options = append([]string{"rbind", "rprivate"}, src.Options...)
	}
	if pm.copyData {
		pm.fill = src.Data
	}
	return m, nil
}

// makeBindSources makes the missing host directories of -v binds, as
// Docker does; --mount refuses a missing source unless
// bind-create-mountpoint.
func (p *volumePlan) makeBindSources() error {
	for _, pm := range p.mounts {
		if pm.point.Type != "bind" {
			continue
		}
		src := pm.point.Source
		if _, err := os.Stat(src); err == nil {
			continue
		} else if !errors.Is(err, os.ErrNotExist) {
			return err
		}
		if !pm.mkdir {
			return fmt.Errorf("invalid mount config for type \"bind\": bind source path does not exist: %s", src)
		}
		top := src
		for d := filepath.Dir(src); d != "/"; d = filepath.Dir(d) {
			if _, err := os.Stat(d); err == nil {
				break
			}
			top = d
		}
		if err := os.MkdirAll(src, 0o755); err != nil {
			return fmt.Errorf("error while creating mount source path '%s': %w", src, err)
		}
		p.dirs = append(p.dirs, madeDir{leaf: src, top: top})
	}
	return nil
}

// specOpts mount the planned mounts in place of the default mounts at the
// same places, parents before children, and set the root's propagation a
// shared or slave bind needs.
func (p *volumePlan) specOpts() []oci.SpecOpts {
	if len(p.mounts) == 0 {
		return nil
	}
	mounts := make([]specs.Mount, 0, len(p.mounts))
	for _, pm := range p.mounts {
		mounts = append(mounts, pm.spec)
	}
	sort.SliceStable(mounts, func(i, j int) bool {
		return strings.Count(mounts[i].Destination, "/") < strings.Count(mounts[j].Destination, "/")
	})
	return []oci.SpecOpts{func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		mine := map[string]bool{}
		for _, m := range mounts {
			mine[m.Destination] = true
		}
		kept := s.Mounts[:0]
		for _, m := range s.Mounts {
			if mine[filepath.Clean(m.Destination)] || (mine["/dev"] && strings.HasPrefix(m.Destination, "/dev/")) {
				continue
			}
			kept = append(kept, m)
		}
		s.Mounts = append(kept, mounts...)
		setRootfsPropagation(s, p.mounts)
		return nil
	}}
}
