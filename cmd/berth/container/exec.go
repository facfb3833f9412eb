package container

import (
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/cmd/container"
	"github.com/berth-project/berth/pkg/opts"
)

func newExec(g *cli.Globals) *cobra.Command {
	o := &container.ExecOptions{}
	cmd := &cobra.Command{
		Use:   "exec [OPTIONS] CONTAINER COMMAND [ARG...]",
		Short: "Execute a command in a running container",
		Long: `Run a command in a running container, with the container's environment, user
and working directory unless -e, -u or -w say otherwise. berth exits with the
command's exit status: 126 when it cannot be executed, 127 when it is not
found, 125 for berth's own errors (a container that is not running).`,
		Example: `  berth exec web ls /
  berth exec -it web sh
  berth exec -d -e MODE=fast web /bin/job`,
		Args: cli.MinArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Container, o.Command = args[0], args[1:]
			if err := o.Validate(stdinIsTerminal()); err != nil {
				return rejectFlags(err)
			}
			return containerStatus(container.Exec(cmd.Context(), &g.Config, streams(cmd), o))
		},
	}
	noInterspersed(cmd.Flags())
	f := cmd.Flags()
	f.BoolVarP(&o.Detach, "detach", "d", false, "Detached mode: run command in the background")
	f.BoolVarP(&o.Interactive, "interactive", "i", false, "Keep STDIN open even if not attached")
	f.BoolVarP(&o.TTY, "tty", "t", false, "Allocate a pseudo-TTY")
	f.StringArrayVarP(&o.Env, "env", "e", nil, "Set environment variables")
	f.StringArrayVar(&o.EnvFiles, "env-file", nil, "Read in a file of environment variables")
	f.StringVarP(&o.User, "user", "u", "", "Username or UID (format: \"<name|uid>[:<group|gid>]\")")
	f.StringVarP(&o.Workdir, "workdir", "w", "", "Working directory inside the container")
	f.BoolVar(&o.Privileged, "privileged", false, "Give extended privileges to the command")
	f.StringVar(&o.DetachKeys, "detach-keys", "", "Override the key sequence for detaching a container")
	return cmd
}

func newAttach(g *cli.Globals) *cobra.Command {
	o := &container.AttachOptions{}
	cmd := &cobra.Command{
		Use:   "attach [OPTIONS] CONTAINER",
		Short: "Attach local standard input, output, and error streams to a running container",
		Long: `Follow a running container's output from now on until it exits, then exit with
its exit status. Stdin is fed to containers created with -i -t only, from a
terminal (the engine's shim keeps no stdin beside the logger of a container
without a terminal); the detach keys (ctrl-p,ctrl-q) leave the container
running, and attach again picks up its terminal. Without a terminal, signals
are forwarded to the container (--sig-proxy).`,
		Example: "  berth attach web\n  berth attach --no-stdin shell",
		Args:    cli.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Container = args[0]
			o.StdinIsTerminal = stdinIsTerminal()
			if err := o.Validate(); err != nil {
				return rejectFlags(err)
			}
			return containerStatus(container.Attach(cmd.Context(), &g.Config, streams(cmd), o))
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.NoStdin, "no-stdin", false, "Do not attach STDIN")
	f.BoolVar(&o.SigProxy, "sig-proxy", true, "Proxy all received signals to the process")
	f.StringVar(&o.DetachKeys, "detach-keys", "", "Override the key sequence for detaching a container")
	return cmd
}

func newTop(g *cli.Globals) *cobra.Command {
	o := &container.TopOptions{}
	cmd := &cobra.Command{
		Use:   "top CONTAINER [ps OPTIONS]",
		Short: "Display the running processes of a container",
		Long: `Show the container's processes as the host's ps(1) prints them, with the
given ps options (default -ef).`,
		Example: "  berth top web\n  berth top web -o pid,rss,args",
		Args:    cli.MinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Container, o.PsArgs = args[0], args[1:]
			return container.Top(cmd.Context(), &g.Config, streams(cmd), o)
		},
	}
	noInterspersed(cmd.Flags())
	return cmd
}

