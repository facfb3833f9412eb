package container

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/containerd/containerd/api/types/runc/options"
	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/plugins"
	"github.com/containerd/errdefs"
	"github.com/opencontainers/image-spec/identity"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/opts"
	"github.com/berth-project/berth/pkg/referenceutil"
	"github.com/berth-project/berth/pkg/volume"
)

// Create makes a container as `docker create` does and returns it. Nothing
// is left behind when it fails: no container, no snapshot, no held name, no
// state directory.
func Create(ctx context.Context, c *client.Client, cfg *config.Config, stderr io.Writer, o *CreateOptions) (client.Container, error) {
	ctr, _, err := create(ctx, c, cfg, stderr, o)
	return ctr, err
}

// create is Create, also returning the metadata it saved, which `run`
// goes on with.
func create(ctx context.Context, c *client.Client, cfg *config.Config, stderr io.Writer, o *CreateOptions) (ctr client.Container, meta *containerutil.Meta, err error) {
	if o.CIDFile != "" {
		if _, err := os.Stat(o.CIDFile); err == nil {
			return nil, nil, fmt.Errorf("Container ID file found, make sure the other container isn't running or delete %s", o.CIDFile)
		}
	}
	labels, err := o.userLabels()
	if err != nil {
		return nil, nil, err
	}
	ref, err := referenceutil.Normalize(o.Image)
	if err != nil {
		return nil, nil, err
	}
	// A prune waits while a container is being created: it must not take
	// the image or the volumes the container is made of. The hold passes
	// to the volume plan, which releases it (Unlock is idempotent).
	users, err := volume.NewStore(cfg.DataRoot, cfg.Namespace).LockUsersShared()
	if err != nil {
		return nil, nil, err
	}
	defer users.Unlock()
	img, err := ensureImage(ctx, c, cfg, stderr, ref, o)
	if err != nil {
		return nil, nil, err
	}
	id, err := newID()
	if err != nil {
		return nil, nil, err
	}
	store := containerutil.NewStore(cfg.DataRoot, cfg.Namespace)
	name, err := reserveName(ctx, c, store, o.Name, id)
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			_ = store.ReleaseName(name, id)
			_ = store.RemoveContainer(id)
		}
	}()
	meta = &containerutil.Meta{Name: name, Created: time.Now().UTC(), Image: img.Target().Digest.String()}
	// The image's config is read once: each read is several engine calls.
	ic, err := imageConfig(ctx, img, meta, o)
	if err != nil {
		return nil, nil, err
	}
	specOpts, err := specFor(o, &ic, id, meta)
	if err != nil {
		return nil, nil, err
	}
	netOpts, err := specNetwork(ctx, c, cfg, o, &ic, id, store.ContainerDir(id), meta)
	if err != nil {
		return nil, nil, err
	}
	specOpts = append(specOpts, netOpts...)
	vols, err := planVolumes(ctx, c, cfg, store, o, &ic, meta, users)
	if err != nil {
		return nil, nil, err
	}
	defer func() { vols.finish(ctx, err != nil) }()
	specOpts = append(specOpts, vols.specOpts()...)
	for k, v := range berthLabels(cfg, store, o, meta, id, name) {
		labels[k] = v
	}
	meta.Config.Labels = containerutil.UserLabels(labels)
	ctr, err = c.NewContainer(ctx, id,
		client.WithImage(img),
		withRootfs(cfg.Snapshotter, id, img.Name(), &ic),
		client.WithRuntime(plugins.RuntimeRuncV2, runtimeOptions(cfg, o)),
		client.WithNewSpec(specOpts...),
		client.WithContainerLabels(labels),
	)
	if err != nil {
		return nil, nil, fmt.Errorf("creating the container: %w", err)
	}
	defer func() {
		if err != nil {
			_ = ctr.Delete(context.WithoutCancel(ctx), client.WithSnapshotCleanup)
		}
	}()
	if err = vols.fill(ctx, cfg.Snapshotter, id); err != nil {
		return nil, nil, err
	}
	if err = store.SaveMeta(id, meta); err != nil {
		return nil, nil, err
	}
	if o.CIDFile != "" {
		if err = os.WriteFile(o.CIDFile, []byte(id), 0o644); err != nil {
			return nil, nil, fmt.Errorf("writing the container ID file: %w", err)
		}
	}
	return ctr, meta, nil
}

