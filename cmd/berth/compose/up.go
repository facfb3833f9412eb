package compose

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/berth-project/berth/pkg/compose"
)

// scaleFlag is --scale SERVICE=NUMBER, repeatable.
type scaleFlag struct{ m *compose.Scales }

func (s scaleFlag) String() string {
	var parts []string
	for k, v := range *s.m {
		parts = append(parts, fmt.Sprintf("%s=%d", k, v))
	}
	return strings.Join(parts, ",")
}

func (s scaleFlag) Set(v string) error {
	name, n, ok := strings.Cut(v, "=")
	num, err := strconv.Atoi(n)
	if !ok || name == "" || err != nil || num < 0 {
		return fmt.Errorf("want SERVICE=NUMBER, with a number of 0 or more")
	}
	if *s.m == nil {
		*s.m = compose.Scales{}
	}
	(*s.m)[name] = num
	return nil
}

func (s scaleFlag) Type() string { return "scale" }

func newUp(e *env) *cobra.Command {
	o := &compose.UpOptions{}
	var waitTimeout int
	cmd := &cobra.Command{
		Use:   "up [OPTIONS] [SERVICE...]",
		Short: "Create and start containers",
		Long: `Create the project's networks and containers and start them, each service
after those it depends on (waiting until they are healthy or have completed
where depends_on says so). Containers whose configuration did not change are
kept. Attached, the containers' output is shown with a "web-1  | " prefix
until they all exit; Ctrl-C stops them.`,
		Example: `  berth compose up -d
  berth compose up --scale worker=3 -d
  berth compose up --abort-on-container-exit --exit-code-from tests
  berth compose up --wait`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Services = args
			o.TimeoutSet = cmd.Flags().Changed("timeout")
			o.WaitTimeout = time.Duration(waitTimeout) * time.Second
			o.NoColor = o.NoColor || !stdoutIsTerminal()
			if err := o.Validate(); err != nil {
				return usage(err)
			}
			p, err := e.load(cmd)
			if err != nil {
				return err
			}
			return status(compose.Up(cmd.Context(), &e.g.Config, streams(cmd), p, *o))
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.Detach, "detach", "d", false, "Detached mode: run containers in the background")
	f.BoolVar(&o.ForceRecreate, "force-recreate", false, "Recreate containers even if their configuration hasn't changed")
	f.BoolVar(&o.NoRecreate, "no-recreate", false, "If containers already exist, don't recreate them")
	f.BoolVar(&o.NoStart, "no-start", false, "Don't start the services after creating them")
	f.BoolVar(&o.RemoveOrphans, "remove-orphans", false, "Remove containers for services not defined in the Compose file")
	f.Var(scaleFlag{&o.Scale}, "scale", "Scale SERVICE to NUM instances (SERVICE=NUM); repeatable")
	f.BoolVar(&o.Wait, "wait", false, "Wait for services to be running|healthy. Implies detached mode")
	f.IntVar(&waitTimeout, "wait-timeout", 0, "Maximum duration in seconds to wait for the project to be running|healthy")
	f.BoolVar(&o.AbortOnContainerExit, "abort-on-container-exit", false, "Stops all containers if any container was stopped")
	f.StringVar(&o.ExitCodeFrom, "exit-code-from", "", "Return the exit code of the selected service container. Implies --abort-on-container-exit")
	f.BoolVar(&o.NoDeps, "no-deps", false, "Don't start linked services")
	f.StringVar(&o.Pull, "pull", "", `Pull image before running ("always"|"missing"|"never"; default: each service's pull_policy)`)
	f.IntVarP(&o.Timeout, "timeout", "t", 0, "Use this timeout in seconds for container shutdown when attached or when containers are already running")
	f.BoolVar(&o.NoColor, "no-color", false, "Produce monochrome output")
	f.BoolVar(&o.NoLogPrefix, "no-log-prefix", false, "Don't print prefix in logs")
	return cmd
}

func newCreate(e *env) *cobra.Command {
	o := &compose.UpOptions{NoStart: true, Detach: true}
	cmd := &cobra.Command{
		Use:   "create [OPTIONS] [SERVICE...]",
		Short: "Creates containers for a service",
		Long: `Pull what is missing, create the project's networks and containers, and
start nothing; containers whose configuration did not change are kept.`,
		Example: `  berth compose create
  berth compose create --force-recreate web`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Services = args
			if err := o.Validate(); err != nil {
				return usage(err)
			}
			p, err := e.load(cmd)
			if err != nil {
				return err
			}
			return status(compose.Up(cmd.Context(), &e.g.Config, streams(cmd), p, *o))
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.ForceRecreate, "force-recreate", false, "Recreate containers even if their configuration hasn't changed")
	f.BoolVar(&o.NoRecreate, "no-recreate", false, "If containers already exist, don't recreate them")
	f.BoolVar(&o.RemoveOrphans, "remove-orphans", false, "Remove containers for services not defined in the Compose file")
	f.Var(scaleFlag{&o.Scale}, "scale", "Scale SERVICE to NUM instances (SERVICE=NUM); repeatable")
	f.StringVar(&o.Pull, "pull", "", `Pull image before running ("always"|"missing"|"never")`)
	return cmd
}
