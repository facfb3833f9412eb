package image

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/containerd/v2/core/leases"
	"github.com/containerd/errdefs"
	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/config"
	imgarchive "github.com/berth-project/berth/pkg/imgutil/archive"
)

// LoadOptions are the flags of `load`.
type LoadOptions struct {
	// Input is the archive to read; empty means standard input.
	Input string
	// Quiet suppresses progress output. berth prints results only, so the
	// "Loaded image" lines remain, as with docker.
	Quiet bool
	// Platforms loads only these platforms of multi-platform images.
	Platforms []string
	// AllPlatforms loads every platform; the archive must hold them all.
	AllPlatforms bool
}

// Validate checks the flags together before anything is read.
func (o *LoadOptions) Validate() error {
	if o.AllPlatforms && len(o.Platforms) > 0 {
		return errors.New("--platform and --all-platforms cannot be used together")
	}
	_, err := storeParsePlatforms(o.Platforms)
	return err
}

// Load imports a `docker save` or OCI archive into the store and unpacks
// it for the snapshotter. The whole archive is checked first (see
// pkg/imgutil/archive): a refused archive imports nothing. Standard input is
// spooled to a file under the data root so it can be read twice.
func Load(ctx context.Context, cfg *config.Config, stdin io.Reader, out io.Writer, o LoadOptions) error {
	f, err := openLoadInput(cfg, stdin, o.Input)
	if err != nil {
		return err
	}
	defer f.Close()
	contents, err := imgarchive.Validate(f)
	if err != nil {
		return err
	}
	plats, _ := storeParsePlatforms(o.Platforms)
	if err := checkLoadPlatforms(contents, plats, o); err != nil {
		return err
	}
	return withImportLease(ctx, cfg, f, func(ctx context.Context, c *client.Client) error {
		// The lease also holds the images the archive's names replace,
		// until they are kept as <none>: see holdReplaced.
		l := &loader{client: c, cfg: cfg, out: out, plats: plats, o: o}
		return l.load(ctx, f, contents)
	})
}

// withImportLease rewinds the archive, read once already to check it, dials
// the engine and runs fn under one lease: it holds what fn imports until an
// image record points at it.
func withImportLease(ctx context.Context, cfg *config.Config, f io.Seeker, fn func(context.Context, *client.Client) error) error {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	c, ctx, err := clientutil.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, done, err := c.WithLease(ctx)
	if err != nil {
		return err
	}
	defer done(context.WithoutCancel(ctx))
	return fn(ctx, c)
}

// openLoadInput returns the archive as a file that can be read twice.
func openLoadInput(cfg *config.Config, stdin io.Reader, input string) (*os.File, error) {
	if input == "" {
		if storeIsTerminal(stdin) {
			return nil, errors.New("requested load from stdin, but stdin is empty")
		}
		return imgarchive.Spool(filepath.Join(cfg.DataRoot, "tmp"), stdin)
	}
	return openRereadable(filepath.Join(cfg.DataRoot, "tmp"), input)
}

// openRereadable opens the archive at name so that it can be read twice,
// checked and then imported: a regular file as it is, anything else (a
// FIFO, /dev/stdin) spooled into a file in spool.
func openRereadable(spool, name string) (*os.File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		return f, nil
	}
	defer f.Close()
	return imgarchive.Spool(spool, f)
}

// checkLoadPlatforms refuses, before anything is imported, a platform the
// archive does not hold, and --all-platforms for an archive without them all.
func checkLoadPlatforms(c *imgarchive.Contents, plats []ocispec.Platform, o LoadOptions) error {
	if o.AllPlatforms && c.Partial {
		return errors.New("the archive does not hold every platform of its images; load it without --all-platforms")
	}
	if len(plats) == 0 {
		return nil
	}
	m := platforms.Any(plats...)
	for _, p := range c.Platforms {
		if m.Match(p) {
			return nil
		}
	}
	return fmt.Errorf("no image in the archive matches platform %s", strings.Join(o.Platforms, ", "))
}

// loader imports one validated archive.
type loader struct {
	client *client.Client
	cfg    *config.Config
	out    io.Writer
	plats  []ocispec.Platform
	o      LoadOptions
}

func (l *loader) load(ctx context.Context, f io.Reader, contents *imgarchive.Contents) error {
	before, err := newLocalStore(ctx, l.client, l.cfg.Snapshotter)
	if err != nil {
		return err
	}
	replaced, err := l.holdReplaced(ctx, before, contents.Names)
	if err != nil {
		return err
	}
	rd, err := imgarchive.Open(f)
	if err != nil {
		return err
	}
	defer rd.Close()
	imported, err := l.client.Import(ctx, rd, l.importOpts()...)
	if err != nil {
		return fmt.Errorf("importing the archive: %w", err)
	}
	if imported, err = l.normalizeNames(ctx, imported); err != nil {
		return err
	}
	if err := l.unpack(ctx, imported); err != nil {
		return err
	}
	after, err := newLocalStore(ctx, l.client, l.cfg.Snapshotter)
	if err != nil {
		return err
	}
	for _, old := range replaced {
		if now := after.byName(old.rec.Name); now != nil && now.id != old.id && len(after.namesOf(old.id)) == 0 {
			if err := after.keepDangling(ctx, old); err != nil {
				return err
			}
			fmt.Fprintf(l.out, "The image %s already exists, renaming the old one with ID %s to empty string\n", storeFamiliar(old.rec.Name), old.id)
		}
	}
	if err := after.tidyDangling(ctx); err != nil {
		return err
	}
	l.report(after, imported)
	return nil
}

