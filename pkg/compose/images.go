package compose

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/containerd/errdefs"

	"github.com/berth-project/berth/pkg/cmd/image"
	"github.com/berth-project/berth/pkg/referenceutil"
)

// progress prints, on stderr, what happens to each object, one line per
// step, as `docker compose --progress plain` does:
// " Container app-web-1  Started".
type progress struct {
	mu sync.Mutex
	w  io.Writer
}

func (p *progress) event(kind, name, status string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, " %s %s  %s\n", kind, name, status)
}

// Pull policies as berth applies them.
const (
	pullMissing = "missing"
	pullAlways  = "always"
	pullNever   = "never"
)

// pullPolicy is --pull when given, else the service's pull_policy in
// berth's terms. A periodic refresh (daily, every_2h) pulls when missing.
func pullPolicy(s types.ServiceConfig, override string) (string, error) {
	if override != "" && override != "policy" {
		return override, nil
	}
	policy, _, err := s.GetPullPolicy()
	if err != nil {
		return "", fmt.Errorf("service %q: %w", s.Name, err)
	}
	switch policy {
	case types.PullPolicyAlways:
		return pullAlways, nil
	case types.PullPolicyNever:
		return pullNever, nil
	case types.PullPolicyBuild:
		return "", fmt.Errorf("service %q has pull_policy: build: berth cannot build images yet", s.Name)
	}
	return pullMissing, nil
}

// ensureImages makes each service's image present as its pull policy says,
// before anything else is created, and returns each image's ID by
// reference.
func (ss *session) ensureImages(ctx context.Context, services []types.ServiceConfig, override string) (map[string]string, error) {
	ids := map[string]string{}
	for _, s := range services {
		if _, done := ids[s.Image]; done {
			continue
		}
		policy, err := pullPolicy(s, override)
		if err != nil {
			return nil, err
		}
		id, err := ss.imageID(ctx, s.Image)
		switch {
		case err == nil && policy != pullAlways:
			ids[s.Image] = id
			continue
		case err != nil && !errdefs.IsNotFound(err):
			return nil, fmt.Errorf("service %q: image %s: %w", s.Name, s.Image, err)
		case err != nil && policy == pullNever:
			return nil, fmt.Errorf("service %q: No such image: %s (pull_policy: never)", s.Name, s.Image)
		}
		if err := ss.pull(ctx, s); err != nil {
			return nil, err
		}
		if ids[s.Image], err = ss.imageID(ctx, s.Image); err != nil {
			return nil, fmt.Errorf("service %q: image %s: %w", s.Name, s.Image, err)
		}
	}
	return ids, nil
}

// pull pulls the service's image for its platform.
func (ss *session) pull(ctx context.Context, s types.ServiceConfig) error {
	ss.progress.event("Image", s.Image, "Pulling")
	po := image.PullOptions{Quiet: true, Unpack: true}
	if s.Platform != "" {
		po.Platforms = []string{s.Platform}
	}
	if _, err := image.PullImage(ctx, ss.c, ss.cfg, io.Discard, ss.s.Err, s.Image, po); err != nil {
		ss.progress.event("Image", s.Image, "Error")
		return fmt.Errorf("service %q: pulling %s: %w", s.Name, s.Image, err)
	}
	ss.progress.event("Image", s.Image, "Pulled")
	return nil
}

// imageID is the ID (config digest) of the local image ref.
func (ss *session) imageID(ctx context.Context, ref string) (string, error) {
	name, err := referenceutil.Normalize(ref)
	if err != nil {
		return "", err
	}
	img, err := ss.c.GetImage(ctx, name)
	if err != nil {
		return "", err
	}
	desc, err := img.Config(ctx)
	if err != nil {
		return "", err
	}
	return desc.Digest.String(), nil
}
