package container

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	v1 "github.com/containerd/cgroups/v3/cgroup1/stats"
	v2 "github.com/containerd/cgroups/v3/cgroup2/stats"
	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/typeurl/v2"
)

// sample is one reading of a container's resource use, in the units
// Docker's stats compute with: nanoseconds of CPU, bytes, counts.
type sample struct {
	cpu      uint64 // the container's CPU time
	system   uint64 // the host's CPU time at the same moment
	online   int    // CPUs online
	mem      uint64 // memory use without the inactive page cache
	limit    uint64 // memory limit, at most the host's memory
	rx, tx   uint64 // network bytes, all interfaces but lo
	blkRead  uint64
	blkWrite uint64
	pids     uint64
}

// takeSample reads the task's cgroup metrics (v1 or v2), the host's CPU
// time and the network counters of the task's network namespace.
func takeSample(ctx context.Context, task client.Task) (sample, error) {
	m, err := task.Metrics(ctx)
	if err != nil {
		return sample{}, err
	}
	data, err := typeurl.UnmarshalAny(m.Data)
	if err != nil {
		return sample{}, err
	}
	var s sample
	switch d := data.(type) {
	case *v1.Metrics:
		s = sampleV1(d)
	case *v2.Metrics:
		s = sampleV2(d)
	default:
		return sample{}, fmt.Errorf("unexpected metrics type %T", data)
	}
	s.system, s.online, err = hostCPU()
	if err != nil {
		return sample{}, err
	}
	if total := hostMemory(); total > 0 && (s.limit == 0 || s.limit > total) {
		s.limit = total
	}
	s.rx, s.tx = netBytes(task.Pid())
	return s, nil
}

func sampleV1(d *v1.Metrics) sample {
	var s sample
	if d.CPU != nil && d.CPU.Usage != nil {
		s.cpu = d.CPU.Usage.Total
	}
	if m := d.Memory; m != nil && m.Usage != nil {
		s.mem, s.limit = m.Usage.Usage, m.Usage.Limit
		if m.TotalInactiveFile < s.mem {
			s.mem -= m.TotalInactiveFile
		}
	}
	if d.Blkio != nil {
		for _, e := range d.Blkio.IoServiceBytesRecursive {
			switch strings.ToLower(e.Op) {
			case "read":
				s.blkRead += e.Value
			case "write":
				s.blkWrite += e.Value
			}
		}
	}
	if d.Pids != nil {
		s.pids = d.Pids.Current
	}
	return s
}

func sampleV2(d *v2.Metrics) sample {
	var s sample
	if d.CPU != nil {
		s.cpu = d.CPU.UsageUsec * 1000
	}
	if m := d.Memory; m != nil {
		s.mem, s.limit = m.Usage, m.UsageLimit
		if m.InactiveFile < s.mem {
			s.mem -= m.InactiveFile
		}
	}
	if d.Io != nil {
		for _, e := range d.Io.Usage {
			s.blkRead += e.Rbytes
			s.blkWrite += e.Wbytes
		}
	}
	if d.Pids != nil {
		s.pids = d.Pids.Current
	}
	return s
}

// userHZ is the unit of /proc/stat, 100 on every Linux architecture Go supports.
const userHZ = 100

// cpuPercent is Docker's: the container's share of the host's CPU time
// between two samples, times the CPUs online.
func cpuPercent(prev, cur sample) float64 {
	cpuDelta := float64(cur.cpu) - float64(prev.cpu)
	sysDelta := float64(cur.system) - float64(prev.system)
	if cpuDelta <= 0 || sysDelta <= 0 {
		return 0
	}
	return cpuDelta / sysDelta * float64(cur.online) * 100
}

// hostCPU returns the host's CPU time in nanoseconds (the first line of
// /proc/stat, in USER_HZ ticks) and the number of CPUs it lists.
func hostCPU() (uint64, int, error) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	var total uint64
	online := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || !strings.HasPrefix(fields[0], "cpu") {
			continue
		}
		if fields[0] != "cpu" {
			online++
			continue
		}
		// user nice system idle iowait irq softirq steal; guest time is
		// already counted in user.
		for _, v := range fields[1:min(len(fields), 9)] {
			n, _ := strconv.ParseUint(v, 10, 64)
			total += n
		}
	}
	if total == 0 {
		return 0, 0, errors.New("no cpu line in /proc/stat")
	}
	return total * (1e9 / userHZ), online, sc.Err()
}

// hostMemory is MemTotal in bytes, or 0.
func hostMemory() uint64 {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseUint(f[0], 10, 64)
				return kb * 1024
			}
		}
	}
	return 0
}

// netBytes sums the received and sent bytes of every interface but lo in
// the network namespace of pid.
func netBytes(pid uint32) (rx, tx uint64) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/dev", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		name, rest, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(name) == "lo" {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 9 {
			continue
		}
		r, _ := strconv.ParseUint(f[0], 10, 64)
		t, _ := strconv.ParseUint(f[8], 10, 64)
		rx += r
		tx += t
	}
	return rx, tx
}
