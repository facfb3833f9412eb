package container

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/cio"
	"golang.org/x/sys/unix"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/logging"
)

// stdinFIFOPath is where the stdin of a container created with -i -t is
// fed: the shim copies this FIFO to the container's terminal. The shim
// holds a write end itself, so the terminal stays open when an attached
// client goes away, and the next one can type into it again.
func stdinFIFOPath(cfg *config.Config, id string) string {
	return filepath.Join(cfg.RunDir, "stdin", cfg.Namespace, id)
}

// TaskIO is the IO of a detached task: the logger for its output and, for a
// container created with -i -t, a stdin FIFO that `attach` and `start -ai`
// write to. containerd's shim has no stdin for a logger without a terminal,
// which is why a container created with -i alone gets none.
func TaskIO(cfg *config.Config, id string, meta *containerutil.Meta, uri *url.URL) (cio.Creator, error) {
	if uri == nil {
		return cio.NullIO, nil
	}
	if !meta.Config.OpenStdin || !meta.Config.Tty {
		return logCreator(uri, meta.Config.Tty), nil
	}
	path := stdinFIFOPath(cfg, id)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	_ = os.Remove(path)
	if err := unix.Mkfifo(path, 0o600); err != nil {
		return nil, fmt.Errorf("creating the stdin FIFO: %w", err)
	}
	return func(string) (cio.IO, error) {
		return &logIO{cfg: cio.Config{Stdin: path, Stdout: uri.String(), Stderr: uri.String(), Terminal: true}}, nil
	}, nil
}

