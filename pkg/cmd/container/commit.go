package container

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/diff"
	"github.com/containerd/containerd/v2/core/mount"
	"github.com/containerd/containerd/v2/core/snapshots"
	"github.com/containerd/errdefs"
	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/berth-project/berth/pkg/cmd/image"
	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/opts"
	"github.com/berth-project/berth/pkg/referenceutil"
)

// CommitOptions are the flags and arguments of `commit`.
type CommitOptions struct {
	// Container is the container's name or ID.
	Container string
	// Reference is the REPOSITORY[:TAG] of the new image; "" leaves it
	// untagged.
	Reference string
	// Message is the history comment (-m).
	Message string
	// Author is the image's author (-a).
	Author string
	// Changes are Dockerfile instructions applied to the config (-c).
	Changes []string
	// Pause freezes a running container while its changes are read
	// (-p, on by default), so the layer is one consistent moment.
	Pause bool
}

// Validate parses the new name and the changes before the engine is dialled.
func (o *CommitOptions) Validate() error {
	if o.Reference != "" {
		n, err := referenceutil.Parse(o.Reference)
		if err != nil {
			return err
		}
		if _, ok := n.(reference.Digested); ok {
			return errors.New("cannot commit to digest reference")
		}
	}
	_, err := opts.ParseChanges(o.Changes)
	return err
}

// Commit makes an image of a container's changes, as `docker commit` does:
// the difference between the container's filesystem and its image becomes
// one new layer on top of the image's, its config is the container's (with
// the -c changes), and the history gains an entry with the author, the
// container's command and the message. It prints the new image's ID.
func Commit(ctx context.Context, cfg *config.Config, s Streams, o *CommitOptions) error {
	changes, _ := opts.ParseChanges(o.Changes)
	return withContainer(ctx, cfg, o.Container, func(ctx context.Context, c *client.Client, ctr client.Container, info containers.Container) error {
		if info.SnapshotKey == "" || info.Snapshotter == "" {
			return fmt.Errorf("container %s has no filesystem to commit", o.Container)
		}
		if o.Pause {
			resume, err := pauseForCommit(ctx, ctr)
			if err != nil {
				return err
			}
			defer resume()
		}
		store := containerutil.NewStore(cfg.DataRoot, cfg.Namespace)
		id, err := commitImage(ctx, c, info, metaOrEmpty(store, info.ID), o, changes)
		if errdefs.IsNotFound(err) {
			if _, ierr := ctr.Info(ctx); errdefs.IsNotFound(ierr) {
				// Removed while it was committed.
				return &containerutil.NotFoundError{Query: o.Container}
			}
		}
		if err != nil {
			return err
		}
		fmt.Fprintln(s.Out, id)
		return nil
	})
}

// commitImage diffs the container's snapshot against its image's layers
// and creates the image.
func commitImage(ctx context.Context, c *client.Client, info containers.Container, meta *containerutil.Meta,
	o *CommitOptions, changes []opts.Change) (digest.Digest, error) {
	// The lease keeps the new layer until the image record points at it.
	ctx, done, err := c.WithLease(ctx)
	if err != nil {
		return "", err
	}
	defer done(context.WithoutCancel(ctx))
	sn := c.SnapshotService(info.Snapshotter)
	sinfo, err := sn.Stat(ctx, info.SnapshotKey)
	if err != nil {
		return "", err
	}
	parent, err := image.FindParent(ctx, c, info.Snapshotter, info.Image, sinfo.Parent)
	if err != nil {
		return "", err
	}
	lowerChain := ""
	if parent != nil {
		lowerChain = sinfo.Parent
	}
	layer, err := commitLayer(ctx, c, sn, info.SnapshotKey, lowerChain)
	if err != nil {
		return "", err
	}
	icfg := commitConfig(parent, meta)
	if err := opts.ApplyChanges(&icfg, changes); err != nil {
		return "", err
	}
	return image.Create(ctx, c, info.Snapshotter, image.NewImage{
		Parent: parent, Layer: layer, Config: icfg, Platform: platforms.DefaultSpec(),
		Author: o.Author, CreatedBy: strings.Join(meta.Config.Cmd, " "), Comment: o.Message, Name: o.Reference,
	})
}

