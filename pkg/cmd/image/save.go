package image

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/containerd/containerd/v2/core/images/archive"
	"github.com/containerd/errdefs"
	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sys/unix"

	"github.com/berth-project/berth/pkg/config"
	imgarchive "github.com/berth-project/berth/pkg/imgutil/archive"
)

// SaveOptions are the flags and arguments of `save`.
type SaveOptions struct {
	// Output is the file to write; empty means standard output.
	Output string
	// Platforms limits multi-platform images to these (os[/arch[/variant]]).
	Platforms []string
	// AllPlatforms saves every platform; all their content must be present.
	AllPlatforms bool
	// Images are names or IDs of the images to save.
	Images []string
}

// Validate checks the flags together before the engine is dialed.
func (o *SaveOptions) Validate() error {
	if o.AllPlatforms && len(o.Platforms) > 0 {
		return errors.New("--platform and --all-platforms cannot be used together")
	}
	_, err := storeParsePlatforms(o.Platforms)
	return err
}

// storeParsePlatforms parses --platform values, which may also be comma
// separated inside one value.
func storeParsePlatforms(values []string) ([]ocispec.Platform, error) {
	var out []ocispec.Platform
	for _, v := range values {
		p, err := platforms.Parse(v)
		if err != nil {
			return nil, fmt.Errorf("invalid platform %q: %w", v, err)
		}
		out = append(out, platforms.Normalize(p))
	}
	return out, nil
}

// Save writes images to a tar that is both an OCI layout and a `docker
// save` archive (manifest.json, repositories), so `docker load`, `ctr
// import` and `berth load` all read it. A file is written under a
// temporary name and renamed when complete, as docker does.
func Save(ctx context.Context, cfg *config.Config, stdout io.Writer, o SaveOptions) error {
	if o.Output == "" && storeIsTerminal(stdout) {
		return errors.New("cowardly refusing to save to a terminal. Use the -o flag or redirect")
	}
	ctx, st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.close()
	opts, err := st.exportOpts(ctx, o)
	if err != nil {
		return err
	}
	export := func(w io.Writer) error {
		pr, pw := io.Pipe()
		exported := make(chan error, 1)
		go func() {
			err := st.client.Export(ctx, pw, opts...)
			pw.CloseWithError(err)
			exported <- err
		}()
		err := imgarchive.AddRepositories(pr, w)
		if err == nil {
			// The reader stops at the end-of-archive marker: drain the rest
			// so the exporter finishes and reports its own error.
			_, err = io.Copy(io.Discard, pr)
		}
		pr.CloseWithError(err)
		if exportErr := <-exported; err == nil {
			err = exportErr
		}
		return err
	}
	if o.Output == "" {
		return export(stdout)
	}
	return storeWriteFileAtomic(o.Output, export)
}

// exportOpts resolves the images and the platforms to export.
func (st *localStore) exportOpts(ctx context.Context, o SaveOptions) ([]archive.ExportOpt, error) {
	plats, err := storeParsePlatforms(o.Platforms)
	if err != nil {
		return nil, err
	}
	matcher := platforms.Default()
	if len(plats) > 0 {
		matcher = platforms.Ordered(plats...)
	}
	opts := []archive.ExportOpt{archive.WithPlatform(matcher)}
	if o.AllPlatforms {
		opts = append(opts, archive.WithAllPlatforms())
	}
	seen := map[string]bool{}
	for _, ref := range o.Images {
		img, byName, err := st.lookup(ref)
		if err != nil {
			return nil, err
		}
		desc := img.rec.Target
		if _, err := st.manifestFor(ctx, desc, matcher); errdefs.IsNotFound(err) && !o.AllPlatforms {
			switch {
			case len(plats) > 0:
				return nil, fmt.Errorf("image %s has no content for platform %s", ref, strings.Join(o.Platforms, ", "))
			case !img.readable:
				return nil, fmt.Errorf("image %s: its content is missing from the store", ref)
			}
			// An image of another platform only: save the manifest it has.
			desc = img.manifestDesc
		}
		var names []string
		if byName && !img.dangling() {
			names = append(names, img.rec.Name)
		}
		key := desc.Digest.String() + " " + fmt.Sprint(names)
		if !seen[key] {
			seen[key] = true
			opts = append(opts, archive.WithManifest(desc, names...))
		}
	}
	return opts, nil
}

// storeIsTerminal reports whether w is a terminal.
func storeIsTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// storeWriteFileAtomic writes path through write, to a temporary file in
// the same directory renamed into place once complete and synced: an
// interrupted save leaves no half-written archive under the name asked for.
func storeWriteFileAtomic(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("failed to save image: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := write(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
