package system

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/containerd/containerd/v2/client"
	units "github.com/docker/go-units"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/cmd/container"
	"github.com/berth-project/berth/pkg/cmd/image"
	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/formatter"
	"github.com/berth-project/berth/pkg/volume"
)

// DfOptions are the flags of `system df`.
type DfOptions struct {
	// Verbose lists each image, container, volume and build cache entry.
	Verbose bool
	// Format is "table", "table TEMPLATE", "json" or a Go template: over
	// each summary line, or with Verbose over the whole report.
	Format string
}

// diskUsage is what `system df` reports: the figures of each kind.
type diskUsage struct {
	images     []image.Usage
	layersSize int64
	containers []container.Usage
	volumes    []volumeUsage
}

// volumeUsage is a volume's df row and figures.
type volumeUsage struct {
	row   volumeRow
	size  int64
	links int
}

// volumeRow is a volume's line of `system df -v`, with Docker's fields.
type volumeRow struct {
	Driver     string
	Labels     string
	Links      string
	Mountpoint string
	Name       string
	Scope      string
	Size       string
}

// dfRow is a line of `system df`, with Docker's field names (the JSON keys
// in Docker's alphabetical order).
type dfRow struct {
	Active      string
	Reclaimable string
	Size        string
	TotalCount  string
	Type        string
}

var dfHeaders = map[string]string{
	"Type": "TYPE", "TotalCount": "TOTAL", "Active": "ACTIVE", "Size": "SIZE", "Reclaimable": "RECLAIMABLE",
}

const dfDefault = "{{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}"

// Df prints the disk use of images, containers, local volumes and the build
// cache as `docker system df` does. berth has no builder, so its build
// cache is always empty.
func Df(ctx context.Context, cfg *config.Config, w io.Writer, o DfOptions) error {
	c, ctx, err := clientutil.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	// Docker shortens IDs in tables only.
	f := strings.TrimSpace(o.Format)
	trunc := f == "" || strings.HasPrefix(f, "table")
	du, err := gatherDiskUsage(ctx, c, cfg, trunc)
	if err != nil {
		return err
	}
	if o.Verbose {
		return writeDfVerbose(w, f, du)
	}
	return formatter.List{Format: o.Format, Default: dfDefault, Headers: dfHeaders}.Write(w, du.summary())
}

func gatherDiskUsage(ctx context.Context, c *client.Client, cfg *config.Config, trunc bool) (*diskUsage, error) {
	du := &diskUsage{}
	var err error
	if du.images, du.layersSize, err = image.DiskUsage(ctx, c, cfg.Snapshotter, trunc); err != nil {
		return nil, err
	}
	if du.containers, err = container.DiskUsage(ctx, c, cfg, trunc); err != nil {
		return nil, err
	}
	if du.volumes, err = volumesUsage(ctx, c, cfg); err != nil {
		return nil, err
	}
	return du, nil
}

// volumesUsage sizes the volumes and counts their containers. The users
// lock is taken shared, as a create takes it: the counts are not those of
// a prune half-way.
func volumesUsage(ctx context.Context, c *client.Client, cfg *config.Config) ([]volumeUsage, error) {
	store := volume.NewStore(cfg.DataRoot, cfg.Namespace)
	lock, err := store.LockUsersShared()
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	vols, err := store.List()
	if err != nil {
		return nil, err
	}
	users, err := volume.Users(containerutil.NewStore(cfg.DataRoot, cfg.Namespace), volume.EngineContainers(ctx, c))
	if err != nil {
		return nil, err
	}
	out := make([]volumeUsage, 0, len(vols))
	for _, v := range vols {
		u := volumeUsage{size: store.Size(v.Name), links: len(users[v.Name])}
		u.row = volumeRow{Driver: v.Driver, Labels: joinLabels(v.Labels), Links: fmt.Sprint(u.links),
			Mountpoint: v.Mountpoint, Name: v.Name, Scope: "local", Size: units.HumanSize(float64(u.size))}
		out = append(out, u)
	}
	return out, nil
}

// summary is the four lines of `system df`, figured as Docker figures them.
func (du *diskUsage) summary() []any {
	imgs := dfRow{Type: "Images", TotalCount: fmt.Sprint(len(du.images)), Size: units.HumanSize(float64(du.layersSize))}
	active, used := 0, int64(0)
	for _, i := range du.images {
		if i.Containers > 0 {
			active++
			used += i.Size - i.SharedSize
		}
	}
	imgs.Active, imgs.Reclaimable = fmt.Sprint(active), reclaimable(du.layersSize-used, du.layersSize)

	ctrs := dfRow{Type: "Containers", TotalCount: fmt.Sprint(len(du.containers))}
	active = 0
	var size, free int64
	for _, c := range du.containers {
		size += c.SizeRw
		if c.Active {
			active++
		} else {
			free += c.SizeRw
		}
	}
	ctrs.Active, ctrs.Size, ctrs.Reclaimable = fmt.Sprint(active), units.HumanSize(float64(size)), reclaimable(free, size)

	vols := dfRow{Type: "Local Volumes", TotalCount: fmt.Sprint(len(du.volumes))}
	active, size, free = 0, 0, 0
	for _, v := range du.volumes {
		size += v.size
		if v.links > 0 {
			active++
		} else {
			free += v.size
		}
	}
	vols.Active, vols.Size, vols.Reclaimable = fmt.Sprint(active), units.HumanSize(float64(size)), reclaimable(free, size)

	cache := dfRow{Type: "Build Cache", TotalCount: "0", Active: "0", Size: units.HumanSize(0), Reclaimable: units.HumanSize(0)}
	return []any{imgs, ctrs, vols, cache}
}

// reclaimable is Docker's RECLAIMABLE: the size, and its share of the
// total in whole percent when there is a total.
func reclaimable(free, total int64) string {
	if total > 0 {
		return fmt.Sprintf("%s (%v%%)", units.HumanSize(float64(free)), free*100/total)
	}
	return units.HumanSize(float64(free))
}

func joinLabels(labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		keys[i] = k + "=" + labels[k]
	}
	return strings.Join(keys, ",")
}