// pauseForCommit pauses a running container and returns what resumes it.
// A container that is not running, or is paused already, is left as it is.
func pauseForCommit(ctx context.Context, ctr client.Container) (func(), error) {
	task, st, err := loadTask(ctx, ctr)
	if err != nil {
		return nil, err
	}
	if task == nil || st.Status != client.Running {
		return func() {}, nil
	}
	if err := task.Pause(ctx); err != nil {
		return nil, fmt.Errorf("pausing the container: %w", err)
	}
	return func() { _ = task.Resume(context.WithoutCancel(ctx)) }, nil
}

// commitLayer has the engine's differ compare the container's snapshot
// with lowerChain (its image's layers; "" for an empty filesystem when the
// image is gone) and store the changes as a gzip-compressed layer. No
// changes make no layer: nil.
func commitLayer(ctx context.Context, c *client.Client, sn snapshots.Snapshotter, key, lowerChain string) (*image.Layer, error) {
	upper, err := sn.Mounts(ctx, key)
	if err != nil {
		return nil, err
	}
	var lower []mount.Mount
	stamp := fmt.Sprintf("%s-%d", key, time.Now().UnixNano())
	if lowerChain != "" {
		viewKey := "berth-commit-view-" + stamp
		if lower, err = sn.View(ctx, viewKey, lowerChain); err != nil {
			return nil, err
		}
		defer sn.Remove(context.WithoutCancel(ctx), viewKey)
	}
	desc, err := c.DiffService().Compare(ctx, lower, upper,
		diff.WithMediaType(ocispec.MediaTypeImageLayerGzip), diff.WithReference("berth-commit-"+stamp))
	if err != nil {
		return nil, fmt.Errorf("computing the container's changes: %w", err)
	}
	cs := c.ContentStore()
	empty, err := layerIsEmpty(ctx, cs, desc)
	if err != nil || empty {
		return nil, err
	}
	cinfo, err := cs.Info(ctx, desc.Digest)
	if err != nil {
		return nil, err
	}
	diffID, err := digest.Parse(cinfo.Labels["containerd.io/uncompressed"])
	if err != nil {
		return nil, fmt.Errorf("the layer %s has no uncompressed digest", desc.Digest)
	}
	return &image.Layer{Desc: desc, DiffID: diffID}, nil
}

// layerIsEmpty reports a layer whose tar has no entry.
func layerIsEmpty(ctx context.Context, cs content.Provider, desc ocispec.Descriptor) (bool, error) {
	ra, err := cs.ReaderAt(ctx, desc)
	if err != nil {
		return false, err
	}
	defer ra.Close()
	zr, err := gzip.NewReader(content.NewReader(ra))
	if err != nil {
		return false, err
	}
	_, err = tar.NewReader(zr).Next()
	if err == io.EOF {
		return true, nil
	}
	return false, err
}

// commitConfig is the new image's config: the container's, as Docker
// commits it (its env, command, user and working directory as created,
// with the image's labels, ports and volumes and its own), or the image's
// for a container berth keeps no record of.
func commitConfig(parent *image.Parent, meta *containerutil.Meta) ocispec.ImageConfig {
	var cfg ocispec.ImageConfig
	if parent != nil {
		cfg = parent.Config.Config
		cfg.Env = slices.Clone(cfg.Env)
		cfg.Labels = maps.Clone(cfg.Labels)
		cfg.ExposedPorts = maps.Clone(cfg.ExposedPorts)
		cfg.Volumes = maps.Clone(cfg.Volumes)
	}
	if meta.Created.IsZero() {
		return cfg
	}
	mc := meta.Config
	cfg.Env, cfg.Cmd, cfg.Entrypoint = slices.Clone(mc.Env), slices.Clone(mc.Cmd), slices.Clone(mc.Entrypoint)
	cfg.WorkingDir, cfg.User = mc.WorkingDir, mc.User
	if mc.StopSignal != "" {
		cfg.StopSignal = mc.StopSignal
	}
	cfg.Labels = mergeMap(cfg.Labels, mc.Labels)
	cfg.ExposedPorts = mergeMap(cfg.ExposedPorts, mc.ExposedPorts)
	cfg.Volumes = mergeMap(cfg.Volumes, mc.Volumes)
	return cfg
}

func mergeMap[V any](dst, src map[string]V) map[string]V {
	if len(src) == 0 {
		return dst
	}
	if dst == nil {
		dst = map[string]V{}
	}
	maps.Copy(dst, src)
	return dst
}
