package container_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/berth-project/berth/pkg/hostinfo"
	"github.com/berth-project/berth/pkg/testutil"
)

// flagsRun runs `run --rm FLAGS IMAGE sh -c SCRIPT`, requires exit 0 and
// returns stdout: each test reads what a flag did from inside the container.
func flagsRun(t *testing.T, flags []string, script string) string {
	t.Helper()
	args := append(append([]string{"run", "--rm"}, flags...), loadBusybox(t), "sh", "-c", script)
	r := engine.Berth(t, args...)
	if r.ExitCode != 0 {
		t.Fatalf("command failed:\n%s", r)
	}
	return r.Stdout
}

// flagsExpect checks a container's output line by line.
func flagsExpect(t *testing.T, flags []string, script string, want ...string) {
	t.Helper()
	got := flagsRun(t, flags, script)
	if got != strings.Join(want, "\n")+"\n" {
		t.Errorf("%v: %s\ngot:\n%s\nwant:\n%s", flags, script, got, strings.Join(want, "\n"))
	}
}

// cgroupFile is a cgroup v1 controller file as the container sees it under
// /sys/fs/cgroup (the tests run on v1 hosts).
func cgroupFile(controller, file string) string {
	return fmt.Sprintf("cat /sys/fs/cgroup/%s/%s; ", controller, file)
}

func TestFlagsMemoryLimits(t *testing.T) {
	script := cgroupFile("memory", "memory.limit_in_bytes") + cgroupFile("memory", "memory.memsw.limit_in_bytes") +
		cgroupFile("memory", "memory.soft_limit_in_bytes") + "grep oom_kill_disable /sys/fs/cgroup/memory/memory.oom_control"
	flagsExpect(t, []string{"-m", "64m", "--memory-swap", "96m", "--memory-reservation", "32m", "--oom-kill-disable"}, script,
		"67108864", "100663296", "33554432", "oom_kill_disable 1")
	// Without --memory-swap a container gets as much swap as memory.
	flagsExpect(t, []string{"--memory", "64m"}, script, "67108864", "134217728", "9223372036854771712", "oom_kill_disable 0")
	flagsExpect(t, []string{"--memory", "64m", "--memory-swap", "-1"}, cgroupFile("memory", "memory.memsw.limit_in_bytes"),
		"9223372036854771712")
}

func TestFlagsCPUAndPids(t *testing.T) {
	cfs := cgroupFile("cpu", "cpu.cfs_period_us") + cgroupFile("cpu", "cpu.cfs_quota_us")
	flagsExpect(t, []string{"--cpus", "0.5", "--cpu-shares", "512", "--cpuset-cpus", "0", "--pids-limit", "50"},
		cfs+cgroupFile("cpu", "cpu.shares")+cgroupFile("cpuset", "cpuset.cpus")+cgroupFile("pids", "pids.max"),
		"100000", "50000", "512", "0", "50")
	flagsExpect(t, []string{"-c", "2048", "--cpu-period", "50000", "--cpu-quota", "25000", "--cpuset-mems", "0"},
		cfs+cgroupFile("cpu", "cpu.shares")+cgroupFile("cpuset", "cpuset.mems"), "50000", "25000", "2048", "0")
	flagsExpect(t, nil, cgroupFile("cpu", "cpu.cfs_quota_us")+cgroupFile("pids", "pids.max"), "-1", "max")
}

func TestFlagsUlimitAndOOMScore(t *testing.T) {
	flagsExpect(t, []string{"--ulimit", "nofile=512:1024", "--ulimit", "nproc=300", "--oom-score-adj", "500"},
		"ulimit -Sn; ulimit -Hn; ulimit -u; cat /proc/self/oom_score_adj", "512", "1024", "300", "500")
}

func TestFlagsShmTmpfsReadOnly(t *testing.T) {
	mounts := "grep -E ' /dev/shm | /scratch ' /proc/mounts | cut -d' ' -f2,4 | sort"
	flagsExpect(t, []string{"--shm-size", "128m", "--tmpfs", "/scratch:size=10m,exec,mode=700"}, mounts,
		"/dev/shm rw,nosuid,nodev,noexec,relatime,size=131072k", "/scratch rw,nosuid,nodev,relatime,size=10240k,mode=700")
	flagsExpect(t, nil, "grep ' /dev/shm ' /proc/mounts | cut -d' ' -f4", "rw,nosuid,nodev,noexec,relatime,size=65536k")
	flagsExpect(t, []string{"--read-only", "--tmpfs", "/scratch"},
		"touch /x 2>&1; touch /scratch/x && echo tmpfs writable; grep ' / ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1",
		"touch: /x: Read-only file system", "tmpfs writable", "ro")
}

// capEff is the CapEff line of the container's init.
const capEff = "grep CapEff /proc/self/status | cut -f2"

