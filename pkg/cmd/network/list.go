package network

import (
	"context"
	"errors"
	"io"
	"strconv"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/formatter"
	"github.com/berth-project/berth/pkg/netutil"
	"github.com/berth-project/berth/pkg/opts"
)

// ListOptions are the flags of `network ls`.
type ListOptions struct {
	// Quiet prints network IDs only.
	Quiet bool
	// NoTrunc prints full IDs.
	NoTrunc bool
	// Filters are the --filter values.
	Filters opts.Filters
	// Format is "table", "table TEMPLATE", "json" or a Go template.
	Format string
}

// listFilterKeys are the filters `network ls` takes, Docker's.
var listFilterKeys = []string{"dangling", "driver", "id", "label", "name", "scope", "type"}

// Validate checks the flags and filter values before anything is read.
func (o *ListOptions) Validate() error {
	if o.Quiet && o.Format != "" && o.Format != "table" {
		return errors.New("cannot use --quiet and --format together")
	}
	if err := o.Filters.CheckKeys(listFilterKeys...); err != nil {
		return err
	}
	for _, v := range o.Filters.Get("type") {
		if v != "builtin" && v != "custom" {
			return opts.InvalidFilter("type", v)
		}
	}
	_, err := danglingFilter(&o.Filters)
	return err
}

// danglingFilter returns the dangling= value, nil when not given, with
// Docker's messages for more than one value or a value that is no boolean.
func danglingFilter(f *opts.Filters) (*bool, error) {
	vals := f.Get("dangling")
	switch {
	case len(vals) == 0:
		return nil, nil
	case len(vals) > 1:
		return nil, errors.New(`got more than one value for filter key "dangling"`)
	}
	switch vals[0] {
	case "1", "true":
		t := true
		return &t, nil
	case "0", "false":
		f := false
		return &f, nil
	}
	return nil, errors.New(`invalid value for filter 'dangling', must be "true" (or "1"), or "false" (or "0")`)
}

// row is one line of `network ls`, with Docker's field names: table
// columns, template fields and JSON keys (alphabetical, as Docker's are).
type row struct {
	CreatedAt string
	Driver    string
	ID        string
	IPv4      string
	IPv6      string
	Internal  string
	Labels    string
	Name      string
	Scope     string
	labels    map[string]string
}

// Label is the value of one label, for {{.Label "key"}}.
func (r row) Label(name string) string { return r.labels[name] }

var listHeaders = map[string]string{
	"ID": "NETWORK ID", "Name": "NAME", "Driver": "DRIVER", "Scope": "SCOPE", "IPv4": "IPV4", "IPv6": "IPV6",
	"Internal": "INTERNAL", "Labels": "LABELS", "CreatedAt": "CREATED AT",
}

const listTable = "{{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}"

// List prints the networks: the default one, host, none and the user's.
func List(ctx context.Context, cfg *config.Config, w io.Writer, o ListOptions) error {
	p := prepare(ctx, cfg)
	nets, err := all(p)
	if err != nil {
		return err
	}
	keep, err := filterNetworks(nets, &o.Filters, func(n *netutil.Network) bool { return len(netutil.Users(p, n.Name)) > 0 })
	if err != nil {
		return err
	}
	return writeList(w, o, keep)
}

// filterNetworks keeps the networks that pass every filter, as Docker's
// daemon applies them. inUse tells whether containers use a network; it is
// asked only for dangling=.
func filterNetworks(nets []*netutil.Network, f *opts.Filters, inUse func(*netutil.Network) bool) ([]*netutil.Network, error) {
	dangling, err := danglingFilter(f)
	if err != nil {
		return nil, err
	}
	var out []*netutil.Network
	for _, n := range nets {
		switch {
		case !f.ExactMatch("driver", n.Driver), !f.Match("name", n.Name), !f.Match("id", n.ID),
			!f.MatchLabels(n.Labels), !f.ExactMatch("scope", scopeLocal):
			continue
		case f.Has("type") && !f.ExactMatch("type", map[bool]string{true: "builtin", false: "custom"}[isPredefined(n.Name)]):
			continue
		case dangling != nil && *dangling != (!isPredefined(n.Name) && !inUse(n)):
			continue
		}
		out = append(out, n)
	}
	return out, nil
}

func writeList(w io.Writer, o ListOptions, nets []*netutil.Network) error {
	items := make([]any, 0, len(nets))
	for _, n := range nets {
		items = append(items, toRow(n, o.NoTrunc))
	}
	return formatter.List{Format: o.Format, Default: listTable, Headers: listHeaders, Quiet: o.Quiet,
		QuietField: "ID"}.Write(w, items)
}

func toRow(n *netutil.Network, noTrunc bool) row {
	id := n.ID
	if !noTrunc && len(id) > 12 {
		id = id[:12]
	}
	return row{CreatedAt: n.Created.String(), Driver: n.Driver, ID: id, IPv4: "true",
		IPv6: strconv.FormatBool(n.IPv6), Internal: strconv.FormatBool(n.Internal), Labels: joinLabels(n.Labels),
		Name: n.Name, Scope: scopeLocal, labels: n.Labels}
}
