package container

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"

	"github.com/containerd/containerd/api/types/runc/options"
	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/containerd/v2/pkg/oci"
	"github.com/containerd/typeurl/v2"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/hostinfo"
	"github.com/berth-project/berth/pkg/logging"
	"github.com/berth-project/berth/pkg/opts"
)

// initPath is where --init's binary appears in the container: a name no
// image uses, so the bind mount never hides a file of the image.
const initPath = "/.berth-init"

// specNamespaces applies --ipc, --pid, --uts, --cgroupns, --cgroup-parent,
// --sysctl, --runtime and --init, and checks that the host has the log
// service the log driver needs.
func specNamespaces(o *CreateOptions, _ *ocispec.Image, id string, meta *containerutil.Meta) ([]oci.SpecOpts, error) {
	lc, err := o.logConfig()
	if err != nil {
		return nil, err
	}
	if err := logging.Validate(lc, logging.DetectHost()); err != nil {
		return nil, err
	}
	hc := &meta.HostConfig
	hc.IpcMode, hc.PidMode, hc.UTSMode, hc.CgroupnsMode = o.IPC, o.PID, o.UTS, o.Cgroupns
	if hc.IpcMode == "" {
		hc.IpcMode = "private"
	}
	if hc.CgroupnsMode == "" {
		// docker's default: the host's with cgroup v1, a private one with v2.
		hc.CgroupnsMode = "host"
		if hostinfo.CgroupVersion() == "2" {
			hc.CgroupnsMode = "private"
		}
	}
	specOpts := ipcOpts(o.IPC)
	if o.PID == "host" {
		specOpts = append(specOpts, oci.WithHostNamespace(specs.PIDNamespace))
	}
	if o.UTS == "host" {
		// The container sees the host's name; runc refuses to set one
		// without a UTS namespace of its own.
		meta.Config.Hostname, _ = os.Hostname()
		specOpts = append(specOpts, oci.WithHostNamespace(specs.UTSNamespace), oci.WithHostname(""))
	}
	if hc.CgroupnsMode == "private" {
		specOpts = append(specOpts, oci.WithLinuxNamespace(specs.LinuxNamespace{Type: specs.CgroupNamespace}))
	}
	if o.CgroupParent != "" {
		specOpts = append(specOpts, oci.WithCgroup(path.Join("/", o.CgroupParent, id)))
	}
	if hc.Sysctls, err = opts.ParseSysctls(o.Sysctls); err != nil {
		return nil, err
	}
	if len(hc.Sysctls) > 0 {
		specOpts = append(specOpts, withSysctls(hc.Sysctls))
	}
	rt, err := runtimeOpt(o.Runtime, hc)
	if err != nil {
		return nil, err
	}
	specOpts = append(specOpts, rt...)
	if o.Init {
		in, err := initOpt(hc)
		if err != nil {
			return nil, err
		}
		specOpts = append(specOpts, in)
	}
	return specOpts, nil
}

// ipcOpts are docker's IPC modes: private and shareable have their own
// namespace and /dev/shm, none has no /dev/shm, host shares the host's
// namespace and /dev/shm.
func ipcOpts(mode string) []oci.SpecOpts {
	switch mode {
	case "none":
		return []oci.SpecOpts{oci.WithoutMounts("/dev/shm")}
	case "host":
		return []oci.SpecOpts{oci.WithHostNamespace(specs.IPCNamespace), oci.WithoutMounts("/dev/shm"),
			oci.WithMounts([]specs.Mount{{Destination: "/dev/shm", Type: "bind", Source: "/dev/shm",
				Options: []string{"rbind", "nosuid", "noexec", "nodev"}}})}
	}
	return nil
}

func withSysctls(m map[string]string) oci.SpecOpts {
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		if s.Linux.Sysctl == nil {
			s.Linux.Sysctl = map[string]string{}
		}
		for k, v := range m {
			s.Linux.Sysctl[k] = v
		}
		return nil
	}
}

// validRuntimeName accepts the bundled runc (by docker's name or
// containerd's) and the runc-compatible runtimes berth can drive.
func validRuntimeName(name string) error {
	switch name {
	case "", "runc", "io.containerd.runc.v2", "crun", "youki":
		return nil
	}
	return fmt.Errorf("unknown or invalid runtime name: %s", name)
}

// runtimeOpt points the runc shim at crun or youki when asked for. The
// container record's runtime options (set by create from the bundled runc)
// are rewritten here, while the record is built, so that every later start,
// including the restart monitor's, uses the chosen binary.
func runtimeOpt(name string, hc *containerutil.HostConfig) ([]oci.SpecOpts, error) {
	if err := validRuntimeName(name); err != nil {
		return nil, err
	}
	if name != "crun" && name != "youki" {
		return nil, nil
	}
	bin, err := exec.LookPath(name)
	if err != nil {
		return nil, fmt.Errorf("unknown or invalid runtime name: %s (%s is not installed: it was not found in $PATH)", name, name)
	}
	if bin, err = filepath.Abs(bin); err != nil {
		return nil, err
	}
	hc.Runtime = name
	return []oci.SpecOpts{func(_ context.Context, _ oci.Client, c *containers.Container, _ *oci.Spec) error {
		ro := &options.Options{}
		if c.Runtime.Options != nil {
			if err := typeurl.UnmarshalTo(c.Runtime.Options, ro); err != nil {
				return fmt.Errorf("runtime options: %w", err)
			}
		}
		ro.BinaryName = bin
		any, err := typeurl.MarshalAnyToProto(ro)
		if err != nil {
			return err
		}
		c.Runtime.Options = any
		return nil
	}}, nil
}

// initOpt runs berth-init as the container's PID 1, bind-mounted
// read-only from the bundle, with the command as its child.
func initOpt(hc *containerutil.HostConfig) (oci.SpecOpts, error) {
	bin := filepath.Join(config.LibexecDir(), "berth-init")
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("--init: the init binary is missing (%v); reinstall berth with its helpers (make install)", err)
	}
	yes := true
	hc.Init = &yes
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		s.Mounts = append(s.Mounts, specs.Mount{Destination: initPath, Type: "bind", Source: bin,
			Options: []string{"rbind", "ro", "nosuid", "nodev"}})
		s.Process.Args = append([]string{initPath, "--"}, s.Process.Args...)
		return nil
	}, nil
}
