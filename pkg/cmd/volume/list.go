package volume

import (
	"context"
	"errors"
	"io"
	"sort"
	"strings"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/formatter"
	"github.com/berth-project/berth/pkg/opts"
	"github.com/berth-project/berth/pkg/volume"
)

// ListOptions are the flags of `volume ls`.
type ListOptions struct {
	// Quiet prints names only (-q).
	Quiet bool
	// Format is "table", "table TEMPLATE", "json" or a Go template.
	Format string
	// Filters are dangling=, name=, driver= and label= (label!=) values.
	Filters opts.Filters
}

// Validate checks the flags before anything is read.
func (o *ListOptions) Validate() error {
	if err := o.Filters.CheckKeys("dangling", "name", "driver", "label", "label!"); err != nil {
		return err
	}
	for _, v := range o.Filters.Get("dangling") {
		if _, err := parseBool(v); err != nil {
			return opts.InvalidFilter("dangling", v)
		}
	}
	return nil
}

// parseBool reads a filter's boolean as Docker does: true/false or 1/0.
func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, errors.New("not a boolean")
}

// row is one line of `volume ls`, with Docker's fields; JSON gives
// Docker's keys.
type row struct {
	Availability string
	Driver       string
	Group        string
	Labels       string
	Links        string
	Mountpoint   string
	Name         string
	Scope        string
	Size         string
	Status       string
	labels       map[string]string
}

// Label is the value of one label, for {{.Label "key"}}.
func (r row) Label(name string) string { return r.labels[name] }

var listHeaders = map[string]string{
	"Name": "VOLUME NAME", "Driver": "DRIVER", "Scope": "SCOPE", "Mountpoint": "MOUNTPOINT",
	"Labels": "LABELS", "Links": "LINKS", "Size": "SIZE", "Availability": "AVAILABILITY",
	"Group": "GROUP", "Status": "STATUS",
}

// List prints the volumes, by name, as `docker volume ls` does.
func List(ctx context.Context, cfg *config.Config, w io.Writer, o ListOptions) error {
	store := volume.NewStore(cfg.DataRoot, cfg.Namespace)
	var users map[string][]string
	if o.Filters.Has("dangling") {
		// Only dangling= needs the engine: which containers exist.
		err := withUsers(ctx, cfg, func(store *volume.Store, ctrs *containerutil.Store, live volume.LiveFunc) error {
			lock, err := store.LockUsers()
			if err != nil {
				return err
			}
			defer lock.Unlock()
			users, err = volume.Users(ctrs, live)
			return err
		})
		if err != nil {
			return err
		}
	}
	vols, err := store.List()
	if err != nil {
		return err
	}
	sortNatural(vols)
	items := make([]any, 0, len(vols))
	for _, v := range vols {
		if !o.matches(v, users) {
			continue
		}
		items = append(items, rowOf(v))
	}
	return formatter.List{
		Format:     o.Format,
		Default:    "{{.Driver}}\t{{.Name}}",
		Headers:    listHeaders,
		Quiet:      o.Quiet,
		QuietField: "Name",
	}.Write(w, items)
}

func (o *ListOptions) matches(v *volume.Volume, users map[string][]string) bool {
	if !o.Filters.Match("name", v.Name) || !o.Filters.Match("driver", v.Driver) || !o.Filters.MatchLabels(v.Labels) {
		return false
	}
	for _, d := range o.Filters.Get("dangling") {
		want, _ := parseBool(d)
		if want != (len(users[v.Name]) == 0) {
			return false
		}
	}
	return true
}

func rowOf(v *volume.Volume) row {
	kv := make([]string, 0, len(v.Labels))
	for k, val := range v.Labels {
		kv = append(kv, k+"="+val)
	}
	sort.Strings(kv)
	return row{
		Availability: "N/A", Driver: v.Driver, Group: "N/A", Labels: strings.Join(kv, ","), Links: "N/A",
		Mountpoint: v.Mountpoint, Name: v.Name, Scope: "local", Size: "N/A", Status: "N/A", labels: v.Labels,
	}
}