// openStdinFIFO opens the container's stdin FIFO for writing. The shim
// opens its end when the task is created; wait briefly for that.
func openStdinFIFO(path string) (*os.File, error) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		fd, err := unix.Open(path, unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err == nil {
			if err := unix.SetNonblock(fd, false); err != nil {
				unix.Close(fd)
				return nil, err
			}
			return os.NewFile(uintptr(fd), path), nil
		}
		if !errors.Is(err, unix.ENXIO) || time.Now().After(deadline) {
			return nil, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// AttachOptions are the flags and arguments of `attach`.
type AttachOptions struct {
	// NoStdin attaches the output only.
	NoStdin bool
	// SigProxy forwards the caller's signals to the container (without a TTY).
	SigProxy bool
	// DetachKeys ends the session and leaves the container running.
	DetachKeys string
	// StdinIsTerminal tells whether the caller's stdin is a terminal: a
	// container with a TTY takes stdin from a terminal only, as in Docker.
	StdinIsTerminal bool
	// Container is the name or ID.
	Container string
}

// Validate checks the flags before the engine is dialled.
func (o *AttachOptions) Validate() error {
	_, err := parseDetachKeys(o.DetachKeys)
	return err
}

// Attach follows a running container's output from now on and, for a
// container created with -i -t, feeds it the caller's stdin. It returns the
// container's exit status once it exits, or nil when the caller detaches.
func Attach(ctx context.Context, cfg *config.Config, s Streams, o *AttachOptions) error {
	return forEach(ctx, cfg, s.Out, []string{o.Container}, false, func(ctx context.Context, t *target) error {
		task, st, err := loadTask(ctx, t.ctr)
		if err != nil {
			return err
		}
		switch {
		case st.Status == client.Paused || st.Status == client.Pausing:
			return errors.New("You cannot attach to a paused container, unpause it first")
		case !isLive(st):
			return errors.New("You cannot attach to a stopped container, start it first")
		}
		meta, err := t.store.LoadMeta(t.ctr.ID())
		if err != nil {
			return err
		}
		// attach follows the log: a driver that keeps none has nothing to show.
		if err := logging.Readable(logging.Config{Type: meta.HostConfig.LogConfig.Type}); err != nil {
			return fmt.Errorf("cannot attach to %s: %w", t.query, err)
		}
		stdin := !o.NoStdin && meta.Config.OpenStdin
		if stdin && !meta.Config.Tty {
			return fmt.Errorf("cannot attach stdin to %s: berth feeds stdin only to containers created with -i -t (use --no-stdin to follow its output)", t.query)
		}
		if stdin && !o.StdinIsTerminal {
			return errors.New("the input device is not a TTY")
		}
		keys, _ := parseDetachKeys(o.DetachKeys)
		sess := &session{cfg: cfg, t: t, meta: meta, task: task, stdin: stdin, tail: 0,
			keys: keys, sigProxy: o.SigProxy && !meta.Config.Tty, userCtx: ctx}
		return sess.run(context.WithoutCancel(ctx), s)
	})
}

// session is one attached client: the log followed to the caller's
// streams, the caller's stdin to the container's terminal, signals to the
// container, until the container exits or the caller detaches.
type session struct {
	cfg   *config.Config
	t     *target
	meta  *containerutil.Meta
	task  client.Task
	stdin bool
	// since and tail choose where the output starts (see logging.ReadOptions).
	since time.Time
	tail  int
	keys  []byte
	// sigProxy forwards signals; without it a cancelled userCtx detaches.
	sigProxy bool
	userCtx  context.Context
}

// errDetached is the end of a session by the detach keys.
var errDetached = errors.New("detached")

func (a *session) run(ctx context.Context, s Streams) error {
	exitC, err := a.task.Wait(ctx)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	detached := make(chan struct{}, 1)
	if a.stdin {
		fifo, err := openStdinFIFO(stdinFIFOPath(a.cfg, a.t.ctr.ID()))
		if err != nil {
			return fmt.Errorf("opening the stdin of %s: %w", a.t.query, err)
		}
		restore := rawTerminal(ctx, func(w, h uint32) { _ = a.task.Resize(ctx, w, h) })
		defer restore()
		go func() {
			_, err := copyBuffer(fifo, &detachReader{r: s.In, keys: a.keys})
			fifo.Close()
			if errors.Is(err, errDetached) {
				detached <- struct{}{}
			}
		}()
	}
	sigs := make(chan os.Signal, 8)
	if a.sigProxy {
		signal.Notify(sigs, proxiedSignals...)
		defer signal.Stop(sigs)
	}
	userDone := a.userCtx.Done()
	if a.sigProxy {
		userDone = nil
	}
	var exited atomic.Bool
	logsDone := make(chan error, 1)
	go func() {
		ro := logging.ReadOptions{Follow: true, Since: a.since, Tail: a.tail}
		logsDone <- logging.Read(ctx, a.cfg.DataRoot, a.cfg.Namespace, a.t.ctr.ID(), ro, s.Out, s.Err, exited.Load)
	}()
	for {
		select {
		case sig := <-sigs:
			_ = a.task.Kill(ctx, sig.(syscall.Signal))
		case <-detached:
			return nil
		case <-userDone:
			return nil
		case es := <-exitC:
			code, _, err := es.Result()
			if err != nil {
				return err
			}
			exited.Store(true)
			if err := <-logsDone; err != nil && !errors.Is(err, context.Canceled) {
				fmt.Fprintln(s.Err, "berth: reading the container's output:", err)
			}
			if code != 0 {
				return &ExitError{Status: int(code)}
			}
			return nil
		}
	}
}

// startAttached starts one container (unless it runs) and stays attached
// to it as `start -a` does: its output from this start on, and the exit
// status once it exits.
func startAttached(ctx context.Context, cfg *config.Config, s Streams, t *target, o *StartOptions) error {
	meta, err := t.store.LoadMeta(t.ctr.ID())
	if err != nil {
		return err
	}
	stdin := o.Interactive && meta.Config.OpenStdin
	if stdin && !meta.Config.Tty {
		return fmt.Errorf("cannot attach stdin to %s: berth feeds stdin only to containers created with -i -t", t.query)
	}
	if stdin && !o.StdinIsTerminal {
		return errors.New("the input device is not a TTY")
	}
	if err := logging.Readable(logging.Config{Type: meta.HostConfig.LogConfig.Type}); err != nil && o.Attach {
		return fmt.Errorf("cannot attach to %s: its log driver %q cannot be read back", t.query, meta.HostConfig.LogConfig.Type)
	}
	began := time.Now().Add(-time.Millisecond)
	cleanCtx := context.WithoutCancel(ctx)
	task, _, err := startContainer(cleanCtx, cfg, t)
	if err != nil {
		return err
	}
	keys, _ := parseDetachKeys(o.DetachKeys)
	sess := &session{cfg: cfg, t: t, meta: meta, task: task, stdin: stdin, since: began, tail: -1,
		keys: keys, sigProxy: !meta.Config.Tty, userCtx: ctx}
	err = sess.run(cleanCtx, s)
	var ee *ExitError
	if err == nil || errors.As(err, &ee) {
		finishAttachedRun(cleanCtx, cfg, t)
	}
	return err
}

// finishAttachedRun records the exit of a task the caller waited for and
// deletes it so that its shim exits, unless a restart policy applies: the
// restart monitor reads the exit status from the stopped task.
func finishAttachedRun(ctx context.Context, cfg *config.Config, t *target) {
	task, st, err := loadTask(ctx, t.ctr)
	if err != nil || task == nil || st.Status != client.Stopped {
		return
	}
	recordExit(ctx, cfg, t.ctr.ID(), int(st.ExitStatus), st.ExitTime)
	labels, err := t.ctr.Labels(ctx)
	if err != nil {
		return
	}
	if _, ok := labels[containerutil.RestartPolicyLabel]; ok {
		return
	}
	_, _ = task.Delete(ctx)
	removeStdinFIFO(cfg, t.ctr.ID())
}
