package events

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/netutil"
	"github.com/berth-project/berth/pkg/volume"
)

// EngineSource looks containers and images up in an engine, and their
// volumes and networks in berth's stores under DataRoot.
type EngineSource struct {
	Client   *client.Client
	DataRoot string
	Net      netutil.Paths
}

// Container reads a container's name, image and labels from the engine,
// and its volumes and networks from berth's metadata of it.
func (s *EngineSource) Container(ctx context.Context, ns, id string) (ContainerInfo, error) {
	ctx = namespaces.WithNamespace(ctx, ns)
	c, err := s.Client.ContainerService().Get(ctx, id)
	if err != nil {
		return ContainerInfo{}, err
	}
	info := ContainerInfo{Name: c.Labels[containerutil.LabelName], Image: c.Labels[containerutil.LabelImageRef],
		Labels: containerutil.UserLabels(c.Labels)}
	if info.Name == "" {
		info.Name = c.Labels["nerdctl/name"]
	}
	if info.Image == "" {
		info.Image = familiar(c.Image)
	}
	store := containerutil.NewStore(s.DataRoot, ns)
	if meta, err := store.LoadMeta(id); err == nil {
		for _, mp := range meta.MountPoints {
			if mp.Type != "volume" || mp.Name == "" {
				continue
			}
			driver := mp.Driver
			if driver == "" {
				driver = volume.DriverLocal
			}
			info.Volumes = append(info.Volumes, VolumeMount{Name: mp.Name, Destination: mp.Destination,
				Driver: driver, Propagation: mp.Propagation, RW: mp.RW})
		}
	}
	stateDir := c.Labels[containerutil.LabelStateDir]
	if stateDir == "" {
		stateDir = store.ContainerDir(id)
	}
	if pl, err := netutil.LoadPlan(stateDir); err == nil && pl.Mode == netutil.ModeBridge {
		for _, pn := range pl.Networks {
			ref := NetworkRef{Name: pn.Name, Driver: netutil.DriverBridge}
			if n, err := netutil.Get(s.Net, pn.Name); err == nil {
				ref.ID, ref.Driver = n.ID, n.Driver
			}
			info.Networks = append(info.Networks, ref)
		}
	}
	return info, nil
}

// Image reads an image name's target, Docker's ID for it (its config's
// digest, for the host's platform when it has several) and its labels.
func (s *EngineSource) Image(ctx context.Context, ns, name string) (ImageInfo, error) {
	ctx = namespaces.WithNamespace(ctx, ns)
	img, err := s.Client.ImageService().Get(ctx, name)
	if err != nil {
		return ImageInfo{}, err
	}
	info := ImageInfo{ID: img.Target.Digest.String(), Target: img.Target.Digest.String()}
	cs := s.Client.ContentStore()
	desc, err := images.Config(ctx, cs, img.Target, platforms.Default())
	if err != nil {
		desc, err = images.Config(ctx, cs, img.Target, platforms.All)
	}
	if err != nil {
		return info, nil
	}
	info.ID = desc.Digest.String()
	if b, err := content.ReadBlob(ctx, cs, desc); err == nil {
		var cfg ocispec.Image
		if json.Unmarshal(b, &cfg) == nil {
			info.Labels = cfg.Config.Labels
		}
	}
	return info, nil
}

// Know tells m about every container and image name of the engine, so
// that the first events about them carry their attributes.
func (s *EngineSource) Know(ctx context.Context, m *Mapper) error {
	nss, err := s.Client.NamespaceService().List(ctx)
	if err != nil {
		return err
	}
	for _, ns := range nss {
		nctx := namespaces.WithNamespace(ctx, ns)
		ctrs, err := s.Client.ContainerService().List(nctx)
		if err != nil {
			return err
		}
		for _, c := range ctrs {
			if info, err := s.Container(ctx, ns, c.ID); err == nil {
				started := containerStarted(s.DataRoot, ns, c.ID)
				m.KnowContainer(ns, c.ID, info, started)
			}
		}
		imgs, err := s.Client.ImageService().List(nctx)
		if err != nil {
			return err
		}
		for _, img := range imgs {
			if info, err := s.Image(ctx, ns, img.Name); err == nil {
				m.KnowImage(ns, img.Name, info)
			}
		}
	}
	return nil
}

func containerStarted(dataRoot, ns, id string) time.Time {
	if meta, err := containerutil.NewStore(dataRoot, ns).LoadMeta(id); err == nil {
		return meta.State.StartedAt
	}
	return time.Time{}
}

// ScanObjects lists the volumes of every namespace under dataRoot and the
// user's networks (the predefined bridge network is not one: Docker
// reports no event for it). A failed read fails the scan, so that nothing
// is taken for removed.
func ScanObjects(dataRoot string, net netutil.Paths) (Objects, error) {
	o := Objects{Volumes: map[string]map[string]string{}, Networks: map[string]NetworkRef{}}
	metas, err := filepath.Glob(filepath.Join(dataRoot, "*", "volumes", "*", "volume.json"))
	if err != nil {
		return o, err
	}
	for _, f := range metas {
		dir := filepath.Dir(f)
		name := filepath.Base(dir)
		ns := filepath.Base(filepath.Dir(filepath.Dir(dir)))
		if strings.HasPrefix(name, ".") {
			continue
		}
		if o.Volumes[ns] == nil {
			o.Volumes[ns] = map[string]string{}
		}
		o.Volumes[ns][name] = volume.DriverLocal
	}
	nets, err := netutil.List(net)
	if err != nil {
		return o, err
	}
	for _, n := range nets {
		if n.Name != netutil.DefaultNetwork {
			o.Networks[n.ID] = NetworkRef{ID: n.ID, Name: n.Name, Driver: n.Driver}
		}
	}
	return o, nil
}
