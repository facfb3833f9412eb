package container

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/containerd/v2/pkg/cio"
	"github.com/containerd/containerd/v2/pkg/oci"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-project/berth/pkg/config"
)

// ExecOptions are the flags and arguments of `exec`.
type ExecOptions struct {
	// Detach starts the command and returns at once (-d).
	Detach bool
	// Interactive attaches stdin (-i); TTY allocates a terminal (-t).
	Interactive bool
	TTY         bool
	// Env are -e values, EnvFiles --env-file paths, on top of the container's.
	Env      []string
	EnvFiles []string
	// User is -u (name|uid[:group|gid]); Workdir is -w (absolute).
	User    string
	Workdir string
	// Privileged gives the command every capability.
	Privileged bool
	// DetachKeys ends an interactive session (-i -t) leaving the command running.
	DetachKeys string
	// Container is the name or ID; Command is what to run.
	Container string
	Command   []string
}

// Validate checks the flags before the engine is dialled.
func (o *ExecOptions) Validate(stdinIsTerminal bool) error {
	if o.Workdir != "" && !filepath.IsAbs(o.Workdir) {
		return fmt.Errorf("the working directory '%s' is invalid, it needs to be an absolute path", o.Workdir)
	}
	if o.TTY && o.Interactive && !o.Detach && !stdinIsTerminal {
		return errors.New("the input device is not a TTY")
	}
	_, err := parseDetachKeys(o.DetachKeys)
	return err
}

// Exec runs a command in a running container as `docker exec` does and
// returns its exit status as *ExitError; 126 and 127 when it cannot be
// run, 125 for berth's own errors.
func Exec(ctx context.Context, cfg *config.Config, s Streams, o *ExecOptions) error {
	return forEach(ctx, cfg, s.Out, []string{o.Container}, false, func(ctx context.Context, t *target) error {
		task, st, err := loadTask(ctx, t.ctr)
		if err != nil {
			return err
		}
		switch st.Status {
		case client.Running:
		case client.Paused, client.Pausing:
			return fmt.Errorf("container %s is paused, unpause the container before exec", t.ctr.ID())
		default:
			return notRunningError(t.ctr.ID())
		}
		pspec, err := execSpec(ctx, t, o)
		if err != nil {
			return err
		}
		return execProcess(context.WithoutCancel(ctx), cfg, s, task, pspec, o)
	})
}

// execSpec is the container's process with the command and the flags applied.
func execSpec(ctx context.Context, t *target, o *ExecOptions) (*specs.Process, error) {
	spec, err := t.ctr.Spec(ctx)
	if err != nil {
		return nil, err
	}
	info, err := t.ctr.Info(ctx)
	if err != nil {
		return nil, err
	}
	fromFiles, err := readKVFiles(o.EnvFiles)
	if err != nil {
		return nil, err
	}
	env := make([]string, 0, len(fromFiles)+len(o.Env))
	for _, kv := range append(fromFiles, o.Env...) {
		// A bare NAME takes the caller's value, or is dropped, as in Docker.
		if !strings.Contains(kv, "=") {
			v, ok := os.LookupEnv(kv)
			if !ok {
				continue
			}
			kv += "=" + v
		}
		env = append(env, kv)
	}
	opts := []oci.SpecOpts{oci.WithProcessArgs(o.Command...), oci.WithEnv(env)}
	if o.User != "" {
		opts = append(opts, oci.WithUser(o.User), oci.WithAdditionalGIDs(o.User))
	}
	if o.Workdir != "" {
		opts = append(opts, oci.WithProcessCwd(o.Workdir))
	}
	if o.Privileged {
		opts = append(opts, oci.WithAllKnownCapabilities, func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
			s.Process.ApparmorProfile = ""
			s.Process.NoNewPrivileges = false
			return nil
		})
	}
	for _, opt := range opts {
		if err := opt(ctx, t.c, &info, spec); err != nil {
			return nil, err
		}
	}
	spec.Process.Terminal = o.TTY
	return spec.Process, nil
}

// execProcess runs the process with the caller's streams and waits for it.
func execProcess(ctx context.Context, cfg *config.Config, s Streams, task client.Task, pspec *specs.Process, o *ExecOptions) error {
	execID, err := newID()
	if err != nil {
		return err
	}
	execID = "exec-" + execID[:24]
	var p client.Process
	ioc := cio.NullIO
	detached := make(chan struct{})
	// created is closed once p is set (or will never be).
	created := make(chan struct{})
	if !o.Detach {
		stdin := s.In
		if !o.Interactive {
			stdin = nil
		} else {
			keys, _ := parseDetachKeys(o.DetachKeys)
			if o.TTY {
				stdin = &detachSignal{r: &detachReader{r: stdin, keys: keys}, c: detached}
			}
			// The process sees EOF only when its stdin is closed explicitly.
			stdin = &stdinCloser{r: stdin, close: func() {
				go func() {
					<-created
					if p != nil {
						_ = p.CloseIO(ctx, client.WithStdinCloser)
					}
				}()
			}}
		}
		streams := []cio.Opt{cio.WithStreams(stdin, s.Out, s.Err), cio.WithFIFODir(filepath.Join(cfg.RunDir, "fifo"))}
		if o.TTY {
			streams = []cio.Opt{cio.WithStreams(stdin, s.Out, nil), cio.WithTerminal, cio.WithFIFODir(filepath.Join(cfg.RunDir, "fifo"))}
		}
		ioc = cio.NewCreator(streams...)
	}
	p, err = task.Exec(ctx, execID, pspec, ioc)
	close(created)
	if err != nil {
		return execError(err)
	}
	exitC, err := p.Wait(ctx)
	if err != nil {
		_, _ = p.Delete(ctx, client.WithProcessKill)
		return err
	}
	if err := p.Start(ctx); err != nil {
		_, _ = p.Delete(ctx)
		return execError(err)
	}
	if o.Detach {
		return nil
	}
	if o.TTY {
		restore := rawTerminal(ctx, func(w, h uint32) { _ = p.Resize(ctx, w, h) })
		defer restore()
	}
	var es client.ExitStatus
	select {
	case es = <-exitC:
	case <-detached:
		return nil
	}
	code, _, err := es.Result()
	if err != nil {
		return err
	}
	p.IO().Wait()
	_, _ = p.Delete(ctx)
	if code != 0 {
		return &ExitError{Status: int(code)}
	}
	return nil
}

// execError maps runc's failure to start the command to Docker's statuses
// (127 not found, 126 not executable), keeping runc's words.
func execError(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "executable file not found"), strings.Contains(msg, "no such file or directory"):
		return &ExitError{Status: 127, Err: err}
	case strings.Contains(msg, "permission denied"), strings.Contains(msg, "is a directory"):
		return &ExitError{Status: 126, Err: err}
	}
	return err
}

// detachSignal closes c when its reader reports the detach keys.
type detachSignal struct {
	r    io.Reader
	c    chan struct{}
	done bool
}

func (d *detachSignal) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if errors.Is(err, errDetached) && !d.done {
		d.done = true
		close(d.c)
	}
	return n, err
}