func newPort(g *cli.Globals) *cobra.Command {
	o := &container.PortOptions{}
	cmd := &cobra.Command{
		Use:     "port CONTAINER [PRIVATE_PORT[/PROTO]]",
		Short:   "List port mappings or a specific mapping for the container",
		Example: "  berth port web\n  berth port web 80/tcp",
		Args:    cli.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Container = args[0]
			if len(args) > 1 {
				o.Port = args[1]
			}
			return container.Port(cmd.Context(), &g.Config, streams(cmd), o)
		},
	}
	return cmd
}

func newStats(g *cli.Globals) *cobra.Command {
	o := &container.StatsOptions{}
	cmd := &cobra.Command{
		Use:   "stats [OPTIONS] [CONTAINER...]",
		Short: "Display a live stream of container(s) resource usage statistics",
		Long: `Show CPU, memory, network, block I/O and process counts of running containers
(all with -a, or those named), refreshed every second, or once with
--no-stream. Memory excludes the inactive page cache and its limit is at
most the host's memory, as in Docker; cgroup v1 and v2 alike.`,
		Example: `  berth stats
  berth stats --no-stream web
  berth stats --no-stream --format '{{.Name}} {{.MemUsage}}'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Containers = args
			return container.Stats(cmd.Context(), &g.Config, streams(cmd), o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.All, "all", "a", false, "Show all containers (default shows just running)")
	f.BoolVar(&o.NoStream, "no-stream", false, "Disable streaming stats and only pull the first result")
	f.BoolVar(&o.NoTrunc, "no-trunc", false, "Do not truncate output")
	f.StringVar(&o.Format, "format", "", "Format output using a custom template, 'table', or 'json'")
	return cmd
}

func newUpdate(g *cli.Globals) *cobra.Command {
	o := &container.UpdateOptions{}
	cmd := &cobra.Command{
		Use:   "update [OPTIONS] CONTAINER [CONTAINER...]",
		Short: "Update configuration of one or more containers",
		Long: `Change the resource limits and the restart policy of containers. A running
container's cgroup changes at once; the new values also apply to its later
starts. Only the flags given change anything.`,
		Example: `  berth update --memory 256m --cpus 0.5 web
  berth update --restart unless-stopped web`,
		Args: cli.MinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Containers = args
			o.PidsLimitSet = cmd.Flags().Changed("pids-limit")
			if err := o.Validate(); err != nil {
				return rejectFlags(err)
			}
			return container.Update(cmd.Context(), &g.Config, streams(cmd), o)
		},
	}
	f := cmd.Flags()
	f.Var(opts.NewCPUs(&o.CPUs), "cpus", "Number of CPUs")
	f.Int64VarP(&o.CPUShares, "cpu-shares", "c", 0, "CPU shares (relative weight)")
	f.Int64Var(&o.CPUPeriod, "cpu-period", 0, "Limit CPU CFS (Completely Fair Scheduler) period")
	f.Int64Var(&o.CPUQuota, "cpu-quota", 0, "Limit CPU CFS (Completely Fair Scheduler) quota")
	f.StringVar(&o.CpusetCPUs, "cpuset-cpus", "", "CPUs in which to allow execution (0-3, 0,1)")
	f.StringVar(&o.CpusetMems, "cpuset-mems", "", "MEMs in which to allow execution (0-3, 0,1)")
	f.VarP(opts.NewMemBytes(&o.Memory), "memory", "m", "Memory limit")
	f.Var(opts.NewMemSwap(&o.MemorySwap), "memory-swap", "Swap limit equal to memory plus swap: -1 to enable unlimited swap")
	f.Var(opts.NewMemBytes(&o.MemoryReservation), "memory-reservation", "Memory soft limit")
	f.Int64Var(&o.PidsLimit, "pids-limit", 0, "Tune container pids limit (set -1 for unlimited)")
	f.StringVar(&o.Restart, "restart", "", "Restart policy to apply when a container exits")
	return cmd
}
