package container

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	units "github.com/docker/go-units"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/rootfs"
)

// CpOptions are the flags and arguments of `cp`.
type CpOptions struct {
	// Source and Destination are CONTAINER:PATH, a local path, or "-" for
	// a tar stream on stdin (as source) or stdout (as destination).
	Source, Destination string
	// FollowLink follows a symlink named as the source (-L).
	FollowLink bool
	// Archive keeps the source's owners (-a); otherwise files belong to
	// root in the container and to the caller on the host.
	Archive bool
	// Quiet suppresses the "Successfully copied" line (-q); the CLI sets it
	// when stdout is not a terminal, as Docker does.
	Quiet bool
}

// Validate checks the arguments before the engine is dialled.
func (o *CpOptions) Validate() error {
	if o.Source == "" {
		return errors.New("source can not be empty")
	}
	if o.Destination == "" {
		return errors.New("destination can not be empty")
	}
	srcCtr, _ := splitCpArg(o.Source)
	dstCtr, _ := splitCpArg(o.Destination)
	switch {
	case srcCtr != "" && dstCtr != "":
		return errors.New("copying between containers is not supported")
	case srcCtr == "" && dstCtr == "":
		return errors.New("must specify at least one container source")
	}
	return nil
}

// copyJob is one cp between a container and the host.
type copyJob struct {
	o    *CpOptions
	s    Streams
	fs   *containerFS
	name string // the container as the user named it
}

// Cp copies between a container and the host as `docker cp` does. The
// container's files are reached without leaving its root filesystem (see
// pkg/rootfs): symlinks inside it are resolved inside it, whatever they
// point to, and no program of the container is run.
func Cp(ctx context.Context, cfg *config.Config, s Streams, o *CpOptions) error {
	srcCtr, srcPath := splitCpArg(o.Source)
	dstCtr, dstPath := splitCpArg(o.Destination)
	name := srcCtr + dstCtr
	c, ctx, err := clientutil.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	store := containerutil.NewStore(cfg.DataRoot, cfg.Namespace)
	ctr, err := containerutil.Resolve(ctx, c, store, name)
	if err != nil {
		return err
	}
	fs, err := openContainerFS(ctx, cfg, c, ctr)
	if err != nil {
		return err
	}
	defer fs.Close()
	job := &copyJob{o: o, s: s, fs: fs, name: name}
	if srcCtr != "" {
		return job.fromContainer(srcPath, dstPath)
	}
	return job.toContainer(srcPath, dstPath)
}

// notFound is Docker's message for a container path that is not there.
func (j *copyJob) notFound(p string) error {
	return fmt.Errorf("Could not find the file %s in container %s", p, j.name)
}

// fromContainer copies the container's srcPath to the local dstPath (or a
// tar stream to stdout).
func (j *copyJob) fromContainer(srcPath, dstPath string) error {
	if dstPath != "-" {
		abs, err := localAbs(dstPath)
		if err != nil {
			return err
		}
		if err := validateOutputPath(abs); err != nil {
			return err
		}
		dstPath = abs
	}
	src := containerAbs(srcPath)
	node, err := j.fs.root.Resolve(src, j.o.FollowLink)
	if errors.Is(err, os.ErrNotExist) {
		return j.notFound(srcPath)
	}
	if err != nil {
		return err
	}
	defer node.Close()
	if fsType := node.PseudoFS(); fsType != "" && !node.IsDir() {
		return fmt.Errorf("cannot copy %s: it is on the container's %s filesystem, which holds no files to copy", src, fsType)
	}
	if dstPath == "-" {
		a := rootfs.NewArchiver(j.s.Out)
		if err := a.Add(node, copyName(src)); err != nil {
			return err
		}
		return a.Close()
	}
	n, err := j.extractLocal(node, copyName(src), dstPath)
	if err != nil {
		return err
	}
	j.report(n, dstPath)
	return nil
}

// extractLocal copies node, named srcName, to the local dstPath as Docker
// places it.
func (j *copyJob) extractLocal(node *rootfs.Node, srcName, dstPath string) (int64, error) {
	dst, err := localDestInfo(dstPath)
	if err != nil {
		return 0, err
	}
	dir, name, err := placeCopy(node.IsDir(), srcName, dst)
	if err != nil {
		return 0, err
	}
	host, err := rootfs.Open(dir)
	if err != nil {
		return 0, err
	}
	defer host.Close()
	into, err := host.Resolve("/", true)
	if err != nil {
		return 0, err
	}
	defer into.Close()
	xo := rootfs.ExtractOptions{NoOverwriteDirNonDir: true}
	if j.o.Archive {
		xo.Xattrs = true
	} else {
		// The caller owns what it copies out; set-ID bits and device
		// nodes of the container do not reach the host.
		xo.Owner = &rootfs.Owner{UID: os.Geteuid(), GID: os.Getegid()}
		xo.DropSetID, xo.NoDevices = true, true
	}
	return pipeCopy(node, name, host, into, xo)
}

