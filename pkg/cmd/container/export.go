package container

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/containers"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/rootfs"
)

// ExportOptions are the flags and arguments of `export`.
type ExportOptions struct {
	// Container is the container's name or ID.
	Container string
	// Output is the file to write (-o); empty means standard output.
	Output string
}

// Validate refuses, as Docker does, to write an archive to a terminal, and
// an output path whose directory is missing.
func (o *ExportOptions) Validate(stdoutIsTerminal bool) error {
	if o.Output == "" {
		if stdoutIsTerminal {
			return errors.New("cowardly refusing to save to a terminal. Use the -o flag or redirect")
		}
		return nil
	}
	return validateOutputPath(o.Output)
}

// Export writes a container's filesystem as a tar archive, as `docker
// export` does: the image's files with the container's changes, without
// the contents of its volumes and other mounts. A file is written under a
// temporary name and renamed once complete.
func Export(ctx context.Context, cfg *config.Config, s Streams, o *ExportOptions) error {
	return withContainer(ctx, cfg, o.Container, func(ctx context.Context, c *client.Client, _ client.Container, info containers.Container) error {
		ctx, done, err := c.WithLease(ctx)
		if err != nil {
			return err
		}
		defer done(context.WithoutCancel(ctx))
		w, commit, abort, err := exportOutput(o.Output, s.Out)
		if err != nil {
			return err
		}
		err = withSnapshotTrees(ctx, cfg, c, info, func(_, upper string) error {
			return archiveRoot(w, upper)
		})
		if err != nil {
			abort()
			return err
		}
		return commit()
	})
}

// archiveRoot writes the tree at dir to w as a tar archive, its entries
// named from the root.
func archiveRoot(w io.Writer, dir string) error {
	root, err := rootfs.Open(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	top, err := root.Resolve("/", true)
	if err != nil {
		return err
	}
	defer top.Close()
	a := rootfs.NewArchiver(w)
	if err := a.AddContents(top); err != nil {
		return err
	}
	return a.Close()
}

// exportOutput returns where the archive goes: stdout, or a temporary file
// beside the output that commit renames into place and abort removes. The
// file is private to its owner (0600), as Docker's is.
func exportOutput(output string, stdout io.Writer) (io.Writer, func() error, func(), error) {
	if output == "" {
		return stdout, func() error { return nil }, func() {}, nil
	}
	f, err := os.CreateTemp(filepath.Dir(output), ".berth-export-*")
	if err != nil {
		return nil, nil, nil, err
	}
	commit := func() error {
		if err := f.Close(); err != nil {
			os.Remove(f.Name())
			return err
		}
		return os.Rename(f.Name(), output)
	}
	abort := func() {
		f.Close()
		os.Remove(f.Name())
	}
	return f, commit, abort, nil
}
