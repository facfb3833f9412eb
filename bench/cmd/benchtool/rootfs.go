package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/berth-project/berth/pkg/testutil"
)

// runRootfs writes the busybox layer of the test images, unpacked, to -o:
// the root filesystem of the raw runc bundle, the same files the images hold.
func runRootfs(args []string) error {
	fs := flag.NewFlagSet("rootfs", flag.ExitOnError)
	out := fs.String("o", "", "directory to unpack into")
	_ = fs.Parse(args)
	if *out == "" {
		return errors.New("-o is required")
	}
	layer, err := testutil.BusyboxLayer()
	if err != nil {
		return err
	}
	zr, err := gzip.NewReader(bytes.NewReader(layer.Blob))
	if err != nil {
		return err
	}
	return untar(tar.NewReader(zr), *out)
}

// untar unpacks the entries the test layers use: directories, regular files
// and symlinks. The layer is our own, but names are still kept inside dir.
func untar(tr *tar.Reader, dir string) error {
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Clean(h.Name)
		if filepath.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") {
			return fmt.Errorf("layer entry %q leaves the root", h.Name)
		}
		p := filepath.Join(dir, name)
		mode := os.FileMode(h.Mode).Perm()
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
			// Chmod after MkdirAll: the umask must not change 1777 on tmp.
			if err := os.Chmod(p, mode|dirSticky(h)); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := writeFile(p, tr, mode); err != nil {
				return err
			}
		case tar.TypeSymlink:
			if err := os.Symlink(h.Linkname, p); err != nil {
				return err
			}
		default:
			return fmt.Errorf("layer entry %q: unsupported type %c", h.Name, h.Typeflag)
		}
	}
}

// dirSticky maps tar's sticky bit (c_ISVTX) to Go's.
func dirSticky(h *tar.Header) os.FileMode {
	if h.Mode&0o1000 != 0 {
		return os.ModeSticky
	}
	return 0
}

func writeFile(p string, r io.Reader, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Chmod(p, mode)
}
