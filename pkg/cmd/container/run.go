// Package container implements the container commands.
package container

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/cio"
	"github.com/containerd/errdefs"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/cmd/image"
	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/logging"
	"github.com/berth-project/berth/pkg/volume"
)

// ExitError is a container's exit status, or 125/126/127 as Docker uses them.
type ExitError struct {
	Status int
	Err    error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return ""
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// Streams are the caller's terminal or pipes.
type Streams struct {
	In       io.Reader
	Out, Err io.Writer
}

// Run creates and starts a container. Detached, it prints the ID; attached,
// it copies the container's output, forwards signals and returns the exit
// status as *ExitError.
func Run(ctx context.Context, cfg *config.Config, s Streams, o *RunOptions) error {
	c, ctx, err := clientutil.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	o.removedByCLI = o.Rm && !o.Detach
	// An attached run forwards the caller's signals from before the
	// container exists: one that comes while the task is being created is
	// kept and delivered once it runs, not lost (the root context's handler
	// alone would swallow it, and the container would run on).
	var sigs chan os.Signal
	if !o.Detach && o.DetachKeys == "" && o.SigProxy {
		sigs = make(chan os.Signal, 8)
		signal.Notify(sigs, proxiedSignals...)
		defer signal.Stop(sigs)
	}
	ctr, meta, err := create(ctx, c, cfg, s.Err, &o.CreateOptions)
	if err != nil {
		return err
	}
	// Clean-up must happen even when the user's Ctrl-C cancelled ctx.
	cleanCtx := context.WithoutCancel(ctx)
	uri, err := containerLogURI(cfg, ctr.ID(), meta)
	if err != nil {
		return err
	}
	if o.Detach {
		ioc, err := TaskIO(cfg, ctr.ID(), meta, uri)
		if err != nil {
			removeContainer(cleanCtx, c, cfg, ctr)
			return err
		}
		flags := startFlags{fresh: true, restartPolicy: meta.HostConfig.RestartPolicy.Name != "no"}
		if _, _, err := startTaskWith(cleanCtx, cfg, ctr, ioc, uri, flags); err != nil {
			removeContainer(cleanCtx, c, cfg, ctr)
			return err
		}
		fmt.Fprintln(s.Out, ctr.ID())
		return nil
	}
	if o.Rm {
		// Held until the container is removed, so that the engine leaves
		// the removal to this CLI while it lives.
		if hold, err := logging.HoldLog(cfg.DataRoot, cfg.Namespace, ctr.ID()); err == nil {
			defer hold.Close()
		}
	}
	if o.DetachKeys != "" {
		return runWithDetachKeys(ctx, c, cfg, ctr, meta, uri, s, o)
	}
	deleted, err := runAttached(cleanCtx, cfg, ctr, s, o, meta, sigs)
	if o.Rm {
		if deleted {
			removeExited(cleanCtx, c, cfg, ctr, meta)
		} else {
			removeContainer(cleanCtx, c, cfg, ctr)
		}
	}
	return err
}

// removeExited removes an attached `run --rm` container whose task this
// CLI saw exit and deleted: no task to kill, no restart policy (--rm
// excludes one), its record and name at hand. Its snapshot, its record and
// its files go at once, on the path every `run --rm` takes; whatever fails
// is left to `rm -f`'s way, and what that cannot remove, to the engine's
// supervisor (LabelAutoRemove).
func removeExited(ctx context.Context, c *client.Client, cfg *config.Config, ctr client.Container, meta *containerutil.Meta) {
	var wg sync.WaitGroup
	var snapErr, ctrErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		snapErr = c.SnapshotService(cfg.Snapshotter).Remove(ctx, ctr.ID())
	}()
	go func() {
		defer wg.Done()
		ctrErr = c.ContainerService().Delete(ctx, ctr.ID())
	}()
	store := containerutil.NewStore(cfg.DataRoot, cfg.Namespace)
	_ = store.ReleaseName(meta.Name, ctr.ID())
	_ = store.RemoveContainer(ctr.ID())
	wg.Wait()
	if snapErr != nil && !errdefs.IsNotFound(snapErr) || ctrErr != nil && !errdefs.IsNotFound(ctrErr) {
		removeContainer(ctx, c, cfg, ctr)
		return
	}
	if anonymous := volume.AnonymousOf(meta); len(anonymous) > 0 {
		_ = volume.NewStore(cfg.DataRoot, cfg.Namespace).RemoveUnused(store, engineContainers(ctx, c), anonymous)
	}
}

