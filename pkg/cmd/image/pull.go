package image

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/images"
	timage "github.com/containerd/containerd/v2/core/transfer/image"
	"github.com/containerd/containerd/v2/core/transfer/registry"
	"github.com/containerd/errdefs"
	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/term"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/imgutil"
	"github.com/berth-project/berth/pkg/referenceutil"
	"github.com/berth-project/berth/pkg/registryutil"
)

// PullOptions are the flags of `pull`.
type PullOptions struct {
	// Quiet prints only the reference of the pulled image.
	Quiet bool
	// Platforms are the platforms to pull ("linux/arm64"); empty means the host's.
	Platforms []string
	// AllPlatforms pulls every platform of a multi-platform image.
	AllPlatforms bool
	// Unpack unpacks the pulled layers into snapshots, ready to run.
	Unpack bool
}

// Validate checks the flags before the engine is dialed.
func (o *PullOptions) Validate() error {
	if o.AllPlatforms && len(o.Platforms) > 0 {
		return errors.New("--platform and --all-platforms are mutually exclusive")
	}
	_, err := regParsePlatforms(o.Platforms)
	return err
}

// Pull pulls rawRef, as `berth pull` does: progress and the result on out
// (drawn in place when out is a terminal), warnings on errOut.
func Pull(ctx context.Context, cfg *config.Config, out, errOut io.Writer, rawRef string, o PullOptions) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if _, err := referenceutil.Parse(rawRef); err != nil {
		return err
	}
	c, ctx, err := clientutil.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = PullImage(ctx, c, cfg, out, errOut, rawRef, o)
	return err
}

// PullImage pulls rawRef with an open client and returns the stored image;
// `run` and `create` use it for images they do not have. It prints what
// `docker pull` prints, on out.
//
// The pull is one call to containerd's transfer service, which resolves,
// fetches and unpacks in the engine; nothing is done after it but printing.
func PullImage(ctx context.Context, c *client.Client, cfg *config.Config, out, errOut io.Writer, rawRef string, o PullOptions) (images.Image, error) {
	named, err := referenceutil.Parse(rawRef)
	if err != nil {
		return images.Image{}, err
	}
	plats, err := regParsePlatforms(o.Platforms)
	if err != nil {
		return images.Image{}, err
	}
	name := named.String()
	mode, width := regProgressMode(out, o.Quiet)
	if !o.Quiet {
		if regNameOnly(rawRef) {
			fmt.Fprintln(out, "Using default tag: latest")
		}
		fmt.Fprintf(out, "%s: Pulling from %s\n", regTagOrDigest(named), reference.Path(named))
	}
	popts := []imgutil.ProgressOpt{imgutil.WithWidth(width), imgutil.WithUnpack(o.Unpack)}
	// One lookup before the transfer tells "Downloaded newer image" from
	// "Image is up to date", as docker words it.
	if old, err := c.ImageService().Get(ctx, name); err == nil {
		popts = append(popts, imgutil.WithExisting(old.Target.Digest))
	} else if !errdefs.IsNotFound(err) {
		return images.Image{}, err
	}
	prog := imgutil.NewProgress(out, mode, imgutil.Pull, popts...)

	hosts := registryutil.HostsFromConfig(cfg)
	creds := registryutil.NewTransferCredentials(regCredentialStore(errOut))
	ropts, cleanup, err := hosts.TransferOpts(reference.Domain(named), creds)
	if err != nil {
		return images.Image{}, err
	}
	defer cleanup()
	src, err := registry.NewOCIRegistry(ctx, name, ropts...)
	if err != nil {
		return images.Image{}, err
	}
	dst := timage.NewStore(name, pullStoreOpts(cfg, plats, o)...)
	if err := prog.Transfer(ctx, c, src, dst); err != nil {
		return images.Image{}, hosts.Explain(ctx, "pull", named, creds, err)
	}

	img := images.Image{Name: name}
	if root, ok := prog.Root(); ok {
		img.Target = root
	} else if img, err = c.ImageService().Get(ctx, name); err != nil {
		// The root event is sent early; missing it means the stream lagged.
		return images.Image{}, err
	}
	if !o.Quiet {
		fmt.Fprintf(out, "Digest: %s\n", img.Target.Digest)
		if prog.UpToDate() {
			fmt.Fprintf(out, "Status: Image is up to date for %s\n", reference.FamiliarString(named))
		} else {
			fmt.Fprintf(out, "Status: Downloaded newer image for %s\n", reference.FamiliarString(named))
		}
	}
	fmt.Fprintln(out, name)
	return img, nil
}

// pullStoreOpts say what the engine keeps and unpacks: the platforms asked
// for (the host's by default, all with --all-platforms, which unpacks only
// the host's, the one that can run). Platforms the engine cannot unpack for
// are fetched and skipped by its unpacker with a log line.
func pullStoreOpts(cfg *config.Config, plats []ocispec.Platform, o PullOptions) []timage.StoreOpt {
	var opts []timage.StoreOpt
	unpack := plats
	switch {
	case o.AllPlatforms:
		unpack = []ocispec.Platform{platforms.DefaultSpec()}
	case len(plats) == 0:
		unpack = []ocispec.Platform{platforms.DefaultSpec()}
		opts = append(opts, timage.WithPlatforms(unpack...))
	default:
		opts = append(opts, timage.WithPlatforms(plats...))
	}
	if o.Unpack {
		for _, p := range unpack {
			opts = append(opts, timage.WithUnpack(p, cfg.Snapshotter))
		}
	}
	return opts
}

// regParsePlatforms parses --platform values; nerdctl also takes a comma list.
func regParsePlatforms(values []string) ([]ocispec.Platform, error) {
	var out []ocispec.Platform
	for _, v := range values {
		p, err := platforms.Parse(v)
		if err != nil {
			return nil, fmt.Errorf("invalid platform %q: %w", v, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// regProgressMode picks docker's display: bars on a terminal, plain lines
// on a file or pipe, nothing with -q. width is the terminal's, 0 if none.
func regProgressMode(w io.Writer, quiet bool) (imgutil.ProgressMode, int) {
	if quiet {
		return imgutil.ProgressQuiet, 0
	}
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return imgutil.ProgressPlain, 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		width = 80
	}
	return imgutil.ProgressTTY, width
}

// regCredentialStore loads the docker config; one that cannot be read is
// a warning and no credentials, as with docker.
func regCredentialStore(errOut io.Writer) *registryutil.CredentialStore {
	store, err := registryutil.NewCredentialStore(registryutil.ConfigDir())
	if err != nil {
		fmt.Fprintf(errOut, "WARNING: Error loading config file: %v\n", err)
		return registryutil.EmptyCredentialStore()
	}
	return store
}

// regNameOnly reports a reference with neither tag nor digest, for which
// docker says "Using default tag: latest".
func regNameOnly(raw string) bool {
	n, err := reference.ParseNormalizedNamed(raw)
	return err == nil && reference.IsNameOnly(n)
}

// regTagOrDigest is what docker prints before "Pulling from".
func regTagOrDigest(n reference.Named) string {
	if d, ok := n.(reference.Digested); ok {
		return d.Digest().String()
	}
	if t, ok := n.(reference.Tagged); ok {
		return t.Tag()
	}
	return "latest"
}
