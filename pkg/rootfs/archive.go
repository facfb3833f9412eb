package rootfs

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// xattrCapability is the one extended attribute archives carry, as Docker's
// do: file capabilities (ping's cap_net_raw) are part of what a file does.
const xattrCapability = "security.capability"

// Magic numbers x/sys/unix does not define (linux/magic.h).
const (
	mqueueMagic   = 0x19800202
	configfsMagic = 0x62656570
	fusectlMagic  = 0x65735543
)

// pseudoFS are the kernel's filesystems a running container has mounted
// (its /proc, /sys, /dev/pts, ...): they hold no files of the container,
// and reading some of them has effects, so archives stop at them.
var pseudoFS = map[int64]string{
	unix.PROC_SUPER_MAGIC:    "proc",
	unix.SYSFS_MAGIC:         "sysfs",
	unix.CGROUP_SUPER_MAGIC:  "cgroup",
	unix.CGROUP2_SUPER_MAGIC: "cgroup2",
	unix.DEVPTS_SUPER_MAGIC:  "devpts",
	mqueueMagic:              "mqueue",
	unix.DEBUGFS_MAGIC:       "debugfs",
	unix.TRACEFS_MAGIC:       "tracefs",
	unix.SECURITYFS_MAGIC:    "securityfs",
	unix.BPF_FS_MAGIC:        "bpf",
	unix.PSTOREFS_MAGIC:      "pstore",
	unix.SELINUX_MAGIC:       "selinuxfs",
	unix.EFIVARFS_MAGIC:      "efivarfs",
	unix.BINFMTFS_MAGIC:      "binfmt_misc",
	configfsMagic:            "configfs",
	fusectlMagic:             "fusectl",
	unix.HUGETLBFS_MAGIC:     "hugetlbfs",
}

// PseudoFS names the kernel filesystem n is on ("proc", "sysfs", ...), or
// returns "" for a filesystem that holds files.
func (n *Node) PseudoFS() string {
	var sfs unix.Statfs_t
	if err := unix.Fstatfs(n.Fd(), &sfs); err != nil {
		return ""
	}
	return pseudoFS[int64(sfs.Type)]
}

// Archiver writes nodes to a tar stream.
type Archiver struct {
	tw *tar.Writer
	// links maps a file with several names to the first name written, so
	// the others become hard links, as tar(1) does.
	links map[[2]uint64]string
}

// NewArchiver writes to w; Close finishes the stream.
func NewArchiver(w io.Writer) *Archiver {
	return &Archiver{tw: tar.NewWriter(w), links: map[[2]uint64]string{}}
}

// Close writes the end of the archive.
func (a *Archiver) Close() error { return a.tw.Close() }

// Add writes n as the entry name, and for a directory everything below
// it, named below name. Below n nothing is followed: links are archived as
// links, and a directory on a kernel filesystem (proc, sysfs) is archived
// empty. Entries that vanish while the walk runs are left out.
func (a *Archiver) Add(n *Node, name string) error {
	return a.add(n, name)
}

// AddContents writes what directory n holds, named from the archive's
// root ("bin/", "bin/sh"), as `docker export` names a filesystem.
func (a *Archiver) AddContents(n *Node) error {
	if !n.IsDir() {
		return fmt.Errorf("%s is not a directory", n.Path)
	}
	return a.children(n, "")
}

