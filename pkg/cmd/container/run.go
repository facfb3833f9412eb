// Package container implements the container commands.
package container

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/containerd/containerd/api/types/runc/options"
	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/cio"
	"github.com/containerd/containerd/v2/pkg/oci"
	"github.com/containerd/containerd/v2/plugins"
	"github.com/containerd/errdefs"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/cmd/image"
	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/referenceutil"
)

// RunOptions are the flags of `run` that this version supports.
type RunOptions struct {
	// Image is the image to run.
	Image string
	// Args replace the image's CMD when given.
	Args []string
	// Rm removes the container when it exits.
	Rm bool
	// Interactive keeps stdin open and connects it to the container.
	Interactive bool
	// Pull is the image pull policy: "missing", "always" or "never".
	Pull string
	// Quiet suppresses the pull output.
	Quiet bool
}

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

// Validate checks the options before the engine is dialled.
func (o *RunOptions) Validate() error {
	if !o.Rm {
		return errors.New("run without --rm is not supported yet: add --rm (the container is removed when it exits)")
	}
	switch o.Pull {
	case "missing", "always", "never":
	default:
		return fmt.Errorf("invalid --pull %q: must be missing, always or never", o.Pull)
	}
	if _, err := referenceutil.Normalize(o.Image); err != nil {
		return err
	}
	return nil
}

// Run creates a container from the image, runs it attached to the caller's
// stdout and stderr, removes it, and returns its exit status as *ExitError.
func Run(ctx context.Context, cfg *config.Config, stdin io.Reader, stdout, stderr io.Writer, o RunOptions) error {
	ref, err := referenceutil.Normalize(o.Image)
	if err != nil {
		return err
	}
	c, ctx, err := clientutil.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	img, err := ensureImage(ctx, c, cfg, stderr, ref, o)
	if err != nil {
		return err
	}
	if ok, err := img.IsUnpacked(ctx, cfg.Snapshotter); err != nil {
		return err
	} else if !ok {
		if err := img.Unpack(ctx, cfg.Snapshotter); err != nil {
			return fmt.Errorf("unpacking %s: %w", o.Image, err)
		}
	}
	id, err := newID()
	if err != nil {
		return err
	}
	specOpts := []oci.SpecOpts{oci.WithImageConfig(img), oci.WithHostname(id[:12])}
	if len(o.Args) > 0 {
		specOpts = append(specOpts, oci.WithProcessArgs(o.Args...))
	}
	ctr, err := c.NewContainer(ctx, id,
		client.WithImage(img),
		client.WithSnapshotter(cfg.Snapshotter),
		client.WithNewSnapshot(id, img),
		client.WithRuntime(plugins.RuntimeRuncV2, &options.Options{
			BinaryName: filepath.Join(config.LibexecDir(), "runc"),
			Root:       filepath.Join(cfg.RunDir, "runc"),
		}),
		client.WithNewSpec(specOpts...),
	)
	if err != nil {
		return fmt.Errorf("creating the container: %w", err)
	}
	// Clean-up must happen even when the user's Ctrl-C cancelled ctx.
	cleanCtx := context.WithoutCancel(ctx)
	defer func() { _ = ctr.Delete(cleanCtx, client.WithSnapshotCleanup) }()
	if !o.Interactive {
		stdin = nil
	}
	return runTask(cleanCtx, ctr, cfg, stdin, stdout, stderr)
}

func runTask(ctx context.Context, ctr client.Container, cfg *config.Config, stdin io.Reader, stdout, stderr io.Writer) error {
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
	task, err := ctr.NewTask(ctx, cio.NewCreator(cio.WithStreams(stdin, stdout, stderr),
		cio.WithFIFODir(filepath.Join(cfg.RunDir, "fifo"))))
	if err != nil {
		return startError(err)
	}
	close(created)
	exited := false
	defer func() {
		// Killing an exited task costs a runc call for nothing.
		if exited {
			_, _ = task.Delete(ctx)
			return
		}
		_, _ = task.Delete(ctx, client.WithProcessKill)
	}()
	statusC, err := task.Wait(ctx)
	if err != nil {
		return err
	}
	if err := task.Start(ctx); err != nil {
		return startError(err)
	}
	// Signals to the CLI go to the container, as docker's --sig-proxy does.
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2)
	defer signal.Stop(sigs)
	for {
		select {
		case s := <-sigs:
			_ = task.Kill(ctx, s.(syscall.Signal))
		case st := <-statusC:
			code, _, err := st.Result()
			if err != nil {
				return err
			}
			exited = true
			// Let the copy of the last output finish before returning.
			if io := task.IO(); io != nil {
				io.Wait()
			}
			if code != 0 {
				return &ExitError{Status: int(code)}
			}
			return nil
		}
	}
}

// ensureImage returns the image to run, pulling it as the pull policy says.
// Pull output goes to stderr so that the container's stdout stays its own.
func ensureImage(ctx context.Context, c *client.Client, cfg *config.Config, stderr io.Writer, ref string, o RunOptions) (client.Image, error) {
	if o.Pull != "always" {
		img, err := c.GetImage(ctx, ref)
		if err == nil || !errdefs.IsNotFound(err) {
			return img, err
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
	if _, err := image.PullImage(ctx, c, cfg, out, stderr, o.Image, popts); err != nil {
		return nil, err
	}
	return c.GetImage(ctx, ref)
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
