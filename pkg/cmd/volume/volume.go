// Package volume implements `volume create|ls|inspect|rm|prune` on berth's
// local volume store (pkg/volume).
package volume

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/formatter"
	"github.com/berth-project/berth/pkg/opts"
	"github.com/berth-project/berth/pkg/volume"
)

// CreateOptions are the flags and argument of `volume create`.
type CreateOptions struct {
	// Name is the argument (or the hidden --name); empty gives a random one.
	Name string
	// Driver is -d; only "local" exists.
	Driver string
	// Labels are --label key=value values.
	Labels []string
	// Options are -o key=value values of the local driver: type, device, o.
	Options []string
}

// Create makes a volume and prints its name; an existing one is left as it
// is, as Docker does.
func Create(cfg *config.Config, w io.Writer, o CreateOptions) error {
	labels, err := opts.ParseLabels(o.Labels)
	if err != nil {
		return err
	}
	options := map[string]string{}
	for _, kv := range o.Options {
		k, v, _ := strings.Cut(kv, "=")
		options[k] = v
	}
	name := o.Name
	if name == "" {
		// Named at random, but not anonymous: prune without -a keeps it.
		if name, err = volume.NewName(); err != nil {
			return err
		}
	}
	store := volume.NewStore(cfg.DataRoot, cfg.Namespace)
	v, _, err := store.Create(name, volume.CreateOptions{Driver: o.Driver, Labels: labels, Options: options})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, v.Name)
	return nil
}

// inspectObject is Docker's volume inspect object, keys in Docker's order.
type inspectObject struct {
	CreatedAt  string
	Driver     string
	Labels     map[string]string
	Mountpoint string
	Name       string
	Options    map[string]string
	Scope      string
}

func inspectOf(v *volume.Volume) inspectObject {
	return inspectObject{
		CreatedAt: v.CreatedAt.In(time.Local).Format(time.RFC3339), Driver: v.Driver,
		Labels: v.Labels, Mountpoint: v.Mountpoint, Name: v.Name, Options: v.Options, Scope: "local",
	}
}

// Inspect prints volumes as a JSON array, or each through a template. The
// volumes found are printed even when some are not; those fail the command.
func Inspect(cfg *config.Config, w io.Writer, names []string, format string) error {
	store := volume.NewStore(cfg.DataRoot, cfg.Namespace)
	var objs []any
	var errs []error
	for _, name := range names {
		v, err := store.Get(name)
		var nf *volume.NotFoundError
		if errors.As(err, &nf) {
			errs = append(errs, fmt.Errorf("No such volume: %s", name))
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		objs = append(objs, inspectOf(v))
	}
	if err := formatter.Inspect(w, format, objs); err != nil {
		return err
	}
	return errors.Join(errs...)
}

// withUsers runs fn with the volumes' users under the users lock: the
// engine's containers decide which metadata counts.
func withUsers(ctx context.Context, cfg *config.Config, fn func(store *volume.Store, ctrs *containerutil.Store, live volume.LiveFunc) error) error {
	c, ctx, err := clientutil.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	return fn(volume.NewStore(cfg.DataRoot, cfg.Namespace), containerutil.NewStore(cfg.DataRoot, cfg.Namespace), volume.EngineContainers(ctx, c))
}

// naturalLess orders names as Docker's `volume ls` does: runs of digits by
// their value, so vol2 comes before vol10.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digitRun(a), digitRun(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digitRun(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

func sortNatural(vols []*volume.Volume) {
	sort.SliceStable(vols, func(i, j int) bool { return naturalLess(vols[i].Name, vols[j].Name) })
}