// toContainer copies the local srcPath (or a tar stream on stdin) to the
// container's dstPath.
func (j *copyJob) toContainer(srcPath, dstPath string) error {
	dst, err := j.containerDest(dstPath)
	if err != nil {
		return err
	}
	if srcPath == "-" {
		if !dst.isDir {
			return fmt.Errorf("destination \"%s:%s\" must be a directory", j.name, dstPath)
		}
		// A tar stream keeps the owners it names, as with docker cp -.
		_, err := j.extractInto(dst.path, j.s.In, rootfs.ExtractOptions{Xattrs: true, NoOverwriteDirNonDir: true})
		return err
	}
	src, err := localAbs(srcPath)
	if err != nil {
		return err
	}
	host, node, err := openLocalSource(src, j.o.FollowLink)
	if err != nil {
		return err
	}
	defer host.Close()
	defer node.Close()
	dir, name, err := placeCopy(node.IsDir(), copyName(src), dst)
	if err != nil {
		return err
	}
	xo := rootfs.ExtractOptions{Xattrs: true, NoOverwriteDirNonDir: true}
	if !j.o.Archive {
		xo.Owner = &rootfs.Owner{UID: 0, GID: 0}
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(archiveTo(pw, node, name)) }()
	n, err := j.extractInto(dir, pr, xo)
	pr.CloseWithError(errors.New("the copy stopped"))
	if err != nil {
		return err
	}
	j.report(n, j.name+":"+dst.path)
	return nil
}

// containerDest is Docker's view of a destination in the container: links
// of its last element followed inside the container, and a device or the
// like refused.
func (j *copyJob) containerDest(dstPath string) (destInfo, error) {
	dst := containerAbs(dstPath)
	node, missing, err := j.fs.root.Lookup(dst, true)
	if err != nil {
		// Like Docker, go on as if the parent existed: the extraction
		// says what is missing.
		return destInfo{path: dst}, nil
	}
	if missing != nil {
		p := preserveTrailing(missing.Path(), dst)
		missing.Dir.Close()
		return destInfo{path: p}, nil
	}
	defer node.Close()
	if err := fileModeProblem(node.Mode()); err != nil {
		return destInfo{}, fmt.Errorf("destination \"%s:%s\" must be a directory or a regular file: %w", j.name, dstPath, err)
	}
	return destInfo{path: preserveTrailing(node.Path, dst), exists: true, isDir: node.IsDir()}, nil
}

// extractInto unpacks a tar stream into the container's directory dir,
// after Docker's checks: the directory exists, and neither it nor the root
// filesystem is read-only.
func (j *copyJob) extractInto(dir string, r io.Reader, xo rootfs.ExtractOptions) (int64, error) {
	into, err := j.fs.root.Resolve(dir, true)
	if errors.Is(err, os.ErrNotExist) {
		return 0, j.notFound(dir)
	}
	if err != nil {
		return 0, err
	}
	defer into.Close()
	if !into.IsDir() {
		return 0, errors.New("extraction point is not a directory")
	}
	if fsType := into.PseudoFS(); fsType != "" {
		return 0, fmt.Errorf("cannot copy to %s: it is on the container's %s filesystem", into.Path, fsType)
	}
	if err := j.fs.checkWritable(into.Path); err != nil {
		return 0, err
	}
	n, err := j.fs.root.Extract(r, into, xo)
	return n, j.fs.readOnlyError(err, into.Path)
}

// openLocalSource opens a local source below its parent directory. The
// host's own links on the way are followed as any program would; the last
// element is followed with -L or a trailing "/".
func openLocalSource(src string, follow bool) (*rootfs.Root, *rootfs.Node, error) {
	if follow {
		resolved, err := filepath.EvalSymlinks(src)
		if err != nil {
			return nil, nil, err
		}
		src = preserveTrailing(resolved, src)
	}
	if _, err := os.Lstat(src); err != nil {
		return nil, nil, err
	}
	dir, base := splitDirEntry(src)
	if hasTrailingSep(src) {
		base += "/"
	}
	host, err := rootfs.Open(dir)
	if err != nil {
		return nil, nil, err
	}
	node, err := host.Resolve(base, false)
	if err != nil {
		host.Close()
		return nil, nil, err
	}
	return host, node, nil
}

// pipeCopy archives node as name and extracts it into dir of root.
func pipeCopy(node *rootfs.Node, name string, root *rootfs.Root, dir *rootfs.Node, xo rootfs.ExtractOptions) (int64, error) {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(archiveTo(pw, node, name)) }()
	n, err := root.Extract(pr, dir, xo)
	pr.CloseWithError(errors.New("the copy stopped"))
	return n, err
}

func archiveTo(w io.Writer, node *rootfs.Node, name string) error {
	a := rootfs.NewArchiver(w)
	if err := a.Add(node, name); err != nil {
		return err
	}
	return a.Close()
}

// report prints Docker's summary line unless quiet.
func (j *copyJob) report(n int64, dest string) {
	if !j.o.Quiet {
		fmt.Fprintf(j.s.Err, "Successfully copied %s to %s\n", units.HumanSizeWithPrecision(float64(n), 3), dest)
	}
}
