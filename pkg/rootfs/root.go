// Package rootfs reads and writes the files of a container from the host
// without ever leaving the container's root directory.
//
// Every path is walked one component at a time below a directory file
// descriptor, each component opened with O_NOFOLLOW. A symlink is read, never
// followed by the kernel: its target is walked again from the root (an
// absolute target) or from the directory holding it, and ".." stops at the
// root. A link to "/", to "../../..", or to /etc thus only ever reaches the
// container's own files. Objects found are held open, so a directory swapped
// for a link while a copy runs does not move what the copy reads or writes.
//
// The walk is done in user space rather than with openat2(RESOLVE_IN_ROOT)
// because the callers need the resolved path inside the root too: it tells
// which of the container's mounts a destination lies on.
package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// maxLinks bounds the symlinks one walk follows, as the kernel's own limit.
const maxLinks = 40

// Root is a directory every path of this package is resolved below.
type Root struct {
	dir *os.File
	// shownAs is the root's path in messages: its host path, or "" when
	// paths are shown as they are inside the root (a container's).
	shownAs string
}

// Open opens the directory at hostPath as a root. hostPath itself is the
// caller's to trust: it is resolved by the kernel, links included.
func Open(hostPath string) (*Root, error) {
	fd, err := unix.Open(hostPath, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: hostPath, Err: err}
	}
	return &Root{dir: os.NewFile(uintptr(fd), hostPath), shownAs: hostPath}, nil
}

// Close releases the root.
func (r *Root) Close() error { return r.dir.Close() }

// Node is an object found below a root, held by an O_PATH descriptor.
type Node struct {
	f *os.File
	// Path is where the object is inside the root, clean and absolute ("/"
	// for the root itself), after every symlink on the way was resolved.
	Path string
	st   unix.Stat_t
}

// Close releases the node.
func (n *Node) Close() error { return n.f.Close() }

// Fd is the node's O_PATH descriptor.
func (n *Node) Fd() int { return int(n.f.Fd()) }

// IsDir reports a directory.
func (n *Node) IsDir() bool { return n.st.Mode&unix.S_IFMT == unix.S_IFDIR }

// IsRegular reports a regular file.
func (n *Node) IsRegular() bool { return n.st.Mode&unix.S_IFMT == unix.S_IFREG }

// IsSymlink reports a symbolic link (found with follow off).
func (n *Node) IsSymlink() bool { return n.st.Mode&unix.S_IFMT == unix.S_IFLNK }

// Mode is the node's type and permissions as os.FileMode.
func (n *Node) Mode() os.FileMode { return fileMode(n.st.Mode) }

// Size is the node's size in bytes.
func (n *Node) Size() int64 { return n.st.Size }

// Stat returns the node's stat as taken when it was opened.
func (n *Node) Stat() unix.Stat_t { return n.st }

// Missing is the answer of Lookup for a path whose last component does not
// exist while its directory does: where the object would be created.
type Missing struct {
	// Dir is the directory that would hold it.
	Dir *Node
	// Name is the last component.
	Name string
}

// Path is where the object would be inside the root.
func (m *Missing) Path() string { return path.Join(m.Dir.Path, m.Name) }

// Resolve finds p below the root. With follow, a symlink as the last
// component is followed (inside the root) as well; a trailing "/" or "/."
// implies follow and requires a directory. A missing object is an error
// satisfying errors.Is(err, os.ErrNotExist).
func (r *Root) Resolve(p string, follow bool) (*Node, error) {
	n, m, err := r.Lookup(p, follow)
	if err != nil {
		return nil, err
	}
	if m != nil {
		m.Dir.Close()
		return nil, &os.PathError{Op: "lstat", Path: p, Err: unix.ENOENT}
	}
	return n, nil
}

