// Package image implements the image commands: the local store (images,
// tag, rmi, inspect, history, prune, save, load) and pull/push.
package image

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/errdefs"
	"github.com/containerd/platforms"
	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/identity"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/config"
)

// danglingPrefix names the records that keep an image without a name alive.
// containerd collects content no record points to, while Docker keeps an
// untagged image as "<none>"; Docker's own containerd store does the same
// with "moby-dangling@".
const danglingPrefix = "berth-dangling@"

// localStore is the engine's image store as the image commands see it:
// every record with Docker's view of it, read once per command.
// openStore dials the engine and loads its images; close releases the client.
func openStore(ctx context.Context, cfg *config.Config) (context.Context, *localStore, error) {
	c, ctx, err := clientutil.New(ctx, cfg)
	if err != nil {
		return ctx, nil, err
	}
	st, err := newLocalStore(ctx, c, cfg.Snapshotter)
	if err != nil {
		c.Close()
		return ctx, nil, err
	}
	return ctx, st, nil
}

func (st *localStore) close() { st.client.Close() }

type localStore struct {
	client      *client.Client
	cs          content.Store
	is          images.Store
	snapshotter string
	images      []*localImage
	// sizes caches image sizes by ID.
	sizes map[digest.Digest]int64
}

// localImage is one record of the image store.
type localImage struct {
	rec images.Image
	// id is Docker's image ID: the config digest of the image for the host
	// platform (another platform's when the host's is absent), or the
	// target digest when no manifest could be read.
	id digest.Digest
	// manifestDesc and manifest are those of the platform id comes from.
	manifestDesc ocispec.Descriptor
	manifest     ocispec.Manifest
	config       ocispec.Image
	// readable is false when the manifest or config is missing.
	readable bool
}

// dangling reports a record that only keeps an untagged image.
func (img *localImage) dangling() bool { return strings.HasPrefix(img.rec.Name, danglingPrefix) }

// created is the image's creation time from its config; zero if unknown.
func (img *localImage) created() time.Time {
	if img.config.Created == nil {
		return time.Time{}
	}
	return *img.config.Created
}

// newLocalStore reads every image record and resolves each to its config.
func newLocalStore(ctx context.Context, c *client.Client, snapshotter string) (*localStore, error) {
	st := &localStore{client: c, cs: c.ContentStore(), is: c.ImageService(), snapshotter: snapshotter,
		sizes: map[digest.Digest]int64{}}
	recs, err := st.is.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing images: %w", err)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Name < recs[j].Name })
	byTarget := map[digest.Digest]*localImage{}
	for _, rec := range recs {
		if known, ok := byTarget[rec.Target.Digest]; ok {
			img := *known
			img.rec = rec
			st.images = append(st.images, &img)
			continue
		}
		img, err := st.read(ctx, rec)
		if err != nil {
			return nil, err
		}
		byTarget[rec.Target.Digest] = img
		st.images = append(st.images, img)
	}
	return st, nil
}

// read resolves rec to the manifest and config for the host platform.
func (st *localStore) read(ctx context.Context, rec images.Image) (*localImage, error) {
	img := &localImage{rec: rec, id: rec.Target.Digest}
	mdesc, err := st.manifestFor(ctx, rec.Target, platforms.Default())
	if errdefs.IsNotFound(err) {
		mdesc, err = st.manifestFor(ctx, rec.Target, platforms.All)
	}
	if errdefs.IsNotFound(err) {
		return img, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading image %s: %w", rec.Name, err)
	}
	if err := storeReadJSON(ctx, st.cs, mdesc, &img.manifest); err != nil {
		return img, nil
	}
	if err := storeReadJSON(ctx, st.cs, img.manifest.Config, &img.config); err != nil {
		return img, nil
	}
	img.id, img.manifestDesc, img.readable = img.manifest.Config.Digest, mdesc, true
	return img, nil
}

// manifestFor picks the manifest of desc for platform m among those whose
// content is present: a single-platform save or pull keeps the index but
// only some of its manifests.
func (st *localStore) manifestFor(ctx context.Context, desc ocispec.Descriptor, m platforms.MatchComparer) (ocispec.Descriptor, error) {
	if images.IsManifestType(desc.MediaType) {
		return desc, nil
	}
	if !images.IsIndexType(desc.MediaType) {
		return ocispec.Descriptor{}, fmt.Errorf("unsupported media type %s: %w", desc.MediaType, errdefs.ErrNotFound)
	}
	var idx ocispec.Index
	if err := storeReadJSON(ctx, st.cs, desc, &idx); err != nil {
		return ocispec.Descriptor{}, err
	}
	var cands []ocispec.Descriptor
	for _, d := range idx.Manifests {
		if d.Annotations["vnd.docker.reference.type"] == "attestation-manifest" {
			continue
		}
		if d.Platform == nil || m.Match(*d.Platform) {
			cands = append(cands, d)
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].Platform == nil || cands[j].Platform == nil {
			return cands[j].Platform == nil && cands[i].Platform != nil
		}
		return m.Less(*cands[i].Platform, *cands[j].Platform)
	})
	for _, d := range cands {
		if _, err := st.cs.Info(ctx, d.Digest); err != nil {
			continue
		}
		if images.IsIndexType(d.MediaType) {
			if found, err := st.manifestFor(ctx, d, m); err == nil {
				return found, nil
			}
			continue
		}
		return d, nil
	}
	return ocispec.Descriptor{}, fmt.Errorf("no manifest for the platform in %s: %w", desc.Digest, errdefs.ErrNotFound)
}

