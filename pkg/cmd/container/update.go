package container

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/typeurl/v2"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/opts"
)

// UpdateOptions are the flags and arguments of `update`. Only the flags
// given change anything: zero values mean "leave as it is".
type UpdateOptions struct {
	// CPUs is --cpus (decimal); CPUShares, CPUPeriod, CPUQuota the CFS knobs.
	CPUs      string
	CPUShares int64
	CPUPeriod int64
	CPUQuota  int64
	// CpusetCPUs and CpusetMems are --cpuset-cpus and --cpuset-mems.
	CpusetCPUs string
	CpusetMems string
	// Memory, MemorySwap (-1: unlimited) and MemoryReservation are sizes.
	Memory            string
	MemorySwap        string
	MemoryReservation string
	// PidsLimit is --pids-limit (-1 or 0: unlimited); PidsLimitSet tells it was given.
	PidsLimit    int64
	PidsLimitSet bool
	// Restart is --restart; "" leaves the policy alone.
	Restart string
	// Containers are the names or IDs.
	Containers []string

	parsed updateResources
	policy *opts.RestartPolicy
}

// updateResources are the resources update can change, as parsed.
type updateResources struct {
	Memory, MemorySwap, MemoryReservation    int64
	NanoCPUs, CPUShares, CPUPeriod, CPUQuota int64
	CpusetCpus, CpusetMems                   string
}

func (r updateResources) anySet() bool { return r != updateResources{} }

// Validate parses the values before the engine is dialled.
func (o *UpdateOptions) Validate() error {
	var err error
	r := &o.parsed
	for _, f := range []struct {
		flag, value string
		dst         *int64
		parse       func(string) (int64, error)
	}{
		{"-m, --memory", o.Memory, &r.Memory, opts.ParseMemBytes},
		{"--memory-swap", o.MemorySwap, &r.MemorySwap, opts.ParseMemSwap},
		{"--memory-reservation", o.MemoryReservation, &r.MemoryReservation, opts.ParseMemBytes},
		{"--cpus", o.CPUs, &r.NanoCPUs, opts.ParseCPUs},
	} {
		if *f.dst, err = f.parse(f.value); err != nil {
			return fmt.Errorf("invalid argument %q for %q flag: %w", f.value, f.flag, err)
		}
	}
	r.CPUShares, r.CPUPeriod, r.CPUQuota = o.CPUShares, o.CPUPeriod, o.CPUQuota
	r.CpusetCpus, r.CpusetMems = o.CpusetCPUs, o.CpusetMems
	if o.Restart != "" {
		p, err := opts.ParseRestartPolicy(o.Restart)
		if err != nil {
			return err
		}
		o.policy = &p
	}
	if !r.anySet() && !o.PidsLimitSet && o.policy == nil {
		return errors.New("you must provide one or more flags when using this command")
	}
	switch {
	case r.Memory != 0 && r.Memory < 6*1024*1024:
		return errors.New("Minimum memory limit allowed is 6MB")
	case r.NanoCPUs > 0 && (r.CPUPeriod > 0 || r.CPUQuota > 0):
		return errors.New("Conflicting options: CPU Quota or CPU Period cannot be updated when NanoCPUs is set")
	case r.NanoCPUs < 0 || r.NanoCPUs > int64(runtime.NumCPU())*1e9:
		return fmt.Errorf("range of CPUs is from 0.01 to %[1]d.00, as there are only %[1]d CPUs available", runtime.NumCPU())
	}
	for kind, v := range map[string]string{"cpus": r.CpusetCpus, "mems": r.CpusetMems} {
		if _, err := opts.ParseCPUSet(v); err != nil {
			return fmt.Errorf("Invalid value %s for cpuset %s: %w", v, kind, err)
		}
	}
	return nil
}

// Update changes the resources and restart policy of containers as `docker
// update` does: a running container's cgroup at once, and the container's
// spec and metadata for its later starts.
func Update(ctx context.Context, cfg *config.Config, s Streams, o *UpdateOptions) error {
	return forEach(ctx, cfg, s.Out, o.Containers, true, func(ctx context.Context, t *target) error {
		return updateTarget(context.WithoutCancel(ctx), cfg, t, o)
	})
}

