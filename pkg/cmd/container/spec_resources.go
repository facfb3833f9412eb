package container

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/containerd/v2/pkg/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/hostinfo"
	"github.com/berth-project/berth/pkg/opts"
)

// defaultShmSize is docker's /dev/shm size.
const defaultShmSize = 64 * 1024 * 1024

// specResources applies the cgroup limits, rlimits, OOM settings, /dev/shm
// size, --tmpfs mounts and --device nodes, after checking that this host
// can honour them.
func specResources(o *CreateOptions, _ *ocispec.Image, _ string, meta *containerutil.Meta) ([]oci.SpecOpts, error) {
	r, err := o.resources()
	if err != nil {
		return nil, err
	}
	if err := checkHostResources(r, o.OomScoreAdj); err != nil {
		return nil, err
	}
	if r.Memory > 0 && r.MemorySwap == 0 {
		// docker's default: as much swap as memory.
		r.MemorySwap = 2 * r.Memory
	}
	if r.ShmSize == 0 {
		r.ShmSize = defaultShmSize
	}
	hc := &meta.HostConfig
	hc.Resources, hc.ShmSize, hc.OomScoreAdj = r.Resources, r.ShmSize, o.OomScoreAdj
	for _, t := range r.Tmpfs {
		if hc.Tmpfs == nil {
			hc.Tmpfs = map[string]string{}
		}
		hc.Tmpfs[t.Destination] = strings.Join(t.Options, ",")
	}
	specOpts := []oci.SpecOpts{withCgroupMount, withMemory(r), withCPU(r), withShmSize(r.ShmSize)}
	if r.PidsLimit != nil {
		specOpts = append(specOpts, oci.WithPidsLimit(*r.PidsLimit))
	}
	for _, u := range r.Limits {
		specOpts = append(specOpts, oci.WithRlimit(&specs.POSIXRlimit{Type: u.Resource, Hard: rlimitValue(u.Hard), Soft: rlimitValue(u.Soft)}))
	}
	if o.OomScoreAdj != 0 {
		specOpts = append(specOpts, withOOMScoreAdj(o.OomScoreAdj))
	}
	for _, t := range r.Tmpfs {
		specOpts = append(specOpts, withTmpfs(t))
	}
	for _, d := range r.Devs {
		if err := checkDevice(d.PathOnHost); err != nil {
			return nil, err
		}
		specOpts = append(specOpts, oci.WithDevices(d.PathOnHost, d.PathInContainer, d.CgroupPermissions))
	}
	return specOpts, nil
}

func setResources(s *oci.Spec) {
	if s.Linux.Resources == nil {
		s.Linux.Resources = &specs.LinuxResources{}
	}
}

// rlimitValue maps docker's -1 (unlimited) to RLIM_INFINITY.
func rlimitValue(v int64) uint64 {
	if v < 0 {
		return math.MaxUint64
	}
	return uint64(v)
}

// withCgroupMount gives the container its cgroups at /sys/fs/cgroup,
// read-only, as docker does, so that it can read its own limits.
func withCgroupMount(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
	for _, m := range s.Mounts {
		if m.Destination == "/sys/fs/cgroup" {
			return nil
		}
	}
	s.Mounts = append(s.Mounts, specs.Mount{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup",
		Options: []string{"ro", "nosuid", "noexec", "nodev"}})
	return nil
}

func withMemory(r *resourceFlags) oci.SpecOpts {
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		if r.Memory == 0 && r.MemoryReservation == 0 && !*r.OomKillDisable {
			return nil
		}
		mem := &specs.LinuxMemory{DisableOOMKiller: r.OomKillDisable}
		if r.Memory > 0 {
			mem.Limit = &r.Memory
			if r.MemorySwap != 0 && swapLimitSupported() {
				mem.Swap = &r.MemorySwap
			}
		}
		if r.MemoryReservation > 0 {
			mem.Reservation = &r.MemoryReservation
		}
		setResources(s)
		s.Linux.Resources.Memory = mem
		return nil
	}
}

// swapLimitSupported is false on a cgroup v1 host booted without swap
// accounting, where docker drops the swap limit as well.
func swapLimitSupported() bool {
	if hostinfo.CgroupVersion() == "2" {
		return true
	}
	_, err := os.Stat("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes")
	return err == nil
}

func withCPU(r *resourceFlags) oci.SpecOpts {
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		cpu := &specs.LinuxCPU{Cpus: r.CpusetCpus, Mems: r.CpusetMems}
		if r.CPUShares > 0 {
			shares := uint64(r.CPUShares)
			cpu.Shares = &shares
		}
		period, quota := uint64(r.CPUPeriod), r.CPUQuota
		if r.NanoCPUs > 0 {
			// docker's --cpus: a 100ms period and the matching quota.
			period = 100000
			quota = r.NanoCPUs * int64(period) / 1e9
		}
		if period > 0 {
			cpu.Period = &period
		}
		if quota != 0 {
			cpu.Quota = &quota
		}
		if *cpu != (specs.LinuxCPU{}) {
			setResources(s)
			s.Linux.Resources.CPU = cpu
		}
		return nil
	}
}

