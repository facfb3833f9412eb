package compose

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/mattn/go-shellwords"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/cmd/container"
	"github.com/berth-project/berth/pkg/config"
)

// RunOptions are the flags and arguments of `compose run`.
type RunOptions struct {
	Service string
	// Command replaces the service's command when given.
	Command []string
	// Detach runs the container in the background and prints its name.
	Detach bool
	// Rm removes the container when it exits.
	Rm bool
	// Name replaces the generated <project>-<service>-run-<id>.
	Name string
	// Env and Labels are added to the service's.
	Env    []string
	Labels []string
	// Entrypoint replaces the service's (split as a shell would);
	// EntrypointSet tells --entrypoint "" from none.
	Entrypoint    string
	EntrypointSet bool
	// Publish are -p values; ServicePorts publishes the service's ports.
	Publish      []string
	ServicePorts bool
	// UseAliases gives the container the service's network aliases.
	UseAliases bool
	// NoDeps does not start the services it depends on.
	NoDeps bool
	// User and Workdir replace the service's.
	User, Workdir string
	// TTY and Interactive as for exec: Docker Compose's defaults on a
	// terminal, -T turns the terminal off.
	TTY         bool
	Interactive bool
	// Pull is --pull for the images.
	Pull string
	// RemoveOrphans removes containers of services not in the files.
	RemoveOrphans bool
}

// Validate checks the flags before the files are loaded.
func (o *RunOptions) Validate() error {
	if o.Detach && o.Rm {
		return errors.New("--rm and --detach cannot be combined: a detached one-off container is kept until `compose rm`")
	}
	if o.EntrypointSet && o.Entrypoint != "" {
		if _, err := shellwords.Parse(o.Entrypoint); err != nil {
			return fmt.Errorf("invalid --entrypoint %q: %w", o.Entrypoint, err)
		}
	}
	return nil
}

// Run runs a one-off container of the service, as `docker compose run`:
// the services it depends on are brought up first (unless NoDeps), then
// the container runs with the command given, attached unless Detach.
func Run(ctx context.Context, cfg *config.Config, s container.Streams, p *Project, o RunOptions) error {
	sel, err := p.Select([]string{o.Service}, o.NoDeps)
	if err != nil {
		return err
	}
	svc := sel.Services[o.Service]
	create, files, err := oneoff(sel.Project, svc, o, StateDir(cfg, p.Name))
	if err != nil {
		return err
	}
	deps := &Project{Project: sel.Project, Ignored: sel.Ignored, sources: sel.sources}
	deps.Project = copyWithout(sel.Project, o.Service)
	plan, err := Plan(deps, nil, StateDir(cfg, p.Name))
	if err != nil {
		return err
	}
	levels, err := StartOrder(deps.Services)
	if err != nil {
		return err
	}
	c, ctx, err := clientutil.New(ctx, cfg)
	if err != nil {
		return err
	}
	ss := &session{c: c, cfg: cfg, s: s, progress: &progress{w: s.Err}}
	p.Warn(s.Err)
	err = func() error {
		defer c.Close()
		if _, err := ss.ensureImages(ctx, []types.ServiceConfig{svc}, o.Pull); err != nil {
			return err
		}
		uo := UpOptions{Detach: true, Pull: o.Pull, RemoveOrphans: o.RemoveOrphans}
		if _, err := ss.up(ctx, p, deps, plan, levels, uo); err != nil {
			return err
		}
		if err := ss.ensureNetworks(sel.Project, []types.ServiceConfig{svc}); err != nil {
			return err
		}
		if err := ss.ensureVolumes(sel.Project, []types.ServiceConfig{svc}); err != nil {
			return err
		}
		if err := writeFiles(files); err != nil {
			return err
		}
		return ss.waitDependencies(ctx, sel.Project, svc)
	}()
	if err != nil {
		return err
	}
	ro := &container.RunOptions{CreateOptions: *create, Detach: o.Detach, SigProxy: true}
	if o.Detach {
		if err := container.Run(ctx, cfg, container.Streams{In: s.In, Out: io.Discard, Err: s.Err}, ro); err != nil {
			return err
		}
		fmt.Fprintln(s.Out, create.Name)
		return nil
	}
	return container.Run(ctx, cfg, s, ro)
}

// copyWithout is p without service name.
func copyWithout(p *types.Project, name string) *types.Project {
	c := *p
	c.Services = maps.Clone(p.Services)
	delete(c.Services, name)
	return &c
}

// oneoff is the create options of a `compose run` container of svc.
func oneoff(p *types.Project, svc types.ServiceConfig, o RunOptions, stateDir string) (*container.CreateOptions, []ProjectFile, error) {
	if len(o.Command) > 0 {
		svc.Command = o.Command
	}
	if o.EntrypointSet {
		svc.Entrypoint = types.ShellCommand{}
		if o.Entrypoint != "" {
			words, err := shellwords.Parse(o.Entrypoint)
			if err != nil {
				return nil, nil, fmt.Errorf("invalid --entrypoint %q: %w", o.Entrypoint, err)
			}
			svc.Entrypoint = words
		}
	}
	if !o.ServicePorts {
		svc.Ports = nil
	}
	// A one-off container runs once: no restart policy, no fixed name.
	svc.Restart, svc.ContainerName = "", ""
	if svc.Deploy != nil {
		d := *svc.Deploy
		d.RestartPolicy = nil
		svc.Deploy = &d
	}
	if o.User != "" {
		svc.User = o.User
	}
	if o.Workdir != "" {
		svc.WorkingDir = o.Workdir
	}
	hash, err := ConfigHash(svc)
	if err != nil {
		return nil, nil, err
	}
	r, err := Convert(p, svc, 1, stateDir)
	if err != nil {
		return nil, nil, err
	}
	co := r.Create
	co.Name = o.Name
	if co.Name == "" {
		co.Name = oneoffName(p.Name, svc.Name, randomSuffix())
	}
	co.Labels = append(labelList(svc.Labels, serviceLabels(p, svc, 1, true, hash, "")), o.Labels...)
	co.Env = append(co.Env, o.Env...)
	co.Publish = append(co.Publish, o.Publish...)
	co.TTY, co.Interactive = o.TTY, o.Interactive
	co.Rm = o.Rm
	// The service's addresses belong to its own containers.
	co.IP, co.IP6 = "", ""
	if o.UseAliases && len(r.Networks) > 0 {
		co.Aliases = r.Networks[0].Aliases
	}
	if err := co.Validate(); err != nil {
		return nil, nil, fmt.Errorf("service %q: %w", svc.Name, err)
	}
	return &co, r.Files, nil
}

// randomSuffix is the hex ID of a one-off container's name.
func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
