package network

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPruneValidate(t *testing.T) {
	for _, tc := range []struct {
		filters []string
		err     string
	}{
		{nil, ""},
		{[]string{"until=24h", "label=stage", "label!=keep"}, ""},
		{[]string{"dangling=true"}, "invalid filter 'dangling'"},
		{[]string{"until=yesterday"}, `failed to parse value as time or duration: "yesterday"`},
	} {
		t.Run(strings.Join(tc.filters, ","), func(t *testing.T) {
			o := PruneOptions{Filters: filters(t, tc.filters...)}
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

func TestPrunable(t *testing.T) {
	for _, tc := range []struct {
		filters []string
		until   []time.Time
		want    string
	}{
		{nil, nil, "app net2 net10"},
		{[]string{"label=stage"}, nil, "app net2"},
		{[]string{"label!=stage"}, nil, "net10"},
		{[]string{"label=stage=prod"}, nil, "net2"},
		// app was created at 13:00, net10 at 14:00, net2 at 15:00.
		{nil, []time.Time{testCreated.Add(150 * time.Minute)}, "app net10"},
		{nil, []time.Time{testCreated.Add(150 * time.Minute), testCreated.Add(90 * time.Minute)}, "app"},
		{nil, []time.Time{testCreated.Add(time.Hour)}, ""},
	} {
		t.Run(strings.Join(tc.filters, ","), func(t *testing.T) {
			f := filters(t, tc.filters...)
			var names []string
			for _, n := range prunable(testNetworks(), &f, tc.until) {
				names = append(names, n.Name)
			}
			if want := strings.Fields(tc.want); !slices.Equal(names, want) {
				t.Errorf("got %q, want %q", names, want)
			}
		})
	}
}
