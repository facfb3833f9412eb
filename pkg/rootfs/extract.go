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

// Owner is a numeric user and group.
type Owner struct{ UID, GID int }

// ExtractOptions say how an archive lands.
type ExtractOptions struct {
	// Owner, when set, owns every entry instead of the owners the archive
	// names. As cp(1) does, an entry whose owner so changes loses its
	// set-user-ID and set-group-ID bits: it must not gain the rights of
	// its new owner.
	Owner *Owner
	// DropSetID clears the set-user-ID and set-group-ID bits of every
	// entry, whoever owns it: a file of a container copied out must not
	// become a set-user-ID program of the host.
	DropSetID bool
	// NoDevices skips device nodes instead of creating them.
	NoDevices bool
	// Xattrs applies the file capabilities and user.* attributes the
	// archive carries.
	Xattrs bool
	// NoOverwriteDirNonDir refuses to replace a directory with a
	// non-directory and the reverse, as docker cp does.
	NoOverwriteDirNonDir bool
}

// display is how messages show path p of the root.
func (r *Root) display(p string) string {
	if r.shownAs == "" {
		return p
	}
	return path.Join(r.shownAs, p)
}

// ShowPathsInside makes messages name paths as they are inside the root,
// as a container's are named to its user.
func (r *Root) ShowPathsInside() { r.shownAs = "" }

// Extract unpacks the tar stream rd into dir, a directory of r. Entry names
// are taken below dir: one that leaves it ("../x") is refused. Parents
// missing from the archive are created; an entry's directories are opened
// one by one from dir without following links, and a link met on the way
// is resolved inside the root, never outside it.
func (r *Root) Extract(rd io.Reader, dir *Node, o ExtractOptions) (int64, error) {
	x := &extractor{root: r, dir: dir, o: o, self: Owner{os.Geteuid(), os.Getegid()}}
	defer x.closeParent()
	if err := x.writable(dir); err != nil {
		return 0, err
	}
	tr := tar.NewReader(rd)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return x.bytes, fmt.Errorf("reading the archive: %w", err)
		}
		if err := x.entry(tr, hdr); err != nil {
			return x.bytes, err
		}
	}
	return x.bytes, x.dirTimes()
}

type extractor struct {
	root *Root
	dir  *Node
	o    ExtractOptions
	self Owner
	// parent caches the directory of the previous entry.
	parentRel string
	parent    *Node
	// dirs get their times once everything below them is written.
	dirs  []dirTime
	bytes int64
}

type dirTime struct {
	rel          string
	atime, mtime time.Time
}

// entryName cleans an entry's name relative to the destination and refuses
// one that leaves it. A leading "/" is dropped, as tar(1) does.
func (x *extractor) entryName(name string) (string, error) {
	rel := path.Clean(strings.TrimLeft(name, "/"))
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("invalid archive entry %q: it is outside of %q", name, x.root.display(x.dir.Path))
	}
	return rel, nil
}

func (x *extractor) entry(tr *tar.Reader, hdr *tar.Header) error {
	rel, err := x.entryName(hdr.Name)
	if err != nil {
		return err
	}
	if rel == "." {
		if hdr.Typeflag != tar.TypeDir {
			return fmt.Errorf("invalid archive entry %q: not a directory", hdr.Name)
		}
		return x.mergeDir(x.dir, ".", hdr)
	}
	dirRel, base := path.Split(rel)
	parent, err := x.parentDir(strings.TrimSuffix(dirRel, "/"))
	if err != nil {
		return err
	}
	if err := x.makeRoom(parent, base, hdr); err != nil {
		return err
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
		return x.makeDir(parent, base, rel, hdr)
	case tar.TypeReg, tar.TypeRegA:
		return x.makeFile(parent, base, tr, hdr)
	case tar.TypeSymlink:
		return x.makeSymlink(parent, base, hdr)
	case tar.TypeLink:
		return x.makeLink(parent, base, hdr)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		return x.makeNode(parent, base, hdr)
	}
	// Global headers and the like carry no file.
	return nil
}

// parentDir opens the directory rel below the destination, creating what
// is missing. The previous entry's is reused.
func (x *extractor) parentDir(rel string) (*Node, error) {
	if rel == "" {
		return x.dir, nil
	}
	if x.parent != nil && x.parentRel == rel {
		return x.parent, nil
	}
	x.closeParent()
	n, err := x.walkFrom(components(rel), true)
	if err != nil {
		return nil, err
	}
	if err := x.writable(n); err != nil {
		n.Close()
		return nil, err
	}
	x.parent, x.parentRel = n, rel
	return n, nil
}

