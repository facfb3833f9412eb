package compose

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/berth-project/berth/pkg/cmd/container"
	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/formatter"
	"github.com/berth-project/berth/pkg/opts"
)

// LsOptions are the flags of `compose ls`.
type LsOptions struct {
	// All lists projects whose containers are all stopped too.
	All bool
	// Quiet prints project names only.
	Quiet bool
	// Format is "table", "json" or a Go template.
	Format string
	// Filters are --filter values: name=.
	Filters opts.Filters
}

// Validate checks the flags before the engine is dialled.
func (o *LsOptions) Validate() error {
	return o.Filters.CheckKeys("name")
}

type lsRow struct {
	Name        string
	Status      string
	ConfigFiles string
}

var lsHeaders = map[string]string{"Name": "NAME", "Status": "STATUS", "ConfigFiles": "CONFIG FILES"}

// Ls lists the projects that have containers, as `docker compose ls`.
func Ls(ctx context.Context, cfg *config.Config, s container.Streams, o LsOptions) error {
	ss, ctx, err := open(ctx, cfg, s)
	if err != nil {
		return err
	}
	defer ss.close()
	sums, err := container.ListSummaries(ctx, ss.c, cfg, fmt.Sprintf("labels.%q", LabelProject))
	if err != nil {
		return err
	}
	return writeLs(s.Out, sums, o)
}

// writeLs groups the containers by project and prints the projects.
func writeLs(w io.Writer, sums []container.Summary, o LsOptions) error {
	type project struct {
		states map[string]int
		files  string
	}
	projects := map[string]*project{}
	for _, c := range sums {
		name := c.Labels[LabelProject]
		if name == "" || o.Filters.Has("name") && !o.Filters.Match("name", name) {
			continue
		}
		pr, ok := projects[name]
		if !ok {
			pr = &project{states: map[string]int{}}
			projects[name] = pr
		}
		pr.states[c.State.Status]++
		if pr.files == "" {
			pr.files = c.Labels[LabelConfigFiles]
		}
	}
	rows := []any{}
	for _, name := range sortedKeys(projects) {
		pr := projects[name]
		if !o.All && pr.states[container.StatusRunning] == 0 {
			continue
		}
		var parts []string
		for _, st := range sortedKeys(pr.states) {
			parts = append(parts, fmt.Sprintf("%s(%d)", st, pr.states[st]))
		}
		slices.Sort(parts)
		rows = append(rows, lsRow{Name: name, Status: strings.Join(parts, ", "), ConfigFiles: pr.files})
	}
	l := formatter.List{Format: o.Format, Default: "{{.Name}}\t{{.Status}}\t{{.ConfigFiles}}", Headers: lsHeaders, Quiet: o.Quiet, QuietField: "Name"}
	return l.Write(w, rows)
}
