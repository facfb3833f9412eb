package container_test

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// flagsBadCase is one bad command line: the flags, and berth's whole
// stderr. Each must exit 125 and leave no container and no held name.
type flagsBadCase struct {
	args []string
	want string
}

func flagErr(msg string) string  { return "berth: " + msg + "\nSee 'berth run --help'.\n" }
func plainErr(msg string) string { return "berth: " + msg + "\n" }

// badCases are refusals that hold on every host.
func badCases() []flagsBadCase {
	cpus := runtime.NumCPU()
	return []flagsBadCase{
		{[]string{"--memory", "1q"}, flagErr(`invalid argument "1q" for "-m, --memory" flag: invalid suffix: 'q'`)},
		{[]string{"-m", "x"}, flagErr(`invalid argument "x" for "-m, --memory" flag: invalid size: 'x'`)},
		{[]string{"--memory-swap", "-2"}, flagErr(`invalid argument "-2" for "--memory-swap" flag: invalid size: '-2'`)},
		{[]string{"--shm-size", "-1"}, flagErr(`invalid argument "-1" for "--shm-size" flag: invalid size: '-1'`)},
		{[]string{"--cpus", "-1"}, plainErr(fmt.Sprintf("range of CPUs is from 0.01 to %[1]d.00, as there are only %[1]d CPUs available", cpus))},
		{[]string{"--cpus", "1/3"}, flagErr(`invalid argument "1/3" for "--cpus" flag: value is too precise`)},
		{[]string{"--cpus", "abc"}, flagErr(`invalid argument "abc" for "--cpus" flag: failed to parse abc as a rational number`)},
		{[]string{"--cpu-shares", "x"}, flagErr(`invalid argument "x" for "-c, --cpu-shares" flag: strconv.ParseInt: parsing "x": invalid syntax`)},
		{[]string{"--cpus", "1", "--cpu-period", "50000"}, plainErr("Conflicting options: Nano CPUs and CPU Period cannot both be set")},
		{[]string{"--cpu-period", "10"}, plainErr("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)")},
		{[]string{"--cpu-quota", "10"}, plainErr("CPU cfs quota can not be less than 1ms (i.e. 1000)")},
		{[]string{"--cpuset-cpus", "0-x"}, plainErr("Invalid value 0-x for cpuset cpus: invalid format: 0-x")},
		{[]string{"--memory", "4m"}, plainErr("Minimum memory limit allowed is 6MB")},
		{[]string{"--memory", "64m", "--memory-swap", "32m"}, plainErr("Minimum memoryswap limit should be larger than memory limit, see usage")},
		{[]string{"--memory-swap", "64m"}, plainErr("You should always set the Memory limit when using Memoryswap limit, see usage")},
		{[]string{"--memory", "16m", "--memory-reservation", "32m"}, plainErr("Minimum memory limit can not be less than memory reservation limit, see usage")},
		{[]string{"--oom-score-adj", "1001"}, plainErr("Invalid value 1001, range for oom score adj is [-1000, 1000]")},
		{[]string{"--ulimit", "nofile=10:5"}, flagErr(`invalid argument "nofile=10:5" for "--ulimit" flag: ulimit soft limit must be less than or equal to hard limit: 10 > 5`)},
		{[]string{"--ulimit", "foo=1"}, flagErr(`invalid argument "foo=1" for "--ulimit" flag: invalid ulimit type: foo`)},
		{[]string{"--cap-add", "foo"}, plainErr(`unknown capability: "CAP_FOO"`)},
		{[]string{"--security-opt", "foo"}, plainErr(`Invalid --security-opt: "foo"`)},
		{[]string{"--security-opt", "foo=bar"}, plainErr(`invalid --security-opt 2: "foo=bar"`)},
		{[]string{"--security-opt", "label=disable"}, plainErr("--security-opt label=disable is not supported: berth does not manage SELinux labels")},
		{[]string{"--security-opt", "seccomp=/nonexistent.json"}, plainErr("opening seccomp profile (/nonexistent.json) failed: open /nonexistent.json: no such file or directory")},
		{[]string{"--security-opt", "seccomp=/etc/hostname"}, "berth: compacting json for seccomp profile (/etc/hostname) failed: "},
		{[]string{"--device", "/dev/nope"}, plainErr(`error gathering device information while adding custom device "/dev/nope": no such file or directory`)},
		{[]string{"--device", "/etc/hostname"}, plainErr(`error gathering device information while adding custom device "/etc/hostname": not a device node`)},
		{[]string{"--device", "/dev/null:/a:rwz"}, plainErr("bad mode specified: rwz")},
		{[]string{"--tmpfs", "run"}, plainErr("invalid mount path: 'run' mount path must be absolute")},
		{[]string{"--tmpfs", "/x:foo"}, plainErr(`invalid tmpfs option ["foo"]`)},
		{[]string{"--sysctl", "kernel.hostname=x"}, flagErr(`invalid argument "kernel.hostname=x" for "--sysctl" flag: sysctl 'kernel.hostname=x' is not allowed`)},
		{[]string{"--ipc", "host", "--sysctl", "kernel.shmmax=1"}, plainErr(`sysctl "kernel.shmmax" is not allowed in host IPC namespace`)},
		{[]string{"--ipc", "foo"}, plainErr("invalid IPC mode: foo")},
		{[]string{"--pid", "foo"}, plainErr("--pid: invalid PID mode")},
		{[]string{"--uts", "foo"}, plainErr("--uts: invalid UTS mode")},
		{[]string{"--cgroupns", "foo"}, plainErr("--cgroupns: invalid CGROUP mode")},
		{[]string{"--uts", "host", "-h", "web"}, plainErr("conflicting options: hostname and the UTS mode")},
		{[]string{"--pid", "container:web"}, plainErr("--pid container:web is not supported yet: berth cannot share another container's namespaces (use --pid host, or leave it unset)")},
		{[]string{"--ipc", "container:web"}, plainErr("--ipc container:web is not supported yet: berth cannot share another container's namespaces (use --ipc host, or leave it unset)")},
		{[]string{"--runtime", "nope"}, plainErr("unknown or invalid runtime name: nope")},
		{[]string{"--log-driver", "nope"}, plainErr("logger: no log driver named 'nope' is registered (berth has json-file, local, none, syslog, journald)")},
		{[]string{"--log-opt", "foo"}, plainErr("unknown log opt 'foo' for json-file log driver")},
		{[]string{"--log-driver", "none", "--log-opt", "max-size=1m"}, plainErr("invalid logging opts for driver none")},
		{[]string{"--health-interval", "-1s"}, plainErr("--health-interval cannot be negative")},
		{[]string{"--health-retries", "-1"}, plainErr("--health-retries cannot be negative")},
		{[]string{"--no-healthcheck", "--health-cmd", "true"}, plainErr("--no-healthcheck conflicts with --health-* options")},
		{[]string{"--link", "web:web"}, plainErr("--link is not supported (legacy links are not supported: put the containers on a user network (berth network create), where they find each other by name)")},
		{[]string{"-v", "/tmp:tmp"}, plainErr(`invalid volume specification: '/tmp:tmp': invalid mount config for type "bind": invalid mount path: 'tmp' mount path must be absolute`)},
		{[]string{"--mount", "type=tmpfs,dst=/x,foo=bar"}, flagErr(`invalid argument "type=tmpfs,dst=/x,foo=bar" for "--mount" flag: unexpected key 'foo' in 'foo=bar'`)},
	}
}