// removeContainer removes a container run with --rm, as `rm -f -v` does.
func removeContainer(ctx context.Context, c *client.Client, cfg *config.Config, ctr client.Container) {
	_ = removeWithVolumes(ctx, c, containerutil.NewStore(cfg.DataRoot, cfg.Namespace), ctr, true, true)
}

// runAttached starts the task with the caller's streams wired to it
// through FIFOs, as ctr does (no logger process to start), and logs the
// output from here with the container's log driver, so that `logs` works for
// attached runs too, with stdout and stderr apart. It reports whether the
// exited task was deleted.
func runAttached(ctx context.Context, cfg *config.Config, ctr client.Container, s Streams, o *RunOptions, meta *containerutil.Meta, sigs <-chan os.Signal) (bool, error) {
	stdin := s.In
	if !o.Interactive || !o.attaches("stdin") {
		stdin = nil
	}
	var task client.Task
	created := make(chan struct{})
	if stdin != nil {
		// The container sees EOF only when its stdin is closed explicitly;
		// the caller's stdin may end before the task exists.
		stdin = &stdinCloser{r: stdin, close: func() {
			go func() {
				<-created
				_ = task.CloseIO(ctx, client.WithStdinCloser)
			}()
		}}
	}
	s = o.attachedStreams(s)
	tee, err := startTee(cfg, ctr.ID(), meta, s)
	if err != nil {
		return false, err
	}
	defer tee.close()
	fifos := cio.WithFIFODir(filepath.Join(cfg.RunDir, "fifo"))
	ioc := cio.NewCreator(cio.WithStreams(stdin, tee.out, tee.err), fifos)
	if o.TTY {
		ioc = cio.NewCreator(cio.WithStreams(stdin, tee.out, nil), cio.WithTerminal, fifos)
	}
	flags := startFlags{fresh: true, ephemeral: o.removedByCLI, restartPolicy: meta.HostConfig.RestartPolicy.Name != "no"}
	task, statusC, err := startTaskWith(ctx, cfg, ctr, ioc, nil, flags)
	if err != nil {
		return false, err
	}
	close(created)
	if o.TTY {
		restore := rawTerminal(ctx, func(w, h uint32) { _ = task.Resize(ctx, w, h) })
		defer restore()
	}
	return waitAttached(ctx, cfg, ctr, task, statusC, sigs, flags)
}

// tee copies the container's output to the caller and to its log.
type tee struct {
	out, err   io.Writer
	outW, errW *os.File
	done       chan struct{}
}

func startTee(cfg *config.Config, id string, meta *containerutil.Meta, s Streams) (*tee, error) {
	lc := logging.Config{Type: meta.HostConfig.LogConfig.Type, Config: meta.HostConfig.LogConfig.Config}
	if lc.Type == logging.None {
		return &tee{out: s.Out, err: s.Err}, nil
	}
	spec, err := logging.SpecFor(cfg.DataRoot, cfg.Namespace, id, lc)
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return nil, err
	}
	t := &tee{out: io.MultiWriter(s.Out, outW), err: io.MultiWriter(s.Err, errW), outW: outW, errW: errW, done: make(chan struct{})}
	go func() {
		defer close(t.done)
		_ = logging.RunLogger(spec, outR, errR, nil, nil, io.Discard)
		outR.Close()
		errR.Close()
	}()
	return t, nil
}

// close ends the log once the container's output is copied.
func (t *tee) close() {
	if t.done == nil {
		return
	}
	t.outW.Close()
	t.errW.Close()
	<-t.done
}

// proxiedSignals are the caller's signals an attached container gets
// (--sig-proxy).
var proxiedSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2}

// waitAttached forwards the signals from sigs (nil: none) until the task
// exits, then records the exit and, without a restart policy, deletes the
// task. It reports whether it did.
func waitAttached(ctx context.Context, cfg *config.Config, ctr client.Container, task client.Task, statusC <-chan client.ExitStatus, sigs <-chan os.Signal, f startFlags) (bool, error) {
	for {
		select {
		case sig := <-sigs:
			_ = task.Kill(ctx, sig.(syscall.Signal))
		case st := <-statusC:
			code, exitedAt, err := st.Result()
			if err != nil {
				return false, err
			}
			// Let the copy of the last output finish before returning.
			if tio := task.IO(); tio != nil {
				tio.Wait()
			}
			if !f.ephemeral {
				recordExit(ctx, cfg, ctr.ID(), int(code), exitedAt)
			}
			// The stopped task is deleted so its shim does not linger; the
			// exit status lives on in berth's metadata. Under a restart
			// policy it stays: the restart monitor decides from it.
			deleted := false
			if !f.restartPolicy {
				_, err := task.Delete(ctx)
				deleted = err == nil
			}
			if code != 0 {
				return deleted, &ExitError{Status: int(code)}
			}
			return deleted, nil
		}
	}
}

