package volume

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/containerd/continuity/fs"

	"github.com/berth-project/berth/pkg/fsutil"
)

// Source is what a container's spec mounts for a volume.
type Source struct {
	// Type is "bind" for the volume's data directory or a bound device,
	// else the filesystem type of -o type= (tmpfs, nfs, ext4, ...).
	Type   string
	Source string
	// Options are -o o='s mount options, without bind and rbind.
	Options []string
	// Data is the host directory holding what the container sees, where
	// the image's content is copied; "" when it is not on the host (a
	// tmpfs or a device that is mounted in the container only).
	Data string
}

// Source returns what the spec mounts for v. A volume with -o type and
// device is mounted by the container's runtime at each start, as Docker's
// local driver mounts it at first use: a tmpfs volume starts empty each
// time, and a `type=none,o=bind` volume is its device directory.
func (v *Volume) Source() (Source, error) {
	typ, device := v.Options["type"], v.Options["device"]
	if typ == "" && device == "" {
		return Source{Type: "bind", Source: v.Mountpoint, Data: v.Mountpoint}, nil
	}
	var options []string
	bind := typ == "none"
	for _, o := range strings.Split(v.Options["o"], ",") {
		switch o {
		case "":
		case "bind", "rbind":
			bind = true
		default:
			options = append(options, o)
		}
	}
	if !bind {
		return Source{Type: typ, Source: device, Options: options}, nil
	}
	if !filepath.IsAbs(device) {
		return Source{}, fmt.Errorf("error while mounting volume '%s': failed to mount local volume: mount %s:%s, flags: 0x1000: no such file or directory", v.Mountpoint, device, v.Mountpoint)
	}
	if _, err := os.Stat(device); err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return Source{}, fmt.Errorf("error while mounting volume '%s': failed to mount local volume: mount %s:%s, flags: 0x1000: %v", v.Mountpoint, device, v.Mountpoint, err)
	}
	return Source{Type: "bind", Source: device, Options: options, Data: device}, nil
}

// IsEmpty reports whether dir has no entries (a missing dir is empty).
func IsEmpty(dir string) (bool, error) {
	f, err := os.Open(dir)
	if errors.Is(err, os.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	if len(names) > 0 {
		return false, nil
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	return true, nil
}

// CopyUp fills the empty directory data with what the image has at path
// under root, as Docker does at a volume's first use: content, ownership
// and modes, the data directory taking those of the image's directory.
// Symlinks in path resolve inside root, never to the host; nothing is
// copied when the image has no directory there or data is not empty.
func CopyUp(root, path, data string) error {
	empty, err := IsEmpty(data)
	if err != nil || !empty {
		return err
	}
	src, err := fs.RootPath(root, path)
	if err != nil {
		return err
	}
	fi, err := os.Lstat(src)
	if errors.Is(err, os.ErrNotExist) || (err == nil && !fi.IsDir()) {
		return nil
	}
	if err != nil {
		return err
	}
	// CopyDir gives data the mode, owner and times of src as well.
	if err := fs.CopyDir(data, src, fs.WithAllowXAttrErrors()); err != nil {
		return fmt.Errorf("copying the image's %s into the volume: %w", path, err)
	}
	return nil
}

// Fill copies the image's content at path under root into data, the
// directory holding volume name's data, when data is empty (see CopyUp).
// Two containers created together fill it once.
func (s *Store) Fill(name, data, root, path string) error {
	lock, err := fsutil.LockFile(filepath.Join(s.dir(name), ".fill.lock"))
	if err != nil {
		return err
	}
	defer lock.Unlock()
	return CopyUp(root, path, data)
}
