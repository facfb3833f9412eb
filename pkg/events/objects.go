package events

import (
	"sort"
	"time"
)

// Objects are the volumes and networks that exist at one moment. berth
// makes and removes them without the engine, which therefore has no event
// for them: the engine's supervisor compares what it sees now and then.
type Objects struct {
	// Volumes are the volume names of each namespace, with their drivers.
	Volumes map[string]map[string]string
	// Networks are shared by the namespaces, by ID.
	Networks map[string]NetworkRef
}

// Diff returns the create and destroy events of what changed from before
// to after, as records of their namespaces ("" for networks): removals
// first, then creations, each in name order.
func Diff(before, after Objects, at time.Time) []Record {
	var out []Record
	for _, ns := range sortedKeys(before.Volumes) {
		for _, name := range sortedKeys(before.Volumes[ns]) {
			if _, ok := after.Volumes[ns][name]; !ok {
				out = append(out, Record{Namespace: ns, Event: New(TypeVolume, "destroy", name,
					map[string]string{"driver": before.Volumes[ns][name]}, at)})
			}
		}
	}
	for _, id := range sortedKeys(before.Networks) {
		if _, ok := after.Networks[id]; !ok {
			n := before.Networks[id]
			out = append(out, Record{Event: New(TypeNetwork, "destroy", id,
				map[string]string{"name": n.Name, "type": n.Driver}, at)})
		}
	}
	for _, ns := range sortedKeys(after.Volumes) {
		for _, name := range sortedKeys(after.Volumes[ns]) {
			if _, ok := before.Volumes[ns][name]; !ok {
				out = append(out, Record{Namespace: ns, Event: New(TypeVolume, "create", name,
					map[string]string{"driver": after.Volumes[ns][name]}, at)})
			}
		}
	}
	for _, id := range sortedKeys(after.Networks) {
		if _, ok := before.Networks[id]; !ok {
			n := after.Networks[id]
			out = append(out, Record{Event: New(TypeNetwork, "create", id,
				map[string]string{"name": n.Name, "type": n.Driver}, at)})
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
