package container

import (
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
	if h := opts.MergeHealthcheck(own, o.imageHealth); h != nil {
		hc := containerutil.HealthConfig(*h)
		meta.Config.Healthcheck = &hc
	}
	return nil, nil
}
