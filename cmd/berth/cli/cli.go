// Package cli holds what every command group shares: the global flags, the
// exit status of a failed command and argument checks.
package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/containerd/containerd/v2/client"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/config"
)

// Globals are the global flags, loaded from berth.toml and the environment
// before the command line overrides them.
type Globals struct {
	config.Config
	// HostsDirFlag holds --hosts-dir values; given on the command line they
	// replace the configured list instead of adding to it.
	HostsDirFlag []string
}

// BindGlobals registers the global flags on fs with cfg's values as defaults.
func BindGlobals(fs *pflag.FlagSet, g *Globals) {
	fs.BoolVarP(&g.Debug, "debug", "D", g.Debug, "Enable debug output")
	fs.BoolVar(&g.DebugFull, "debug-full", g.DebugFull, "Enable debug output of the CLI and the engine")
	fs.StringVar(&g.Address, "address", g.Address, "containerd address to use instead of berth's own engine; -a before the command (env: CONTAINERD_ADDRESS)")
	fs.StringVar(&g.Address, "host", g.Address, "Alias of --address")
	_ = fs.MarkHidden("host")
	fs.StringVar(&g.Namespace, "namespace", g.Namespace, "containerd namespace; -n before the command (env: CONTAINERD_NAMESPACE)")
	fs.StringVar(&g.Snapshotter, "snapshotter", g.Snapshotter, "containerd snapshotter (env: CONTAINERD_SNAPSHOTTER)")
	fs.StringVar(&g.Snapshotter, "storage-driver", g.Snapshotter, "Alias of --snapshotter")
	_ = fs.MarkHidden("storage-driver")
	fs.StringVar(&g.CNIPath, "cni-path", g.CNIPath, "CNI plugin directory (env: CNI_PATH; default: the bundled plugins)")
	fs.StringVar(&g.CNINetConfPath, "cni-netconfpath", g.CNINetConfPath, "CNI network config directory (env: NETCONFPATH)")
	fs.StringVar(&g.DataRoot, "data-root", g.DataRoot, "Root of berth's state and the engine's data (env: BERTH_DATA_ROOT)")
	fs.StringVar(&g.RunDir, "run-dir", g.RunDir, "Directory of the engine's socket, state and log (env: BERTH_RUN_DIR)")
	fs.StringVar(&g.CgroupManager, "cgroup-manager", g.CgroupManager, `Cgroup manager ("cgroupfs", "systemd" or "none")`)
	fs.BoolVar(&g.InsecureRegistry, "insecure-registry", g.InsecureRegistry, "Allow plain HTTP and unverified TLS registries")
	fs.StringSliceVar(&g.HostsDirFlag, "hosts-dir", nil, fmt.Sprintf("Directories with hosts.toml registry configuration (default %s)", strings.Join(g.HostsDir, ",")))
	fs.BoolVar(&g.Experimental, "experimental", g.Experimental, "Enable experimental features (env: BERTH_EXPERIMENTAL)")
}

// BindRootShorthands registers -a and -H for the engine address and -n for
// the namespace on the root command only. Docker's commands use these
// letters for their own flags (images -a, history -H, ps -n, logs -n), so the
// short forms work before the command name:
// `berth -n k8s.io -a /run/containerd/containerd.sock ps -a -n 3`.
func BindRootShorthands(fs *pflag.FlagSet, g *Globals) {
	fs.StringVarP(&g.Namespace, "namespace-short", "n", g.Namespace, "containerd namespace (short form)")
	_ = fs.MarkHidden("namespace-short")
	fs.StringVarP(&g.Address, "address-short", "a", g.Address, "containerd address (short form)")
	fs.StringVarP(&g.Address, "host-short", "H", g.Address, "containerd address (Docker's short form)")
	_ = fs.MarkHidden("address-short")
	_ = fs.MarkHidden("host-short")
}

// Finish applies flag values that need more than a plain assignment.
func (g *Globals) Finish() error {
	if len(g.HostsDirFlag) > 0 {
		g.HostsDir = g.HostsDirFlag
	}
	switch g.CgroupManager {
	case "cgroupfs", "systemd", "none":
	default:
		return fmt.Errorf("invalid --cgroup-manager %q: must be cgroupfs, systemd or none", g.CgroupManager)
	}
	if g.Namespace == "" {
		return fmt.Errorf("the namespace must not be empty")
	}
	return nil
}

// LoadGlobals reads berth.toml and the environment.
func LoadGlobals() (*Globals, error) {
	cfg, err := config.Load(config.Path())
	if err != nil {
		return nil, err
	}
	cfg.ApplyEnv(os.Getenv)
	return &Globals{Config: *cfg}, nil
}

// StatusError carries an exit status: the container's own code for run, or
// 125/126/127 as Docker uses them. Message may be empty when the status
// alone says it.
type StatusError struct {
	Status  int
	Message string
}

func (e *StatusError) Error() string { return e.Message }

// ExactArgs, MinArgs and NoArgs produce Docker's wording for argument errors.
func ExactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return argError(cmd, fmt.Sprintf("exactly %d argument", n), n)
		}
		return nil
	}
}

// MinArgs requires at least n arguments.
func MinArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return argError(cmd, fmt.Sprintf("at least %d argument", n), n)
		}
		return nil
	}
}

// RangeArgs requires between min and max arguments.
func RangeArgs(min, max int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < min || len(args) > max {
			return argError(cmd, fmt.Sprintf("at least %d and at most %d argument", min, max), max)
		}
		return nil
	}
}

// NoArgs refuses arguments.
func NoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("%q accepts no arguments.\nSee '%s --help'.\n\nUsage:  %s", cmd.CommandPath(), cmd.CommandPath(), cmd.UseLine())
	}
	return nil
}

func argError(cmd *cobra.Command, want string, n int) error {
	if n != 1 {
		want += "s"
	}
	return fmt.Errorf("%q requires %s.\nSee '%s --help'.\n\nUsage:  %s\n\n%s", cmd.CommandPath(), want, cmd.CommandPath(), cmd.UseLine(), cmd.Short)
}

// WithClient dials the engine g points at and runs fn with the client and a
// context in g's namespace.
func WithClient(cmd *cobra.Command, g *Globals, fn func(context.Context, *client.Client) error) error {
	c, ctx, err := clientutil.New(cmd.Context(), &g.Config)
	if err != nil {
		return err
	}
	defer c.Close()
	return fn(ctx, c)
}
