package container

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/cmd/container"
	"github.com/berth-project/berth/pkg/opts"
)

// bindMoreCreateFlags binds the resource, security, namespace, logging and
// health flags of run and create, with docker's names, defaults and help,
// and the network and volume flags that berth refuses for now.
func bindMoreCreateFlags(cmd *cobra.Command, o *container.CreateOptions) {
	f := cmd.Flags()
	bindResourceFlags(f, o)
	bindSecurityFlags(f, o)

	f.StringVar(&o.IPC, "ipc", "", "IPC mode to use")
	f.StringVar(&o.PID, "pid", "", "PID namespace to use")
	f.StringVar(&o.UTS, "uts", "", "UTS namespace to use")
	f.StringVar(&o.Cgroupns, "cgroupns", "", `Cgroup namespace to use (host|private)
'host':    Run the container in the host's cgroup namespace
'private': Run the container in its own private cgroup namespace
'':        Use the default (host with cgroup v1, private with cgroup v2)`)
	f.StringVar(&o.CgroupParent, "cgroup-parent", "", "Optional parent cgroup for the container")
	f.StringVar(&o.Runtime, "runtime", "", "Runtime to use for this container")
	f.BoolVar(&o.Init, "init", false, "Run an init inside the container that forwards signals and reaps processes")

	f.StringVar(&o.LogDriver, "log-driver", "", "Logging driver for the container")
	f.StringArrayVar(&o.LogOpts, "log-opt", nil, "Log driver options")

	f.StringVar(&o.HealthCmd, "health-cmd", "", "Command to run to check health")
	f.DurationVar(&o.HealthInterval, "health-interval", 0, "Time between running the check (ms|s|m|h) (default 0s)")
	f.IntVar(&o.HealthRetries, "health-retries", 0, "Consecutive failures needed to report unhealthy")
	f.DurationVar(&o.HealthTimeout, "health-timeout", 0, "Maximum time to allow one check to run (ms|s|m|h) (default 0s)")
	f.DurationVar(&o.HealthStartPeriod, "health-start-period", 0, "Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)")
	f.BoolVar(&o.NoHealthcheck, "no-healthcheck", false, "Disable any container-specified HEALTHCHECK")

	bindRefusedFlags(cmd)
	// -h is --hostname here, as in docker: help has no shorthand, and
	// cobra would otherwise claim -h for it and panic.
	if f.Lookup("help") == nil {
		f.Bool("help", false, "Print usage")
	}
}

// bindResourceFlags binds the cgroup, rlimit and device flags. Sizes, CPUs,
// ulimits and sysctls are values that check themselves, so a bad one is a
// flag error with docker's wording.
func bindResourceFlags(f *pflag.FlagSet, o *container.CreateOptions) {
	f.Var(opts.NewCPUs(&o.CPUs), "cpus", "Number of CPUs")
	f.Int64VarP(&o.CPUShares, "cpu-shares", "c", 0, "CPU shares (relative weight)")
	f.StringVar(&o.CpusetCPUs, "cpuset-cpus", "", "CPUs in which to allow execution (0-3, 0,1)")
	f.StringVar(&o.CpusetMems, "cpuset-mems", "", "MEMs in which to allow execution (0-3, 0,1)")
	f.Int64Var(&o.CPUPeriod, "cpu-period", 0, "Limit CPU CFS (Completely Fair Scheduler) period")
	f.Int64Var(&o.CPUQuota, "cpu-quota", 0, "Limit CPU CFS (Completely Fair Scheduler) quota")
	f.VarP(opts.NewMemBytes(&o.Memory), "memory", "m", "Memory limit")
	f.Var(opts.NewMemBytes(&o.MemoryReservation), "memory-reservation", "Memory soft limit")
	f.Var(opts.NewMemSwap(&o.MemorySwap), "memory-swap", "Swap limit equal to memory plus swap: '-1' to enable unlimited swap")
	f.Int64Var(&o.PidsLimit, "pids-limit", 0, "Tune container pids limit (set -1 for unlimited)")
	f.Var(opts.NewUlimits(&o.Ulimits), "ulimit", "Ulimit options")
	f.BoolVar(&o.OomKillDisable, "oom-kill-disable", false, "Disable OOM Killer")
	f.IntVar(&o.OomScoreAdj, "oom-score-adj", 0, "Tune host's OOM preferences (-1000 to 1000)")
	f.Var(opts.NewMemBytes(&o.ShmSize), "shm-size", "Size of /dev/shm")
	// StringArrays, not StringSlices: a tmpfs's options hold commas.
	f.StringArrayVar(&o.Tmpfs, "tmpfs", nil, "Mount a tmpfs directory")
	f.StringArrayVar(&o.Devices, "device", nil, "Add a host device to the container")
	f.Var(opts.NewSysctls(&o.Sysctls), "sysctl", "Sysctl options")
}

