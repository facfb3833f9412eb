package system

import (
	"testing"

	"github.com/berth-project/berth/pkg/opts"
)

func TestPruneWarning(t *testing.T) {
	withFilters := func(kvs ...string) opts.Filters {
		var f opts.Filters
		for _, kv := range kvs {
			_ = f.Set(kv)
		}
		return f
	}
	cases := []struct {
		o    PruneOptions
		want string
	}{
		{PruneOptions{}, `WARNING! This will remove:
  - all stopped containers
  - all networks not used by at least one container
  - all dangling images

Are you sure you want to continue?`},
		{PruneOptions{All: true, Volumes: true}, `WARNING! This will remove:
  - all stopped containers
  - all networks not used by at least one container
  - all anonymous volumes not used by at least one container
  - all images without at least one container associated to them

Are you sure you want to continue?`},
		{PruneOptions{Filters: withFilters("until=24h", "label=b", "label!=a")}, `WARNING! This will remove:
  - all stopped containers
  - all networks not used by at least one container
  - all dangling images

  Items to be pruned will be filtered with:
  - label!=a
  - label=b
  - until=24h

Are you sure you want to continue?`},
	}
	for _, c := range cases {
		if got := pruneWarning(&c.o); got != c.want {
			t.Errorf("pruneWarning(%+v):\n got:\n%s\nwant:\n%s", c.o, got, c.want)
		}
	}
}

func TestPruneValidate(t *testing.T) {
	cases := []struct {
		o   PruneOptions
		kvs []string
		err string
	}{
		{kvs: []string{"until=24h", "label=a", "label!=b=c"}},
		{o: PruneOptions{Volumes: true}, kvs: []string{"label=a"}},
		{kvs: []string{"dangling=true"}, err: "invalid filter 'dangling'"},
		{kvs: []string{"until=soon"}, err: `failed to parse value as time or duration: "soon"`},
		{o: PruneOptions{Volumes: true}, kvs: []string{"until=24h"},
			err: "invalid filter 'until': volumes cannot be filtered by age; prune without --volumes, then run `berth volume prune`"},
	}
	for _, c := range cases {
		for _, kv := range c.kvs {
			if err := c.o.Filters.Set(kv); err != nil {
				t.Fatal(err)
			}
		}
		err := c.o.Validate()
		if (c.err == "" && err != nil) || (c.err != "" && (err == nil || err.Error() != c.err)) {
			t.Errorf("Validate(%v) = %v, want %q", c.kvs, err, c.err)
		}
	}
}
