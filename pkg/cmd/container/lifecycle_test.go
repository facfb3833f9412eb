package container

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	v1 "github.com/containerd/cgroups/v3/cgroup1/stats"
	v2 "github.com/containerd/cgroups/v3/cgroup2/stats"

	"github.com/berth-project/berth/pkg/containerutil"
)

func TestParseDetachKeys(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []byte
		err  string
	}{
		{"", []byte{16, 17}, ""},
		{"ctrl-p,ctrl-q", []byte{16, 17}, ""},
		{"a,ctrl-@,ctrl-[,ctrl-_", []byte{'a', 0, 27, 31}, ""},
		{"CTRL-A", []byte{1}, ""},
		{"ctrl-1", nil, "invalid detach keys (ctrl-1) provided"},
		{"ab", nil, "invalid detach keys (ab) provided"},
	} {
		got, err := parseDetachKeys(tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("parseDetachKeys(%q) error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, tc.want) {
			t.Errorf("parseDetachKeys(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

// oneByteReader hands out its input a byte at a time, as a terminal does.
type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) { return o.r.Read(p[:1]) }

func TestDetachReader(t *testing.T) {
	keys := []byte{16, 17}
	for _, tc := range []struct {
		name, in, want string
		detached       bool
	}{
		{"plain", "echo hi\n", "echo hi\n", false},
		{"detach", "ls\n\x10\x11rest", "ls\n", true},
		{"half a sequence is passed on", "a\x10b\x10", "a\x10b\x10", false},
		{"repeated first key", "\x10\x10\x11", "\x10", true},
	} {
		for _, chunked := range []bool{false, true} {
			var r io.Reader = strings.NewReader(tc.in)
			if chunked {
				r = oneByteReader{r}
			}
			var out bytes.Buffer
			_, err := copyBuffer(&out, &detachReader{r: r, keys: keys})
			if got := out.String(); got != tc.want || errors.Is(err, errDetached) != tc.detached {
				t.Errorf("%s (byte by byte %v): got %q, %v; want %q, detached %v", tc.name, chunked, got, err, tc.want, tc.detached)
			}
		}
	}
}

func TestParsePS(t *testing.T) {
	out := "UID   PID  PPID  C STIME TTY  TIME     CMD\n" +
		"root  10   1     0 10:00 ?    00:00:00 sleep 1000 --with args\n" +
		"root  11   1     0 10:00 ?    00:00:00 other\n" +
		"root  12   10    0 10:00 ?    00:00:00 sh\n" +
		"root  -    -     0 10:00 ?    00:00:00 thread\n"
	titles, rows, err := parsePS(out, map[int]bool{10: true, 12: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(titles) != 8 || titles[1] != "PID" {
		t.Fatalf("titles %q", titles)
	}
	want := [][]string{
		{"root", "10", "1", "0", "10:00", "?", "00:00:00", "sleep 1000 --with args"},
		{"root", "12", "10", "0", "10:00", "?", "00:00:00", "sh"},
		{"root", "-", "-", "0", "10:00", "?", "00:00:00", "thread"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("rows %q, want %q", rows, want)
	}
	if _, _, err := parsePS("USER COMMAND\nroot x\n", nil); err == nil || err.Error() != "Couldn't find PID field in ps output" {
		t.Fatalf("no PID column: %v", err)
	}
}

func TestStatsSamples(t *testing.T) {
	s1 := sampleV1(&v1.Metrics{
		CPU:    &v1.CPUStat{Usage: &v1.CPUUsage{Total: 5e9}},
		Memory: &v1.MemoryStat{Usage: &v1.MemoryEntry{Usage: 10 << 20, Limit: 64 << 20}, TotalInactiveFile: 2 << 20},
		Blkio: &v1.BlkIOStat{IoServiceBytesRecursive: []*v1.BlkIOEntry{
			{Op: "Read", Value: 100}, {Op: "Write", Value: 7}, {Op: "Total", Value: 107}, {Op: "read", Value: 1}}},
		Pids: &v1.PidsStat{Current: 3},
	})
	if s1 != (sample{cpu: 5e9, mem: 8 << 20, limit: 64 << 20, blkRead: 101, blkWrite: 7, pids: 3}) {
		t.Errorf("cgroup v1 sample: %+v", s1)
	}
	s2 := sampleV2(&v2.Metrics{
		CPU:    &v2.CPUStat{UsageUsec: 2000},
		Memory: &v2.MemoryStat{Usage: 10 << 20, UsageLimit: 32 << 20, InactiveFile: 1 << 20},
		Io:     &v2.IOStat{Usage: []*v2.IOEntry{{Rbytes: 5, Wbytes: 6}, {Rbytes: 1, Wbytes: 1}}},
		Pids:   &v2.PidsStat{Current: 1},
	})
	if s2 != (sample{cpu: 2e6, mem: 9 << 20, limit: 32 << 20, blkRead: 6, blkWrite: 7, pids: 1}) {
		t.Errorf("cgroup v2 sample: %+v", s2)
	}
	prev := sample{cpu: 1e9, system: 100e9}
	cur := sample{cpu: 1.5e9, system: 102e9, online: 2}
	if p := cpuPercent(prev, cur); p != 50 {
		t.Errorf("cpuPercent = %v, want 50 (half a CPU of two over 1 s of host time)", p)
	}
	if p := cpuPercent(cur, cur); p != 0 {
		t.Errorf("no elapsed time gives 0, got %v", p)
	}
}

func TestMergeResources(t *testing.T) {
	swap := containerutil.Resources{Memory: 64 << 20, MemorySwap: 128 << 20}
	for _, tc := range []struct {
		name string
		cur  containerutil.Resources
		upd  UpdateOptions
		want containerutil.Resources
		err  string
	}{
		{"memory alone", containerutil.Resources{}, UpdateOptions{Memory: "64m"},
			containerutil.Resources{Memory: 64 << 20}, ""},
		{"memory above the swap limit", swap, UpdateOptions{Memory: "256m"}, swap,
			"Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time"},
		{"memory and swap together", swap, UpdateOptions{Memory: "256m", MemorySwap: "512m"},
			containerutil.Resources{Memory: 256 << 20, MemorySwap: 512 << 20}, ""},
		{"swap below memory", swap, UpdateOptions{MemorySwap: "32m"}, swap,
			"Minimum memoryswap limit should be larger than memory limit, see usage"},
		{"cpus replace quota and period", containerutil.Resources{CPUShares: 2}, UpdateOptions{CPUs: "1.5"},
			containerutil.Resources{CPUShares: 2, NanoCPUs: 15e8}, ""},
		{"quota after cpus", containerutil.Resources{NanoCPUs: 1e9}, UpdateOptions{CPUQuota: 5000},
			containerutil.Resources{NanoCPUs: 1e9},
			"Conflicting options: CPU Quota or CPU Period cannot be updated as NanoCPUs has already been set"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.upd
			o.Containers = []string{"x"}
			if err := o.Validate(); err != nil {
				t.Fatal(err)
			}
			got, err := mergeResources(tc.cur, &o)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
	pids := UpdateOptions{PidsLimit: -1, PidsLimitSet: true, Containers: []string{"x"}}
	if err := pids.Validate(); err != nil {
		t.Fatal(err)
	}
	if got, _ := mergeResources(containerutil.Resources{}, &pids); got.PidsLimit == nil || *got.PidsLimit != -1 {
		t.Fatalf("--pids-limit -1 is unlimited: %+v", got.PidsLimit)
	}
	lr := linuxResources(containerutil.Resources{NanoCPUs: 5e8, Memory: 64 << 20})
	if *lr.CPU.Quota != 50000 || *lr.CPU.Period != 100000 || *lr.Memory.Limit != 64<<20 || lr.Pids != nil {
		t.Fatalf("linuxResources: %+v %+v", lr.CPU, lr.Memory)
	}
}
