package container

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Docker's path rules for cp, on both sides: where a copy lands depends on
// whether the destination exists, is a directory, and whether the paths end
// in "/" or "/.".

// splitCpArg splits CONTAINER:PATH. A local path with a ":" must start
// with "/" or ".", as in Docker (and scp).
func splitCpArg(arg string) (ctr, p string) {
	if strings.HasPrefix(arg, "/") {
		return "", arg
	}
	ctr, p, ok := strings.Cut(arg, ":")
	if !ok || strings.HasPrefix(ctr, ".") {
		return "", arg
	}
	return ctr, p
}

// specifiesCurrentDir reports a path whose last element is ".".
func specifiesCurrentDir(p string) bool { return p == "." || strings.HasSuffix(p, "/.") }

// hasTrailingSep reports a path ending in "/".
func hasTrailingSep(p string) bool { return strings.HasSuffix(p, "/") }

// assertsDirectory reports a path that can only name a directory.
func assertsDirectory(p string) bool { return hasTrailingSep(p) || specifiesCurrentDir(p) }

// preserveTrailing gives the cleaned path back the "/." or "/" the
// original ended with: cleaning must not change what a path asserts.
func preserveTrailing(cleaned, orig string) string {
	if !specifiesCurrentDir(cleaned) && specifiesCurrentDir(orig) {
		if !hasTrailingSep(cleaned) {
			cleaned += "/"
		}
		cleaned += "."
	}
	if !hasTrailingSep(cleaned) && hasTrailingSep(orig) {
		cleaned += "/"
	}
	return cleaned
}

// localAbs makes a local path absolute, keeping its trailing "/" or "/.".
func localAbs(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	return preserveTrailing(abs, p), nil
}

// containerAbs makes a container path absolute: they are relative to the
// container's root.
func containerAbs(p string) string { return preserveTrailing(path.Join("/", p), p) }

// splitDirEntry splits p into its directory and last element, the last
// element being "." for a path ending in "/.".
func splitDirEntry(p string) (dir, base string) {
	cleaned := path.Clean(p)
	if specifiesCurrentDir(p) {
		cleaned += "/."
	}
	return path.Dir(cleaned), path.Base(cleaned)
}

// copyName is the name a source gets in the copy: its last element as
// given ("." for "dir/." and for the root, so its contents are copied).
func copyName(p string) string {
	_, base := splitDirEntry(p)
	if base == "/" {
		return "."
	}
	return base
}

// destInfo is what is known of a destination.
type destInfo struct {
	// path is where it is, links of the last element resolved.
	path          string
	exists, isDir bool
}

// Docker's errors for a copy that cannot be done.
var (
	errCannotCopyDir = errors.New("cannot copy directory")
	errDirNotExists  = errors.New("no such directory")
	errNotDirectory  = errors.New("not a directory")
)

// placeCopy decides where a source lands: the directory to extract into,
// and the name the source takes there.
func placeCopy(srcIsDir bool, srcName string, dst destInfo) (dir, name string, err error) {
	dstDir, dstBase := splitDirEntry(dst.path)
	switch {
	case dst.exists && dst.isDir:
		// Into the directory, under the source's own name.
		return dst.path, srcName, nil
	case dst.exists && srcIsDir:
		return "", "", errCannotCopyDir
	case dst.exists, srcIsDir:
		// Replacing a file, or making a new directory: the source takes
		// the destination's name.
		return dstDir, dstBase, nil
	case assertsDirectory(dst.path):
		return "", "", errDirNotExists
	}
	return dstDir, dstBase, nil
}

// localDestInfo is Docker's view of a local destination: links of its last
// element are followed (a link to a missing file is fine: the copy creates
// it), and a missing destination needs an existing parent directory.
func localDestInfo(p string) (destInfo, error) {
	const maxLinks = 10
	fi, err := os.Lstat(p)
	for n := 0; err == nil && fi.Mode()&os.ModeSymlink != 0; n++ {
		if n >= maxLinks {
			return destInfo{}, fmt.Errorf("too many symlinks in %s", p)
		}
		target, rerr := os.Readlink(p)
		if rerr != nil {
			return destInfo{}, rerr
		}
		if !filepath.IsAbs(target) {
			dir, _ := splitDirEntry(p)
			target = filepath.Join(dir, target)
		}
		p = target
		fi, err = os.Lstat(p)
	}
	if err == nil {
		return destInfo{path: p, exists: true, isDir: fi.IsDir()}, nil
	}
	if !os.IsNotExist(err) {
		return destInfo{}, err
	}
	dir, _ := splitDirEntry(p)
	pfi, err := os.Stat(dir)
	if err != nil {
		return destInfo{}, err
	}
	if !pfi.IsDir() {
		return destInfo{}, errNotDirectory
	}
	return destInfo{path: p}, nil
}

// validateOutputPath is Docker's check of a local output path: its
// directory must exist, and it must not be a device or the like.
func validateOutputPath(p string) error {
	dir := filepath.Dir(filepath.Clean(p))
	if dir != "" && dir != "." {
		if _, err := os.Stat(dir); os.IsNotExist(err) {
			return fmt.Errorf("invalid output path: directory %q does not exist", dir)
		}
	}
	fi, err := os.Stat(p)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := fileModeProblem(fi.Mode()); err != nil {
		return fmt.Errorf("invalid output path: %q must be a directory or a regular file: %w", p, err)
	}
	return nil
}

// fileModeProblem refuses devices and other irregular files as a copy's
// destination.
func fileModeProblem(m os.FileMode) error {
	switch {
	case m&os.ModeDevice != 0:
		return errors.New("got a device")
	case m&os.ModeIrregular != 0, m&(os.ModeNamedPipe|os.ModeSocket) != 0:
		return errors.New("got an irregular file")
	}
	return nil
}
