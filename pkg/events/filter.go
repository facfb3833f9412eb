package events

import (
	"fmt"
	"strings"
	"time"

	"github.com/distribution/reference"

	"github.com/berth-project/berth/pkg/opts"
)

// filterKeys are the --filter keys Docker's daemon knows for events. The
// swarm and plugin ones are taken, as Docker takes them, and match no
// berth event.
var filterKeys = []string{"config", "container", "daemon", "event", "image", "label", "network",
	"node", "plugin", "scope", "secret", "service", "type", "volume"}

// eventTypes are the values of type=; Docker's swarm types never occur.
var eventTypes = []string{TypeContainer, TypeImage, TypeNetwork, TypeVolume, TypeDaemon,
	"plugin", "service", "node", "secret", "config"}

// Filter decides which events are printed, as Docker's daemon decides: the
// values of one key are alternatives, and every key given must match.
type Filter struct{ f opts.Filters }

// NewFilter checks the --filter values: the keys Docker knows, and known
// event types and scopes.
func NewFilter(f opts.Filters) (*Filter, error) {
	if err := f.CheckKeys(filterKeys...); err != nil {
		return nil, err
	}
	for _, t := range f.Get("type") {
		if !contains(eventTypes, t) {
			return nil, opts.InvalidFilter("type", t)
		}
	}
	for _, s := range f.Get("scope") {
		if s != ScopeLocal && s != "swarm" {
			return nil, opts.InvalidFilter("scope", s)
		}
	}
	return &Filter{f: f}, nil
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// Match reports whether m passes every filter.
func (ef *Filter) Match(m Message) bool {
	return ef.matchEvent(m) &&
		ef.f.ExactMatch("type", m.Type) &&
		ef.f.ExactMatch("scope", m.Scope) &&
		ef.fuzzyMatchName(m, TypeDaemon) &&
		ef.fuzzyMatchName(m, TypeContainer) &&
		ef.fuzzyMatchName(m, "plugin") &&
		ef.fuzzyMatchName(m, TypeVolume) &&
		ef.fuzzyMatchName(m, TypeNetwork) &&
		ef.matchImage(m) &&
		ef.fuzzyMatchName(m, "node") &&
		ef.fuzzyMatchName(m, "service") &&
		ef.fuzzyMatchName(m, "secret") &&
		ef.fuzzyMatchName(m, "config") &&
		ef.matchLabels(m.Actor.Attributes)
}

// matchEvent compares event= with the action. Docker's exec and health
// actions carry a suffix ("exec_start: sh", "health_status: healthy"), so
// those names match as prefixes.
func (ef *Filter) matchEvent(m Message) bool {
	for _, v := range ef.f.Get("event") {
		if v == "health_status" || v == "exec_create" || v == "exec_start" {
			return ef.fuzzyMatch("event", m.Action)
		}
	}
	return ef.f.ExactMatch("event", m.Action)
}

// fuzzyMatch is Docker's FuzzyMatch: no value for key, a value equal to
// source, or a value that source starts with (an ID prefix).
func (ef *Filter) fuzzyMatch(key, source string) bool {
	if ef.f.ExactMatch(key, source) {
		return true
	}
	for _, v := range ef.f.Get(key) {
		if strings.HasPrefix(source, v) {
			return true
		}
	}
	return false
}

// fuzzyMatchName matches the filter named after an object type (container=,
// volume=, ...) with the actor's ID or its name attribute, whatever the
// event's type, as Docker does.
func (ef *Filter) fuzzyMatchName(m Message, key string) bool {
	return ef.fuzzyMatch(key, m.Actor.ID) || ef.fuzzyMatch(key, m.Actor.Attributes["name"])
}

// matchImage matches image= with an image event's ID and name, and with a
// container event's image, each also without its tag: image=busybox
// matches the events of containers made from busybox:latest.
func (ef *Filter) matchImage(m Message) bool {
	nameAttr := "image"
	if m.Type == TypeImage {
		nameAttr = "name"
	}
	id, name := m.Actor.ID, m.Actor.Attributes[nameAttr]
	return ef.f.ExactMatch("image", id) || ef.f.ExactMatch("image", name) ||
		ef.f.ExactMatch("image", stripTag(id)) || ef.f.ExactMatch("image", stripTag(name))
}

func stripTag(image string) string {
	ref, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return image
	}
	return reference.FamiliarName(ref)
}

// matchLabels matches label=KEY or label=KEY=VALUE with the attributes,
// where Docker puts a container's and an image's labels.
func (ef *Filter) matchLabels(attrs map[string]string) bool {
	return ef.f.MatchLabels(attrs)
}

// ParseTime reads a --since or --until value as Docker's CLI does: a
// duration before now ("10m"; a negative one is after now, "-1m"), a Unix
// time ("1700000000", "1700000000.5") or a date and time (RFC 3339, or in
// the local zone when it names none).
func ParseTime(value string, now time.Time) (time.Time, error) {
	if value == "0" {
		// The epoch, as for Docker: "0" is no duration there.
		return time.Unix(0, 0), nil
	}
	if d, err := time.ParseDuration(value); err == nil {
		return now.Add(-d), nil
	}
	return opts.ParseTimestamp(value, now)
}

// FormatTime writes t as Docker's CLI sends a time to the daemon, which is
// how its errors name it: seconds and nanoseconds since the epoch.
func FormatTime(t time.Time) string {
	return fmt.Sprintf("%d.%09d", t.Unix(), t.Nanosecond())
}