func TestFlagsCapabilities(t *testing.T) {
	flagsExpect(t, nil, capEff, "00000000a80425fb")
	flagsExpect(t, []string{"--cap-drop", "ALL"}, capEff, "0000000000000000")
	flagsExpect(t, []string{"--cap-add", "net_admin", "--cap-drop", "CAP_CHOWN"}, capEff, "00000000a80435fa")
	flagsExpect(t, []string{"--cap-drop", "all", "--cap-add", "kill"}, capEff, "0000000000000020")
	host := hostCapEff(t)
	flagsExpect(t, []string{"--cap-add", "ALL"}, capEff, host)
	flagsExpect(t, []string{"--privileged"}, capEff+"; ls /dev/loop-control; grep -c ' /sys sysfs rw' /proc/mounts",
		host, "/dev/loop-control", "1")
}

// hostCapEff is the effective capabilities of this test, which runs as
// the same root as the engine.
func hostCapEff(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "CapEff:"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatal("no CapEff in /proc/self/status")
	return ""
}

func TestFlagsSecurityOpt(t *testing.T) {
	status := "grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status | tr -d '\\t'"
	flagsExpect(t, nil, status, "NoNewPrivs:0", "Seccomp:2")
	flagsExpect(t, []string{"--security-opt", "no-new-privileges", "--security-opt", "seccomp=unconfined"}, status,
		"NoNewPrivs:1", "Seccomp:0")
	flagsExpect(t, []string{"--privileged"}, status, "NoNewPrivs:0", "Seccomp:0")
	// A profile in docker's format that refuses mkdir.
	profile := filepath.Join(t.TempDir(), "no-mkdir.json")
	if err := os.WriteFile(profile, []byte(`{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	flagsExpect(t, []string{"--security-opt", "seccomp=" + profile}, "mkdir /tmp/d 2>&1; touch /tmp/f && echo touched",
		"mkdir: can't create directory '/tmp/d': Operation not permitted", "touched")
	// Unconfined is what every container is on a host without AppArmor.
	flagsExpect(t, []string{"--security-opt", "apparmor=unconfined"}, "echo ok", "ok")
	flagsExpect(t, []string{"--security-opt", "systempaths=unconfined"}, "grep -c ' /proc/sys ' /proc/mounts || true", "0")
	flagsExpect(t, nil, "grep -c ' /proc/sys ' /proc/mounts", "1")
}

// Docker's default profile lists x86_64 with its 32-bit and x32
// sub-architectures. Leaving x32 out where the kernel has no x32 ABI would
// make runc's starts cheaper, but a call through that ABI would then meet
// the filter's bad-architecture action, which kills the calling thread: a
// Go program hung with a dead main thread that runc no longer counts as
// running, so `rm -f` hung too. With x32 listed the call fails as the
// kernel fails it (ENOSYS without the ABI), and the profile still refuses
// what Docker's refuses.
func TestDefaultSeccompArchitectures(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("the x32 ABI exists on amd64 only")
	}
	probe := filepath.Join(t.TempDir(), "x32probe")
	build := exec.Command("go", "build", "-o", probe, "./testdata/x32probe")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the probe: %v\n%s", err, out)
	}
	id := strings.TrimSpace(engine.MustBerth(t, "run", "-d", "-v", probe+":/x32probe:ro", loadBusybox(t), "sleep", "60").Stdout)
	t.Cleanup(func() { engine.Berth(t, "rm", "-f", id) })
	data, err := os.ReadFile(filepath.Join(engine.RunDir, "containerd", "io.containerd.runtime.v2.task", "default", id, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Linux struct {
			Seccomp struct{ Architectures []string }
		}
	}
	if err := json.Unmarshal(data, &spec); err != nil {
		t.Fatal(err)
	}
	if got, want := spec.Linux.Seccomp.Architectures, []string{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}; !slices.Equal(got, want) {
		t.Fatalf("architectures %v, want %v", got, want) // an x32 call would hang below
	}
	// The host's own answer, without seccomp, is what the container gets.
	host, err := exec.Command(probe).Output()
	if err != nil {
		t.Fatal(err)
	}
	r := engine.Berth(t, "exec", id, "/x32probe")
	if r.ExitCode != 0 || r.Stdout != string(host) {
		t.Errorf("x32 call in the container: exit %d, %q; on the host %q", r.ExitCode, r.Stdout, host)
	}
	flagsExpect(t, nil, "unshare -U true 2>&1 || echo refused", "unshare: unshare(0x10000000): Operation not permitted", "refused")
}

func TestFlagsDevice(t *testing.T) {
	if _, err := os.Stat("/dev/loop-control"); err != nil {
		t.Skip("the host has no /dev/loop-control")
	}
	flagsExpect(t, nil, "ls /dev/loop-control 2>&1 || true", "ls: /dev/loop-control: No such file or directory")
	flagsExpect(t, []string{"--device", "/dev/loop-control"}, "true < /dev/loop-control && echo opened", "opened")
	flagsExpect(t, []string{"--device", "/dev/loop-control:/dev/lc:r"},
		"true < /dev/lc && echo read; (true > /dev/lc) 2>&1 || echo no write", "read",
		"sh: can't create /dev/lc: Operation not permitted", "no write")
}

func TestFlagsSysctl(t *testing.T) {
	flagsExpect(t, []string{"--sysctl", "net.ipv4.ip_forward=1", "--sysctl", "kernel.shmmax=65536"},
		"cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax", "1", "65536")
}

func TestFlagsNamespaces(t *testing.T) {
	ns := func(kind string) string {
		l, err := os.Readlink("/proc/self/ns/" + kind)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	links := "readlink /proc/self/ns/pid; readlink /proc/self/ns/ipc"
	if got := flagsRun(t, nil, links); strings.Contains(got, ns("pid")) || strings.Contains(got, ns("ipc")) {
		t.Errorf("a default container shares the host's namespaces:\n%s", got)
	}
	flagsExpect(t, []string{"--pid", "host", "--ipc", "host"}, links, ns("pid"), ns("ipc"))
	host, _ := os.Hostname()
	flagsExpect(t, []string{"--uts", "host"}, "hostname", host)
	flagsExpect(t, []string{"--ipc", "none"}, "grep -c /dev/shm /proc/mounts || true", "0")
	memcg := "grep ':memory:' /proc/self/cgroup | cut -d: -f3"
	flagsExpect(t, []string{"--cgroupns", "private"}, memcg, "/")
	got := flagsRun(t, []string{"--cgroup-parent", "berth-flags-test"}, memcg)
	if !strings.HasPrefix(got, "/berth-flags-test/") {
		t.Errorf("--cgroup-parent: the container's cgroup is %q", got)
	}
	t.Cleanup(func() { removeCgroupParent("berth-flags-test") })
	if got := flagsRun(t, nil, memcg); !strings.HasPrefix(got, "/default/") {
		t.Errorf("a default container's cgroup is %q, want /default/<id>", got)
	}
}

// removeCgroupParent removes the parent cgroups runc made for a test.
func removeCgroupParent(name string) {
	dirs, _ := filepath.Glob("/sys/fs/cgroup/*/" + name)
	for _, d := range dirs {
		_ = unix.Rmdir(d)
	}
}

func TestFlagsInit(t *testing.T) {
	flagsExpect(t, []string{"--init"}, "head -c 16 /proc/1/cmdline | tr '\\0' ' '; echo; cut -d' ' -f4 /proc/$$/stat", "/.berth-init -- ", "1")
	// An orphan is re-parented to PID 1, which must reap it.
	flagsExpect(t, []string{"--init"}, "(sleep 0.1 &); sleep 1; ps -o stat | grep -c Z || true", "0")
	img := loadBusybox(t)
	r := engine.Berth(t, "run", "--rm", "--init", img, "sh", "-c", "exit 7")
	if r.ExitCode != 7 {
		t.Errorf("--init must pass the command's status on:\n%s", r)
	}
	// PID 1 forwards TERM to the command, which dies of it; a shell that
	// is itself PID 1 would ignore it.
	r = engine.Berth(t, "run", "--rm", "--init", img, "sh", "-c", "kill -TERM 1; sleep 2; echo survived")
	if r.ExitCode != 143 || r.Stdout != "" {
		t.Errorf("--init must forward SIGTERM:\n%s", r)
	}
	r = engine.Berth(t, "run", "--rm", "--init", img, "no-such-command")
	if r.ExitCode != 127 || !strings.Contains(r.Stderr, "no-such-command") {
		t.Errorf("--init with a missing command:\n%s", r)
	}
}

func TestFlagsRuntime(t *testing.T) {
	flagsExpect(t, []string{"--runtime", "runc"}, "echo ok", "ok")
	flagsExpect(t, []string{"--runtime", "io.containerd.runc.v2"}, "echo ok", "ok")
	// A "crun" that is runc and leaves a trace proves the chosen binary
	// is the one the engine runs.
	dir := t.TempDir()
	trace := filepath.Join(dir, "trace")
	runc := filepath.Join(testutil.RepoRoot(), "libexec", "berth", "runc")
	script := fmt.Sprintf("#!/bin/sh\necho \"$@\" >> %s\nexec %s \"$@\"\n", trace, runc)
	if err := os.WriteFile(filepath.Join(dir, "crun"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := engine.Cmd("run", "--rm", "--runtime", "crun", loadBusybox(t), "echo", "via crun")
	cmd.Env = append(cmd.Env, "PATH="+dir+":"+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil || string(out) != "via crun\n" {
		t.Fatalf("run --runtime crun: %v\n%s", err, out)
	}
	if data, err := os.ReadFile(trace); err != nil || !strings.Contains(string(data), " create ") {
		t.Errorf("the crun on PATH did not create the container: %v %q", err, data)
	}
}

func TestFlagsNetworkNone(t *testing.T) {
	flagsExpect(t, []string{"--network", "none"}, "ls /sys/class/net", "lo")
	flagsExpect(t, []string{"--net=none"}, "echo ok", "ok")
}

// hostLacksCapSysResource tells whether the refusals that depend on
// CAP_SYS_RESOURCE apply on this host.
func hostLacksCapSysResource() bool { return !hostinfo.HasCapSysResource() }