func storeReadJSON(ctx context.Context, p content.Provider, d ocispec.Descriptor, v any) error {
	b, err := content.ReadBlob(ctx, p, d)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// withID returns the records of image id, named ones first.
func (st *localStore) withID(id digest.Digest) []*localImage {
	var out []*localImage
	for _, img := range st.images {
		if img.id == id {
			out = append(out, img)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return !out[i].dangling() && out[j].dangling() })
	return out
}

// namesOf returns the records that name image id (not the dangling ones).
func (st *localStore) namesOf(id digest.Digest) []*localImage {
	var out []*localImage
	for _, img := range st.withID(id) {
		if !img.dangling() {
			out = append(out, img)
		}
	}
	return out
}

// byName returns the record named name.
func (st *localStore) byName(name string) *localImage {
	for _, img := range st.images {
		if img.rec.Name == name {
			return img
		}
	}
	return nil
}

// ids returns every image ID, newest image first as Docker lists them.
func (st *localStore) ids() []digest.Digest {
	var out []digest.Digest
	first := map[digest.Digest]*localImage{}
	for _, img := range st.images {
		if _, ok := first[img.id]; !ok {
			first[img.id] = img
			out = append(out, img.id)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		ci, cj := first[out[i]].created(), first[out[j]].created()
		if !ci.Equal(cj) {
			return ci.After(cj)
		}
		return out[i] < out[j]
	})
	return out
}

// size is what Docker shows as an image's size: the unpacked size when the
// image is unpacked in the snapshotter, else the size of its content.
func (st *localStore) size(ctx context.Context, img *localImage) int64 {
	if s, ok := st.sizes[img.id]; ok {
		return s
	}
	var size int64
	if img.readable {
		size = st.unpackedSize(ctx, img.config.RootFS.DiffIDs)
		if size < 0 {
			size = img.manifest.Config.Size
			for _, l := range img.manifest.Layers {
				size += l.Size
			}
		}
	}
	st.sizes[img.id] = size
	return size
}

// unpackedSize sums the snapshots of the layer chain, or returns -1 when
// the image is not unpacked.
func (st *localStore) unpackedSize(ctx context.Context, diffIDs []digest.Digest) int64 {
	sn := st.client.SnapshotService(st.snapshotter)
	var total int64
	for i := len(diffIDs); i > 0; i-- {
		u, err := sn.Usage(ctx, identity.ChainID(diffIDs[:i]).String())
		if err != nil {
			return -1
		}
		total += u.Size
	}
	return total
}

// layerSizes returns each layer's size: unpacked when the image is, else
// its compressed size. history shows them.
func (st *localStore) layerSizes(ctx context.Context, img *localImage) []int64 {
	sizes := make([]int64, len(img.manifest.Layers))
	sn := st.client.SnapshotService(st.snapshotter)
	for i, l := range img.manifest.Layers {
		sizes[i] = l.Size
	}
	diffIDs := img.config.RootFS.DiffIDs
	for i := range diffIDs {
		u, err := sn.Usage(ctx, identity.ChainID(diffIDs[:i+1]).String())
		if err != nil || i >= len(sizes) {
			return sizes
		}
		sizes[i] = u.Size
	}
	return sizes
}

// keepDangling makes sure img's target keeps a record once its names go,
// as Docker keeps an untagged image as "<none>".
func (st *localStore) keepDangling(ctx context.Context, img *localImage) error {
	name := danglingPrefix + img.rec.Target.Digest.String()
	if st.byName(name) != nil {
		return nil
	}
	rec := images.Image{Name: name, Target: img.rec.Target}
	if _, err := st.is.Create(ctx, rec); err != nil && !errdefs.IsAlreadyExists(err) {
		return fmt.Errorf("keeping untagged image %s: %w", img.id, err)
	}
	kept := *img
	kept.rec = rec
	st.images = append(st.images, &kept)
	return nil
}

// drop deletes a record; sync waits for the engine to collect what it
// freed, which the last record of an image needs so rmi frees the disk.
func (st *localStore) drop(ctx context.Context, img *localImage, sync bool) error {
	var opts []images.DeleteOpt
	if sync {
		opts = append(opts, images.SynchronousDelete())
	}
	if err := st.is.Delete(ctx, img.rec.Name, opts...); err != nil && !errdefs.IsNotFound(err) {
		return fmt.Errorf("removing %s: %w", img.rec.Name, err)
	}
	st.images = slices.DeleteFunc(st.images, func(i *localImage) bool { return i.rec.Name == img.rec.Name })
	return nil
}

// tidyDangling removes dangling records of images that have a name again.
func (st *localStore) tidyDangling(ctx context.Context) error {
	for _, img := range slices.Clone(st.images) {
		if img.dangling() && len(st.namesOf(img.id)) > 0 {
			if err := st.drop(ctx, img, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// withTarget returns a record pointing at target, nil if none does.
func (st *localStore) withTarget(target digest.Digest) *localImage {
	for _, img := range st.images {
		if img.rec.Target.Digest == target {
			return img
		}
	}
	return nil
}
