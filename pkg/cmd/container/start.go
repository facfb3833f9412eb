package container

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/cio"
	"github.com/containerd/errdefs"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/logging"
)

// loggerPath is the logging binary the shim runs for each container.
func loggerPath() string { return filepath.Join(config.LibexecDir(), "berth-logger") }

// containerLogURI is the binary:// URI of the container's logger.
func containerLogURI(cfg *config.Config, id string, meta *containerutil.Meta) (*url.URL, error) {
	lc := logging.Config{Type: meta.HostConfig.LogConfig.Type, Config: meta.HostConfig.LogConfig.Config}
	return logging.LogURI(loggerPath(), cfg.DataRoot, cfg.Namespace, id, lc)
}

// logCreator gives the task the logger as stdout and stderr; with a
// terminal, the shim copies the console to the logger as well.
// A nil URI is the "none" driver: no logger, output discarded.
func logCreator(uri *url.URL, terminal bool) cio.Creator {
	if uri == nil {
		return cio.NullIO
	}
	return func(id string) (cio.IO, error) {
		return &logIO{cfg: cio.Config{Stdout: uri.String(), Stderr: uri.String(), Terminal: terminal}}, nil
	}
}

// logIO is a task IO that is only a log URI: nothing to copy on this side.
type logIO struct{ cfg cio.Config }

func (l *logIO) Config() cio.Config { return l.cfg }
func (l *logIO) Cancel()            {}
func (l *logIO) Wait()              {}
func (l *logIO) Close() error       { return nil }

// startTask creates the container's task with the IO the caller chose,
// records the start in berth's metadata and the restart monitor's labels,
// and starts it. A stopped task of an earlier run is deleted first.
func startTask(ctx context.Context, cfg *config.Config, ctr client.Container, ioc cio.Creator, logURI *url.URL) (client.Task, <-chan client.ExitStatus, error) {
	return startTaskWith(ctx, cfg, ctr, ioc, logURI, startFlags{})
}

// startFlags let `run` skip what cannot apply to a container it has just
// created: every call here is on the path of each `run`.
type startFlags struct {
	// fresh: the container was just created, it has no earlier task.
	fresh bool
	// ephemeral: the CLI removes the container when it exits, so its start
	// time need not be recorded (the engine's supervisor records it too).
	ephemeral bool
	// restartPolicy: whether the restart monitor looks after the container.
	restartPolicy bool
}

func startTaskWith(ctx context.Context, cfg *config.Config, ctr client.Container, ioc cio.Creator, logURI *url.URL, f startFlags) (client.Task, <-chan client.ExitStatus, error) {
	if f.fresh {
		return createAndStart(ctx, cfg, ctr, ioc, logURI, f)
	}
	f.restartPolicy = hasRestartPolicy(ctx, ctr)
	if old, err := ctr.Task(ctx, nil); err == nil {
		if st, err := old.Status(ctx); err == nil && st.Status == client.Running {
			return nil, nil, fmt.Errorf("container %s is already running", ctr.ID())
		}
		if _, err := old.Delete(ctx); err != nil && !errdefs.IsNotFound(err) {
			return nil, nil, err
		}
	}
	if err := rejoinNetns(ctx, cfg, ctr); err != nil {
		return nil, nil, err
	}
	return createAndStart(ctx, cfg, ctr, ioc, logURI, f)
}

func createAndStart(ctx context.Context, cfg *config.Config, ctr client.Container, ioc cio.Creator, logURI *url.URL, f startFlags) (client.Task, <-chan client.ExitStatus, error) {
	task, err := ctr.NewTask(ctx, ioc)
	if err != nil {
		return nil, nil, startError(err)
	}
	statusC, err := task.Wait(ctx)
	if err != nil {
		_, _ = task.Delete(ctx, client.WithProcessKill)
		return nil, nil, err
	}
	// The start is recorded while the engine starts the task: the write
	// (and its fsync) costs nothing on the way, and it is done before this
	// returns, so an `inspect` right after sees it.
	recorded := make(chan error, 1)
	if f.ephemeral {
		recorded <- nil
	} else {
		go func() { recorded <- recordStart(cfg, ctr.ID()) }()
	}
	if f.restartPolicy {
		if err := markRunning(ctx, ctr, logURI); err != nil {
			<-recorded
			_, _ = task.Delete(ctx, client.WithProcessKill)
			return nil, nil, err
		}
	}
	startErr := task.Start(ctx)
	if err := <-recorded; err != nil && startErr == nil {
		startErr = err
	}
	if startErr == nil && f.restartPolicy {
		startErr = releaseHold(ctx, ctr)
	}
	if startErr != nil {
		_, _ = task.Delete(ctx, client.WithProcessKill)
		return nil, nil, startError(startErr)
	}
	return task, statusC, nil
}

// recordStart notes in the container's metadata that it was started now,
// by the user: the restart rules read StoppedByUser.
func recordStart(cfg *config.Config, id string) error {
	store := containerutil.NewStore(cfg.DataRoot, cfg.Namespace)
	err := store.UpdateMeta(id, func(m *containerutil.Meta) error {
		m.State.StartedAt = time.Now().UTC()
		m.State.StoppedByUser = false
		m.State.Error = ""
		return nil
	})
	if errors.Is(err, os.ErrNotExist) {
		return nil // a container berth did not create has no metadata
	}
	return err
}

// markRunning tells the restart monitor the container (one with a restart
// policy) is meant to run, and which logger to give it when the monitor
// starts it again. The monitor is told to wait all the same (explicitly
// stopped): a pass that came between the label and our own start would see
// the task created but not running, kill it and start one of its own, and
// our start would fail. releaseHold ends the wait once the task runs.
func markRunning(ctx context.Context, ctr client.Container, logURI *url.URL) error {
	set := map[string]string{
		containerutil.RestartStatusLabel:  string(client.Running),
		containerutil.RestartExplicitStop: "true",
	}
	if logURI != nil {
		set[containerutil.RestartLogURILabel] = logURI.String()
	}
	_, err := ctr.SetLabels(ctx, set)
	return err
}

// releaseHold hands a container markRunning held back to the restart monitor.
func releaseHold(ctx context.Context, ctr client.Container) error {
	_, err := ctr.SetLabels(ctx, map[string]string{containerutil.RestartExplicitStop: "false"})
	return err
}
