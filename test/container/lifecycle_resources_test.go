package container_test

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/berth-project/berth/pkg/testutil"
)

func TestTopShowsTheContainersProcesses(t *testing.T) {
	lcRunD(t, "lc-top", nil, "sh", "-c", "sleep 1001 & sleep 1002; true")
	lcWaitStatus(t, "lc-top", "running")
	var r testutil.Result
	lcPoll(t, "both sleeps", func() (bool, string) {
		r = engine.Berth(t, "top", "lc-top")
		return strings.Contains(r.Stdout, "sleep 1001") && strings.Contains(r.Stdout, "sleep 1002"), r.String()
	})
	lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	if !strings.HasPrefix(lines[0], "UID") || !strings.Contains(lines[0], "PID") || !strings.HasSuffix(lines[0], "CMD") || len(lines) != 4 {
		t.Fatalf("top prints ps -ef's header and the container's three processes:\n%s", r)
	}
	r = engine.MustBerth(t, "top", "lc-top", "-o", "pid,comm")
	lines = strings.Split(strings.TrimSpace(r.Stdout), "\n")
	if f := strings.Fields(lines[0]); len(f) != 2 || f[0] != "PID" || f[1] != "COMMAND" || len(lines) != 4 {
		t.Fatalf("top with ps options:\n%s", r)
	}
	engine.MustBerth(t, "stop", "-t", "0", "lc-top")
	id := lcInspect(t, "lc-top", "{{.Id}}")
	expectFail(t, engine.Berth(t, "top", "lc-top"), 125, "berth: container "+id+" is not running\n")
}

// statsRow is `stats --format json`, Docker's field names.
type statsRow struct {
	BlockIO, CPUPerc, Container, ID, MemPerc, MemUsage, Name, NetIO, PIDs string
}

func TestStatsNoStream(t *testing.T) {
	id := lcRunD(t, "lc-stats", []string{"--net", "none"}, "sh", "-c", "sleep 1000 & while true; do :; done")
	lcWaitStatus(t, "lc-stats", "running")
	r := engine.MustBerth(t, "stats", "--no-stream", "--format", "json", "lc-stats")
	var row statsRow
	if err := json.Unmarshal([]byte(r.Stdout), &row); err != nil {
		t.Fatalf("stats json: %v\n%s", err, r)
	}
	if row.ID != id[:12] || row.Name != "lc-stats" || row.Container != "lc-stats" || row.PIDs != "2" {
		t.Fatalf("stats identity and pids: %+v", row)
	}
	cpu, err := strconv.ParseFloat(strings.TrimSuffix(row.CPUPerc, "%"), 64)
	if err != nil || cpu < 5 {
		t.Fatalf("a busy loop must show CPU use: %q", row.CPUPerc)
	}
	if !strings.Contains(row.MemUsage, "iB / ") || row.NetIO != "0B / 0B" || !strings.Contains(row.BlockIO, " / ") {
		t.Fatalf("memory, network (--net none) and block I/O columns: %+v", row)
	}
	engine.MustBerth(t, "update", "--memory", "64m", "lc-stats")
	r = engine.MustBerth(t, "stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}", "lc-stats")
	if !strings.HasPrefix(r.Stdout, "lc-stats ") || !strings.HasSuffix(r.Stdout, " / 64MiB\n") {
		t.Fatalf("the memory limit after update:\n%s", r)
	}
	r = engine.MustBerth(t, "stats", "--no-stream", "lc-stats")
	header := strings.Fields(strings.Split(r.Stdout, "\n")[0])
	if strings.Join(header, " ") != "CONTAINER ID NAME CPU % MEM USAGE / LIMIT MEM % NET I/O BLOCK I/O PIDS" {
		t.Fatalf("Docker's columns:\n%s", r)
	}
	// -a lists stopped containers too, with zeros.
	engine.MustBerth(t, "stop", "-t", "0", "lc-stats")
	r = engine.MustBerth(t, "stats", "--no-stream", "-a", "--format", "{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}")
	if !strings.Contains(r.Stdout, "lc-stats 0.00% 0B / 0B 0\n") {
		t.Fatalf("stats -a:\n%s", r)
	}
	if r := engine.MustBerth(t, "stats", "--no-stream", "--format", "{{.Name}}"); strings.Contains(r.Stdout, "lc-stats") {
		t.Fatalf("without -a, stopped containers are not listed:\n%s", r)
	}
}