func updateTarget(ctx context.Context, cfg *config.Config, t *target, o *UpdateOptions) error {
	meta, err := t.store.LoadMeta(t.ctr.ID())
	if err != nil {
		return err
	}
	res, err := mergeResources(meta.HostConfig.Resources, o)
	if err != nil {
		return fmt.Errorf("Cannot update container %s: %w", t.ctr.ID(), err)
	}
	if o.policy != nil && o.policy.Name != "no" && meta.HostConfig.AutoRemove {
		return errors.New("Restart policy cannot be updated because AutoRemove is enabled for the container")
	}
	task, st, err := loadTask(ctx, t.ctr)
	if err != nil {
		return err
	}
	lr := linuxResources(res)
	if isLive(st) {
		if err := task.Update(ctx, client.WithResources(lr)); err != nil {
			return fmt.Errorf("Cannot update container %s: %w", t.ctr.ID(), err)
		}
	}
	if err := t.ctr.Update(ctx, withResources(lr)); err != nil {
		return err
	}
	if o.policy != nil {
		if err := updateRestartLabels(ctx, cfg, t, meta, *o.policy, isLive(st)); err != nil {
			return err
		}
	}
	err = t.store.UpdateMeta(t.ctr.ID(), func(m *containerutil.Meta) error {
		m.HostConfig.Resources = res
		if o.policy != nil {
			m.HostConfig.RestartPolicy = containerutil.RestartPolicy{Name: o.policy.Name, MaximumRetryCount: o.policy.MaximumRetryCount}
		}
		return nil
	})
	if errors.Is(err, os.ErrNotExist) {
		return nil // a container berth did not create has no metadata
	}
	return err
}

// mergeResources applies the given flags to the container's resources, with
// Docker's checks of the result.
func mergeResources(cur containerutil.Resources, o *UpdateOptions) (containerutil.Resources, error) {
	p := o.parsed
	r := cur
	if p.Memory != 0 {
		if p.MemorySwap == 0 && cur.MemorySwap > 0 && p.Memory > cur.MemorySwap {
			return r, errors.New("Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time")
		}
		r.Memory = p.Memory
	}
	if p.MemorySwap != 0 {
		r.MemorySwap = p.MemorySwap
	}
	if p.MemoryReservation != 0 {
		r.MemoryReservation = p.MemoryReservation
	}
	switch {
	case r.MemorySwap > 0 && r.Memory > 0 && r.MemorySwap < r.Memory:
		return r, errors.New("Minimum memoryswap limit should be larger than memory limit, see usage")
	case r.MemorySwap > 0 && r.Memory == 0:
		return r, errors.New("You should always set the Memory limit when using Memoryswap limit, see usage")
	case r.Memory > 0 && r.MemoryReservation > r.Memory:
		return r, errors.New("Minimum memory limit can not be less than memory reservation limit, see usage")
	}
	if p.NanoCPUs != 0 {
		if cur.CPUQuota > 0 && p.CPUQuota == 0 {
			return r, errors.New("Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set")
		}
		r.NanoCPUs, r.CPUPeriod, r.CPUQuota = p.NanoCPUs, 0, 0
	}
	if p.CPUPeriod != 0 || p.CPUQuota != 0 {
		if cur.NanoCPUs > 0 {
			return r, errors.New("Conflicting options: CPU Quota or CPU Period cannot be updated as NanoCPUs has already been set")
		}
		if p.CPUPeriod != 0 {
			r.CPUPeriod = p.CPUPeriod
		}
		if p.CPUQuota != 0 {
			r.CPUQuota = p.CPUQuota
		}
	}
	if p.CPUShares != 0 {
		r.CPUShares = p.CPUShares
	}
	if p.CpusetCpus != "" {
		r.CpusetCpus = p.CpusetCpus
	}
	if p.CpusetMems != "" {
		r.CpusetMems = p.CpusetMems
	}
	if o.PidsLimitSet {
		limit := o.PidsLimit
		if limit <= 0 {
			limit = -1
		}
		r.PidsLimit = &limit
	}
	return r, nil
}

