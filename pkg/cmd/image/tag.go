package image

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/errdefs"
	"github.com/distribution/reference"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/referenceutil"
)

// TagOptions are the arguments of `tag`.
type TagOptions struct {
	// Source is the image to name: a name, name@digest or image ID.
	Source string
	// Target is the new name, NAME[:TAG].
	Target string
}

// Validate checks the new name before the engine is dialed.
func (o *TagOptions) Validate() error {
	n, err := referenceutil.Parse(o.Target)
	if err != nil {
		return err
	}
	if _, ok := n.(reference.Digested); ok {
		return errors.New("refusing to create a tag with a digest reference")
	}
	return nil
}

// Tag gives the image Source the name Target.
func Tag(ctx context.Context, cfg *config.Config, o TagOptions) error {
	ctx, st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.close()
	img, _, err := st.lookup(o.Source)
	if err != nil {
		return err
	}
	target, err := referenceutil.Normalize(o.Target)
	if err != nil {
		return err
	}
	return st.setName(ctx, target, img)
}

// setName points the record name at img's target. An image that loses its
// only name this way stays, untagged, as Docker keeps it.
func (st *localStore) setName(ctx context.Context, name string, img *localImage) error {
	old := st.byName(name)
	if old != nil && old.rec.Target.Digest == img.rec.Target.Digest {
		return nil
	}
	if old != nil && old.id != img.id && len(st.namesOf(old.id)) == 1 {
		if err := st.keepDangling(ctx, old); err != nil {
			return err
		}
	}
	rec := images.Image{Name: name, Target: img.rec.Target}
	updated, err := st.is.Update(ctx, rec, "target")
	if errdefs.IsNotFound(err) {
		updated, err = st.is.Create(ctx, rec)
	}
	if err != nil {
		return fmt.Errorf("tagging %s: %w", storeFamiliar(name), err)
	}
	// The record kept its name: only the store's view of it changes.
	st.images = slices.DeleteFunc(st.images, func(i *localImage) bool { return i.rec.Name == name })
	named := *img
	named.rec = updated
	st.images = append(st.images, &named)
	return st.tidyDangling(ctx)
}
