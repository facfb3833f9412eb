package network

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/berth-project/berth/pkg/netutil"
	"github.com/berth-project/berth/pkg/opts"
)

func filters(t *testing.T, kv ...string) opts.Filters {
	t.Helper()
	var f opts.Filters
	for _, s := range kv {
		if err := f.Set(s); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func TestListValidate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		quiet   bool
		format  string
		filters []string
		err     string
	}{
		{name: "plain"},
		{name: "quiet table", quiet: true, format: "table"},
		{name: "every key", filters: []string{"dangling=true", "driver=bridge", "id=ab", "label=a", "name=x", "scope=local", "type=custom"}},
		{name: "quiet with format", quiet: true, format: "{{.Name}}", err: "cannot use --quiet and --format together"},
		{name: "unknown key", filters: []string{"status=up"}, err: "invalid filter 'status'"},
		{name: "label!", filters: []string{"label!=a"}, err: "invalid filter 'label!'"},
		{name: "bad type", filters: []string{"type=other"}, err: "invalid filter 'type=other'"},
		{name: "bad dangling", filters: []string{"dangling=maybe"},
			err: `invalid value for filter 'dangling', must be "true" (or "1"), or "false" (or "0")`},
		{name: "two danglings", filters: []string{"dangling=true", "dangling=false"},
			err: `got more than one value for filter key "dangling"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := ListOptions{Quiet: tc.quiet, Format: tc.format, Filters: filters(t, tc.filters...)}
			err := o.Validate()
			if tc.err == "" && err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if tc.err != "" && (err == nil || err.Error() != tc.err) {
				t.Fatalf("error %v, want %q", err, tc.err)
			}
		})
	}
}

func TestFilterNetworks(t *testing.T) {
	// net2 is used by a container; app and net10 by none.
	inUse := func(n *netutil.Network) bool { return n.Name == "net2" }
	for _, tc := range []struct {
		filters []string
		want    string
	}{
		{nil, "app bridge host net2 net10 none"},
		{[]string{"driver=bridge"}, "app bridge net2"},
		{[]string{"driver=bridge", "driver=null"}, "app bridge net2 none"},
		{[]string{"driver=bridg"}, ""},
		{[]string{"name=net"}, "net2 net10"},
		{[]string{"name=^net1"}, "net10"},
		{[]string{"id=a1b2c3"}, "app"},
		{[]string{"label=stage"}, "app net2"},
		{[]string{"label=stage=test"}, "app"},
		{[]string{"label=stage", "label=team=a"}, "app"},
		{[]string{"scope=local"}, "app bridge host net2 net10 none"},
		{[]string{"scope=swarm"}, ""},
		{[]string{"type=builtin"}, "bridge host none"},
		{[]string{"type=custom"}, "app net2 net10"},
		{[]string{"type=custom", "type=builtin"}, "app bridge host net2 net10 none"},
		{[]string{"dangling=true"}, "app net10"},
		{[]string{"dangling=1"}, "app net10"},
		{[]string{"dangling=false"}, "bridge host net2 none"},
		{[]string{"dangling=false", "type=custom"}, "net2"},
		{[]string{"driver=bridge", "name=app"}, "app"},
	} {
		t.Run(strings.Join(tc.filters, ","), func(t *testing.T) {
			f := filters(t, tc.filters...)
			got, err := filterNetworks(testNetworks(), &f, inUse)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, n := range got {
				names = append(names, n.Name)
			}
			if want := strings.Fields(tc.want); !slices.Equal(names, want) {
				t.Errorf("got %q, want %q", names, want)
			}
		})
	}
}

func TestListGolden(t *testing.T) {
	cases := map[string]ListOptions{
		"ls-table":    {},
		"ls-notrunc":  {NoTrunc: true},
		"ls-quiet":    {Quiet: true},
		"ls-json":     {Format: "json"},
		"ls-template": {Format: `table {{.Name}}\t{{.IPv6}}\t{{.Internal}}\t{{.Labels}}\t{{.CreatedAt}}\t{{.Label "stage"}}`},
	}
	for name, o := range cases {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := writeList(&buf, o, testNetworks()); err != nil {
				t.Fatal(err)
			}
			golden(t, name, buf.Bytes())
		})
	}
}
