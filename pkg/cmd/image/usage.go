package image

import (
	"context"
	"fmt"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/distribution/reference"
	units "github.com/docker/go-units"
	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/identity"
)

// Usage is one image as `system df` counts it.
type Usage struct {
	// Row is the image's row of `system df -v` (its table, templates and
	// JSON): the first tag, sizes and the number of containers.
	Row any
	// Size is the image's size, as `images` shows it; SharedSize the part
	// of it in layers other images have too.
	Size, SharedSize int64
	// Containers is the number of containers made from the image.
	Containers int
}

// layerUse is one layer of an image and its size on disk.
type layerUse struct {
	key  string
	size int64
}

// DiskUsage lists the images, newest first, with Docker's df figures, and
// returns the size of all their layers, each counted once. trunc shortens
// the IDs.
func DiskUsage(ctx context.Context, c *client.Client, snapshotter string, trunc bool) ([]Usage, int64, error) {
	st, err := newLocalStore(ctx, c, snapshotter)
	if err != nil {
		return nil, 0, err
	}
	users, err := st.users(ctx)
	if err != nil {
		return nil, 0, err
	}
	ids := st.ids()
	layers := make(map[digest.Digest][]layerUse, len(ids))
	holders := map[string]int{}
	var total int64
	for _, id := range ids {
		layers[id] = st.layers(ctx, st.withID(id)[0])
		for _, l := range layers[id] {
			if holders[l.key] == 0 {
				total += l.size
			}
			holders[l.key]++
		}
	}
	now := time.Now()
	out := make([]Usage, 0, len(ids))
	for _, id := range ids {
		u := Usage{Containers: len(users[id])}
		for _, l := range layers[id] {
			u.Size += l.size
			if holders[l.key] > 1 {
				u.SharedSize += l.size
			}
		}
		u.Row = st.usageRow(id, u, trunc, now)
		out = append(out, u)
	}
	return out, total, nil
}

// layers are an image's layers: its snapshots when it is unpacked, else
// its blobs (the layers' and the config's), so that their sum is the
// image's size as `images` shows it.
func (st *localStore) layers(ctx context.Context, img *localImage) []layerUse {
	if !img.readable {
		return []layerUse{{key: img.id.String(), size: st.size(ctx, img)}}
	}
	sn := st.client.SnapshotService(st.snapshotter)
	diffIDs := img.config.RootFS.DiffIDs
	var out []layerUse
	for i := range diffIDs {
		chain := identity.ChainID(diffIDs[:i+1]).String()
		u, err := sn.Usage(ctx, chain)
		if err != nil {
			out = nil
			break
		}
		out = append(out, layerUse{key: chain, size: u.Size})
	}
	if len(out) > 0 {
		return out
	}
	out = append(out, layerUse{key: img.manifest.Config.Digest.String(), size: img.manifest.Config.Size})
	for _, l := range img.manifest.Layers {
		out = append(out, layerUse{key: l.Digest.String(), size: l.Size})
	}
	return out
}

// usageRow is an image's row of `system df -v`, as Docker fills it: the
// repository and tag of its first tag, or <none>.
func (st *localStore) usageRow(id digest.Digest, u Usage, trunc bool, now time.Time) imageRow {
	img := st.withID(id)[0]
	created := img.created()
	row := imageRow{ID: id.String(), Repository: "<none>", Tag: "<none>",
		CreatedAt: time.Unix(created.Unix(), 0).String(), CreatedSince: storeSince(created, now),
		Size: storeHumanSize(u.Size), VirtualSize: units.HumanSize(float64(u.Size)),
		SharedSize: storeHumanSize(u.SharedSize), UniqueSize: storeHumanSize(u.Size - u.SharedSize),
		Containers: fmt.Sprint(u.Containers)}
	if created.IsZero() {
		row.CreatedAt = ""
	}
	if trunc {
		row.ID = storeShortID(row.ID)
	}
	for _, n := range st.namesOf(id) {
		ref, err := reference.ParseNormalizedNamed(n.rec.Name)
		if t, ok := ref.(reference.NamedTagged); err == nil && ok {
			row.Repository, row.Tag = reference.FamiliarName(ref), t.Tag()
			break
		}
	}
	return row
}

// PruneUnused removes dangling images, or with o.All every image no
// container uses, that pass o's filters; it returns Docker's report lines
// and the space freed. It neither asks nor prints: `system prune` does.
func PruneUnused(ctx context.Context, c *client.Client, snapshotter string, o PruneOptions) ([]string, int64, error) {
	st, err := newLocalStore(ctx, c, snapshotter)
	if err != nil {
		return nil, 0, err
	}
	return st.prune(ctx, o)
}