func bindSecurityFlags(f *pflag.FlagSet, o *container.CreateOptions) {
	f.StringArrayVar(&o.CapAdd, "cap-add", nil, "Add Linux capabilities")
	f.StringArrayVar(&o.CapDrop, "cap-drop", nil, "Drop Linux capabilities")
	f.BoolVar(&o.Privileged, "privileged", false, "Give extended privileges to this container")
	f.StringArrayVar(&o.SecurityOpt, "security-opt", nil, "Security Options")
	f.BoolVar(&o.ReadOnly, "read-only", false, "Mount the container's root filesystem as read only")
}

// refusedFlag is a docker flag whose feature comes with a later release.
type refusedFlag struct {
	name, shorthand string
	isBool          bool
	// what comes later, for the message.
	later string
}

const (
	networking = "networking comes with a later release"
	volumes    = "volumes come with a later release"
)

// refusedFlags are bound (hidden) so that a docker command line using them
// fails with a clear message instead of "unknown flag".
var refusedFlags = []refusedFlag{
	{name: "publish", shorthand: "p", later: networking},
	{name: "publish-all", shorthand: "P", isBool: true, later: networking},
	{name: "network-alias", later: networking},
	{name: "net-alias", later: networking},
	{name: "dns", later: networking},
	{name: "dns-search", later: networking},
	{name: "dns-option", later: networking},
	{name: "dns-opt", later: networking},
	{name: "add-host", later: networking},
	{name: "ip", later: networking},
	{name: "ip6", later: networking},
	{name: "mac-address", later: networking},
	{name: "link", later: networking},
	{name: "link-local-ip", later: networking},
	{name: "expose", later: networking},
	{name: "volume", shorthand: "v", later: volumes},
	{name: "mount", later: volumes},
	{name: "volumes-from", later: volumes},
	{name: "volume-driver", later: volumes},
}

// bindRefusedFlags binds the refused flags and --network/--net, which
// accept "none" (what every container gets today) and nothing else. The
// check runs before the command does anything.
func bindRefusedFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	for _, r := range refusedFlags {
		if r.isBool {
			f.BoolP(r.name, r.shorthand, false, "")
		} else {
			f.StringArrayP(r.name, r.shorthand, nil, "")
		}
		_ = f.MarkHidden(r.name)
	}
	var networks []string
	f.StringArrayVar(&networks, "network", nil, "Connect a container to a network (only \"none\" for now)")
	f.StringArrayVar(&networks, "net", nil, "Connect a container to a network")
	_ = f.MarkHidden("net")
	next := cmd.PreRunE
	cmd.PreRunE = func(cmd *cobra.Command, args []string) error {
		for _, r := range refusedFlags {
			if cmd.Flags().Changed(r.name) {
				return &cli.StatusError{Status: 125, Message: fmt.Sprintf("--%s is not supported yet (%s)", r.name, r.later)}
			}
		}
		for _, n := range networks {
			if n != "none" {
				return &cli.StatusError{Status: 125, Message: fmt.Sprintf("--network %s is not supported yet (%s; only --network none works today)", n, networking)}
			}
		}
		if next != nil {
			return next(cmd, args)
		}
		return nil
	}
}
