package container

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/containerd/v2/core/mount"
	"github.com/containerd/continuity/fs"
	"github.com/containerd/errdefs"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
)

// DiffOptions are the arguments of `diff`.
type DiffOptions struct {
	// Container is the container's name or ID.
	Container string
}

// fsChange is one line of `diff`.
type fsChange struct {
	kind byte // 'A', 'C' or 'D'
	path string
}

// Diff prints the changes of a container's filesystem against its image, as
// `docker diff` does: "A" added, "C" changed, "D" deleted, sorted by path.
// The mount points the runtime made for the container's mounts (/proc,
// /etc/hosts, ...) are not changes of the container's own, and are left
// out, as Docker's init layer hides them.
func Diff(ctx context.Context, cfg *config.Config, s Streams, o *DiffOptions) error {
	return withContainer(ctx, cfg, o.Container, func(ctx context.Context, c *client.Client, ctr client.Container, info containers.Container) error {
		// The lease keeps the snapshot views from the collector while they
		// are mounted.
		ctx, done, err := c.WithLease(ctx)
		if err != nil {
			return err
		}
		defer done(context.WithoutCancel(ctx))
		var changes []fsChange
		err = withSnapshotTrees(ctx, cfg, c, info, func(lower, upper string) error {
			return fs.Changes(ctx, lower, upper, func(k fs.ChangeKind, p string, _ os.FileInfo, err error) error {
				if err != nil {
					return err
				}
				if letter, ok := map[fs.ChangeKind]byte{fs.ChangeKindAdd: 'A', fs.ChangeKindModify: 'C', fs.ChangeKindDelete: 'D'}[k]; ok {
					changes = append(changes, fsChange{letter, p})
				}
				return nil
			})
		})
		if err != nil {
			return err
		}
		var mountPoints []string
		if spec, err := ctr.Spec(ctx); err == nil {
			for _, m := range spec.Mounts {
				mountPoints = append(mountPoints, path.Clean(m.Destination))
			}
		}
		for _, ch := range dockerChanges(changes, mountPoints) {
			fmt.Fprintf(s.Out, "%c %s\n", ch.kind, ch.path)
		}
		return nil
	})
}

// dockerChanges shapes the differ's changes as Docker lists them: the
// changes at or below mount points go, then the directories made only to
// hold mount points; every directory holding a change is itself changed
// ("C /etc" above "D /etc/group"); sorted by path.
func dockerChanges(changes []fsChange, mountPoints []string) []fsChange {
	var kept, dropped []fsChange
	for _, ch := range changes {
		if ch.path == "/" {
			continue
		}
		if isMountPoint(ch.path, mountPoints) {
			dropped = append(dropped, ch)
		} else {
			kept = append(kept, ch)
		}
	}
	// Directories are dropped from the deepest up, so that /run goes with
	// /run/secrets when that only held a mount point.
	sort.Slice(kept, func(i, j int) bool { return strings.Count(kept[i].path, "/") > strings.Count(kept[j].path, "/") })
	var out []fsChange
	for _, ch := range kept {
		if ch.kind != 'D' && holdsAny(ch.path, dropped) && !holdsAny(ch.path, out) {
			dropped = append(dropped, ch)
			continue
		}
		out = append(out, ch)
	}
	seen := map[string]bool{}
	for _, ch := range out {
		seen[ch.path] = true
	}
	for _, ch := range slices.Clone(out) {
		for dir := path.Dir(ch.path); dir != "/" && !seen[dir]; dir = path.Dir(dir) {
			seen[dir] = true
			out = append(out, fsChange{'C', dir})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

// isMountPoint reports a path at or below one of the mount points.
func isMountPoint(p string, mountPoints []string) bool {
	for _, m := range mountPoints {
		if m != "/" && (p == m || strings.HasPrefix(p, m+"/")) {
			return true
		}
	}
	return false
}

// holdsAny reports a change strictly below dir.
func holdsAny(dir string, changes []fsChange) bool {
	for _, ch := range changes {
		if strings.HasPrefix(ch.path, dir+"/") {
			return true
		}
	}
	return false
}

// withContainer dials the engine, resolves query to a container as a user
// names it (see containerutil.Resolve), reads its record and runs fn with
// them; the client is closed when fn returns. diff, export and commit work
// on the container's filesystem this way. A container removed between the
// lookup and the read is "No such container", as one never there is.
func withContainer(ctx context.Context, cfg *config.Config, query string,
	fn func(ctx context.Context, c *client.Client, ctr client.Container, info containers.Container) error) error {
	c, ctx, err := clientutil.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	store := containerutil.NewStore(cfg.DataRoot, cfg.Namespace)
	ctr, err := containerutil.Resolve(ctx, c, store, query)
	if err != nil {
		return err
	}
	info, err := ctr.Info(ctx)
	if errdefs.IsNotFound(err) {
		return &containerutil.NotFoundError{Query: query}
	}
	if err != nil {
		return err
	}
	return fn(ctx, c, ctr, info)
}

// withSnapshotTrees mounts, read-only, the container's image layers (lower;
// "" when it has none) and its whole filesystem (upper), and runs fn on
// their paths. A running container's snapshot can be mounted again this
// way: its writable layer becomes one more read-only layer.
func withSnapshotTrees(ctx context.Context, cfg *config.Config, c *client.Client, info containers.Container, fn func(lower, upper string) error) error {
	if info.SnapshotKey == "" || info.Snapshotter == "" {
		return fmt.Errorf("container %s has no filesystem", info.ID)
	}
	if err := mount.SetTempMountLocation(filepath.Join(cfg.DataRoot, "tmp", "mounts")); err != nil {
		return err
	}
	sn := c.SnapshotService(info.Snapshotter)
	sinfo, err := sn.Stat(ctx, info.SnapshotKey)
	if err != nil {
		return err
	}
	upper, err := sn.Mounts(ctx, info.SnapshotKey)
	if err != nil {
		return err
	}
	return mount.WithReadonlyTempMount(ctx, upper, func(upperRoot string) error {
		if sinfo.Parent == "" {
			return fn("", upperRoot)
		}
		viewKey := fmt.Sprintf("berth-diff-view-%s-%d", info.ID, time.Now().UnixNano())
		lower, err := sn.View(ctx, viewKey, sinfo.Parent)
		if err != nil {
			return err
		}
		defer sn.Remove(context.WithoutCancel(ctx), viewKey)
		return mount.WithReadonlyTempMount(ctx, lower, func(lowerRoot string) error {
			return fn(lowerRoot, upperRoot)
		})
	})
}
