package compose

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/berth-project/berth/pkg/cmd/container"
	"github.com/berth-project/berth/pkg/config"
)

// ExecOptions are the flags and arguments of `compose exec`.
type ExecOptions struct {
	Service string
	Command []string
	// Index is the replica (--index); 0 is the first.
	Index int
	// Detach runs the command in the background (-d).
	Detach bool
	// TTY allocates a terminal: Docker Compose's default on a terminal, -T
	// turns it off. Interactive feeds stdin (default true).
	TTY         bool
	Interactive bool
	Env         []string
	Workdir     string
	User        string
	Privileged  bool
}

// Validate checks the flags before the engine is dialled.
func (o *ExecOptions) Validate() error {
	if o.Index < 0 {
		return fmt.Errorf("invalid --index %d: replicas are numbered from 1", o.Index)
	}
	return nil
}

// Exec runs a command in a running container of the service and returns
// its exit status as *container.ExitError.
func Exec(ctx context.Context, cfg *config.Config, s container.Streams, p *Project, o ExecOptions) error {
	if err := p.CheckServices([]string{o.Service}); err != nil {
		return err
	}
	c, err := findReplica(ctx, cfg, s, p.Name, o.Service, o.Index)
	if err != nil {
		return err
	}
	eo := &container.ExecOptions{
		Detach: o.Detach, Interactive: o.Interactive, TTY: o.TTY, Env: o.Env, User: o.User,
		Workdir: o.Workdir, Privileged: o.Privileged, Container: c.ID, Command: o.Command,
	}
	// The CLI allocates a terminal only when its stdin is one.
	if err := eo.Validate(true); err != nil {
		return err
	}
	return container.Exec(ctx, cfg, s, eo)
}

// findReplica is the running container index of service (0: the first).
func findReplica(ctx context.Context, cfg *config.Config, s container.Streams, project, service string, index int) (Ctr, error) {
	ss, ctx, err := open(ctx, cfg, s)
	if err != nil {
		return Ctr{}, err
	}
	defer ss.close()
	ctrs, err := ss.list(ctx, filter{project: project, services: []string{service}, oneoff: "False"})
	if err != nil {
		return Ctr{}, err
	}
	for _, c := range ctrs {
		if index == 0 || c.Number == index {
			return c, nil
		}
	}
	if index > 0 {
		return Ctr{}, fmt.Errorf("service %q is not running container #%d", service, index)
	}
	return Ctr{}, fmt.Errorf("service %q is not running", service)
}

// CpOptions are the flags and arguments of `compose cp`.
type CpOptions struct {
	// Source and Destination are SERVICE:PATH, a local path, or "-".
	Source, Destination string
	// Index is the replica (0: the first); All copies to every replica.
	Index int
	All   bool
	// FollowLink, Archive and Quiet are as for `berth cp`.
	FollowLink, Archive, Quiet bool
}

// splitService splits SERVICE:PATH; a local path (absolute, or starting
// with ".") has no service, as `cp` reads its arguments.
func splitService(arg string) (service, path string) {
	if strings.HasPrefix(arg, "/") || strings.HasPrefix(arg, ".") {
		return "", arg
	}
	if s, p, ok := strings.Cut(arg, ":"); ok {
		return s, p
	}
	return "", arg
}

// Validate checks the arguments before anything is loaded.
func (o *CpOptions) Validate() error {
	src, _ := splitService(o.Source)
	dst, _ := splitService(o.Destination)
	switch {
	case src != "" && dst != "":
		return errors.New("copying between services is not supported")
	case src == "" && dst == "":
		return errors.New("one of the source and the destination must be SERVICE:PATH")
	case o.All && src != "":
		return errors.New("--all copies to every container of a service: the destination must be SERVICE:PATH")
	}
	return nil
}

// Cp copies files between a service's container (the first, --index, or
// with --all each) and the local filesystem, as `berth cp` does.
func Cp(ctx context.Context, cfg *config.Config, s container.Streams, p *Project, o CpOptions) error {
	src, srcPath := splitService(o.Source)
	dst, dstPath := splitService(o.Destination)
	service := src + dst
	ss, ctx, ctrs, err := openServices(ctx, cfg, s, p, []string{service}, filter{oneoff: "False", all: true})
	if err != nil {
		return err
	}
	ss.close()
	var targets []Ctr
	for _, c := range ctrs {
		if o.All || o.Index == 0 && len(targets) == 0 || c.Number == o.Index {
			targets = append(targets, c)
		}
	}
	if len(targets) == 0 {
		return fmt.Errorf("no container found for service %q", service)
	}
	var errs []error
	for _, c := range targets {
		co := &container.CpOptions{Source: o.Source, Destination: o.Destination, FollowLink: o.FollowLink, Archive: o.Archive, Quiet: o.Quiet}
		if src != "" {
			co.Source = c.Name + ":" + srcPath
		} else {
			co.Destination = c.Name + ":" + dstPath
		}
		errs = append(errs, container.Cp(ctx, cfg, s, co))
	}
	return errors.Join(errs...)
}
