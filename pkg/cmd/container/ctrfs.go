package container

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/mount"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/rootfs"
)

// containerFS is a container's filesystem opened from the host for cp.
type containerFS struct {
	root *rootfs.Root
	// spec is the container's OCI spec, nil when it has none: it tells a
	// read-only root and the mounts.
	spec *specs.Spec
	// live is set when root is the running container's own view, its
	// volumes and tmpfs mounts included.
	live    bool
	release func()
}

func (f *containerFS) Close() { f.release() }

// openContainerFS opens the container's files. A running (or paused)
// container's are reached through its init process (/proc/PID/root): what
// the container sees, its mounts included. A stopped container's snapshot
// is mounted in a private directory under the data root for the time of
// the command.
func openContainerFS(ctx context.Context, cfg *config.Config, c *client.Client, ctr client.Container) (*containerFS, error) {
	// A container made by another client may have no spec: then nothing
	// is known to be read-only.
	spec, _ := ctr.Spec(ctx)
	task, st, err := loadTask(ctx, ctr)
	if err != nil {
		return nil, err
	}
	if task != nil && (isLive(st) || st.Status == client.Created) {
		fs, err := openLiveFS(ctx, task)
		if err == nil {
			fs.spec = spec
			return fs, nil
		}
		// The task may have ended meanwhile: its snapshot is then free.
	}
	fs, err := mountSnapshot(ctx, cfg, c, ctr)
	if err != nil {
		return nil, err
	}
	fs.spec = spec
	return fs, nil
}

// openLiveFS opens /proc/PID/root of the task's init. The PID could name
// another process by the time it is opened if the container exited and the
// PID was reused: a pidfd taken while the engine still reports the task as
// running pins the process, and it must still live once the root is open.
func openLiveFS(ctx context.Context, task client.Task) (*containerFS, error) {
	pid := int(task.Pid())
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(pidfd)
	if st, err := task.Status(ctx); err != nil || !(isLive(st) || st.Status == client.Created) {
		return nil, errors.New("the container stopped")
	}
	root, err := rootfs.Open(fmt.Sprintf("/proc/%d/root", pid))
	if err != nil {
		return nil, err
	}
	if err := unix.PidfdSendSignal(pidfd, 0, nil, 0); err != nil {
		root.Close()
		return nil, errors.New("the container stopped")
	}
	root.ShowPathsInside()
	return &containerFS{root: root, live: true, release: func() { root.Close() }}, nil
}

// mountSnapshot mounts the container's snapshot read-write in a new
// directory only root can enter.
func mountSnapshot(ctx context.Context, cfg *config.Config, c *client.Client, ctr client.Container) (*containerFS, error) {
	info, err := ctr.Info(ctx)
	if err != nil {
		return nil, err
	}
	if info.SnapshotKey == "" || info.Snapshotter == "" {
		return nil, fmt.Errorf("container %s has no filesystem", ctr.ID())
	}
	mounts, err := c.SnapshotService(info.Snapshotter).Mounts(ctx, info.SnapshotKey)
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", ctr.ID(), err)
	}
	dir, err := tempMountDir(cfg)
	if err != nil {
		return nil, err
	}
	if err := mount.All(mount.RemoveVolatileOption(mounts), dir); err != nil {
		os.Remove(dir)
		return nil, fmt.Errorf("mounting the filesystem of container %s: %w", ctr.ID(), err)
	}
	unmount := func() {
		if err := mount.UnmountAll(dir, 0); err != nil {
			_ = mount.UnmountAll(dir, unix.MNT_DETACH)
		}
		os.Remove(dir)
	}
	root, err := rootfs.Open(dir)
	if err != nil {
		unmount()
		return nil, err
	}
	root.ShowPathsInside()
	return &containerFS{root: root, release: func() { root.Close(); unmount() }}, nil
}

// tempMountDir makes an empty directory under the data root for a mount.
func tempMountDir(cfg *config.Config) (string, error) {
	base := filepath.Join(cfg.DataRoot, "tmp")
	if err := os.MkdirAll(base, 0o700); err != nil {
		return "", err
	}
	return os.MkdirTemp(base, "rootfs-")
}

// errRootReadOnly and errVolumeReadOnly are Docker's refusals to copy into
// a read-only root filesystem or mount.
var (
	errRootReadOnly   = errors.New("container rootfs is marked read-only")
	errVolumeReadOnly = errors.New("mounted volume is marked read-only")
)

// checkWritable refuses a destination directory on a read-only mount or a
// read-only root filesystem, as Docker does before it writes anything. p is
// the directory's resolved path in the container.
func (f *containerFS) checkWritable(p string) error {
	if f.spec == nil {
		return nil
	}
	if m := f.mountOf(p); m != nil {
		if slices.Contains(m.Options, "ro") {
			return errVolumeReadOnly
		}
		return nil
	}
	if f.spec.Root != nil && f.spec.Root.Readonly {
		return errRootReadOnly
	}
	return nil
}

// mountOf returns the mount of the spec that holds path p, the deepest one.
func (f *containerFS) mountOf(p string) *specs.Mount {
	var best *specs.Mount
	for i := range f.spec.Mounts {
		m := &f.spec.Mounts[i]
		d := path.Clean(m.Destination)
		if (p == d || strings.HasPrefix(p, d+"/") || d == "/") && (best == nil || len(d) > len(path.Clean(best.Destination))) {
			best = m
		}
	}
	return best
}

// readOnlyError turns a write that failed on a read-only filesystem into
// Docker's message for the mount it fell on.
func (f *containerFS) readOnlyError(err error, dir string) error {
	if !errors.Is(err, unix.EROFS) {
		return err
	}
	if f.spec != nil {
		if m := f.mountOf(dir); m != nil {
			return errVolumeReadOnly
		}
	}
	return errRootReadOnly
}
