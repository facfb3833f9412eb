package image

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/images"
	timage "github.com/containerd/containerd/v2/core/transfer/image"
	"github.com/containerd/containerd/v2/core/transfer/registry"
	"github.com/containerd/errdefs"
	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/imgutil"
	"github.com/berth-project/berth/pkg/referenceutil"
	"github.com/berth-project/berth/pkg/registryutil"
)

// PushOptions are the flags of `push`.
type PushOptions struct {
	// Quiet prints only the pushed reference.
	Quiet bool
	// Platform pushes only this platform of a multi-platform image, as a
	// single-platform image.
	Platform string
	// AllPlatforms pushes every platform, and fails if one is not present locally.
	AllPlatforms bool
}

// Validate checks the flags before the engine is dialed.
func (o *PushOptions) Validate() error {
	if o.AllPlatforms && o.Platform != "" {
		return errors.New("--platform and --all-platforms are mutually exclusive")
	}
	if o.Platform != "" {
		_, err := regParsePlatforms([]string{o.Platform})
		return err
	}
	return nil
}

// Push pushes the local image rawRef to its registry, as `berth push` does:
// progress and the result on out, warnings on errOut.
func Push(ctx context.Context, cfg *config.Config, out, errOut io.Writer, rawRef string, o PushOptions) error {
	if err := o.Validate(); err != nil {
		return err
	}
	named, err := referenceutil.Parse(rawRef)
	if err != nil {
		return err
	}
	c, ctx, err := clientutil.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	name := named.String()
	img, err := c.ImageService().Get(ctx, name)
	if errdefs.IsNotFound(err) {
		// Docker's words; the engine's error stays inside for errdefs checks.
		return &registryutil.TransferError{Msg: "An image does not exist locally with the tag: " + reference.FamiliarName(named), Err: err}
	} else if err != nil {
		return err
	}
	plan, err := pushPlanFor(ctx, c, img, o)
	if err != nil {
		return err
	}
	defer plan.cleanup()
	mode, width := regProgressMode(out, o.Quiet)
	if !o.Quiet {
		if regNameOnly(rawRef) {
			fmt.Fprintln(out, "Using default tag: latest")
		}
		fmt.Fprintf(out, "The push refers to repository [%s]\n", named.Name())
	}
	prog := imgutil.NewProgress(out, mode, imgutil.Push, imgutil.WithWidth(width))

	hosts := registryutil.HostsFromConfig(cfg)
	creds := registryutil.NewTransferCredentials(regCredentialStore(errOut))
	ropts, cleanup, err := hosts.TransferOpts(reference.Domain(named), creds)
	if err != nil {
		return err
	}
	defer cleanup()
	dst, err := registry.NewOCIRegistry(ctx, name, ropts...)
	if err != nil {
		return err
	}
	if err := prog.Transfer(ctx, c, timage.NewStore(plan.source), dst); err != nil {
		return hosts.Explain(ctx, "push", named, creds, err)
	}
	if plan.warning != "" {
		fmt.Fprintln(errOut, plan.warning)
	}
	if o.Quiet {
		fmt.Fprintln(out, name)
		return nil
	}
	fmt.Fprintf(out, "%s: digest: %s size: %d\n", regTagOrDigest(named), plan.target.Digest, plan.target.Size)
	return nil
}

// pushPlan is what a push sends: the local image the transfer reads, and
// the manifest or index the tag will point to.
type pushPlan struct {
	source  string
	target  ocispec.Descriptor
	warning string
	cleanup func()
}

// pushPlanFor decides what to push. An image whose content is all here is
// pushed as it is. Otherwise, as docker does, one platform's manifest is
// pushed alone, as a single-platform image: the one --platform names, else
// the host's (or the only one present). An index cannot be pushed with
// manifests missing, since registries refuse an index whose manifests they
// do not have. Flags asking for absent content fail here, before anything
// is sent.
func pushPlanFor(ctx context.Context, c *client.Client, img images.Image, o PushOptions) (pushPlan, error) {
	plan := pushPlan{source: img.Name, target: img.Target, cleanup: func() {}}
	if !images.IsIndexType(img.Target.MediaType) {
		// A single manifest has one platform: there is nothing to choose.
		return plan, nil
	}
	present, missing, err := pushIndexManifests(ctx, c.ContentStore(), img.Target)
	if err != nil {
		return plan, fmt.Errorf("reading the index of %s: %w", img.Name, err)
	}
	name := referenceutil.Familiar(img.Name)
	var want platforms.MatchComparer
	switch {
	case o.AllPlatforms && len(missing) > 0:
		return plan, fmt.Errorf("%s lacks the content of %s locally: pull it with --all-platforms first, or push with --platform",
			name, pushFormat(missing))
	case o.Platform != "":
		p, _ := platforms.Parse(o.Platform)
		want = platforms.OnlyStrict(p)
	case len(missing) == 0:
		return plan, nil
	default:
		want = platforms.Default()
	}
	m, ok := pushPick(present, want)
	if !ok && o.Platform == "" && len(present) == 1 {
		m, ok = present[0], true
	}
	if !ok {
		if o.Platform != "" {
			return plan, fmt.Errorf("%s lacks the content of %s locally: pull it with --platform %[2]s first", name, o.Platform)
		}
		return plan, fmt.Errorf("%s lacks the content of the host's platform locally (it has %s): push with --platform", name, pushFormat(pushPlatformsOf(present)))
	}
	source, cleanup, err := pushManifestImage(ctx, c, img, m)
	if err != nil {
		return plan, err
	}
	plan = pushPlan{source: source, target: m, cleanup: cleanup}
	if o.Platform == "" {
		plan.warning = fmt.Sprintf("WARNING: not all platforms of %s are present locally: only %s was pushed, as a single-platform image (%s -> %s)",
			name, platforms.Format(*m.Platform), img.Target.Digest, m.Digest)
	}
	return plan, nil
}