// withShmSize sets the size of the /dev/shm tmpfs, if there is one.
func withShmSize(size int64) oci.SpecOpts {
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		for i, m := range s.Mounts {
			if m.Destination != "/dev/shm" || m.Type != "tmpfs" {
				continue
			}
			var options []string
			for _, opt := range m.Options {
				if !strings.HasPrefix(opt, "size=") {
					options = append(options, opt)
				}
			}
			s.Mounts[i].Options = append(options, fmt.Sprintf("size=%d", size))
		}
		return nil
	}
}

func withOOMScoreAdj(score int) oci.SpecOpts {
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		s.Process.OOMScoreAdj = &score
		return nil
	}
}

// withTmpfs mounts a --tmpfs, replacing any mount at the same place; as in
// docker it is noexec, nosuid and nodev unless its options say otherwise.
func withTmpfs(t opts.Tmpfs) oci.SpecOpts {
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		mounts := s.Mounts[:0]
		for _, m := range s.Mounts {
			if filepath.Clean(m.Destination) != t.Destination {
				mounts = append(mounts, m)
			}
		}
		s.Mounts = append(mounts, specs.Mount{Destination: t.Destination, Type: "tmpfs", Source: "tmpfs",
			Options: append([]string{"noexec", "nosuid", "nodev"}, t.Options...)})
		return nil
	}
}

// checkDevice gives docker's message for a --device that is not there.
func checkDevice(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("error gathering device information while adding custom device %q: %v", path, err)
	}
	if !fi.IsDir() && fi.Mode()&os.ModeDevice == 0 {
		return fmt.Errorf("error gathering device information while adding custom device %q: not a device node", path)
	}
	return nil
}

// checkHostResources refuses what this host cannot give rather than let
// runc fail half-way: CPUs or memory nodes outside the engine's cpuset, and
// without CAP_SYS_RESOURCE an OOM score below the engine's or an rlimit
// above the engine's hard limit (the kernel lets only that capability lower
// the one or raise the other).
func checkHostResources(r *resourceFlags, oomScoreAdj int) error {
	if err := checkCPUSet("cpus", r.CpusetCpus, "Requested CPUs are not available - requested %s, available: %s"); err != nil {
		return err
	}
	if err := checkCPUSet("mems", r.CpusetMems, "Requested memory nodes are not available - requested %s, available: %s"); err != nil {
		return err
	}
	if hostinfo.HasCapSysResource() {
		return nil
	}
	if oomScoreAdj != 0 {
		if cur, err := readInt("/proc/self/oom_score_adj"); err == nil && int64(oomScoreAdj) < cur {
			return fmt.Errorf("--oom-score-adj %d cannot be honoured on this host: lowering the OOM score below the engine's (%d) needs CAP_SYS_RESOURCE, which berth does not have here", oomScoreAdj, cur)
		}
	}
	for _, u := range r.Limits {
		res, ok := rlimitResources[u.Name]
		if !ok {
			continue
		}
		var cur unix.Rlimit
		if err := unix.Getrlimit(res, &cur); err != nil {
			continue
		}
		if rlimitValue(u.Hard) > cur.Max {
			return fmt.Errorf("--ulimit %s=%d:%d cannot be honoured on this host: the hard limit is above the engine's (%s), and raising it needs CAP_SYS_RESOURCE, which berth does not have here", u.Name, u.Soft, u.Hard, rlimitString(cur.Max))
		}
	}
	return nil
}

func rlimitString(v uint64) string {
	if v == unix.RLIM_INFINITY {
		return "unlimited"
	}
	return strconv.FormatUint(v, 10)
}

// rlimitResources are the kernel's numbers of docker's ulimit names.
var rlimitResources = map[string]int{
	"core": unix.RLIMIT_CORE, "cpu": unix.RLIMIT_CPU, "data": unix.RLIMIT_DATA, "fsize": unix.RLIMIT_FSIZE,
	"locks": unix.RLIMIT_LOCKS, "memlock": unix.RLIMIT_MEMLOCK, "msgqueue": unix.RLIMIT_MSGQUEUE,
	"nice": unix.RLIMIT_NICE, "nofile": unix.RLIMIT_NOFILE, "nproc": unix.RLIMIT_NPROC, "rss": unix.RLIMIT_RSS,
	"rtprio": unix.RLIMIT_RTPRIO, "rttime": unix.RLIMIT_RTTIME, "sigpending": unix.RLIMIT_SIGPENDING,
	"stack": unix.RLIMIT_STACK,
}

// checkCPUSet checks a --cpuset-cpus or --cpuset-mems list against the
// root cpuset of the host.
func checkCPUSet(kind, requested, format string) error {
	if requested == "" {
		return nil
	}
	want, err := opts.ParseCPUSet(requested)
	if err != nil {
		return fmt.Errorf("Invalid value %s for cpuset %s: %w", requested, kind, err)
	}
	path := "/sys/fs/cgroup/cpuset/cpuset." + kind
	if hostinfo.CgroupVersion() == "2" {
		path = "/sys/fs/cgroup/cpuset." + kind + ".effective"
	}
	data, err := os.ReadFile(path)
	if err != nil {
		// Without a cpuset controller, runc reports the problem itself.
		return nil
	}
	avail := strings.TrimSpace(string(data))
	have, err := opts.ParseCPUSet(avail)
	if err != nil {
		return nil
	}
	for n := range want {
		if !have[n] {
			return fmt.Errorf(format, requested, avail)
		}
	}
	return nil
}

func readInt(path string) (int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
}
