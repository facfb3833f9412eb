package compose

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	units "github.com/docker/go-units"

	"github.com/berth-project/berth/pkg/cmd/container"
	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/formatter"
	"github.com/berth-project/berth/pkg/opts"
)

// PsOptions are the flags of `compose ps`.
type PsOptions struct {
	Services []string
	// All shows stopped containers too, and those of `compose run`.
	All bool
	// Quiet prints IDs only; ServicesOnly prints service names only.
	Quiet        bool
	ServicesOnly bool
	// Status keeps containers in these states (--status, or --filter status=).
	Status []string
	// Filters are --filter values; status= is the one Docker Compose takes.
	Filters opts.Filters
	// Format is "table", "json" or a Go template.
	Format string
	// NoTrunc prints commands in full.
	NoTrunc bool
}

var validPsStatus = []string{"paused", "restarting", "removing", "running", "dead", "created", "exited"}

// Validate checks the flags before the engine is dialled.
func (o *PsOptions) Validate() error {
	if err := o.Filters.CheckKeys("status"); err != nil {
		return err
	}
	o.Status = append(o.Status, o.Filters.Get("status")...)
	for _, st := range o.Status {
		if !slices.Contains(validPsStatus, st) {
			return fmt.Errorf("invalid status %q: must be one of %s", st, strings.Join(validPsStatus, ", "))
		}
	}
	if o.Quiet && o.ServicesOnly {
		return fmt.Errorf("--quiet and --services cannot be combined")
	}
	return nil
}

// psRow is one line of `compose ps`, with Docker Compose's field names.
type psRow struct {
	ID         string
	Name       string
	Names      string
	Image      string
	Command    string
	Project    string
	Service    string
	Created    int64
	CreatedAt  string
	RunningFor string
	State      string
	Status     string
	Health     string
	ExitCode   int
	Ports      string
	Labels     string
	Publishers []publisher
}

type publisher struct {
	URL           string
	TargetPort    int
	PublishedPort int
	Protocol      string
}

var psHeaders = map[string]string{
	"ID": "CONTAINER ID", "Name": "NAME", "Names": "NAMES", "Image": "IMAGE", "Command": "COMMAND",
	"Project": "PROJECT", "Service": "SERVICE", "CreatedAt": "CREATED AT", "RunningFor": "CREATED",
	"State": "STATE", "Status": "STATUS", "Health": "HEALTH", "ExitCode": "EXIT CODE", "Ports": "PORTS",
	"Labels": "LABELS",
}

const psDefault = "{{.Name}}\t{{.Image}}\t{{.Command}}\t{{.Service}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}"

// Ps lists the project's containers as `docker compose ps` does.
func Ps(ctx context.Context, cfg *config.Config, s container.Streams, p *Project, o PsOptions) error {
	f := filter{all: o.All || len(o.Status) > 0}
	if !o.All {
		f.oneoff = "False"
	}
	ss, ctx, ctrs, err := openServices(ctx, cfg, s, p, o.Services, f)
	if err != nil {
		return err
	}
	defer ss.close()
	if len(o.Status) > 0 {
		ctrs = slices.DeleteFunc(ctrs, func(c Ctr) bool { return !slices.Contains(o.Status, c.State.Status) })
	}
	if o.ServicesOnly {
		var seen []string
		for _, c := range ctrs {
			if !slices.Contains(seen, c.Service) {
				seen = append(seen, c.Service)
				fmt.Fprintln(s.Out, c.Service)
			}
		}
		return nil
	}
	return writePs(s.Out, ctrs, p.Name, o, time.Now())
}

func writePs(w io.Writer, ctrs []Ctr, project string, o PsOptions, now time.Time) error {
	rows := make([]any, 0, len(ctrs))
	for _, c := range ctrs {
		r := psRow{
			ID: c.ID, Name: c.Name, Names: c.Name, Image: c.Image, Command: c.Command,
			Project: project, Service: c.Service, Created: c.Created.Unix(),
			CreatedAt:  c.Created.Format("2006-01-02 15:04:05 -0700 MST"),
			RunningFor: units.HumanDuration(now.Sub(c.Created)) + " ago",
			State:      c.State.Status, Status: c.State.HumanStatus(now), ExitCode: c.State.ExitCode,
			Ports: c.Ports, Labels: joinLabels(c.Labels), Publishers: publishers(c),
		}
		if c.State.Health != nil {
			r.Health = c.State.Health.Status
		}
		if !o.NoTrunc && !formatter.IsJSON(o.Format) {
			r.Command = strconv.Quote(ellipsis(r.Command, 20))
		}
		rows = append(rows, r)
	}
	l := formatter.List{Format: o.Format, Default: psDefault, Headers: psHeaders, Quiet: o.Quiet, QuietField: "ID"}
	return l.Write(w, rows)
}

// publishers are the container's published ports, Docker Compose's
// Publishers of ps --format json.
func publishers(c Ctr) []publisher {
	out := []publisher{}
	for _, k := range sortedKeys(c.Published) {
		port, proto, _ := strings.Cut(k, "/")
		target, _ := strconv.Atoi(port)
		bs := c.Published[k]
		if len(bs) == 0 {
			out = append(out, publisher{TargetPort: target, Protocol: proto})
		}
		for _, b := range bs {
			hp, _ := strconv.Atoi(b.HostPort)
			out = append(out, publisher{URL: b.HostIP, TargetPort: target, PublishedPort: hp, Protocol: proto})
		}
	}
	return out
}

func joinLabels(l map[string]string) string {
	return strings.Join(sortedPairs(l, "="), ",")
}

// ellipsis shortens s to n characters with "…", as ps does.
func ellipsis(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