// Lookup is Resolve that also answers for a missing last component: then
// the node is nil and Missing names its directory (open; the caller closes
// it) and its name. A link whose target is missing is answered with the
// target's place when follow is set.
func (r *Root) Lookup(p string, follow bool) (*Node, *Missing, error) {
	w := &walker{root: r}
	defer w.release()
	mustDir := assertsDir(p)
	n, m, err := w.walk(components(p), follow || mustDir, false)
	if err != nil {
		return nil, nil, &os.PathError{Op: "lstat", Path: p, Err: err}
	}
	if n != nil && mustDir && !n.IsDir() {
		n.Close()
		return nil, nil, &os.PathError{Op: "lstat", Path: p, Err: unix.ENOTDIR}
	}
	return n, m, nil
}

// MkdirAll resolves the directory p below the root, creating what is
// missing of it with mode 0755, and returns it.
func (r *Root) MkdirAll(p string) (*Node, error) {
	w := &walker{root: r}
	defer w.release()
	n, _, err := w.walk(components(p), true, true)
	if err != nil {
		return nil, &os.PathError{Op: "mkdir", Path: p, Err: err}
	}
	if !n.IsDir() {
		n.Close()
		return nil, &os.PathError{Op: "mkdir", Path: p, Err: unix.ENOTDIR}
	}
	return n, nil
}

// components splits p into its names; "" and "." are dropped, ".." kept.
func components(p string) []string {
	var out []string
	for _, c := range strings.Split(p, "/") {
		if c != "" && c != "." {
			out = append(out, c)
		}
	}
	return out
}

// assertsDir reports a path that can only name a directory: "a/", "a/.".
func assertsDir(p string) bool {
	return strings.HasSuffix(p, "/") || p == "." || strings.HasSuffix(p, "/.")
}

// walker holds the directories opened so far, the root excluded: ".."
// pops one, so it never climbs above the root, and never opens anything.
type walker struct {
	root  *Root
	stack []*os.File
	names []string
}

func (w *walker) top() int {
	if len(w.stack) == 0 {
		return int(w.root.dir.Fd())
	}
	return int(w.stack[len(w.stack)-1].Fd())
}

func (w *walker) pop() {
	if len(w.stack) == 0 {
		return
	}
	w.stack[len(w.stack)-1].Close()
	w.stack, w.names = w.stack[:len(w.stack)-1], w.names[:len(w.names)-1]
}

func (w *walker) toRoot() {
	for len(w.stack) > 0 {
		w.pop()
	}
}

func (w *walker) release() { w.toRoot() }

func (w *walker) path() string { return "/" + strings.Join(w.names, "/") }

// walk resolves todo from the root. follow applies to the last component;
// create makes missing directories on the way (and at the end).
func (w *walker) walk(todo []string, follow, create bool) (*Node, *Missing, error) {
	links := 0
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		if c == ".." {
			w.pop()
			continue
		}
		last := len(todo) == 0
		f, st, err := openNoFollow(w.top(), c)
		if errors.Is(err, unix.ENOENT) && create {
			if err = unix.Mkdirat(w.top(), c, 0o755); err == nil || errors.Is(err, unix.EEXIST) {
				f, st, err = openNoFollow(w.top(), c)
			}
		}
		if errors.Is(err, unix.ENOENT) && last {
			dir, derr := w.current()
			if derr != nil {
				return nil, nil, derr
			}
			return nil, &Missing{Dir: dir, Name: c}, nil
		}
		if err != nil {
			return nil, nil, err
		}
		if st.Mode&unix.S_IFMT == unix.S_IFLNK && (!last || follow) {
			links++
			target, err := readlinkFd(int(f.Fd()))
			f.Close()
			if err != nil {
				return nil, nil, err
			}
			if links > maxLinks {
				return nil, nil, unix.ELOOP
			}
			if strings.HasPrefix(target, "/") {
				w.toRoot()
			}
			todo = append(components(target), todo...)
			continue
		}
		if last {
			return &Node{f: f, Path: path.Join(w.path(), c), st: st}, nil, nil
		}
		if st.Mode&unix.S_IFMT != unix.S_IFDIR {
			f.Close()
			return nil, nil, unix.ENOTDIR
		}
		w.stack, w.names = append(w.stack, f), append(w.names, c)
	}
	n, err := w.current()
	return n, nil, err
}