func TestFlagsBadInputLeavesNothing(t *testing.T) {
	cases := append(badCases(), hostBadCases(t)...)
	img := loadBusybox(t)
	before := containerIDs(t)
	for _, c := range cases {
		args := append(append([]string{"run", "--rm", "--name", "flags-bad"}, c.args...), img, "true")
		r := engine.Berth(t, args...)
		if r.ExitCode != 125 || !strings.HasPrefix(r.Stderr, c.want) || (strings.HasSuffix(c.want, "\n") && r.Stderr != c.want) {
			t.Errorf("%v:\nwant exit 125 and %q\n%s", c.args, c.want, r)
		}
		if after := containerIDs(t); !slices.Equal(after, before) {
			t.Fatalf("%v left a container: %v -> %v", c.args, before, after)
		}
	}
	// The name was never held for long: it is free now.
	engine.MustBerth(t, "run", "--rm", "--name", "flags-bad", img, "true")
}

// hostBadCases are refusals that depend on this host: a cpuset beyond its
// CPUs, AppArmor where it has none, and raising limits without
// CAP_SYS_RESOURCE.
func hostBadCases(t *testing.T) []flagsBadCase {
	var cases []flagsBadCase
	if data, err := os.ReadFile("/sys/fs/cgroup/cpuset/cpuset.cpus"); err == nil {
		avail := strings.TrimSpace(string(data))
		cases = append(cases, flagsBadCase{[]string{"--cpuset-cpus", "63"},
			plainErr("Requested CPUs are not available - requested 63, available: " + avail)})
	}
	if _, err := os.Stat("/sys/kernel/security/apparmor"); err != nil {
		cases = append(cases, flagsBadCase{[]string{"--security-opt", "apparmor=docker-default"},
			plainErr("--security-opt apparmor=docker-default cannot be honoured: AppArmor is not enabled on this host (/sys/kernel/security/apparmor is missing)")})
	}
	if _, err := exec.LookPath("crun"); err != nil {
		cases = append(cases, flagsBadCase{[]string{"--runtime", "crun"},
			plainErr("unknown or invalid runtime name: crun (crun is not installed: it was not found in $PATH)")})
	}
	if _, err := os.Stat("/run/systemd/journal/socket"); err != nil {
		cases = append(cases, flagsBadCase{[]string{"--log-driver", "journald"},
			plainErr("journald logging driver is not available: this host has no systemd journal (/run/systemd/journal/socket is missing); use --log-driver json-file or syslog")})
	}
	if !hostLacksCapSysResource() {
		return cases
	}
	var nofile unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &nofile); err != nil {
		t.Fatal(err)
	}
	over := nofile.Max + 1
	cases = append(cases,
		flagsBadCase{[]string{"--ulimit", fmt.Sprintf("nofile=%d", over)},
			plainErr(fmt.Sprintf("--ulimit nofile=%d:%d cannot be honoured on this host: the hard limit is above the engine's (%d), and raising it needs CAP_SYS_RESOURCE, which berth does not have here", over, over, nofile.Max))},
		flagsBadCase{[]string{"--cap-add", "sys_resource"},
			plainErr("--cap-add CAP_SYS_RESOURCE cannot be honoured on this host: berth's engine does not hold CAP_SYS_RESOURCE itself")},
	)
	if data, err := os.ReadFile("/proc/self/oom_score_adj"); err == nil && strings.TrimSpace(string(data)) == "0" {
		cases = append(cases, flagsBadCase{[]string{"--oom-score-adj", "-500"},
			plainErr("--oom-score-adj -500 cannot be honoured on this host: lowering the OOM score below the engine's (0) needs CAP_SYS_RESOURCE, which berth does not have here")})
	}
	return cases
}

func TestFlagsBadInputCreate(t *testing.T) {
	img := loadBusybox(t)
	before := containerIDs(t)
	r := engine.Berth(t, "create", "--name", "flags-bad-create", "--memory", "1q", img)
	want := "berth: invalid argument \"1q\" for \"-m, --memory\" flag: invalid suffix: 'q'\nSee 'berth create --help'.\n"
	if r.ExitCode != 125 || r.Stderr != want {
		t.Errorf("create --memory 1q:\nwant %q\n%s", want, r)
	}
	r = engine.Berth(t, "create", "--name", "flags-bad-create", "--device", "/dev/nope", img)
	if r.ExitCode != 125 || r.Stderr != plainErr(`error gathering device information while adding custom device "/dev/nope": no such file or directory`) {
		t.Errorf("create --device /dev/nope:\n%s", r)
	}
	if after := containerIDs(t); !slices.Equal(after, before) {
		t.Fatalf("create left a container: %v -> %v", before, after)
	}
	forceRemove(t, "flags-bad-create")
	engine.MustBerth(t, "create", "--name", "flags-bad-create", img)
}