// pushPick returns the best manifest for want among present.
func pushPick(present []ocispec.Descriptor, want platforms.MatchComparer) (ocispec.Descriptor, bool) {
	var best *ocispec.Descriptor
	for i, m := range present {
		if !want.Match(*m.Platform) {
			continue
		}
		if best == nil || want.Less(*m.Platform, *best.Platform) {
			best = &present[i]
		}
	}
	if best == nil {
		return ocispec.Descriptor{}, false
	}
	return *best, true
}

// pushManifestImage names the single manifest m so the transfer service,
// which pushes images by name, can push it: "<repo>@<digest>", the name a
// pull by digest would have given it. An image of that name already
// pointing there is used as is; one created here is removed afterwards.
func pushManifestImage(ctx context.Context, c *client.Client, img images.Image, m ocispec.Descriptor) (string, func(), error) {
	named, err := reference.ParseNormalizedNamed(img.Name)
	if err != nil {
		return "", nil, err
	}
	name := named.Name() + "@" + m.Digest.String()
	is := c.ImageService()
	if existing, err := is.Get(ctx, name); err == nil && existing.Target.Digest == m.Digest {
		return name, func() {}, nil
	}
	if _, err := is.Create(ctx, images.Image{Name: name, Target: m}); err != nil {
		return "", nil, fmt.Errorf("preparing the push of %s: %w", platforms.Format(*m.Platform), err)
	}
	// The push's own context may be cancelled by then; removing the
	// temporary name must still happen.
	return name, func() { _ = is.Delete(context.WithoutCancel(ctx), name) }, nil
}

// pushIndexManifests splits the platform manifests of an index by whether
// their content is all in the content store.
func pushIndexManifests(ctx context.Context, cs content.Store, target ocispec.Descriptor) (present []ocispec.Descriptor, missing []ocispec.Platform, err error) {
	data, err := content.ReadBlob(ctx, cs, target)
	if err != nil {
		return nil, nil, err
	}
	var idx ocispec.Index
	if err := json.Unmarshal(data, &idx); err != nil {
		return nil, nil, err
	}
	for _, m := range idx.Manifests {
		if m.Platform == nil || !images.IsManifestType(m.MediaType) {
			continue
		}
		complete, err := pushComplete(ctx, cs, m)
		if err != nil {
			return nil, nil, err
		}
		if complete {
			present = append(present, m)
		} else {
			missing = append(missing, *m.Platform)
		}
	}
	return present, missing, nil
}

// pushComplete reports whether a manifest, its config and its layers are all
// in the content store; ctr and --all-metadata pulls keep manifests alone.
func pushComplete(ctx context.Context, cs content.Store, m ocispec.Descriptor) (bool, error) {
	data, err := content.ReadBlob(ctx, cs, m)
	if errdefs.IsNotFound(err) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	var man ocispec.Manifest
	if err := json.Unmarshal(data, &man); err != nil {
		return false, err
	}
	for _, d := range append([]ocispec.Descriptor{man.Config}, man.Layers...) {
		if _, err := cs.Info(ctx, d.Digest); errdefs.IsNotFound(err) {
			return false, nil
		} else if err != nil {
			return false, err
		}
	}
	return true, nil
}

func pushPlatformsOf(ms []ocispec.Descriptor) []ocispec.Platform {
	ps := make([]ocispec.Platform, len(ms))
	for i, m := range ms {
		ps[i] = *m.Platform
	}
	return ps
}

// pushFormat lists platforms as "linux/amd64, linux/arm64/v8".
func pushFormat(ps []ocispec.Platform) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = platforms.Format(p)
	}
	return strings.Join(s, ", ")
}