// ensureImage returns the image to run, pulling it as the pull policy says.
// Pull output goes to stderr so that the container's stdout stays its own.
func ensureImage(ctx context.Context, c *client.Client, cfg *config.Config, stderr io.Writer, ref string, o *CreateOptions) (client.Image, error) {
	if o.Pull != "always" {
		img, err := c.GetImage(ctx, ref)
		if err == nil || !errdefs.IsNotFound(err) {
			return img, err
		}
		// Where Docker takes a name it takes an image ID, or a unique
		// prefix of one, too.
		if name, ok, err := image.NameByID(ctx, c, cfg.Snapshotter, o.Image); err != nil {
			return nil, err
		} else if ok {
			return c.GetImage(ctx, name)
		}
		if o.Pull == "never" {
			return nil, fmt.Errorf("No such image: %s (--pull never)", o.Image)
		}
		fmt.Fprintf(stderr, "Unable to find image '%s' locally\n", o.Image)
	}
	out := stderr
	if o.Quiet {
		out = io.Discard
	}
	popts := image.PullOptions{Quiet: o.Quiet, Unpack: true, Platforms: []string{}}
	if o.Platform != "" {
		popts.Platforms = []string{o.Platform}
	}
	if _, err := image.PullImage(ctx, c, cfg, out, stderr, o.Image, popts); err != nil {
		return nil, err
	}
	img, err := c.GetImage(ctx, ref)
	if err != nil {
		return nil, err
	}
	if ok, err := img.IsUnpacked(ctx, cfg.Snapshotter); err == nil && !ok {
		if err := img.Unpack(ctx, cfg.Snapshotter); err != nil {
			return nil, fmt.Errorf("unpacking %s: %w", o.Image, err)
		}
	}
	return img, nil
}

// stdinCloser closes the task's stdin once the caller's stdin ends.
type stdinCloser struct {
	r     io.Reader
	close func()
	once  sync.Once
}

func (s *stdinCloser) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err == io.EOF {
		s.once.Do(s.close)
	}
	return n, err
}

// startError maps runc's failure to start the command to Docker's statuses:
// 127 when the command does not exist, 126 when it cannot be executed. runc
// reports these only as text, so the text is all there is to go on.
func startError(err error) error {
	msg := err.Error()
	// The network hook's own message, without runc's and the shim's
	// wrapping; it says nothing about the container's command.
	if _, hook, ok := strings.Cut(msg, "berth oci-hook: "); ok {
		return fmt.Errorf("failed to start the container: network set-up failed: %s", strings.TrimSpace(strings.TrimRight(hook, "\"': \n")))
	}
	switch {
	case strings.Contains(msg, "executable file not found"), strings.Contains(msg, "no such file or directory"):
		return &ExitError{Status: 127, Err: fmt.Errorf("failed to start the container: %w", err)}
	case strings.Contains(msg, "permission denied"), strings.Contains(msg, "is a directory"):
		return &ExitError{Status: 126, Err: fmt.Errorf("failed to start the container: %w", err)}
	}
	return fmt.Errorf("failed to start the container: %w", err)
}

func newID() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// hasRestartPolicy reports whether the restart monitor looks after ctr.
func hasRestartPolicy(ctx context.Context, ctr client.Container) bool {
	labels, err := ctr.Labels(ctx)
	if err != nil {
		return false
	}
	_, ok := labels[containerutil.RestartPolicyLabel]
	return ok
}

// attaches reports whether -a selects stream; without -a all are attached.
func (o *RunOptions) attaches(stream string) bool {
	if len(o.Attach) == 0 {
		return true
	}
	for _, a := range o.Attach {
		if strings.EqualFold(a, stream) {
			return true
		}
	}
	return false
}

// attachedStreams drops the output streams -a leaves out; the log still
// gets them.
func (o *RunOptions) attachedStreams(s Streams) Streams {
	if !o.attaches("stdout") {
		s.Out = io.Discard
	}
	if !o.attaches("stderr") {
		s.Err = io.Discard
	}
	return s
}
