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
// the network and volume flags, and the docker flags berth refuses.
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

	bindNetworkFlags(f, o)
	bindVolumeFlags(f, o)
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

// refusedFlags are bound (hidden) so that a docker command line using them
// fails with a clear message instead of "unknown flag".
var refusedFlags = []refusedFlag{
	{name: "link", later: "legacy links are not supported: put the containers on a user network (berth network create), where they find each other by name"},
	{name: "link-local-ip", later: "link-local addresses are not supported"},
}

// bindRefusedFlags binds the refused flags; the check runs before the
// command does anything.
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
	next := cmd.PreRunE
	cmd.PreRunE = func(cmd *cobra.Command, args []string) error {
		for _, r := range refusedFlags {
			if cmd.Flags().Changed(r.name) {
				return &cli.StatusError{Status: 125, Message: fmt.Sprintf("--%s is not supported (%s)", r.name, r.later)}
			}
		}
		if next != nil {
			return next(cmd, args)
		}
		return nil
	}
}

// bindNetworkFlags binds the network flags. Lists are StringArrays, as
// docker's: a value is never split on commas.
func bindNetworkFlags(f *pflag.FlagSet, o *container.CreateOptions) {
	f.StringArrayVar(&o.Networks, "network", nil, "Connect a container to a network")
	f.StringArrayVar(&o.Networks, "net", nil, "Connect a container to a network")
	_ = f.MarkHidden("net")
	f.StringVar(&o.IP, "ip", "", "IPv4 address (e.g., 172.30.100.104)")
	f.StringVar(&o.IP6, "ip6", "", "IPv6 address (e.g., 2001:db8::33)")
	f.StringVar(&o.MACAddress, "mac-address", "", "Container MAC address (e.g., 92:d0:c6:0a:29:33)")
	f.StringArrayVar(&o.Aliases, "network-alias", nil, "Add network-scoped alias for the container")
	f.StringArrayVar(&o.Aliases, "net-alias", nil, "Add network-scoped alias for the container")
	_ = f.MarkHidden("net-alias")
	f.StringArrayVarP(&o.Publish, "publish", "p", nil, "Publish a container's port(s) to the host")
	f.BoolVarP(&o.PublishAll, "publish-all", "P", false, "Publish all exposed ports to random ports")
	f.StringArrayVar(&o.Expose, "expose", nil, "Expose a port or a range of ports")
	f.StringArrayVar(&o.DNS, "dns", nil, "Set custom DNS servers")
	f.StringArrayVar(&o.DNSSearch, "dns-search", nil, "Set custom DNS search domains")
	f.StringArrayVar(&o.DNSOptions, "dns-option", nil, "Set DNS options")
	f.StringArrayVar(&o.DNSOptions, "dns-opt", nil, "Set DNS options")
	_ = f.MarkHidden("dns-opt")
	f.StringArrayVar(&o.AddHosts, "add-host", nil, "Add a custom host-to-IP mapping (host:ip)")
}

// bindVolumeFlags binds -v, --mount, --volumes-from and --volume-driver.
// -v is a StringArray: "/a:/b:ro,z" is one value, not two. --mount checks
// itself as docker's CLI does, so a bad key is a flag error.
func bindVolumeFlags(f *pflag.FlagSet, o *container.CreateOptions) {
	f.StringArrayVarP(&o.Volumes, "volume", "v", nil, "Bind mount a volume")
	f.Var(opts.NewMounts(&o.Mounts), "mount", "Attach a filesystem mount to the container")
	f.StringArrayVar(&o.VolumesFrom, "volumes-from", nil, "Mount volumes from the specified container(s)")
	f.StringVar(&o.VolumeDriver, "volume-driver", "", "Optional volume driver for the container")
}
