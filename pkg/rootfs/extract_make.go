package rootfs

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// How each kind of entry is made. Everything is done relative to the
// entry's directory, held open, and without following the entry itself:
// files are created with O_EXCL|O_NOFOLLOW, attributes set through the
// descriptor that made them.

// owner is who owns the entry, and whether its set-ID bits must go.
func (x *extractor) owner(hdr *tar.Header) (uid, gid int, perm uint32, chown bool) {
	perm = uint32(hdr.Mode) & 0o7777
	uid, gid = hdr.Uid, hdr.Gid
	if x.o.DropSetID {
		perm &^= unix.S_ISUID | unix.S_ISGID
	}
	if o := x.o.Owner; o != nil {
		if o.UID != uid || o.GID != gid {
			perm &^= unix.S_ISUID | unix.S_ISGID
		}
		uid, gid = o.UID, o.GID
	}
	chown = uid != x.self.UID || gid != x.self.GID || x.self.UID == 0
	return uid, gid, perm, chown
}

func (x *extractor) makeDir(parent *Node, base, rel string, hdr *tar.Header) error {
	if err := unix.Mkdirat(parent.Fd(), base, 0o700); err != nil && !errors.Is(err, unix.EEXIST) {
		return &os.PathError{Op: "mkdir", Path: x.root.display(path.Join(parent.Path, base)), Err: err}
	}
	n, err := parent.Child(base)
	if err != nil {
		return err
	}
	defer n.Close()
	if !n.IsDir() {
		return &os.PathError{Op: "mkdir", Path: x.root.display(n.Path), Err: unix.ENOTDIR}
	}
	return x.mergeDir(n, rel, hdr)
}

// mergeDir gives an existing directory the entry's owner and mode; its
// times are set at the end.
func (x *extractor) mergeDir(n *Node, rel string, hdr *tar.Header) error {
	d, err := n.OpenDir()
	if err != nil {
		return err
	}
	defer d.Close()
	if err := x.attrs(int(d.Fd()), n.Path, hdr); err != nil {
		return err
	}
	x.dirs = append(x.dirs, dirTime{rel: rel, atime: accessTime(hdr), mtime: hdr.ModTime})
	return nil
}

// attrs sets owner, mode and extended attributes through an open descriptor.
func (x *extractor) attrs(fd int, p string, hdr *tar.Header) error {
	uid, gid, perm, chown := x.owner(hdr)
	if chown {
		if err := unix.Fchown(fd, uid, gid); err != nil {
			return &os.PathError{Op: "chown", Path: x.root.display(p), Err: err}
		}
	}
	if err := unix.Fchmod(fd, perm); err != nil {
		return &os.PathError{Op: "chmod", Path: x.root.display(p), Err: err}
	}
	if !x.o.Xattrs {
		return nil
	}
	for k, v := range hdr.PAXRecords {
		name, ok := strings.CutPrefix(k, "SCHILY.xattr.")
		if !ok || (name != xattrCapability && !strings.HasPrefix(name, "user.")) {
			continue
		}
		if err := unix.Fsetxattr(fd, name, []byte(v), 0); err != nil && !errors.Is(err, unix.ENOTSUP) {
			return &os.PathError{Op: "setxattr " + name, Path: x.root.display(p), Err: err}
		}
	}
	return nil
}

func (x *extractor) makeFile(parent *Node, base string, tr io.Reader, hdr *tar.Header) error {
	p := path.Join(parent.Path, base)
	fd, err := unix.Openat(parent.Fd(), base, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return &os.PathError{Op: "create", Path: x.root.display(p), Err: err}
	}
	f := os.NewFile(uintptr(fd), p)
	defer f.Close()
	n, err := io.Copy(f, tr)
	x.bytes += n
	if err != nil {
		return fmt.Errorf("writing %s: %w", x.root.display(p), err)
	}
	if err := x.attrs(fd, p, hdr); err != nil {
		return err
	}
	return setTimes(fd, p, hdr)
}