func (a *Archiver) add(n *Node, name string) error {
	hdr := a.header(n, name)
	switch n.st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		hdr.Name = strings.TrimSuffix(name, "/") + "/"
		if err := a.tw.WriteHeader(hdr); err != nil {
			return err
		}
		if n.PseudoFS() != "" {
			return nil
		}
		return a.children(n, hdr.Name)
	case unix.S_IFREG:
		return a.file(n, hdr)
	case unix.S_IFLNK:
		target, err := n.Readlink()
		if err != nil {
			return fmt.Errorf("reading link %s: %w", n.Path, err)
		}
		hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, target
	case unix.S_IFCHR, unix.S_IFBLK, unix.S_IFIFO:
		hdr.Typeflag = map[uint32]byte{unix.S_IFCHR: tar.TypeChar, unix.S_IFBLK: tar.TypeBlock,
			unix.S_IFIFO: tar.TypeFifo}[n.st.Mode&unix.S_IFMT]
		hdr.Devmajor, hdr.Devminor = int64(unix.Major(n.st.Rdev)), int64(unix.Minor(n.st.Rdev))
	default:
		// Sockets have no tar form; tar(1) skips them too.
		return nil
	}
	return a.tw.WriteHeader(hdr)
}

// header is the common part of n's header.
func (a *Archiver) header(n *Node, name string) *tar.Header {
	st := &n.st
	mtime := time.Unix(st.Mtim.Sec, st.Mtim.Nsec).Truncate(time.Second)
	return &tar.Header{
		Name:    name,
		Mode:    int64(st.Mode & 0o7777),
		Uid:     int(st.Uid),
		Gid:     int(st.Gid),
		ModTime: mtime,
		Format:  tar.FormatPAX,
	}
}

// children archives the entries of directory n in name order.
func (a *Archiver) children(n *Node, prefix string) error {
	d, err := n.OpenDir()
	if err != nil {
		return err
	}
	names, err := d.Readdirnames(-1)
	if err != nil {
		d.Close()
		return fmt.Errorf("reading directory %s: %w", n.Path, err)
	}
	sort.Strings(names)
	dir := &Node{f: d, Path: n.Path, st: n.st}
	defer dir.Close()
	for _, name := range names {
		c, err := dir.Child(name)
		if errors.Is(err, unix.ENOENT) {
			continue
		}
		if err != nil {
			return fmt.Errorf("opening %s/%s: %w", n.Path, name, err)
		}
		err = a.add(c, prefix+name)
		c.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// file archives a regular file: its content is read through the node's
// descriptor, and exactly the size in the header is written whatever the
// file does meanwhile.
func (a *Archiver) file(n *Node, hdr *tar.Header) error {
	key := [2]uint64{n.st.Dev, n.st.Ino}
	if n.st.Nlink > 1 {
		if first, ok := a.links[key]; ok {
			hdr.Typeflag, hdr.Linkname = tar.TypeLink, first
			return a.tw.WriteHeader(hdr)
		}
		a.links[key] = hdr.Name
	}
	f, err := n.OpenFile()
	if err != nil {
		return err
	}
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return err
	}
	if st.Dev != n.st.Dev || st.Ino != n.st.Ino {
		return fmt.Errorf("%s changed while it was read", n.Path)
	}
	hdr.Typeflag, hdr.Size = tar.TypeReg, st.Size
	if cap, ok := getxattr(int(f.Fd()), xattrCapability); ok {
		hdr.PAXRecords = map[string]string{"SCHILY.xattr." + xattrCapability: cap}
	}
	if err := a.tw.WriteHeader(hdr); err != nil {
		return err
	}
	copied, err := io.Copy(a.tw, io.LimitReader(f, st.Size))
	if err != nil {
		return fmt.Errorf("reading %s: %w", n.Path, err)
	}
	// A file that shrank meanwhile is padded: the header is written.
	if _, err := io.CopyN(a.tw, zeros{}, st.Size-copied); err != nil {
		return err
	}
	return nil
}

// zeros reads as endless zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// getxattr reads one extended attribute of an open file.
func getxattr(fd int, name string) (string, bool) {
	buf := make([]byte, 256)
	n, err := unix.Fgetxattr(fd, name, buf)
	if errors.Is(err, unix.ERANGE) {
		if n, err = unix.Fgetxattr(fd, name, nil); err == nil {
			buf = make([]byte, n)
			n, err = unix.Fgetxattr(fd, name, buf)
		}
	}
	if err != nil || n <= 0 {
		return "", false
	}
	return string(buf[:n]), true
}
