package image

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	tasks "github.com/containerd/containerd/api/services/tasks/v1"
	"github.com/containerd/containerd/api/types/task"
	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/errdefs"
	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/identity"

	"github.com/berth-project/berth/pkg/referenceutil"
)

// idPrefix matches what Docker takes as an image ID or a prefix of one.
var idPrefix = regexp.MustCompile(`^(sha256:)?[0-9a-f]{1,64}$`)

// lookup finds the image s names, as Docker resolves an image argument: a
// name (busybox = busybox:latest), a name with a digest, then a full or
// short image ID. byName tells a name from an ID, which rmi treats
// differently.
func (st *localStore) lookup(s string) (img *localImage, byName bool, err error) {
	named, perr := referenceutil.Parse(s)
	if perr == nil {
		if img := st.byName(named.String()); img != nil {
			return img, true, nil
		}
		if c, ok := named.(reference.Canonical); ok {
			if img := st.byRepoDigest(c); img != nil {
				return img, true, nil
			}
		}
	}
	if img, err := st.byID(s); err != nil || img != nil {
		return img, false, err
	}
	return nil, false, storeNoSuchImage(s)
}

// noSuchImage is Docker's error for an unknown image, naming it as Docker
// does: "busybox" is reported as busybox:latest.
func storeNoSuchImage(s string) error {
	if n, err := referenceutil.Normalize(s); err == nil {
		s = referenceutil.Familiar(n)
	}
	return errdefs.ErrNotFound.WithMessage("No such image: " + s)
}

// byRepoDigest finds a record of c's repository whose target is c's digest:
// a pulled image is reachable as repo@digest although only its tag is stored.
func (st *localStore) byRepoDigest(c reference.Canonical) *localImage {
	for _, img := range st.images {
		n, err := reference.ParseNormalizedNamed(img.rec.Name)
		if err == nil && n.Name() == c.Name() && img.rec.Target.Digest == c.Digest() {
			return img
		}
	}
	return nil
}

// byID finds the image whose ID is s or starts with s (with or without
// "sha256:"); nil when s is no ID prefix or no image has that ID.
func (st *localStore) byID(s string) (*localImage, error) {
	if !idPrefix.MatchString(s) {
		return nil, nil
	}
	return st.byIDPrefix(strings.TrimPrefix(s, "sha256:"))
}

// byIDPrefix finds the image whose ID starts with hex; nil when none does.
func (st *localStore) byIDPrefix(hex string) (*localImage, error) {
	var found *localImage
	for _, id := range st.ids() {
		if !strings.HasPrefix(id.Encoded(), hex) {
			continue
		}
		if found != nil {
			return nil, fmt.Errorf("%w: image ID prefix %q matches more than one image", errdefs.ErrInvalidArgument, hex)
		}
		found = st.withID(id)[0]
	}
	return found, nil
}

// containerUse is a container that uses an image.
type containerUse struct {
	id      string
	running bool
}

// users maps each image ID to the containers created from it, in order of
// creation. A container names its image; a name that no longer resolves
// counts for no image.
func (st *localStore) users(ctx context.Context) (map[digest.Digest][]containerUse, error) {
	ctrs, err := st.client.ContainerService().List(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing containers: %w", err)
	}
	resp, err := st.client.TaskService().List(ctx, &tasks.ListTasksRequest{})
	if err != nil {
		return nil, fmt.Errorf("listing tasks: %w", err)
	}
	running := map[string]bool{}
	for _, t := range resp.Tasks {
		switch t.Status {
		case task.Status_RUNNING, task.Status_PAUSED, task.Status_PAUSING:
			running[t.ID] = true
		}
	}
	sort.SliceStable(ctrs, func(i, j int) bool { return ctrs[i].CreatedAt.Before(ctrs[j].CreatedAt) })
	out := map[digest.Digest][]containerUse{}
	for _, c := range ctrs {
		use := containerUse{id: c.ID, running: running[c.ID]}
		if img := st.byName(c.Image); img != nil {
			out[img.id] = append(out[img.id], use)
			continue
		}
		for _, id := range st.byRootfs(ctx, c) {
			out[id] = append(out[id], use)
		}
	}
	return out, nil
}

// byRootfs finds the images a container was made from when the name it
// recorded is gone (untagged while the container runs): those whose layer
// chain is the parent of its rootfs snapshot. Docker tracks containers by
// image ID and would still refuse to delete such an image.
func (st *localStore) byRootfs(ctx context.Context, c containers.Container) []digest.Digest {
	if c.SnapshotKey == "" || c.Snapshotter == "" {
		return nil
	}
	info, err := st.client.SnapshotService(c.Snapshotter).Stat(ctx, c.SnapshotKey)
	if err != nil || info.Parent == "" {
		return nil
	}
	var ids []digest.Digest
	for _, id := range st.ids() {
		img := st.withID(id)[0]
		if img.readable && identity.ChainID(img.config.RootFS.DiffIDs).String() == info.Parent {
			ids = append(ids, id)
		}
	}
	return ids
}

// shortID is Docker's 12-character form of an ID.
func storeShortID(s string) string {
	s = strings.TrimPrefix(s, "sha256:")
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// familiar is the short form of a stored name Docker prints.
func storeFamiliar(name string) string { return referenceutil.Familiar(name) }

// NameByID finds the image whose ID is s, or starts with s, as Docker takes
// an image ID where it takes an image name (`run 4d969ebaa7b0`). It returns
// the image's record name; ok is false when s is no ID prefix or no image
// has that ID. Callers try s as a name first, as Docker does.
func NameByID(ctx context.Context, c *client.Client, snapshotter, s string) (name string, ok bool, err error) {
	if !idPrefix.MatchString(s) {
		return "", false, nil // no ID: the store need not be read
	}
	st, err := newLocalStore(ctx, c, snapshotter)
	if err != nil {
		return "", false, err
	}
	img, err := st.byID(s)
	if err != nil || img == nil {
		return "", false, err
	}
	return img.rec.Name, true, nil
}
