package compose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	units "github.com/docker/go-units"

	"github.com/berth-project/berth/pkg/cmd/container"
	"github.com/berth-project/berth/pkg/cmd/image"
	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/formatter"
	"github.com/berth-project/berth/pkg/referenceutil"
	"github.com/berth-project/berth/pkg/version"
)

// PortOptions are the arguments of `compose port`.
type PortOptions struct {
	Service string
	// Port is the private port; Protocol tcp, udp or sctp.
	Port     string
	Protocol string
	Index    int
}

// Port prints the host address a private port of the service is
// published on.
func Port(ctx context.Context, cfg *config.Config, s container.Streams, p *Project, o PortOptions) error {
	if err := p.CheckServices([]string{o.Service}); err != nil {
		return err
	}
	c, err := findReplica(ctx, cfg, s, p.Name, o.Service, o.Index)
	if err != nil {
		return err
	}
	proto := o.Protocol
	if proto == "" {
		proto = "tcp"
	}
	return container.Port(ctx, cfg, s, &container.PortOptions{Container: c.ID, Port: o.Port + "/" + proto})
}

// Top prints the processes of the services' running containers, each
// under the container's name.
func Top(ctx context.Context, cfg *config.Config, s container.Streams, p *Project, services []string) error {
	ss, ctx, ctrs, err := openServices(ctx, cfg, s, p, services, filter{})
	if err != nil {
		return err
	}
	defer ss.close()
	var errs []error
	for i, c := range ctrs {
		if i > 0 {
			fmt.Fprintln(s.Out)
		}
		fmt.Fprintln(s.Out, c.Name)
		errs = append(errs, container.Top(ctx, cfg, s, &container.TopOptions{Container: c.ID}))
	}
	return errors.Join(errs...)
}

// Wait waits until the services' containers stop and prints each exit
// status; it fails with the first non-zero one.
func Wait(ctx context.Context, cfg *config.Config, s container.Streams, p *Project, services []string) error {
	ss, ctx, ctrs, err := openServices(ctx, cfg, s, p, services, filter{oneoff: "False", all: true})
	if err != nil {
		return err
	}
	defer ss.close()
	first := 0
	for _, c := range ctrs {
		ctr, err := ss.load(ctx, c.ID)
		if err != nil {
			return err
		}
		code, err := container.WaitExit(ctx, ss.c, cfg, ctr)
		if err != nil {
			return err
		}
		fmt.Fprintln(s.Out, code)
		if first == 0 {
			first = code
		}
	}
	return exitStatus(first)
}

// PullOptions are the flags of `compose pull`.
type PullOptions struct {
	Services []string
	// Quiet prints nothing but errors.
	Quiet bool
	// IgnoreFailures goes on after an image that cannot be pulled.
	IgnoreFailures bool
	// Policy is "always" (the default) or "missing".
	Policy string
}

// Pull pulls the services' images.
func Pull(ctx context.Context, cfg *config.Config, s container.Streams, p *Project, o PullOptions) error {
	sel, err := p.Select(o.Services, true)
	if err != nil {
		return err
	}
	ss, ctx, err := open(ctx, cfg, s)
	if err != nil {
		return err
	}
	defer ss.close()
	if o.Quiet {
		ss.progress.w = io.Discard
	}
	for _, svc := range serviceList(sel.Project) {
		if svc.Image == "" {
			continue
		}
		if svc.PullPolicy == pullNever {
			continue
		}
		if o.Policy == pullMissing {
			if _, err := ss.imageID(ctx, svc.Image); err == nil {
				continue
			}
		}
		if err := ss.pull(ctx, svc); err != nil {
			if !o.IgnoreFailures {
				return err
			}
			fmt.Fprintln(s.Err, "WARNING:", err)
		}
	}
	return nil
}

// PushOptions are the flags of `compose push`.
type PushOptions struct {
	Services       []string
	Quiet          bool
	IgnoreFailures bool
}