// linuxResources is the cgroup part of r for runc.
func linuxResources(r containerutil.Resources) *specs.LinuxResources {
	lr := &specs.LinuxResources{}
	mem := &specs.LinuxMemory{}
	if r.Memory > 0 {
		mem.Limit = &r.Memory
		if r.MemorySwap != 0 && swapLimitSupported() {
			mem.Swap = &r.MemorySwap
		}
	}
	if r.MemoryReservation > 0 {
		mem.Reservation = &r.MemoryReservation
	}
	if *mem != (specs.LinuxMemory{}) {
		lr.Memory = mem
	}
	cpu := &specs.LinuxCPU{Cpus: r.CpusetCpus, Mems: r.CpusetMems}
	if r.CPUShares > 0 {
		shares := uint64(r.CPUShares)
		cpu.Shares = &shares
	}
	period, quota := uint64(r.CPUPeriod), r.CPUQuota
	if r.NanoCPUs > 0 {
		period, quota = 100000, r.NanoCPUs*100000/1e9
	}
	if period > 0 {
		cpu.Period = &period
	}
	if quota != 0 {
		cpu.Quota = &quota
	}
	if *cpu != (specs.LinuxCPU{}) {
		lr.CPU = cpu
	}
	if r.PidsLimit != nil {
		lr.Pids = &specs.LinuxPids{Limit: r.PidsLimit}
	}
	return lr
}

// withResources stores the new limits in the container's spec, so that the
// next start applies them too; the other resources (devices) are kept.
func withResources(lr *specs.LinuxResources) client.UpdateContainerOpts {
	return func(ctx context.Context, _ *client.Client, c *containers.Container) error {
		v, err := typeurl.UnmarshalAny(c.Spec)
		if err != nil {
			return err
		}
		spec, ok := v.(*specs.Spec)
		if !ok {
			return fmt.Errorf("unexpected spec type %T", v)
		}
		if spec.Linux == nil {
			spec.Linux = &specs.Linux{}
		}
		if spec.Linux.Resources == nil {
			spec.Linux.Resources = &specs.LinuxResources{}
		}
		mergeLinuxResources(spec.Linux.Resources, lr)
		c.Spec, err = typeurl.MarshalAny(spec)
		return err
	}
}

// mergeLinuxResources sets dst's memory, CPU and pids limits to those of
// src, keeping what update does not touch (OOM killer, swappiness, ...).
func mergeLinuxResources(dst, src *specs.LinuxResources) {
	if src.Memory != nil {
		if dst.Memory == nil {
			dst.Memory = &specs.LinuxMemory{}
		}
		dst.Memory.Limit, dst.Memory.Swap, dst.Memory.Reservation = src.Memory.Limit, src.Memory.Swap, src.Memory.Reservation
	}
	if src.CPU != nil {
		if dst.CPU == nil {
			dst.CPU = &specs.LinuxCPU{}
		}
		c := dst.CPU
		c.Shares, c.Quota, c.Period, c.Cpus, c.Mems = src.CPU.Shares, src.CPU.Quota, src.CPU.Period, src.CPU.Cpus, src.CPU.Mems
	}
	if src.Pids != nil {
		dst.Pids = src.Pids
	}
}

// updateRestartLabels gives the restart monitor the new policy. A running
// container is kept running by it from now on; a stopped one gets no status
// label, so the monitor leaves it alone until start sets one, as in Docker.
func updateRestartLabels(ctx context.Context, cfg *config.Config, t *target, meta *containerutil.Meta, p opts.RestartPolicy, live bool) error {
	set := restartLabels(containerutil.RestartPolicy{Name: p.Name, MaximumRetryCount: p.MaximumRetryCount})
	if set == nil {
		// "no": without a policy label the monitor ignores the container;
		// the count stays, as RestartCount does in Docker.
		return t.ctr.Update(ctx, func(_ context.Context, _ *client.Client, c *containers.Container) error {
			for _, k := range []string{containerutil.RestartPolicyLabel, containerutil.RestartStatusLabel,
				containerutil.RestartLogURILabel, containerutil.RestartExplicitStop} {
				delete(c.Labels, k)
			}
			return nil
		})
	}
	if live {
		set[containerutil.RestartStatusLabel] = string(client.Running)
		set[containerutil.RestartExplicitStop] = "false"
	}
	uri, err := containerLogURI(cfg, t.ctr.ID(), meta)
	if err != nil {
		return err
	}
	if uri != nil {
		set[containerutil.RestartLogURILabel] = uri.String()
	}
	_, err = t.ctr.SetLabels(ctx, set)
	return err
}
