package image

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/errdefs"
	"github.com/containerd/platforms"
	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/identity"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/berth-project/berth/pkg/referenceutil"
)

// Parent is the image a new image is built on: `commit` puts the
// container's layer on top of the image the container was made from.
type Parent struct {
	manifest  ocispec.Manifest
	mediaType string
	// Config is the parent's image config.
	Config ocispec.Image
}

// FindParent returns the image whose layers make the snapshot chainID,
// preferring the record named name (the container's image), or nil when
// no image in the store has those layers any more.
func FindParent(ctx context.Context, c *client.Client, snapshotter, name, chainID string) (*Parent, error) {
	if chainID == "" {
		return nil, nil
	}
	st, err := newLocalStore(ctx, c, snapshotter)
	if err != nil {
		return nil, err
	}
	candidates := st.images
	if img := st.byName(name); img != nil {
		candidates = append([]*localImage{img}, candidates...)
	}
	for _, img := range candidates {
		if img.readable && identity.ChainID(img.config.RootFS.DiffIDs).String() == chainID {
			return &Parent{manifest: img.manifest, mediaType: img.manifestDesc.MediaType, Config: img.config}, nil
		}
	}
	return nil, nil
}

// Layer is a layer blob already in the content store.
type Layer struct {
	Desc   ocispec.Descriptor
	DiffID digest.Digest
}

// NewImage describes an image to create from a new layer.
type NewImage struct {
	// Parent is the image below; nil for an image of its own.
	Parent *Parent
	// Layer is the new layer; nil when there are no changes, which makes
	// an empty_layer history entry, as Docker does.
	Layer *Layer
	// Config is the whole runtime config of the new image.
	Config ocispec.ImageConfig
	// Platform is the image's platform when it has no parent.
	Platform ocispec.Platform
	// Author, CreatedBy and Comment go into the history entry (and Author
	// into the config).
	Author, CreatedBy, Comment string
	// Name is the REPOSITORY[:TAG] to give it; "" leaves it untagged.
	Name string
}

// Create writes the image's config and manifest to the content store,
// names the image (an image that had the name keeps only its other names,
// or becomes untagged, as with `tag`), unpacks it for the snapshotter, and
// returns its ID. ctx should hold a lease that covers the layer too.
func Create(ctx context.Context, c *client.Client, snapshotter string, n NewImage) (digest.Digest, error) {
	img, layers, docker := n.build(time.Now().UTC())
	cs := c.ContentStore()
	cfgMedia, mfMedia := ocispec.MediaTypeImageConfig, ocispec.MediaTypeImageManifest
	if docker {
		cfgMedia, mfMedia = images.MediaTypeDockerSchema2Config, images.MediaTypeDockerSchema2Manifest
	}
	// Docker's configs carry the message as "comment" too; inspect shows it.
	withComment := struct {
		ocispec.Image
		Comment string `json:"comment,omitempty"`
	}{img, n.Comment}
	cfgDesc, err := writeJSONBlob(ctx, cs, cfgMedia, withComment, nil)
	if err != nil {
		return "", fmt.Errorf("writing the image config: %w", err)
	}
	mf := ocispec.Manifest{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: mfMedia, Config: cfgDesc, Layers: layers}
	labels := map[string]string{"containerd.io/gc.ref.content.config": cfgDesc.Digest.String()}
	for i, l := range layers {
		labels["containerd.io/gc.ref.content.l."+strconv.Itoa(i)] = l.Digest.String()
	}
	mfDesc, err := writeJSONBlob(ctx, cs, mfMedia, mf, labels)
	if err != nil {
		return "", fmt.Errorf("writing the image manifest: %w", err)
	}
	if err := nameImage(ctx, c, snapshotter, n.Name, mfDesc); err != nil {
		return "", err
	}
	rec := images.Image{Name: danglingPrefix + mfDesc.Digest.String(), Target: mfDesc}
	err = client.NewImageWithPlatform(c, rec, platforms.Only(img.Platform)).Unpack(ctx, snapshotter)
	if err != nil && !errdefs.IsNotFound(err) {
		return "", fmt.Errorf("unpacking the image: %w", err)
	}
	return cfgDesc.Digest, nil
}

// build makes the image config and the manifest's layers; docker tells a
// parent with Docker media types, which the new image keeps.
func (n NewImage) build(now time.Time) (ocispec.Image, []ocispec.Descriptor, bool) {
	img := ocispec.Image{Created: &now, Author: n.Author, Platform: n.Platform, Config: n.Config,
		RootFS: ocispec.RootFS{Type: "layers"}}
	var layers []ocispec.Descriptor
	docker := false
	if p := n.Parent; p != nil {
		img.Platform = p.Config.Platform
		img.RootFS.DiffIDs = append(img.RootFS.DiffIDs, p.Config.RootFS.DiffIDs...)
		img.History = append(img.History, p.Config.History...)
		layers = append(layers, p.manifest.Layers...)
		docker = p.mediaType == images.MediaTypeDockerSchema2Manifest
	}
	h := ocispec.History{Created: &now, CreatedBy: n.CreatedBy, Author: n.Author, Comment: n.Comment, EmptyLayer: n.Layer == nil}
	img.History = append(img.History, h)
	if l := n.Layer; l != nil {
		desc := l.Desc
		if docker && desc.MediaType == ocispec.MediaTypeImageLayerGzip {
			desc.MediaType = images.MediaTypeDockerSchema2LayerGzip
		}
		img.RootFS.DiffIDs = append(img.RootFS.DiffIDs, l.DiffID)
		layers = append(layers, desc)
	}
	if layers == nil {
		layers = []ocispec.Descriptor{}
	}
	return img, layers, docker
}

// writeJSONBlob stores v as a blob with labels.
func writeJSONBlob(ctx context.Context, cs content.Store, mediaType string, v any, labels map[string]string) (ocispec.Descriptor, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	desc := ocispec.Descriptor{MediaType: mediaType, Digest: digest.FromBytes(b), Size: int64(len(b))}
	var opts []content.Opt
	if labels != nil {
		opts = append(opts, content.WithLabels(labels))
	}
	if err := content.WriteBlob(ctx, cs, "berth-create-"+desc.Digest.String(), bytes.NewReader(b), desc, opts...); err != nil {
		return ocispec.Descriptor{}, err
	}
	return desc, nil
}

// nameImage records the new manifest: under name, keeping an image that
// loses the name as untagged, or under a dangling name when there is none.
func nameImage(ctx context.Context, c *client.Client, snapshotter, name string, target ocispec.Descriptor) error {
	rec := images.Image{Name: danglingPrefix + target.Digest.String(), Target: target}
	if _, err := c.ImageService().Create(ctx, rec); err != nil && !errdefs.IsAlreadyExists(err) {
		return fmt.Errorf("recording the image: %w", err)
	}
	if name == "" {
		return nil
	}
	full, err := referenceutil.Normalize(name)
	if err != nil {
		return err
	}
	st, err := newLocalStore(ctx, c, snapshotter)
	if err != nil {
		return err
	}
	img := st.byName(rec.Name)
	if img == nil {
		return fmt.Errorf("the new image %s vanished", target.Digest)
	}
	return st.setName(ctx, full, img)
}