// Push pushes the services' images to their registries.
func Push(ctx context.Context, cfg *config.Config, s container.Streams, p *Project, o PushOptions) error {
	sel, err := p.Select(o.Services, true)
	if err != nil {
		return err
	}
	pr := &progress{w: s.Err}
	if o.Quiet {
		pr.w = io.Discard
	}
	done := map[string]bool{}
	for _, svc := range serviceList(sel.Project) {
		if svc.Image == "" || done[svc.Image] {
			continue
		}
		done[svc.Image] = true
		pr.event("Image", svc.Image, "Pushing")
		if err := image.Push(ctx, cfg, io.Discard, s.Err, svc.Image, image.PushOptions{Quiet: true}); err != nil {
			pr.event("Image", svc.Image, "Error")
			err = fmt.Errorf("service %q: pushing %s: %w", svc.Name, svc.Image, err)
			if !o.IgnoreFailures {
				return err
			}
			fmt.Fprintln(s.Err, "WARNING:", err)
			continue
		}
		pr.event("Image", svc.Image, "Pushed")
	}
	return nil
}

// ImagesOptions are the flags of `compose images`.
type ImagesOptions struct {
	Services []string
	Quiet    bool
	Format   string
}

type imageRow struct {
	ContainerName string
	Repository    string
	Tag           string
	Platform      string
	ID            string
	Size          string
}

var imageHeaders = map[string]string{"ContainerName": "CONTAINER", "Repository": "REPOSITORY", "Tag": "TAG",
	"Platform": "PLATFORM", "ID": "IMAGE ID", "Size": "SIZE"}

// Images lists the images the project's containers were created from.
func Images(ctx context.Context, cfg *config.Config, s container.Streams, p *Project, o ImagesOptions) error {
	ss, ctx, ctrs, err := openServices(ctx, cfg, s, p, o.Services, filter{all: true})
	if err != nil {
		return err
	}
	defer ss.close()
	var rows []any
	for _, c := range ctrs {
		r := imageRow{ContainerName: c.Name, Repository: c.Image, Tag: "latest", Platform: platforms.DefaultString()}
		if named, err := reference.ParseNormalizedNamed(c.Image); err == nil {
			r.Repository = reference.FamiliarName(named)
			if t, ok := named.(reference.Tagged); ok {
				r.Tag = t.Tag()
			}
		}
		if ref, err := referenceutil.Normalize(c.Image); err == nil {
			if img, err := ss.c.GetImage(ctx, ref); err == nil {
				if desc, err := img.Config(ctx); err == nil {
					r.ID = strings.TrimPrefix(desc.Digest.String(), "sha256:")
					if !o.Quiet && !formatter.IsJSON(o.Format) {
						r.ID = r.ID[:min(12, len(r.ID))]
					}
				}
				if size, err := img.Size(ctx); err == nil {
					r.Size = units.HumanSizeWithPrecision(float64(size), 3)
				}
			}
		}
		rows = append(rows, r)
	}
	l := formatter.List{Format: o.Format, Default: "{{.ContainerName}}\t{{.Repository}}\t{{.Tag}}\t{{.Platform}}\t{{.ID}}\t{{.Size}}",
		Headers: imageHeaders, Quiet: o.Quiet, QuietField: "ID"}
	return l.Write(s.Out, rows)
}

// VersionOptions are the flags of `compose version`.
type VersionOptions struct {
	Short  bool
	Format string
}

// Version prints berth's compose version.
func Version(w io.Writer, o VersionOptions) error {
	if o.Short {
		_, err := fmt.Fprintln(w, version.Version)
		return err
	}
	if o.Format == "json" {
		_, err := fmt.Fprintf(w, "{\"version\":%q,\"compose\":%q}\n", version.Version, ComposeVersion)
		return err
	}
	_, err := fmt.Fprintf(w, "berth compose version %s (Docker Compose %s compatible)\n", version.Version, ComposeVersion)
	return err
}
