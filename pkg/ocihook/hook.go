// Package ocihook is `berth internal oci-hook`, the program runc runs at
// two points of a container's life: createRuntime, once the container's
// namespaces exist and before its process runs, wires its network
// namespace into its networks; postStop, when its task is deleted,
// undoes that. runc gives the hook the container's state on stdin; the
// paths berth keeps its network state in come as flags, written into the
// container's spec when it was created (see Args).
package ocihook

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-project/berth/pkg/netutil"
)

// Events the hook handles.
const (
	CreateRuntime = "createRuntime"
	PostStop      = "postStop"
)

// Options are the hook's flags.
type Options struct {
	DataRoot  string
	RunDir    string
	ConfDir   string
	PluginDir string
	Namespace string
	StateDir  string
}

// Args are the hook's command line for event, after the berth binary.
func Args(event string, o Options) []string {
	return []string{"internal", "oci-hook", event,
		"--data-root", o.DataRoot, "--run-dir", o.RunDir, "--cni-netconfpath", o.ConfDir,
		"--cni-path", o.PluginDir, "--namespace", o.Namespace, "--state-dir", o.StateDir}
}

// Hooks returns the spec's hooks that run the berth binary at exe.
func Hooks(exe string, o Options) *specs.Hooks {
	env := []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	hook := func(event string) specs.Hook {
		return specs.Hook{Path: exe, Args: append([]string{"berth"}, Args(event, o)...), Env: env}
	}
	return &specs.Hooks{
		CreateRuntime: []specs.Hook{hook(CreateRuntime)},
		Poststop:      []specs.Hook{hook(PostStop)},
	}
}

// Main runs the hook with args (after "internal oci-hook") and the
// container state on stdin; it returns the exit status.
func Main(ctx context.Context, args []string, stdin io.Reader, stderr io.Writer) int {
	if err := run(ctx, args, stdin); err != nil {
		fmt.Fprintln(stderr, "berth oci-hook:", err)
		return 1
	}
	return 0
}

func run(ctx context.Context, args []string, stdin io.Reader) error {
	if len(args) == 0 {
		return errors.New("usage: berth internal oci-hook createRuntime|postStop [flags] < state.json")
	}
	event := args[0]
	var o Options
	fs := flag.NewFlagSet("oci-hook", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.DataRoot, "data-root", "", "")
	fs.StringVar(&o.RunDir, "run-dir", "", "")
	fs.StringVar(&o.ConfDir, "cni-netconfpath", "", "")
	fs.StringVar(&o.PluginDir, "cni-path", "", "")
	fs.StringVar(&o.Namespace, "namespace", "", "")
	fs.StringVar(&o.StateDir, "state-dir", "", "")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if o.DataRoot == "" || o.Namespace == "" || o.StateDir == "" {
		return errors.New("--data-root, --namespace and --state-dir are required")
	}
	var st specs.State
	if err := json.NewDecoder(stdin).Decode(&st); err != nil {
		return fmt.Errorf("reading the container state from stdin: %w", err)
	}
	p := netutil.NewPaths(o.DataRoot, o.RunDir, o.ConfDir, o.PluginDir)
	switch event {
	case CreateRuntime:
		pl, err := netutil.LoadPlan(o.StateDir)
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		return netutil.Setup(ctx, p, o.Namespace, st.ID, pl, st.Pid)
	case PostStop:
		return netutil.Teardown(context.WithoutCancel(ctx), p, o.Namespace, st.ID, 0)
	}
	return fmt.Errorf("unknown hook event %q", event)
}
