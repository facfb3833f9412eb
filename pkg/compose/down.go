package compose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/berth-project/berth/pkg/cmd/container"
	"github.com/berth-project/berth/pkg/cmd/image"
	"github.com/berth-project/berth/pkg/config"
)

// DownOptions are the flags of `compose down`.
type DownOptions struct {
	// RemoveOrphans also removes containers of services not in the files.
	RemoveOrphans bool
	// Volumes removes the project's named volumes (-v).
	Volumes bool
	// RMI removes images: "all" (every service's) or "local" (those
	// without a custom tag; berth's services always name their image, so
	// none). "" removes none.
	RMI string
	// Timeout is -t; TimeoutSet tells -t 0 from none.
	Timeout    int
	TimeoutSet bool
	// Services limits down to these services' containers.
	Services []string
}

// Validate checks the flags before anything is loaded.
func (o *DownOptions) Validate() error {
	switch o.RMI {
	case "", "all", "local":
		return nil
	}
	return fmt.Errorf("invalid --rmi option %q: must be all or local", o.RMI)
}

// Down stops and removes the project's containers, then its networks
// (and with the flags its volumes and images), as `docker compose down`.
// Containers of services no longer in the files stay unless
// RemoveOrphans; one-off containers of `compose run` go too.
func Down(ctx context.Context, cfg *config.Config, s container.Streams, p *Project, o DownOptions) error {
	ss, ctx, all, err := openServices(ctx, cfg, s, p, o.Services, filter{all: true})
	if err != nil {
		return err
	}
	defer ss.close()
	known := len(p.Services) > 0 || len(p.DisabledServices) > 0
	var ctrs, orphans []Ctr
	for _, c := range all {
		_, enabled := p.Services[c.Service]
		_, disabled := p.DisabledServices[c.Service]
		if known && !enabled && !disabled && !o.RemoveOrphans {
			orphans = append(orphans, c)
			continue
		}
		ctrs = append(ctrs, c)
	}
	if len(orphans) > 0 {
		fmt.Fprintf(s.Err, "WARNING: Found orphan containers (%v) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.\n", names(orphans))
	}
	stop := &container.StopOptions{Timeout: o.Timeout, TimeoutSet: o.TimeoutSet}
	var errs []error
	for _, level := range stopLevels(p, ctrs) {
		var wg sync.WaitGroup
		levelErrs := make([]error, len(level))
		for i, c := range level {
			wg.Add(1)
			go func() {
				defer wg.Done()
				levelErrs[i] = ss.stopAndRemove(ctx, c, stop, o.Volumes)
			}()
		}
		wg.Wait()
		errs = append(errs, levelErrs...)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if len(o.Services) == 0 {
		errs = append(errs, ss.removeNetworks(ctx, p.Name))
	}
	if o.Volumes && len(o.Services) == 0 {
		errs = append(errs, ss.removeVolumes(ctx, p.Name))
	}
	if o.RMI == "all" {
		errs = append(errs, ss.removeImages(ctx, p, ctrs))
	}
	return errors.Join(errs...)
}

// removeImages removes the images of the project's services (and of the
// containers removed), as --rmi all does; an image in use elsewhere stays.
func (ss *session) removeImages(ctx context.Context, p *Project, ctrs []Ctr) error {
	var refs []string
	for _, s := range serviceList(p.Project) {
		if s.Image != "" && !slices.Contains(refs, s.Image) {
			refs = append(refs, s.Image)
		}
	}
	for _, c := range ctrs {
		if c.Image != "" && !slices.Contains(refs, c.Image) {
			refs = append(refs, c.Image)
		}
	}
	for _, ref := range refs {
		ss.progress.event("Image", ref, "Removing")
		if err := image.Remove(ctx, ss.cfg, io.Discard, io.Discard, image.RemoveOptions{Images: []string{ref}}); err != nil {
			ss.progress.event("Image", ref, "Error: "+err.Error())
			continue
		}
		ss.progress.event("Image", ref, "Removed")
	}
	return nil
}
