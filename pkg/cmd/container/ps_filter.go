package container

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/containerd/containerd/v2/client"
	"github.com/opencontainers/go-digest"

	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/referenceutil"
)

// compilePsFilter turns ps's filters into a test of one container, as
// Docker's daemon applies them: values of one key are alternatives, keys
// must all match. before= and since= name containers and ancestor= names
// images, so they are resolved here.
func compilePsFilter(ctx context.Context, c *client.Client, store *containerutil.Store, recs []*ctrRecord, o *PsOptions) (func(*ctrRecord) bool, error) {
	f := &o.Filters
	bounds := map[string]*ctrRecord{}
	for _, key := range []string{"before", "since"} {
		for _, v := range f.Get(key) {
			ctr, err := containerutil.Resolve(ctx, c, store, v)
			if err != nil {
				return nil, err
			}
			for _, r := range recs {
				if r.info.ID == ctr.ID() {
					bounds[key] = r
				}
			}
		}
	}
	var exited []int
	for _, v := range f.Get("exited") {
		n, _ := strconv.Atoi(v) // Validate checked it
		exited = append(exited, n)
	}
	var ancestors *ancestorSet
	if f.Has("ancestor") {
		var err error
		if ancestors, err = loadAncestors(ctx, c, f.Get("ancestor")); err != nil {
			return nil, err
		}
	}
	return func(r *ctrRecord) bool {
		if b := bounds["before"]; b != nil && !createdBefore(r, b) {
			return false
		}
		if s := bounds["since"]; s != nil && !createdBefore(s, r) {
			return false
		}
		name := r.name()
		if !f.Match("name", name) && !f.Match("name", "/"+name) {
			return false
		}
		if !f.Match("id", r.info.ID) || !f.MatchLabels(r.userLabels()) {
			return false
		}
		if !f.ExactMatch("status", r.state.Status) || !f.ExactMatch("health", r.state.HealthStatus()) {
			return false
		}
		if !mountsVolume(r.meta, f.Get("volume")) {
			return false
		}
		if len(exited) > 0 && (r.state.Running || r.state.Status == StatusCreated || !slices.Contains(exited, r.state.ExitCode)) {
			return false
		}
		return ancestors == nil || ancestors.matches(r)
	}, nil
}

// createdBefore orders containers as ps lists them, newest last.
func createdBefore(a, b *ctrRecord) bool {
	ca, cb := a.created(), b.created()
	if !ca.Equal(cb) {
		return ca.Before(cb)
	}
	return a.info.ID > b.info.ID
}

// ancestorSet is the images ancestor= names and the local images built on
// them: an image whose layers start with all of another's is its child.
type ancestorSet struct {
	ids map[digest.Digest]bool
	// names maps each image name of the store to its ID, so a container
	// whose metadata lacks the image ID can still be placed.
	names map[string]digest.Digest
}

// ancestorImage is one image of the store for ancestor matching.
type ancestorImage struct {
	name   string
	id     digest.Digest
	layers []digest.Digest
}

// loadAncestors reads the store's images and resolves each value as Docker
// does: a name (busybox is busybox:latest), then an image ID or a prefix of
// one. An unknown image matches no container.
func loadAncestors(ctx context.Context, c *client.Client, values []string) (*ancestorSet, error) {
	recs, err := c.ImageService().List(ctx)
	if err != nil {
		return nil, err
	}
	var imgs []ancestorImage
	set := &ancestorSet{ids: map[digest.Digest]bool{}, names: map[string]digest.Digest{}}
	for _, rec := range recs {
		img := client.NewImage(c, rec)
		cfg, err := img.Config(ctx)
		if err != nil {
			continue // not for this platform, or its content is gone
		}
		layers, _ := img.RootFS(ctx)
		imgs = append(imgs, ancestorImage{name: rec.Name, id: cfg.Digest, layers: layers})
		set.names[rec.Name] = cfg.Digest
	}
	var roots []ancestorImage
	for _, v := range values {
		if root, ok := findImage(imgs, v); ok {
			roots = append(roots, root)
		}
	}
	for _, img := range imgs {
		for _, root := range roots {
			if img.id == root.id || isChild(img.layers, root.layers) {
				set.ids[img.id] = true
			}
		}
	}
	return set, nil
}

// findImage resolves an ancestor= value among imgs.
func findImage(imgs []ancestorImage, v string) (ancestorImage, bool) {
	if name, err := referenceutil.Normalize(v); err == nil {
		for _, img := range imgs {
			if img.name == name {
				return img, true
			}
		}
	}
	hex := strings.TrimPrefix(v, "sha256:")
	var found []ancestorImage
	for _, img := range imgs {
		if hex != "" && strings.HasPrefix(img.id.Encoded(), hex) && !slices.ContainsFunc(found, func(f ancestorImage) bool { return f.id == img.id }) {
			found = append(found, img)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return ancestorImage{}, false
}

// isChild reports whether layers extend parent's layers.
func isChild(layers, parent []digest.Digest) bool {
	return len(parent) > 0 && len(layers) > len(parent) && slices.Equal(layers[:len(parent)], parent)
}

func (s *ancestorSet) matches(r *ctrRecord) bool {
	id := digest.Digest(r.meta.Image)
	if id == "" {
		id = s.names[r.info.Image]
	}
	return id != "" && s.ids[id]
}
