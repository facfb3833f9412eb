package system

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/template"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/typeurl/v2"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/events"
	"github.com/berth-project/berth/pkg/formatter"
	"github.com/berth-project/berth/pkg/netutil"
	"github.com/berth-project/berth/pkg/opts"
)

// EventsOptions are the flags of `events`.
type EventsOptions struct {
	// Filters are the --filter values (type=, container=, image=, event=,
	// label=, volume=, network=, ...).
	Filters opts.Filters
	// Since and Until are --since and --until as given: a time, a Unix
	// time or a duration before now.
	Since string
	Until string
	// Format is a Go template over Docker's event message, or "json".
	Format string
}

// eventsPlan is what a validated `events` reads and prints.
type eventsPlan struct {
	filter       *events.Filter
	since, until time.Time
	printer      *eventPrinter
}

// Validate checks the filters, the times and the template before the engine
// is dialed.
func (o *EventsOptions) Validate() error {
	_, err := o.plan(time.Now())
	return err
}

func (o *EventsOptions) plan(now time.Time) (*eventsPlan, error) {
	p := &eventsPlan{}
	var err error
	if p.filter, err = events.NewFilter(o.Filters); err != nil {
		return nil, err
	}
	if o.Since != "" {
		if p.since, err = events.ParseTime(o.Since, now); err != nil {
			return nil, err
		}
	}
	if o.Until != "" {
		if p.until, err = events.ParseTime(o.Until, now); err != nil {
			return nil, err
		}
		if p.until.Before(p.since) {
			return nil, fmt.Errorf("`since` time (%s) cannot be after `until` time (%s)",
				events.FormatTime(p.since), events.FormatTime(p.until))
		}
	}
	if p.printer, err = newEventPrinter(o.Format); err != nil {
		return nil, err
	}
	return p, nil
}

// wants reports whether the plan prints m.
func (p *eventsPlan) wants(m events.Message) bool {
	t := m.When()
	if !p.since.IsZero() && t.Before(p.since) {
		return false
	}
	if !p.until.IsZero() && t.After(p.until) {
		return false
	}
	return p.filter.Match(m)
}

// Events prints the engine's events as `docker events` does: with --since
// those of the engine's event log from that time on, then each new one as
// it happens, until --until or Ctrl-C. berth's own engine keeps the log;
// with --address only the events that happen while the command runs are
// seen.
func Events(ctx context.Context, cfg *config.Config, w io.Writer, o EventsOptions) error {
	now := time.Now()
	p, err := o.plan(now)
	if err != nil {
		return err
	}
	c, ctx, err := clientutil.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	parent := ctx
	follow := p.until.IsZero() || p.until.After(now)
	if !p.until.IsZero() && follow {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, p.until)
		defer cancel()
	}
	emit := func(m events.Message) error {
		if !p.wants(m) {
			return nil
		}
		return p.printer.print(w, m)
	}
	if cfg.Embedded() {
		err = events.Read(ctx, events.LogPath(cfg.RunDir),
			events.ReadOptions{Past: !p.since.IsZero() || !follow, Follow: follow},
			func(r events.Record) error {
				if !r.In(cfg.Namespace) {
					return nil
				}
				return emit(r.Event)
			})
	} else if follow {
		err = liveEvents(ctx, c, cfg, emit)
	}
	if err == nil && parent.Err() != nil {
		// Ctrl-C, not --until.
		return parent.Err()
	}
	return err
}

// liveEvents maps the events of a containerd that is not berth's own
// engine as they come: no supervisor keeps a log there, and berth does not
// watch its volumes and networks.
func liveEvents(ctx context.Context, c *client.Client, cfg *config.Config, emit func(events.Message) error) error {
	src := &events.EngineSource{Client: c, DataRoot: cfg.DataRoot, Net: netutil.ConfigPaths(cfg)}
	m := events.NewMapper(src)
	ns := fmt.Sprintf("namespace==%q", cfg.Namespace)
	evC, errC := c.Subscribe(ctx, ns+`,topic~="^/containers/"`, ns+`,topic~="^/tasks/"`, ns+`,topic~="^/images/"`)
	if err := src.Know(ctx, m); err != nil {
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errC:
			if ctx.Err() != nil {
				return nil
			}
			return err
		case env := <-evC:
			if env == nil || env.Event == nil {
				continue
			}
			ev, err := typeurl.UnmarshalAny(env.Event)
			if err != nil {
				continue
			}
			for _, msg := range m.Map(ctx, env.Namespace, env.Timestamp, ev) {
				if err := emit(msg); err != nil {
					return err
				}
			}
		}
	}
}

// eventPrinter prints one event per line: Docker's text, its JSON, or a
// template.
type eventPrinter struct {
	json bool
	tmpl *template.Template
}

func newEventPrinter(format string) (*eventPrinter, error) {
	switch {
	case format == "":
		return &eventPrinter{}, nil
	case formatter.IsJSON(format):
		return &eventPrinter{json: true}, nil
	}
	tmpl, err := formatter.Parse(strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(format))
	if err != nil {
		return nil, err
	}
	return &eventPrinter{tmpl: tmpl}, nil
}

func (p *eventPrinter) print(w io.Writer, m events.Message) error {
	switch {
	case p.json:
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return enc.Encode(m)
	case p.tmpl != nil:
		var b strings.Builder
		if err := p.tmpl.Execute(&b, m); err != nil {
			return fmt.Errorf("template parsing error: %w", err)
		}
		b.WriteString("\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	return events.Pretty(w, m)
}
