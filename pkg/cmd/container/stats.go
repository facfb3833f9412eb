package container

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/containerd/containerd/v2/client"
	units "github.com/docker/go-units"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/formatter"
)

// StatsOptions are the flags and arguments of `stats`.
type StatsOptions struct {
	// All shows stopped containers too (-a); without Containers only.
	All bool
	// NoStream prints one reading and returns.
	NoStream bool
	// NoTrunc shows full IDs.
	NoTrunc bool
	// Format is --format: table, json or a Go template.
	Format string
	// Containers are names or IDs; none means every (running) container.
	Containers []string
}

// StatsEntry is one row of `stats`, with Docker's field names.
type StatsEntry struct {
	BlockIO   string
	CPUPerc   string
	Container string
	ID        string
	MemPerc   string
	MemUsage  string
	Name      string
	NetIO     string
	PIDs      string
}

const statsDefaultFormat = "{{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}"

var statsHeaders = map[string]string{
	"ID": "CONTAINER ID", "Container": "CONTAINER", "Name": "NAME", "CPUPerc": "CPU %",
	"MemUsage": "MEM USAGE / LIMIT", "MemPerc": "MEM %", "NetIO": "NET I/O",
	"BlockIO": "BLOCK I/O", "PIDs": "PIDS",
}

// statsInterval is how often Docker's stats refresh.
const statsInterval = time.Second

// Stats shows containers' resource use as `docker stats` does: a table
// refreshed every second, or one reading with NoStream.
func Stats(ctx context.Context, cfg *config.Config, s Streams, o *StatsOptions) error {
	if _, err := formatter.Parse(strings.TrimPrefix(o.Format, "table ")); err != nil && !formatter.IsJSON(o.Format) {
		return err
	}
	c, ctx, err := clientutil.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	store := containerutil.NewStore(cfg.DataRoot, cfg.Namespace)
	list := formatter.List{Format: o.Format, Default: statsDefaultFormat, Headers: statsHeaders}
	prev := map[string]sample{}
	first := true
	for {
		targets, err := statsTargets(ctx, c, store, o)
		if err != nil {
			return err
		}
		cur := make(map[string]sample, len(targets))
		for _, t := range targets {
			if task, st, err := loadTask(ctx, t.ctr); err == nil && isLive(st) {
				if smp, err := takeSample(ctx, task); err == nil {
					cur[t.ctr.ID()] = smp
				}
			}
		}
		if !first || !o.NoStream {
			if err := printStats(ctx, s, list, targets, prev, cur, o); err != nil {
				return err
			}
		}
		if o.NoStream && !first {
			return nil
		}
		prev, first = cur, false
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(statsInterval):
		}
	}
}

// statsTargets are the named containers, or all running ones (all with -a),
// newest first as `ps` lists them.
func statsTargets(ctx context.Context, c *client.Client, store *containerutil.Store, o *StatsOptions) ([]*target, error) {
	var out []*target
	if len(o.Containers) > 0 {
		for _, q := range o.Containers {
			ctr, err := containerutil.Resolve(ctx, c, store, q)
			if err != nil {
				return nil, err
			}
			out = append(out, &target{c: c, store: store, ctr: ctr, query: q})
		}
		return out, nil
	}
	ctrs, err := c.Containers(ctx)
	if err != nil {
		return nil, err
	}
	created := map[string]time.Time{}
	for _, ctr := range ctrs {
		if !o.All {
			if _, st, err := loadTask(ctx, ctr); err != nil || !isLive(st) {
				continue
			}
		}
		if info, err := ctr.Info(ctx, client.WithoutRefreshedMetadata); err == nil {
			created[ctr.ID()] = info.CreatedAt
		}
		out = append(out, &target{c: c, store: store, ctr: ctr})
	}
	sort.SliceStable(out, func(i, j int) bool { return created[out[i].ctr.ID()].After(created[out[j].ctr.ID()]) })
	return out, nil
}

// printStats renders one reading; when streaming, Docker clears the
// screen before each.
func printStats(ctx context.Context, s Streams, list formatter.List, targets []*target, prev, cur map[string]sample, o *StatsOptions) error {
	items := make([]any, 0, len(targets))
	for _, t := range targets {
		items = append(items, statsEntry(ctx, t, prev, cur, o.NoTrunc))
	}
	var b bytes.Buffer
	if !o.NoStream {
		b.WriteString("\033[2J\033[H")
	}
	if err := list.Write(&b, items); err != nil {
		return err
	}
	_, err := b.WriteTo(s.Out)
	return err
}

func statsEntry(ctx context.Context, t *target, prev, cur map[string]sample, noTrunc bool) StatsEntry {
	id := t.ctr.ID()
	name := ""
	if labels, err := t.ctr.Labels(ctx); err == nil {
		name = labels[containerutil.LabelName]
	}
	e := StatsEntry{Container: t.query, ID: id, Name: name}
	if e.Container == "" {
		e.Container = id
	}
	if !noTrunc && len(e.ID) > 12 {
		e.ID = e.ID[:12]
		if e.Container == id {
			e.Container = e.ID
		}
	}
	smp, ok := cur[id]
	if !ok {
		e.CPUPerc, e.MemUsage, e.MemPerc = "0.00%", "0B / 0B", "0.00%"
		e.NetIO, e.BlockIO, e.PIDs = "0B / 0B", "0B / 0B", "0"
		return e
	}
	cpu := 0.0
	if p, ok := prev[id]; ok {
		cpu = cpuPercent(p, smp)
	}
	memPerc := 0.0
	if smp.limit > 0 {
		memPerc = float64(smp.mem) / float64(smp.limit) * 100
	}
	e.CPUPerc = fmt.Sprintf("%.2f%%", cpu)
	e.MemUsage = units.BytesSize(float64(smp.mem)) + " / " + units.BytesSize(float64(smp.limit))
	e.MemPerc = fmt.Sprintf("%.2f%%", memPerc)
	e.NetIO = units.HumanSizeWithPrecision(float64(smp.rx), 3) + " / " + units.HumanSizeWithPrecision(float64(smp.tx), 3)
	e.BlockIO = units.HumanSizeWithPrecision(float64(smp.blkRead), 3) + " / " + units.HumanSizeWithPrecision(float64(smp.blkWrite), 3)
	e.PIDs = fmt.Sprint(smp.pids)
	return e
}