// writable refuses a directory on a kernel filesystem: a running
// container's /proc and /sys are the kernel's, not the container's files,
// and writing there could change the host.
func (x *extractor) writable(dir *Node) error {
	if fsType := dir.PseudoFS(); fsType != "" {
		return fmt.Errorf("cannot write into %s: it is on a %s filesystem", x.root.display(dir.Path), fsType)
	}
	return nil
}

func (x *extractor) closeParent() {
	if x.parent != nil {
		x.parent.Close()
		x.parent = nil
	}
}

// walkFrom opens the directory comps below the destination, one component
// at a time; at a link, the rest is resolved from the root.
func (x *extractor) walkFrom(comps []string, create bool) (*Node, error) {
	cur, err := x.dir.reopen()
	if err != nil {
		return nil, err
	}
	for i, c := range comps {
		next, err := cur.Child(c)
		if errors.Is(err, unix.ENOENT) && create {
			if err = unix.Mkdirat(cur.Fd(), c, 0o755); err == nil || errors.Is(err, unix.EEXIST) {
				next, err = cur.Child(c)
			}
		}
		if err != nil {
			cur.Close()
			return nil, &os.PathError{Op: "open", Path: x.root.display(path.Join(cur.Path, c)), Err: err}
		}
		if next.IsSymlink() {
			rest := path.Join(append([]string{cur.Path, c}, comps[i+1:]...)...)
			cur.Close()
			next.Close()
			if create {
				return x.root.MkdirAll(rest)
			}
			return x.root.Resolve(rest+"/", true)
		}
		cur.Close()
		if !next.IsDir() {
			next.Close()
			return nil, &os.PathError{Op: "open", Path: x.root.display(next.Path), Err: unix.ENOTDIR}
		}
		cur = next
	}
	return cur, nil
}

// reopen returns a second node for the same directory.
func (n *Node) reopen() (*Node, error) {
	fd, err := unix.Openat(n.Fd(), ".", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	return &Node{f: os.NewFile(uintptr(fd), n.Path), Path: n.Path, st: n.st}, nil
}

// makeRoom removes what stands where the entry goes, except a directory
// that a directory entry merges into.
func (x *extractor) makeRoom(parent *Node, base string, hdr *tar.Header) error {
	var st unix.Stat_t
	err := unix.Fstatat(parent.Fd(), base, &st, unix.AT_SYMLINK_NOFOLLOW)
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	if err != nil {
		return err
	}
	isDir, wantDir := st.Mode&unix.S_IFMT == unix.S_IFDIR, hdr.Typeflag == tar.TypeDir
	where := x.root.display(path.Join(parent.Path, base))
	switch {
	case isDir && wantDir:
		return nil
	case isDir && x.o.NoOverwriteDirNonDir:
		return fmt.Errorf("cannot overwrite directory %q with non-directory %q", where, hdr.Name)
	case wantDir && x.o.NoOverwriteDirNonDir:
		return fmt.Errorf("cannot overwrite non-directory %q with directory %q", where, hdr.Name)
	case isDir:
		return removeAllAt(parent.Fd(), base)
	}
	if err := unix.Unlinkat(parent.Fd(), base, 0); err != nil && !errors.Is(err, unix.ENOENT) {
		return &os.PathError{Op: "unlink", Path: where, Err: err}
	}
	return nil
}

// removeAllAt removes the tree name of dir without following links.
func removeAllAt(dir int, name string) error {
	err := unix.Unlinkat(dir, name, 0)
	if err == nil || errors.Is(err, unix.ENOENT) {
		return nil
	}
	fd, oerr := unix.Openat(dir, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if oerr != nil {
		return err
	}
	d := os.NewFile(uintptr(fd), name)
	names, _ := d.Readdirnames(-1)
	for _, n := range names {
		if err := removeAllAt(fd, n); err != nil {
			d.Close()
			return err
		}
	}
	d.Close()
	return unix.Unlinkat(dir, name, unix.AT_REMOVEDIR)
}

// dirTimes sets the directories' times, deepest first, once nothing more
// is written into them.
func (x *extractor) dirTimes() error {
	for i := len(x.dirs) - 1; i >= 0; i-- {
		d := x.dirs[i]
		var n *Node
		var err error
		if d.rel == "." {
			n, err = x.dir.reopen()
		} else {
			n, err = x.walkFrom(components(d.rel), false)
		}
		if err != nil {
			continue
		}
		ts := []unix.Timespec{unix.NsecToTimespec(d.atime.UnixNano()), unix.NsecToTimespec(d.mtime.UnixNano())}
		err = unix.UtimesNanoAt(unix.AT_FDCWD, procPath(n.Fd()), ts, 0)
		n.Close()
		if err != nil {
			return &os.PathError{Op: "utimes", Path: x.root.display(path.Join(x.dir.Path, d.rel)), Err: err}
		}
	}
	return nil
}