// current returns a new node for the directory the walk is at.
func (w *walker) current() (*Node, error) {
	fd, err := unix.Openat(w.top(), ".", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	n := &Node{f: os.NewFile(uintptr(fd), w.path()), Path: w.path()}
	if err := unix.Fstat(fd, &n.st); err != nil {
		n.Close()
		return nil, err
	}
	return n, nil
}

// Child opens the entry name of directory n without following it.
func (n *Node) Child(name string) (*Node, error) {
	if name == "" || name == "." || name == ".." || strings.Contains(name, "/") {
		return nil, fmt.Errorf("invalid name %q", name)
	}
	f, st, err := openNoFollow(n.Fd(), name)
	if err != nil {
		return nil, err
	}
	return &Node{f: f, Path: path.Join(n.Path, name), st: st}, nil
}

// openNoFollow opens name in dir as an O_PATH descriptor without following
// it, and stats what it got.
func openNoFollow(dir int, name string) (*os.File, unix.Stat_t, error) {
	var st unix.Stat_t
	fd, err := unix.Openat(dir, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, st, err
	}
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, st, err
	}
	return os.NewFile(uintptr(fd), name), st, nil
}

// readlinkFd reads the target of the symlink an O_PATH descriptor holds.
func readlinkFd(fd int) (string, error) {
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := unix.Readlinkat(fd, "", buf)
		if err != nil {
			return "", err
		}
		if n < size {
			return string(buf[:n]), nil
		}
	}
}

// Readlink is the target of a symlink node.
func (n *Node) Readlink() (string, error) { return readlinkFd(n.Fd()) }

// procPath names the object behind fd through /proc/self/fd, which the
// kernel resolves to that very object, not by its name: reopening it or
// changing its attributes cannot be redirected by a rename.
func procPath(fd int) string { return "/proc/self/fd/" + strconv.Itoa(fd) }

// OpenFile opens a regular file node for reading. The node is reopened
// through its descriptor, so a file swapped in meanwhile is not what is read;
// a node that is not a regular file is refused before it is opened, so that
// a fifo cannot block the reader and a device node is never opened.
func (n *Node) OpenFile() (*os.File, error) {
	if !n.IsRegular() {
		return nil, &os.PathError{Op: "open", Path: n.Path, Err: errors.New("not a regular file")}
	}
	fd, err := unix.Open(procPath(n.Fd()), unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: n.Path, Err: err}
	}
	return os.NewFile(uintptr(fd), n.Path), nil
}

// OpenDir opens a directory node for reading its entries.
func (n *Node) OpenDir() (*os.File, error) {
	fd, err := unix.Openat(n.Fd(), ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: n.Path, Err: err}
	}
	return os.NewFile(uintptr(fd), n.Path), nil
}

// fileMode converts a stat mode to os.FileMode.
func fileMode(m uint32) os.FileMode {
	mode := os.FileMode(m & 0o777)
	switch m & unix.S_IFMT {
	case unix.S_IFDIR:
		mode |= os.ModeDir
	case unix.S_IFLNK:
		mode |= os.ModeSymlink
	case unix.S_IFCHR:
		mode |= os.ModeDevice | os.ModeCharDevice
	case unix.S_IFBLK:
		mode |= os.ModeDevice
	case unix.S_IFIFO:
		mode |= os.ModeNamedPipe
	case unix.S_IFSOCK:
		mode |= os.ModeSocket
	}
	if m&unix.S_ISUID != 0 {
		mode |= os.ModeSetuid
	}
	if m&unix.S_ISGID != 0 {
		mode |= os.ModeSetgid
	}
	if m&unix.S_ISVTX != 0 {
		mode |= os.ModeSticky
	}
	return mode
}
