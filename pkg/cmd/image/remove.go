package image

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/containerd/errdefs"
	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"

	"github.com/berth-project/berth/pkg/config"
)

// RemoveOptions are the flags and arguments of `rmi`.
type RemoveOptions struct {
	// Force removes an image that has several names or that stopped
	// containers use; a running container's image is only untagged.
	Force bool
	// NoPrune would keep untagged parent images; containerd keeps no parent
	// images, so it changes nothing.
	NoPrune bool
	// Images are names or IDs of the images to remove.
	Images []string
}

// Remove removes images as `docker rmi` does, printing "Untagged:" and
// "Deleted:" lines. It goes on after an error; with Force, images that do
// not exist are reported on errOut without failing the command.
func Remove(ctx context.Context, cfg *config.Config, out, errOut io.Writer, o RemoveOptions) error {
	ctx, st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.close()
	users, err := st.users(ctx)
	if err != nil {
		return err
	}
	var errs []error
	fatal := false
	for _, ref := range o.Images {
		lines, err := st.remove(ctx, ref, o.Force, users)
		for _, l := range lines {
			fmt.Fprintln(out, l)
		}
		if err != nil {
			errs = append(errs, err)
			fatal = fatal || !errdefs.IsNotFound(err)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	if !o.Force || fatal {
		return errors.Join(errs...)
	}
	fmt.Fprintln(errOut, "berth:", errors.Join(errs...))
	return nil
}

// Conflict masks, as Docker's daemon names them.
const (
	conflictRunning = 1 << iota
	conflictActiveReference
	conflictStopped
	conflictHard = conflictRunning
	conflictSoft = conflictActiveReference | conflictStopped
)

// remove removes one image argument and returns the lines to print.
func (st *localStore) remove(ctx context.Context, ref string, force bool, users map[digest.Digest][]containerUse) ([]string, error) {
	img, byName, err := st.lookup(ref)
	if err != nil {
		return nil, err
	}
	id := img.id
	if !byName {
		return st.removeByID(ctx, id, force, users)
	}
	names := st.namesOf(id)
	if !force && isSingleReference(names) {
		if u := users[id]; len(u) > 0 {
			return nil, errdefs.ErrConflict.WithMessage(fmt.Sprintf(
				"conflict: unable to remove repository reference %q (must force) - container %s is using its referenced image %s",
				ref, storeShortID(u[0].id), storeShortID(id.String())))
		}
	}
	untag := st.untagSet(ref, img, names)
	if len(untag) < len(names) {
		return st.untag(ctx, untag)
	}
	mask := conflictHard
	if !force {
		mask |= conflictSoft
	}
	if st.conflict(id, users, mask, 0) != nil {
		// A container still uses the image: Docker untags it and keeps it
		// as "<none>" without complaint.
		if err := st.keepDangling(ctx, img); err != nil {
			return nil, err
		}
		return st.untag(ctx, untag)
	}
	return st.deleteImage(ctx, id)
}

// untagSet returns the records the name ref removes: the record itself (or
// every record of the repository at that digest, for repo@digest), and the
// repository's digest-only names when a tag was its last tag, as Docker
// cleans those up.
func (st *localStore) untagSet(ref string, img *localImage, names []*localImage) []*localImage {
	set := []*localImage{img}
	n, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return set
	}
	if c, ok := n.(reference.Canonical); ok && st.byName(c.String()) == nil {
		set = nil
		for _, r := range names {
			if rn, err := reference.ParseNormalizedNamed(r.rec.Name); err == nil && rn.Name() == c.Name() && r.rec.Target.Digest == c.Digest() {
				set = append(set, r)
			}
		}
		return set
	}
	if _, tagged := reference.TagNameOnly(n).(reference.Tagged); !tagged {
		return set
	}
	var sameRepo []*localImage
	for _, r := range names {
		rn, err := reference.ParseNormalizedNamed(r.rec.Name)
		if err != nil || rn.Name() != n.Name() || r.rec.Name == img.rec.Name {
			continue
		}
		if _, isTag := rn.(reference.Tagged); isTag {
			return set
		}
		sameRepo = append(sameRepo, r)
	}
	return append(set, sameRepo...)
}

// removeByID removes an image named by ID: its names go too when they are
// a single reference, or with force.
func (st *localStore) removeByID(ctx context.Context, id digest.Digest, force bool, users map[digest.Digest][]containerUse) ([]string, error) {
	names := st.namesOf(id)
	if isSingleReference(names) {
		mask := conflictHard
		if !force {
			mask |= conflictStopped
		}
		if err := st.conflict(id, users, mask, 0); err != nil {
			return nil, err
		}
		names = nil
	}
	mask := conflictHard
	if !force {
		mask |= conflictSoft
	}
	if err := st.conflict(id, users, mask, len(names)); err != nil {
		return nil, err
	}
	return st.deleteImage(ctx, id)
}

// conflict is Docker's check before an image is deleted: a running
// container (cannot be forced), other names, a stopped container.
func (st *localStore) conflict(id digest.Digest, users map[digest.Digest][]containerUse, mask, names int) error {
	msg := func(forced, why string) error {
		return errdefs.ErrConflict.WithMessage(fmt.Sprintf("conflict: unable to delete %s (%s) - %s", storeShortID(id.String()), forced, why))
	}
	if mask&conflictRunning != 0 {
		for _, u := range users[id] {
			if u.running {
				return msg("cannot be forced", "image is being used by running container "+storeShortID(u.id))
			}
		}
	}
	if mask&conflictActiveReference != 0 && names > 0 {
		return msg("must be forced", "image is referenced in multiple repositories")
	}
	if mask&conflictStopped != 0 {
		for _, u := range users[id] {
			if !u.running {
				return msg("must be forced", "image is being used by stopped container "+storeShortID(u.id))
			}
		}
	}
	return nil
}

// isSingleReference is Docker's rule for when removing names removes the
// image: at most one tag, and every name in the same repository.
func isSingleReference(names []*localImage) bool {
	repos := map[string]bool{}
	tags := 0
	for _, img := range names {
		n, err := reference.ParseNormalizedNamed(img.rec.Name)
		if err != nil {
			continue
		}
		repos[n.Name()] = true
		if _, ok := n.(reference.Canonical); !ok {
			tags++
		}
	}
	return len(names) > 0 && tags <= 1 && len(repos) == 1
}

// untag removes names, returning Docker's "Untagged:" lines.
func (st *localStore) untag(ctx context.Context, recs []*localImage) ([]string, error) {
	var lines []string
	for _, r := range recs {
		if err := st.drop(ctx, r, false); err != nil {
			return lines, err
		}
		lines = append(lines, "Untagged: "+storeFamiliar(r.rec.Name))
	}
	return lines, nil
}

// deleteImage removes every record of image id and waits for the engine to
// collect its content, so the space is free when rmi returns.
func (st *localStore) deleteImage(ctx context.Context, id digest.Digest) ([]string, error) {
	var lines []string
	recs := st.withID(id)
	for i, r := range recs {
		if err := st.drop(ctx, r, i == len(recs)-1); err != nil {
			return lines, err
		}
		if !r.dangling() {
			lines = append(lines, "Untagged: "+storeFamiliar(r.rec.Name))
		}
	}
	return append(lines, "Deleted: "+id.String()), nil
}
