package container

import (
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/containerd/containerd/v2/pkg/cap"

	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/logging"
	"github.com/berth-project/berth/pkg/opts"
)

// validateFlags checks the resource, security, namespace, logging and
// health flags with docker's messages. It does no I/O: what depends on the
// host (the CPUs the cgroup offers, the capabilities and limits berth's
// engine holds, AppArmor, runtime binaries, log services) is checked by the
// spec builders, which still run before anything is created.
func (o *CreateOptions) validateFlags() error {
	if _, err := o.resources(); err != nil {
		return err
	}
	if _, err := o.security(cap.Known()); err != nil {
		return err
	}
	if err := o.validateNamespaces(); err != nil {
		return err
	}
	if _, err := o.logConfig(); err != nil {
		return err
	}
	if _, err := o.network(); err != nil {
		return err
	}
	if _, err := o.volumeFlags(); err != nil {
		return err
	}
	_, err := o.healthFlags().Healthcheck()
	return err
}

// flagError is pflag's wording for a bad value, for values that reach
// Validate without going through the flag's own Set (compose, tests).
func flagError(flag, value string, err error) error {
	return fmt.Errorf("invalid argument %q for %q flag: %w", value, flag, err)
}

// resourceFlags are the parsed resource flags.
type resourceFlags struct {
	containerutil.Resources
	ShmSize int64
	Limits  []opts.Ulimit
	Devs    []opts.Device
	Tmpfs   []opts.Tmpfs
}

// resources parses the cgroup, rlimit, device and tmpfs flags and checks
// them against each other as docker's engine does.
func (o *CreateOptions) resources() (*resourceFlags, error) {
	r := &resourceFlags{}
	var err error
	for _, f := range []struct {
		flag, value string
		dst         *int64
		parse       func(string) (int64, error)
	}{
		{"-m, --memory", o.Memory, &r.Memory, opts.ParseMemBytes},
		{"--memory-swap", o.MemorySwap, &r.MemorySwap, opts.ParseMemSwap},
		{"--memory-reservation", o.MemoryReservation, &r.MemoryReservation, opts.ParseMemBytes},
		{"--shm-size", o.ShmSize, &r.ShmSize, opts.ParseMemBytes},
		{"--cpus", o.CPUs, &r.NanoCPUs, opts.ParseCPUs},
	} {
		if *f.dst, err = f.parse(f.value); err != nil {
			return nil, flagError(f.flag, f.value, err)
		}
	}
	r.CPUShares, r.CPUQuota, r.CPUPeriod = o.CPUShares, o.CPUQuota, o.CPUPeriod
	r.CpusetCpus, r.CpusetMems, r.CgroupParent = o.CpusetCPUs, o.CpusetMems, o.CgroupParent
	if o.PidsLimit > 0 {
		limit := o.PidsLimit
		r.PidsLimit = &limit
	}
	disable := o.OomKillDisable
	r.OomKillDisable = &disable
	if err := r.checkMemory(); err != nil {
		return nil, err
	}
	if err := r.checkCPU(); err != nil {
		return nil, err
	}
	if o.OomScoreAdj < -1000 || o.OomScoreAdj > 1000 {
		return nil, fmt.Errorf("Invalid value %d, range for oom score adj is [-1000, 1000]", o.OomScoreAdj)
	}
	if err := r.parseLists(o); err != nil {
		return nil, err
	}
	return r, nil
}

// linuxMinMemory is the smallest memory limit docker accepts.
const linuxMinMemory = 6 * 1024 * 1024

func (r *resourceFlags) checkMemory() error {
	switch {
	case r.Memory != 0 && r.Memory < linuxMinMemory:
		return errors.New("Minimum memory limit allowed is 6MB")
	case r.Memory > 0 && r.MemorySwap > 0 && r.MemorySwap < r.Memory:
		return errors.New("Minimum memoryswap limit should be larger than memory limit, see usage")
	case r.Memory == 0 && r.MemorySwap > 0:
		return errors.New("You should always set the Memory limit when using Memoryswap limit, see usage")
	case r.MemoryReservation > 0 && r.MemoryReservation < linuxMinMemory:
		return errors.New("Minimum memory reservation allowed is 6MB")
	case r.Memory > 0 && r.MemoryReservation > 0 && r.Memory < r.MemoryReservation:
		return errors.New("Minimum memory limit can not be less than memory reservation limit, see usage")
	}
	return nil
}

