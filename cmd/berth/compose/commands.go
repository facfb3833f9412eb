// Package compose wires `berth compose`: the project flags on the group
// command and one subcommand per verb. pkg/compose does the work.
package compose

import (
	"errors"
	"os"
	"sync"

	"github.com/containerd/console"
	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/pkg/cmd/container"
	"github.com/berth-project/berth/pkg/compose"
)

// env is what every subcommand shares: the global flags and the project
// flags of the group command.
type env struct {
	g *cli.Globals
	o *compose.ProjectOptions
}

// Commands returns the `compose` group.
func Commands(g *cli.Globals) []*cobra.Command {
	e := &env{g: g, o: &compose.ProjectOptions{}}
	cmd := cli.ComposeGroup()
	cmd.Args = cli.NoArgs
	cmd.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	// The project flags are the group's own, parsed before the command's:
	// `logs -f` is --follow, as in Docker Compose.
	cmd.TraverseChildren = true
	f := cmd.Flags()
	// StringArrays: a path may contain a comma.
	f.StringArrayVarP(&e.o.Files, "file", "f", nil, "Compose configuration files")
	f.StringVarP(&e.o.ProjectName, "project-name", "p", "", "Project name")
	f.StringVar(&e.o.ProjectDir, "project-directory", "", "Specify an alternate working directory (default: the path of the first Compose file)")
	f.StringArrayVar(&e.o.EnvFiles, "env-file", nil, "Specify an alternate environment file")
	f.StringArrayVar(&e.o.Profiles, "profile", nil, "Specify a profile to enable")
	cmd.AddCommand(
		newUp(e), newDown(e), newPs(e), newLogs(e), newConfig(e), newStart(e), newStop(e),
		newRestart(e), newRm(e), newKill(e), newPause(e), newUnpause(e), newExec(e), newRun(e),
		newCreate(e), newPull(e), newPush(e), newImages(e), newPort(e), newTop(e), newLs(e),
		newVersion(e), newWait(e), newCp(e),
	)
	return []*cobra.Command{cmd}
}

// load loads the project from the files.
func (e *env) load(cmd *cobra.Command) (*compose.Project, error) {
	warningsOnce.Do(func() {
		logrus.SetFormatter(warnFormatter{next: logrus.StandardLogger().Formatter})
	})
	return compose.Load(cmd.Context(), *e.o)
}

var warningsOnce sync.Once

// warnFormatter prints compose-go's warnings (a variable that is not set,
// the obsolete version: key) as berth prints its own, "WARNING: ...",
// instead of as log records; other records are left as they are.
type warnFormatter struct{ next logrus.Formatter }

func (f warnFormatter) Format(e *logrus.Entry) ([]byte, error) {
	if e.Level == logrus.WarnLevel {
		return []byte("WARNING: " + e.Message + "\n"), nil
	}
	return f.next.Format(e)
}

// loadOrName loads the project, or, for the commands that work from the
// containers' labels, takes it by its -p name when there are no files.
func (e *env) loadOrName(cmd *cobra.Command) (*compose.Project, error) {
	p, err := e.load(cmd)
	if errors.Is(err, compose.ErrNoConfig) {
		name := e.o.ProjectName
		if name == "" {
			name = os.Getenv("COMPOSE_PROJECT_NAME")
		}
		if name != "" {
			return compose.NameOnly(name), nil
		}
	}
	return p, err
}

func streams(cmd *cobra.Command) container.Streams {
	return container.Streams{In: cmd.InOrStdin(), Out: cmd.OutOrStdout(), Err: cmd.ErrOrStderr()}
}

// status turns a container's exit status into the CLI's.
func status(err error) error {
	var ee *container.ExitError
	if errors.As(err, &ee) {
		return &cli.StatusError{Status: ee.Status, Message: ee.Error()}
	}
	return err
}

// usage is a flag combination refused before anything is loaded.
func usage(err error) error {
	if err == nil {
		return nil
	}
	return &cli.StatusError{Status: 125, Message: err.Error()}
}

func stdinIsTerminal() bool {
	_, err := console.ConsoleFromFile(os.Stdin)
	return err == nil
}

func stdoutIsTerminal() bool {
	_, err := console.ConsoleFromFile(os.Stdout)
	return err == nil
}
