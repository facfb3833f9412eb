package container

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/pkg/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/opts"
)

// specHealth fills meta.Config.Healthcheck from the --health-* flags and
// the image's HEALTHCHECK, merged as docker does. It changes nothing in the
// OCI spec: the checks are run by berth, not by the runtime.
func specHealth(o *CreateOptions, _ *ocispec.Image, _ string, meta *containerutil.Meta) ([]oci.SpecOpts, error) {
	own, err := o.healthFlags().Healthcheck()
	if err != nil {
		return nil, err
	}
	// The OCI image config has no Healthcheck: it is read from the raw
	// config blob once the engine is at hand, while the container record
	// is built and before create saves meta.
	return []oci.SpecOpts{func(ctx context.Context, c oci.Client, ctr *containers.Container, _ *oci.Spec) error {
		image, err := imageHealthcheck(ctx, c, ctr.Image)
		if err != nil {
			return err
		}
		if h := opts.MergeHealthcheck(own, image); h != nil {
			hc := containerutil.HealthConfig(*h)
			meta.Config.Healthcheck = &hc
		}
		return nil
	}}, nil
}

// imageHealthcheck reads the HEALTHCHECK of the image ref from its config,
// nil when it has none.
func imageHealthcheck(ctx context.Context, c oci.Client, ref string) (*opts.Healthcheck, error) {
	cl, ok := c.(*client.Client)
	if !ok || ref == "" {
		return nil, nil
	}
	img, err := cl.GetImage(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("reading the image's health check: %w", err)
	}
	desc, err := img.Config(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the image's health check: %w", err)
	}
	data, err := content.ReadBlob(ctx, img.ContentStore(), desc)
	if err != nil {
		return nil, fmt.Errorf("reading the image's health check: %w", err)
	}
	var cfg struct {
		Config struct {
			Healthcheck *opts.Healthcheck
		} `json:"config"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("reading the image's health check: %w", err)
	}
	return cfg.Config.Healthcheck, nil
}
