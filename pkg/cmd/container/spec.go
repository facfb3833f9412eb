package container

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/containerd/containerd/v2/pkg/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/opts"
)

// specFor returns the OCI spec options of the container and fills meta's
// Config and HostConfig from the flags and the image's config. Each part of
// the flags has its own builder; they run in order and may add spec options
// and metadata.
func specFor(o *CreateOptions, ic *ocispec.Image, id string, meta *containerutil.Meta) ([]oci.SpecOpts, error) {
	var opts []oci.SpecOpts
	for _, build := range []func(*CreateOptions, *ocispec.Image, string, *containerutil.Meta) ([]oci.SpecOpts, error){
		specProcess, specHost, specResources, specSecurity, specNamespaces, specHealth,
	} {
		more, err := build(o, ic, id, meta)
		if err != nil {
			return nil, err
		}
		opts = append(opts, more...)
	}
	return opts, nil
}

// specProcess sets what runs: entrypoint, command, env, user, workdir,
// hostname, terminal.
func specProcess(o *CreateOptions, ic *ocispec.Image, id string, meta *containerutil.Meta) ([]oci.SpecOpts, error) {
	cfg := &meta.Config
	cfg.Image = o.Image
	cfg.Tty, cfg.OpenStdin, cfg.AttachStdin = o.TTY, o.Interactive, o.Interactive
	cfg.Entrypoint = ic.Config.Entrypoint
	cfg.Cmd = ic.Config.Cmd
	if o.EntrypointSet {
		cfg.Entrypoint, cfg.Cmd = nil, nil
		if o.Entrypoint != "" {
			cfg.Entrypoint = []string{o.Entrypoint}
		}
	}
	if len(o.Args) > 0 {
		cfg.Cmd = o.Args
	}
	args := append(append([]string{}, cfg.Entrypoint...), cfg.Cmd...)
	if len(args) == 0 {
		return nil, fmt.Errorf("no command specified")
	}
	env, err := o.environment(ic.Config.Env)
	if err != nil {
		return nil, err
	}
	cfg.Env = env
	cfg.WorkingDir = ic.Config.WorkingDir
	if o.Workdir != "" {
		if !filepath.IsAbs(o.Workdir) {
			return nil, fmt.Errorf("the working directory '%s' is invalid, it needs to be an absolute path", o.Workdir)
		}
		cfg.WorkingDir = o.Workdir
	}
	cfg.User = ic.Config.User
	if o.User != "" {
		cfg.User = o.User
	}
	cfg.Hostname = o.Hostname
	if cfg.Hostname == "" {
		cfg.Hostname = id[:12]
	}
	cfg.Domainname = o.Domainname
	opts := []oci.SpecOpts{
		oci.WithDefaultPathEnv,
		oci.WithProcessArgs(args...),
		oci.WithEnv(env),
		oci.WithHostname(cfg.Hostname),
	}
	if cfg.WorkingDir != "" {
		opts = append(opts, oci.WithProcessCwd(cfg.WorkingDir))
	}
	if cfg.User != "" {
		opts = append(opts, oci.WithUser(cfg.User))
	}
	if len(o.GroupAdd) > 0 {
		opts = append(opts, oci.WithAppendAdditionalGroups(o.GroupAdd...))
	}
	if o.TTY {
		opts = append(opts, oci.WithTTY)
	}
	return opts, nil
}

// environment merges the image's env, --env-file and -e, later ones winning;
// "-e NAME" takes NAME from berth's own environment, as docker does.
func (o *CreateOptions) environment(image []string) ([]string, error) {
	env := append([]string{}, image...)
	fromFiles, err := readKVFiles(o.EnvFiles)
	if err != nil {
		return nil, err
	}
	for _, kv := range append(fromFiles, o.Env...) {
		k, _, hasValue := strings.Cut(kv, "=")
		if k == "" {
			return nil, fmt.Errorf("invalid environment variable: %s", kv)
		}
		if !hasValue {
			v, ok := lookupEnv(k)
			if !ok {
				continue
			}
			kv = k + "=" + v
		}
		env = setEnv(env, kv)
	}
	return env, nil
}

func setEnv(env []string, kv string) []string {
	k, _, _ := strings.Cut(kv, "=")
	for i, e := range env {
		if ek, _, _ := strings.Cut(e, "="); ek == k {
			env[i] = kv
			return env
		}
	}
	return append(env, kv)
}

// specHost fills HostConfig's restart policy, logging and removal settings;
// they shape labels and the task's IO rather than the OCI spec.
func specHost(o *CreateOptions, _ *ocispec.Image, _ string, meta *containerutil.Meta) ([]oci.SpecOpts, error) {
	hc := &meta.HostConfig
	rp, err := opts.ParseRestartPolicy(o.Restart)
	if err != nil {
		return nil, err
	}
	hc.RestartPolicy = containerutil.RestartPolicy{Name: rp.Name, MaximumRetryCount: rp.MaximumRetryCount}
	hc.AutoRemove = o.Rm
	hc.LogConfig = containerutil.LogConfig{Type: o.LogDriver, Config: map[string]string{}}
	if hc.LogConfig.Type == "" {
		hc.LogConfig.Type = "json-file"
	}
	for _, kv := range o.LogOpts {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("invalid --log-opt %q: expected key=value", kv)
		}
		hc.LogConfig.Config[k] = v
	}
	hc.Runtime = "io.containerd.runc.v2"
	if o.StopSignal != "" {
		meta.Config.StopSignal = o.StopSignal
	}
	if o.StopTimeout >= 0 {
		t := o.StopTimeout
		meta.Config.StopTimeout = &t
	}
	return nil, nil
}
