package container

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"slices"

	"github.com/containerd/containerd/v2/contrib/apparmor"
	"github.com/containerd/containerd/v2/contrib/seccomp"
	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/containerd/v2/pkg/cap"
	"github.com/containerd/containerd/v2/pkg/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sys/unix"

	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/opts"
)

// appArmorDir exists when the kernel has AppArmor enabled.
const appArmorDir = "/sys/kernel/security/apparmor"

// specSecurity applies capabilities, --privileged, no-new-privileges,
// --read-only, the seccomp profile and AppArmor, as docker does: seccomp's
// default profile unless unconfined or privileged, and processes may gain
// privileges (setuid binaries work) unless no-new-privileges is asked for.
func specSecurity(o *CreateOptions, _ *ocispec.Image, _ string, meta *containerutil.Meta) ([]oci.SpecOpts, error) {
	s, err := o.security(cap.Known())
	if err != nil {
		return nil, err
	}
	hc := &meta.HostConfig
	hc.CapAdd, hc.CapDrop, hc.Privileged, hc.ReadonlyRootfs = s.CapAdd, s.CapDrop, o.Privileged, o.ReadOnly
	hc.SecurityOpt = o.SecurityOpt
	// The engine can hand out only the capabilities berth itself holds
	// (root may lack some, e.g. CAP_SYS_RESOURCE in some sandboxes); runc
	// would fail to start the container with any other.
	held, err := cap.Current()
	if err != nil {
		return nil, fmt.Errorf("reading berth's own capabilities: %w", err)
	}
	var specOpts []oci.SpecOpts
	if o.Privileged {
		specOpts = append(specOpts, oci.WithPrivileged, oci.WithHostDevices, oci.WithAllDevicesAllowed)
	} else {
		for _, c := range s.CapAdd {
			if c != opts.AllCapabilities && !slices.Contains(held, c) {
				return nil, fmt.Errorf("--cap-add %s cannot be honoured on this host: berth's engine does not hold %s itself", c, c)
			}
		}
		caps := opts.Capabilities(s.CapAdd, s.CapDrop, held)
		specOpts = append(specOpts, oci.WithCapabilities(caps))
		sec, err := seccompOpt(s.Seccomp, caps)
		if err != nil {
			return nil, err
		}
		specOpts = append(specOpts, sec)
	}
	if s.NoNewPrivileges {
		specOpts = append(specOpts, oci.WithNoNewPrivileges)
	} else {
		specOpts = append(specOpts, oci.WithNewPrivileges)
	}
	if o.ReadOnly {
		specOpts = append(specOpts, oci.WithRootFSReadonly())
	}
	if s.SystemPathsUnconfined {
		specOpts = append(specOpts, oci.WithMaskedPaths(nil), oci.WithReadonlyPaths(nil))
	}
	if s.AppArmorSet {
		aa, err := appArmorOpt(s.AppArmor, o.Privileged)
		if err != nil {
			return nil, err
		}
		specOpts = append(specOpts, aa)
	}
	return specOpts, nil
}

// seccompOpt is the seccomp profile: docker's default (containerd's copy
// of it, which allows more syscalls to a container holding more
// capabilities), none, or a profile file in docker's format.
func seccompOpt(profile string, caps []string) (oci.SpecOpts, error) {
	switch profile {
	case "", opts.SeccompBuiltin:
		return seccomp.WithDefaultProfile(), nil
	case opts.SeccompUnconfined:
		return oci.WithSeccompUnconfined, nil
	}
	data, err := os.ReadFile(profile)
	if err != nil {
		return nil, fmt.Errorf("opening seccomp profile (%s) failed: %w", profile, err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, data); err != nil {
		return nil, fmt.Errorf("compacting json for seccomp profile (%s) failed: %w", profile, err)
	}
	var uts unix.Utsname
	_ = unix.Uname(&uts)
	host := opts.SeccompHost{Caps: caps, GOARCH: runtime.GOARCH, Kernel: unix.ByteSliceToString(uts.Release[:])}
	sc, err := opts.ParseSeccompProfile(compact.Bytes(), host)
	if err != nil {
		return nil, fmt.Errorf("seccomp profile (%s): %w", profile, err)
	}
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		s.Linux.Seccomp = sc
		return nil
	}, nil
}

// appArmorOpt applies --security-opt apparmor=PROFILE where the kernel has
// AppArmor; elsewhere a profile cannot be enforced, which is an error
// rather than a silently unconfined container. "unconfined" is what every
// container is on such a host, so it is granted everywhere.
func appArmorOpt(profile string, privileged bool) (oci.SpecOpts, error) {
	if profile == "unconfined" || privileged {
		return oci.WithApparmorProfile(""), nil
	}
	if _, err := os.Stat(appArmorDir); err != nil {
		return nil, fmt.Errorf("--security-opt apparmor=%s cannot be honoured: AppArmor is not enabled on this host (%s is missing)", profile, appArmorDir)
	}
	return apparmor.WithProfile(profile), nil
}