// normalizeNames renames records imported under a short name: an OCI
// archive may carry "busybox:1" in io.containerd.image.name, which the
// importer stores as is, where every other record is
// "docker.io/library/busybox:1".
func (l *loader) normalizeNames(ctx context.Context, imported []images.Image) ([]images.Image, error) {
	is := l.client.ImageService()
	for i, rec := range imported {
		if strings.HasPrefix(rec.Name, danglingPrefix) {
			continue
		}
		n, err := reference.ParseDockerRef(rec.Name)
		if err != nil || n.String() == rec.Name {
			continue
		}
		norm := images.Image{Name: n.String(), Target: rec.Target, Labels: rec.Labels}
		created, err := is.Update(ctx, norm, "target")
		if errdefs.IsNotFound(err) {
			created, err = is.Create(ctx, norm)
		}
		if err != nil {
			return nil, fmt.Errorf("naming %s: %w", n, err)
		}
		if err := is.Delete(ctx, rec.Name); err != nil && !errdefs.IsNotFound(err) {
			return nil, fmt.Errorf("renaming %s: %w", rec.Name, err)
		}
		imported[i] = created
	}
	return imported, nil
}

// holdReplaced adds the images the archive's names now point at to the
// lease: once the import moves a name away, nothing else keeps them from
// the garbage collector until they are kept as untagged.
func (l *loader) holdReplaced(ctx context.Context, st *localStore, names []string) ([]*localImage, error) {
	id, ok := leases.FromContext(ctx)
	if !ok {
		return nil, errors.New("load: no lease")
	}
	var replaced []*localImage
	for _, n := range names {
		old := st.byName(n)
		if old == nil {
			continue
		}
		res := leases.Resource{ID: old.rec.Target.Digest.String(), Type: "content"}
		if err := l.client.LeasesService().AddResource(ctx, leases.Lease{ID: id}, res); err != nil {
			return nil, fmt.Errorf("holding %s: %w", n, err)
		}
		replaced = append(replaced, old)
	}
	return replaced, nil
}

func (l *loader) importOpts() []client.ImportOpt {
	opts := []client.ImportOpt{
		// A bare tag in org.opencontainers.image.ref.name names nothing.
		client.WithImageRefTranslator(func(ref string) string {
			if !strings.ContainsAny(ref, "/:@") {
				return ""
			}
			n, err := reference.ParseDockerRef(ref)
			if err != nil {
				return ""
			}
			return n.String()
		}),
		// An image without a name is kept under a dangling name: Docker
		// lists it as <none>, containerd would collect it.
		client.WithDigestRef(func(d digest.Digest) string { return danglingPrefix + d.String() }),
		client.WithSkipDigestRef(func(name string) bool { return name != "" }),
	}
	switch {
	case l.o.AllPlatforms:
		opts = append(opts, client.WithAllPlatforms(true))
	case len(l.plats) > 0:
		opts = append(opts, client.WithImportPlatform(platforms.Any(l.plats...)), client.WithSkipMissing())
	default:
		// Docker loads what the archive holds, whatever its platform; an
		// index whose other platforms were left out is fine.
		opts = append(opts, client.WithAllPlatforms(true), client.WithSkipMissing())
	}
	return opts
}

// unpack prepares each imported image's snapshots for the platform asked
// for, or the host's. An image without that platform is loaded but not
// unpacked, as docker loads a foreign image for later use.
func (l *loader) unpack(ctx context.Context, imported []images.Image) error {
	m := platforms.Default()
	if len(l.plats) > 0 {
		m = platforms.Ordered(l.plats...)
	}
	done := map[digest.Digest]bool{}
	for _, rec := range imported {
		if done[rec.Target.Digest] {
			continue
		}
		done[rec.Target.Digest] = true
		err := client.NewImageWithPlatform(l.client, rec, m).Unpack(ctx, l.cfg.Snapshotter)
		if err != nil && !(errdefs.IsNotFound(err) && len(l.plats) == 0) {
			return fmt.Errorf("unpacking %s: %w", storeFamiliar(rec.Name), err)
		}
	}
	return nil
}

// report prints Docker's result lines: the name of each named image, the
// ID of each unnamed one.
func (l *loader) report(st *localStore, imported []images.Image) {
	seen := map[string]bool{}
	for _, rec := range imported {
		line := "Loaded image: " + storeFamiliar(rec.Name)
		if strings.HasPrefix(rec.Name, danglingPrefix) {
			id := rec.Target.Digest
			if img := st.byName(rec.Name); img != nil {
				id = img.id
			} else if named := st.withTarget(rec.Target.Digest); named != nil {
				id = named.id
			}
			line = "Loaded image ID: " + id.String()
		}
		if !seen[line] {
			seen[line] = true
			fmt.Fprintln(l.out, line)
		}
	}
}
