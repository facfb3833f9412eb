package container

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/containers"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/formatter"
	"github.com/berth-project/berth/pkg/netutil"
	"github.com/berth-project/berth/pkg/opts"
)

// PsOptions are the flags of `ps` and `container ls`.
type PsOptions struct {
	// All shows stopped containers too (-a).
	All bool
	// Quiet prints container IDs only (-q).
	Quiet bool
	// Last shows the n most recently created containers, in any state (-n);
	// -1 means unset.
	Last int
	// Latest is -n 1 (-l).
	Latest bool
	// Size adds the SIZE column (-s). SizeSet tells an explicit --size=false,
	// which keeps a template that uses .Size from turning sizes on.
	Size    bool
	SizeSet bool
	// NoTrunc prints full IDs and commands.
	NoTrunc bool
	// Filters are the --filter values.
	Filters opts.Filters
	// Format is "table", "table TEMPLATE", "json" or a Go template.
	Format string
}

// psFilterKeys are the filters ps takes.
var psFilterKeys = []string{"id", "name", "label", "status", "exited", "ancestor", "before", "since", "health", "volume"}

// validHealth are the values of --filter health=.
var validHealth = []string{"starting", "healthy", "unhealthy", "none"}

// Validate checks the flags and the filter values before the engine is dialed.
func (o *PsOptions) Validate() error {
	if err := o.Filters.CheckKeys(psFilterKeys...); err != nil {
		return err
	}
	for _, v := range o.Filters.Get("status") {
		if !slices.Contains(validStatuses, v) {
			return opts.InvalidFilter("status", v)
		}
	}
	for _, v := range o.Filters.Get("exited") {
		if _, err := strconv.Atoi(v); err != nil {
			return fmt.Errorf("invalid filter 'exited=%s': %w", v, err)
		}
	}
	for _, v := range o.Filters.Get("health") {
		if !slices.Contains(validHealth, v) {
			return fmt.Errorf("Unrecognised filter value for health: %s", v)
		}
	}
	return nil
}

// ctrRecord is one container as the listing commands see it: the engine's
// record, berth's metadata (empty for containers berth did not create) and
// the computed state.
type ctrRecord struct {
	info  containers.Container
	meta  *containerutil.Meta
	state State
	// imageGone is set when the image reference no longer names an image.
	imageGone bool
	// sized is set once sizeRw and sizeRootFs are measured.
	sized              bool
	sizeRw, sizeRootFs int64
	// ep is the running container's network endpoint, if any.
	ep *netutil.Endpoint
}

// created is Docker's Created: berth's record, else the engine's.
func (r *ctrRecord) created() time.Time {
	if !r.meta.Created.IsZero() {
		return r.meta.Created.UTC()
	}
	return r.info.CreatedAt.UTC()
}

// name is the container's name without Docker's "/".
func (r *ctrRecord) name() string {
	if r.meta.Name != "" {
		return strings.TrimPrefix(r.meta.Name, "/")
	}
	return r.info.Labels[containerutil.LabelName]
}

// userLabels are the labels ps and inspect show: the user's, without the
// engine's and berth's own.
func (r *ctrRecord) userLabels() map[string]string {
	return containerutil.UserLabels(r.info.Labels)
}

// listRecords reads every container of the namespace, newest first, with
// one call for the containers and one for their tasks.
func listRecords(ctx context.Context, c *client.Client, store *containerutil.Store) ([]*ctrRecord, error) {
	infos, err := c.ContainerService().List(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing containers: %w", err)
	}
	tss, err := allTaskStatus(ctx, c)
	if err != nil {
		return nil, err
	}
	out := make([]*ctrRecord, 0, len(infos))
	for _, info := range infos {
		meta := metaOrEmpty(store, info.ID)
		r := &ctrRecord{info: info, meta: meta, state: liveState(info.Labels, meta, tss[info.ID])}
		r.loadEndpoint(store)
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool {
		ci, cj := out[i].created(), out[j].created()
		if !ci.Equal(cj) {
			return ci.After(cj)
		}
		return out[i].info.ID < out[j].info.ID
	})
	return out, nil
}

// loadRecord reads one container as listRecords does.
func loadRecord(ctx context.Context, c *client.Client, store *containerutil.Store, ctr client.Container) (*ctrRecord, error) {
	info, err := ctr.Info(ctx)
	if err != nil {
		return nil, err
	}
	ts, err := taskStatus(ctx, c, info.ID)
	if err != nil {
		return nil, err
	}
	meta := metaOrEmpty(store, info.ID)
	r := &ctrRecord{info: info, meta: meta, state: liveState(info.Labels, meta, ts)}
	r.loadEndpoint(store)
	return r, nil
}

// Ps lists containers as `docker ps` does.
func Ps(ctx context.Context, cfg *config.Config, w io.Writer, o PsOptions) error {
	c, ctx, err := clientutil.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	store := containerutil.NewStore(cfg.DataRoot, cfg.Namespace)
	recs, err := listRecords(ctx, c, store)
	if err != nil {
		return err
	}
	match, err := compilePsFilter(ctx, c, store, recs, &o)
	if err != nil {
		return err
	}
	limit := o.Last
	if limit < 0 && o.Latest {
		limit = 1
	}
	var shown []*ctrRecord
	for _, r := range recs {
		if limit > 0 && len(shown) >= limit {
			break
		}
		// As in Docker, -n includes stopped containers, and so does a
		// status filter.
		if !r.state.Running && !o.All && limit <= 0 && !o.Filters.Has("status") {
			continue
		}
		if match(r) {
			shown = append(shown, r)
		}
	}
	if err := markImagesGone(ctx, c, shown); err != nil {
		return err
	}
	if o.wantSize() {
		sz := newDiskSizer(c)
		for _, r := range shown {
			sz.measure(ctx, r)
		}
	}
	return writePs(w, o, psRows(shown, !o.NoTrunc, time.Now()))
}

// wantSize tells whether sizes are measured: with -s, and, as Docker does,
// when the format uses .Size (json prints every field) unless --size=false.
func (o *PsOptions) wantSize() bool {
	if o.Size {
		return true
	}
	if o.SizeSet || o.Quiet && isTableFormat(o.Format) {
		return false
	}
	return formatter.IsJSON(o.Format) || strings.Contains(o.Format, ".Size")
}

func isTableFormat(f string) bool {
	f = strings.TrimSpace(f)
	return f == "" || f == "table"
}

// markImagesGone flags containers whose image reference no longer names an
// image: Docker shows the image's ID for those.
func markImagesGone(ctx context.Context, c *client.Client, recs []*ctrRecord) error {
	if len(recs) == 0 {
		return nil
	}
	imgs, err := c.ImageService().List(ctx)
	if err != nil {
		return fmt.Errorf("listing images: %w", err)
	}
	names := make(map[string]bool, len(imgs))
	for _, img := range imgs {
		names[img.Name] = true
	}
	for _, r := range recs {
		r.imageGone = r.info.Image != "" && !names[r.info.Image] && r.meta.Image != ""
	}
	return nil
}
