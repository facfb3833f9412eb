package container

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/containerd/containerd/v2/client"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
)

// This file is the container verbs as pkg/compose drives them: on a
// container it already holds, with the caller's client, without echoing
// anything. The verbs themselves stay in their own files.

// Summary is one container as `compose ps` and `compose ls` show it.
type Summary struct {
	ID   string
	Name string
	// Image is the reference the container was created from.
	Image string
	// Command is ps's COMMAND, unquoted and untruncated.
	Command string
	Created time.Time
	// Labels are all the container's labels, berth's and the engine's too.
	Labels map[string]string
	State  State
	// Ports is ps's PORTS column: "0.0.0.0:8080->80/tcp, 443/tcp".
	Ports string
	// Published are the bound ports by "80/tcp" (an exposed port with none).
	Published map[string][]containerutil.PortBinding
	// Healthcheck is the container's health check, nil without one.
	Healthcheck *containerutil.HealthConfig
}

// ListSummaries returns the containers that match every containerd filter
// given (e.g. `labels."com.docker.compose.project"==app`), newest first.
func ListSummaries(ctx context.Context, c *client.Client, cfg *config.Config, filters ...string) ([]Summary, error) {
	store := containerutil.NewStore(cfg.DataRoot, cfg.Namespace)
	var fs []string
	if len(filters) > 0 {
		// Within one containerd filter, "," joins conditions that all hold.
		fs = []string{strings.Join(filters, ",")}
	}
	infos, err := c.ContainerService().List(ctx, fs...)
	if err != nil {
		return nil, fmt.Errorf("listing containers: %w", err)
	}
	tss, err := allTaskStatus(ctx, c)
	if err != nil {
		return nil, err
	}
	out := make([]Summary, 0, len(infos))
	for _, info := range infos {
		meta := metaOrEmpty(store, info.ID)
		r := &ctrRecord{info: info, meta: meta, state: liveState(info.Labels, meta, tss[info.ID])}
		r.loadEndpoint(store)
		out = append(out, summaryOf(r))
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.After(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

func summaryOf(r *ctrRecord) Summary {
	img := r.meta.Config.Image
	if img == "" {
		img = r.info.Labels[containerutil.LabelImageRef]
	}
	return Summary{
		ID: r.info.ID, Name: r.name(), Image: img, Command: r.commandLine(), Created: r.created(),
		Labels: r.info.Labels, State: r.state, Ports: r.portsColumn(), Published: r.publishedPorts(),
		Healthcheck: r.meta.Config.Healthcheck,
	}
}

// StartContainer starts ctr with its logger unless it runs already.
func StartContainer(ctx context.Context, c *client.Client, cfg *config.Config, ctr client.Container) error {
	_, _, err := startContainer(context.WithoutCancel(ctx), cfg, newTarget(c, cfg, ctr))
	return err
}

// StopContainer stops ctr as `stop` does; o's Containers are ignored.
func StopContainer(ctx context.Context, c *client.Client, cfg *config.Config, ctr client.Container, o *StopOptions) error {
	return stopTarget(context.WithoutCancel(ctx), cfg, newTarget(c, cfg, ctr), o, true)
}

// RestartContainer stops and starts ctr as `restart` does.
func RestartContainer(ctx context.Context, c *client.Client, cfg *config.Config, ctr client.Container, o *StopOptions) error {
	ctx = context.WithoutCancel(ctx)
	t := newTarget(c, cfg, ctr)
	if err := stopTarget(ctx, cfg, t, o, false); err != nil {
		return err
	}
	_, _, err := startContainer(ctx, cfg, t)
	return err
}

// KillContainer sends sig (a name or number; "" is SIGKILL) as `kill` does.
func KillContainer(ctx context.Context, c *client.Client, cfg *config.Config, ctr client.Container, sig string) error {
	o := &KillOptions{Signal: sig}
	s, err := o.signal()
	if err != nil {
		return err
	}
	return killTarget(context.WithoutCancel(ctx), cfg, newTarget(c, cfg, ctr), s)
}

// RemoveWithVolumes removes ctr as `rm` does (-f with force), and with
// volumes its anonymous volumes that no other container uses (-v).
func RemoveWithVolumes(ctx context.Context, c *client.Client, cfg *config.Config, ctr client.Container, force, volumes bool) error {
	return removeWithVolumes(ctx, c, containerutil.NewStore(cfg.DataRoot, cfg.Namespace), ctr, force, volumes)
}

// WaitExit waits until ctr stops and returns its exit status, as `wait`.
func WaitExit(ctx context.Context, c *client.Client, cfg *config.Config, ctr client.Container) (int, error) {
	return waitExit(ctx, newTarget(c, cfg, ctr))
}

func newTarget(c *client.Client, cfg *config.Config, ctr client.Container) *target {
	return &target{c: c, store: containerutil.NewStore(cfg.DataRoot, cfg.Namespace), ctr: ctr, query: ctr.ID()}
}