// withRootfs prepares the container's writable snapshot on the image's
// layers. client.WithNewSnapshot would read the manifest and config again
// and ask the engine for the snapshotter's capabilities: three engine round
// trips that the config already read answers. It runs inside
// NewContainer's lease, so the engine's collector cannot take the snapshot
// before the container record holds it.
func withRootfs(snapshotter, id, imageName string, ic *ocispec.Image) client.NewContainerOpts {
	return func(ctx context.Context, c *client.Client, ctr *containers.Container) error {
		parent := identity.ChainID(ic.RootFS.DiffIDs).String()
		if _, err := c.SnapshotService(snapshotter).Prepare(ctx, id, parent); err != nil {
			return err
		}
		ctr.Snapshotter, ctr.SnapshotKey, ctr.Image = snapshotter, id, imageName
		return nil
	}
}

// userLabels merges --label-file and -l, refusing berth's and the engine's
// own label namespaces.
func (o *CreateOptions) userLabels() (map[string]string, error) {
	fromFiles, err := readKVFiles(o.LabelFiles)
	if err != nil {
		return nil, err
	}
	labels, err := opts.ParseLabels(append(fromFiles, o.Labels...))
	if err != nil {
		return nil, err
	}
	if err := containerutil.CheckUserLabels(labels); err != nil {
		return nil, err
	}
	return labels, nil
}

// berthLabels are the labels berth itself puts on the container.
func berthLabels(cfg *config.Config, store *containerutil.Store, o *CreateOptions, meta *containerutil.Meta, id, name string) map[string]string {
	l := map[string]string{
		containerutil.LabelName:     name,
		containerutil.LabelHostname: meta.Config.Hostname,
		containerutil.LabelImageRef: o.Image,
		containerutil.LabelStateDir: store.ContainerDir(id),
	}
	switch {
	case o.Rm && o.removedByCLI:
		l[containerutil.LabelAutoRemove] = containerutil.AutoRemoveByCLI
	case o.Rm:
		l[containerutil.LabelAutoRemove] = "true"
	}
	if o.StopSignal != "" {
		l[containerutil.LabelStopSignal] = o.StopSignal
	}
	if o.StopTimeout >= 0 {
		l[containerutil.LabelStopTimeout] = fmt.Sprint(o.StopTimeout)
	}
	if lc, err := json.Marshal(meta.HostConfig.LogConfig); err == nil {
		l[containerutil.LabelLogConfig] = string(lc)
	}
	for k, v := range restartLabels(meta.HostConfig.RestartPolicy) {
		l[k] = v
	}
	return l
}

// runtimeOptions point the shim at the bundled runc and keep runc's state
// under berth's run dir, apart from any other containerd on the host.
func runtimeOptions(cfg *config.Config, o *CreateOptions) *options.Options {
	return &options.Options{
		BinaryName: filepath.Join(config.LibexecDir(), "runc"),
		Root:       filepath.Join(cfg.RunDir, "runc"),
	}
}

// reserveName claims the user's name, or a generated one, for id.
func reserveName(ctx context.Context, c *client.Client, store *containerutil.Store, name, id string) (string, error) {
	exists := func(holder string) (bool, error) {
		_, err := c.LoadContainer(ctx, holder)
		if errdefs.IsNotFound(err) {
			return false, nil
		}
		return err == nil, err
	}
	if name != "" {
		return name, store.ReserveName(name, id, exists)
	}
	for i := 0; ; i++ {
		gen := generateName(i)
		err := store.ReserveName(gen, id, exists)
		var conflict *containerutil.ConflictError
		if !errors.As(err, &conflict) || i > 50 {
			return gen, err
		}
	}
}

// CreateCommand is `berth create`: it prints the new container's ID.
func CreateCommand(ctx context.Context, cfg *config.Config, s Streams, o *CreateOptions) error {
	c, ctx, err := clientutil.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	ctr, err := Create(ctx, c, cfg, s.Err, o)
	if err != nil {
		return err
	}
	fmt.Fprintln(s.Out, ctr.ID())
	return nil
}

// imageConfig reads the image's config, records its digest, docker's
// image ID, in meta and its HEALTHCHECK (which the OCI config has no field
// for) in o.
func imageConfig(ctx context.Context, img client.Image, meta *containerutil.Meta, o *CreateOptions) (ocispec.Image, error) {
	var ic ocispec.Image
	cd, err := img.Config(ctx)
	if err != nil {
		return ic, fmt.Errorf("reading the image config: %w", err)
	}
	meta.Image = cd.Digest.String()
	data, err := content.ReadBlob(ctx, img.ContentStore(), cd)
	if err != nil {
		return ic, fmt.Errorf("reading the image config: %w", err)
	}
	if err := json.Unmarshal(data, &ic); err != nil {
		return ic, fmt.Errorf("reading the image config: %w", err)
	}
	var health struct {
		Config struct{ Healthcheck *opts.Healthcheck } `json:"config"`
	}
	if err := json.Unmarshal(data, &health); err != nil {
		return ic, fmt.Errorf("reading the image config: %w", err)
	}
	o.imageHealth = health.Config.Healthcheck
	return ic, nil
}