// setTimes sets the times of the object an open descriptor holds.
func setTimes(fd int, p string, hdr *tar.Header) error {
	ts := []unix.Timespec{unix.NsecToTimespec(accessTime(hdr).UnixNano()), unix.NsecToTimespec(hdr.ModTime.UnixNano())}
	if err := unix.UtimesNanoAt(unix.AT_FDCWD, procPath(fd), ts, 0); err != nil {
		return &os.PathError{Op: "utimes", Path: p, Err: err}
	}
	return nil
}

func accessTime(hdr *tar.Header) time.Time {
	if hdr.AccessTime.IsZero() {
		return hdr.ModTime
	}
	return hdr.AccessTime
}

func (x *extractor) makeSymlink(parent *Node, base string, hdr *tar.Header) error {
	p := path.Join(parent.Path, base)
	if err := unix.Symlinkat(hdr.Linkname, parent.Fd(), base); err != nil {
		return &os.PathError{Op: "symlink", Path: x.root.display(p), Err: err}
	}
	uid, gid, _, chown := x.owner(hdr)
	if chown {
		if err := unix.Fchownat(parent.Fd(), base, uid, gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return &os.PathError{Op: "lchown", Path: x.root.display(p), Err: err}
		}
	}
	ts := []unix.Timespec{unix.NsecToTimespec(accessTime(hdr).UnixNano()), unix.NsecToTimespec(hdr.ModTime.UnixNano())}
	if err := unix.UtimesNanoAt(parent.Fd(), base, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "utimes", Path: x.root.display(p), Err: err}
	}
	return nil
}

// makeLink makes a hard link to an entry already extracted: its name is
// taken below the destination like any entry's.
func (x *extractor) makeLink(parent *Node, base string, hdr *tar.Header) error {
	rel, err := x.entryName(hdr.Linkname)
	if err != nil || rel == "." {
		return fmt.Errorf("invalid archive entry %q: hard link to %q is outside of %q", hdr.Name, hdr.Linkname, x.root.display(x.dir.Path))
	}
	dirRel, name := path.Split(rel)
	dir, err := x.walkFrom(components(dirRel), false)
	if err != nil {
		return err
	}
	defer dir.Close()
	target, err := dir.Child(name)
	if err != nil {
		return &os.PathError{Op: "link", Path: x.root.display(path.Join(dir.Path, name)), Err: err}
	}
	defer target.Close()
	if target.IsDir() {
		return fmt.Errorf("invalid archive entry %q: hard link to directory %q", hdr.Name, hdr.Linkname)
	}
	p := path.Join(parent.Path, base)
	if err := unix.Linkat(unix.AT_FDCWD, procPath(target.Fd()), parent.Fd(), base, unix.AT_SYMLINK_FOLLOW); err != nil {
		return &os.PathError{Op: "link", Path: x.root.display(p), Err: err}
	}
	return nil
}

// makeNode makes a fifo or a device node.
func (x *extractor) makeNode(parent *Node, base string, hdr *tar.Header) error {
	kind := map[byte]uint32{tar.TypeChar: unix.S_IFCHR, tar.TypeBlock: unix.S_IFBLK, tar.TypeFifo: unix.S_IFIFO}[hdr.Typeflag]
	if kind != unix.S_IFIFO && x.o.NoDevices {
		return nil
	}
	p := path.Join(parent.Path, base)
	dev := unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor))
	if err := unix.Mknodat(parent.Fd(), base, kind|0o600, int(dev)); err != nil {
		return &os.PathError{Op: "mknod", Path: x.root.display(p), Err: err}
	}
	n, err := parent.Child(base)
	if err != nil {
		return err
	}
	defer n.Close()
	if n.st.Mode&unix.S_IFMT != kind {
		return fmt.Errorf("%s was replaced while it was created", x.root.display(p))
	}
	uid, gid, perm, chown := x.owner(hdr)
	if chown {
		if err := unix.Fchownat(n.Fd(), "", uid, gid, unix.AT_EMPTY_PATH); err != nil {
			return &os.PathError{Op: "chown", Path: x.root.display(p), Err: err}
		}
	}
	// The descriptor is O_PATH: chmod and utimes go through /proc, which
	// reaches this very node.
	if err := unix.Chmod(procPath(n.Fd()), perm); err != nil {
		return &os.PathError{Op: "chmod", Path: x.root.display(p), Err: err}
	}
	return setTimes(n.Fd(), p, hdr)
}