// lcCgroupFile reads a file of the container's cgroup in a v1 controller
// (or the v2 unified hierarchy when controller is "").
func lcCgroupFile(t *testing.T, name, controller, file string) string {
	t.Helper()
	pid := lcInspect(t, name, "{{.State.Pid}}")
	data, err := os.ReadFile("/proc/" + pid + "/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 {
			continue
		}
		for _, c := range strings.Split(f[1], ",") {
			if c == controller {
				v, err := os.ReadFile("/sys/fs/cgroup/" + controller + f[2] + "/" + file)
				if err != nil {
					t.Fatal(err)
				}
				return strings.TrimSpace(string(v))
			}
		}
	}
	t.Fatalf("no %s cgroup for %s in\n%s", controller, name, data)
	return ""
}

func TestUpdateResourcesAndBadInput(t *testing.T) {
	lcRunD(t, "lc-update", nil, "sleep", "1000")
	lcWaitStatus(t, "lc-update", "running")
	before := lcCgroupFile(t, "lc-update", "memory", "memory.limit_in_bytes")
	r := engine.Berth(t, "update", "--memory", "1q", "lc-update")
	expectFail(t, r, 125, "berth: invalid argument \"1q\" for \"-m, --memory\" flag: invalid suffix: 'q'\nSee 'berth update --help'.\n")
	if after := lcCgroupFile(t, "lc-update", "memory", "memory.limit_in_bytes"); after != before {
		t.Fatalf("a refused update changed the limit: %s -> %s", before, after)
	}
	expectFail(t, engine.Berth(t, "update", "lc-update"), 125, "berth: you must provide one or more flags when using this command\n")
	expectFail(t, engine.Berth(t, "update", "--memory", "1m", "lc-update"), 125, "berth: Minimum memory limit allowed is 6MB\n")

	r = engine.MustBerth(t, "update", "--memory", "64m", "--memory-swap", "128m", "--cpus", "0.5", "--cpu-shares", "512", "--pids-limit", "50", "lc-update")
	if r.Stdout != "lc-update\n" {
		t.Fatalf("update prints the name:\n%s", r)
	}
	for _, c := range []struct{ controller, file, want string }{
		{"memory", "memory.limit_in_bytes", "67108864"},
		{"memory", "memory.memsw.limit_in_bytes", "134217728"},
		{"cpu", "cpu.cfs_quota_us", "50000"},
		{"cpu", "cpu.cfs_period_us", "100000"},
		{"cpu", "cpu.shares", "512"},
		{"pids", "pids.max", "50"},
	} {
		if got := lcCgroupFile(t, "lc-update", c.controller, c.file); got != c.want {
			t.Errorf("%s: %s, want %s", c.file, got, c.want)
		}
	}
	var hc struct{ Memory, NanoCpus, MemorySwap, CpuShares, PidsLimit int64 }
	if err := json.Unmarshal([]byte(lcInspect(t, "lc-update", "{{json .HostConfig}}")), &hc); err != nil ||
		hc.Memory != 64<<20 || hc.MemorySwap != 128<<20 || hc.NanoCpus != 5e8 || hc.CpuShares != 512 || hc.PidsLimit != 50 {
		got, _ := json.Marshal(hc)
		t.Errorf("inspect after update: %s", got)
	}
	// The new limits apply to later starts too.
	engine.MustBerth(t, "restart", "-t", "0", "lc-update")
	lcWaitStatus(t, "lc-update", "running")
	if got := lcCgroupFile(t, "lc-update", "memory", "memory.limit_in_bytes"); got != "67108864" {
		t.Errorf("memory limit after restart: %s", got)
	}
	r = engine.Berth(t, "update", "--memory", "256m", "lc-update")
	expectFail(t, r, 125, "berth: Cannot update container "+lcInspect(t, "lc-update", "{{.Id}}")+
		": Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time\n")
}