func (r *resourceFlags) checkCPU() error {
	switch {
	case r.NanoCPUs > 0 && r.CPUPeriod > 0:
		return errors.New("Conflicting options: Nano CPUs and CPU Period cannot both be set")
	case r.NanoCPUs > 0 && r.CPUQuota > 0:
		return errors.New("Conflicting options: Nano CPUs and CPU Quota cannot both be set")
	case r.NanoCPUs < 0 || r.NanoCPUs > int64(runtime.NumCPU())*1e9:
		return fmt.Errorf("range of CPUs is from 0.01 to %[1]d.00, as there are only %[1]d CPUs available", runtime.NumCPU())
	case r.CPUPeriod != 0 && (r.CPUPeriod < 1000 || r.CPUPeriod > 1000000):
		return errors.New("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)")
	case r.CPUQuota > 0 && r.CPUQuota < 1000:
		return errors.New("CPU cfs quota can not be less than 1ms (i.e. 1000)")
	case r.CPUShares < 0:
		return fmt.Errorf("invalid CPU shares %d: the value must not be negative", r.CPUShares)
	}
	if _, err := opts.ParseCPUSet(r.CpusetCpus); err != nil {
		return fmt.Errorf("Invalid value %s for cpuset cpus: %w", r.CpusetCpus, err)
	}
	if _, err := opts.ParseCPUSet(r.CpusetMems); err != nil {
		return fmt.Errorf("Invalid value %s for cpuset mems: %w", r.CpusetMems, err)
	}
	return nil
}

// parseLists parses --ulimit, --device and --tmpfs.
func (r *resourceFlags) parseLists(o *CreateOptions) error {
	var err error
	if r.Limits, err = opts.ParseUlimits(o.Ulimits); err != nil {
		return err
	}
	for _, u := range r.Limits {
		r.Ulimits = append(r.Ulimits, &containerutil.Ulimit{Name: u.Name, Soft: u.Soft, Hard: u.Hard})
	}
	for _, d := range o.Devices {
		dev, err := opts.ParseDevice(d)
		if err != nil {
			return err
		}
		r.Devs = append(r.Devs, dev)
		r.Devices = append(r.Devices, containerutil.DeviceMapping(dev))
	}
	r.Tmpfs, err = opts.ParseTmpfsList(o.Tmpfs)
	return err
}

// securityFlags are the parsed security flags.
type securityFlags struct {
	opts.SecurityOpts
	CapAdd, CapDrop []string
}

// security parses --cap-add, --cap-drop and --security-opt; known are the
// capability names berth accepts.
func (o *CreateOptions) security(known []string) (*securityFlags, error) {
	s := &securityFlags{}
	var err error
	if s.CapAdd, s.CapDrop, err = opts.EffectiveCapAddDrop(o.CapAdd, o.CapDrop, known); err != nil {
		return nil, err
	}
	if s.SecurityOpts, err = opts.ParseSecurityOpts(o.SecurityOpt); err != nil {
		return nil, err
	}
	return s, nil
}

// validateNamespaces checks --ipc, --pid, --uts, --cgroupns, --sysctl and
// --runtime. Joining another container's namespaces is not done yet, and
// said so rather than half done.
func (o *CreateOptions) validateNamespaces() error {
	for _, check := range []func() error{
		func() error { return opts.ValidateIPCMode(o.IPC) },
		func() error { return opts.ValidatePIDMode(o.PID) },
		func() error { return opts.ValidateUTSMode(o.UTS) },
		func() error { return opts.ValidateCgroupnsMode(o.Cgroupns) },
	} {
		if err := check(); err != nil {
			return err
		}
	}
	for _, f := range []struct{ flag, mode string }{{"ipc", o.IPC}, {"pid", o.PID}} {
		if opts.ContainerMode(f.mode) != "" {
			return fmt.Errorf("--%s %s is not supported yet: berth cannot share another container's namespaces (use --%s host, or leave it unset)", f.flag, f.mode, f.flag)
		}
	}
	if o.UTS == "host" && o.Hostname != "" {
		return errors.New("conflicting options: hostname and the UTS mode")
	}
	sysctls, err := opts.ParseSysctls(o.Sysctls)
	if err != nil {
		return err
	}
	for k := range sysctls {
		if o.IPC == "host" && opts.IsIPCSysctl(k) {
			return fmt.Errorf("sysctl %q is not allowed in host IPC namespace", k)
		}
	}
	return validRuntimeName(o.Runtime)
}

// logConfig is the --log-driver and --log-opt configuration, checked by
// the logging package except for the host's services.
func (o *CreateOptions) logConfig() (logging.Config, error) {
	c := logging.Config{Type: o.LogDriver, Config: map[string]string{}}
	if o.LogDriver == logging.None && len(o.LogOpts) > 0 {
		return c, fmt.Errorf("invalid logging opts for driver %s", o.LogDriver)
	}
	for _, kv := range o.LogOpts {
		// As docker's: "key" alone is the key with an empty value.
		k, v, _ := strings.Cut(kv, "=")
		c.Config[k] = v
	}
	return c, logging.Validate(c, logging.HostCaps{Journald: true, DevLog: true})
}

// healthFlags gathers the --health-* flags.
func (o *CreateOptions) healthFlags() opts.HealthFlags {
	return opts.HealthFlags{Cmd: o.HealthCmd, Interval: o.HealthInterval, Timeout: o.HealthTimeout,
		StartPeriod: o.HealthStartPeriod, Retries: o.HealthRetries, None: o.NoHealthcheck}
}
