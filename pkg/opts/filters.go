package opts

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Filters holds --filter values as Docker's filter arguments: each key with
// its values. It is a flag value (String, Set, Type) that refuses a value
// without "=", as Docker's --filter does. Values of one key are
// alternatives; different keys must all match.
type Filters struct {
	args map[string][]string
}

// String lists the filters as key=value pairs, keys in order.
func (f *Filters) String() string {
	var out []string
	for _, k := range f.Keys() {
		for _, v := range f.args[k] {
			out = append(out, k+"="+v)
		}
	}
	return strings.Join(out, ",")
}

// Set adds one "key=value" filter. A key written "label!" (from
// "label!=x") stays distinct from "label".
func (f *Filters) Set(value string) error {
	if value == "" {
		return nil
	}
	name, val, ok := strings.Cut(value, "=")
	if !ok {
		return errors.New("bad format of filter (expected name=value)")
	}
	f.Add(strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(val))
	return nil
}

// Type names the flag's value in help output.
func (f *Filters) Type() string { return "filter" }

// Add adds a filter value under key.
func (f *Filters) Add(key, value string) {
	if f.args == nil {
		f.args = map[string][]string{}
	}
	f.args[key] = append(f.args[key], value)
}

// Get returns the values of key.
func (f *Filters) Get(key string) []string { return f.args[key] }

// Has reports whether key was given.
func (f *Filters) Has(key string) bool { return len(f.args[key]) > 0 }

// Len is the number of keys given.
func (f *Filters) Len() int { return len(f.args) }

// Keys returns the keys given, in order.
func (f *Filters) Keys() []string {
	keys := make([]string, 0, len(f.args))
	for k := range f.args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// InvalidFilter is Docker's error for an unknown key or a bad value.
func InvalidFilter(key string, values ...string) error {
	if len(values) == 0 {
		return fmt.Errorf("invalid filter '%s'", key)
	}
	return fmt.Errorf("invalid filter '%s=%s'", key, strings.Join(values, ","))
}

// CheckKeys refuses keys outside allowed, with Docker's message.
func (f *Filters) CheckKeys(allowed ...string) error {
	for _, k := range f.Keys() {
		if !slices.Contains(allowed, k) {
			return InvalidFilter(k)
		}
	}
	return nil
}

// MatchLabels reports whether labels satisfy every label= filter ("key" or
// "key=value") and no label!= filter, as Docker's MatchKVList does.
func (f *Filters) MatchLabels(labels map[string]string) bool {
	has := func(cond string) bool {
		k, v, withValue := strings.Cut(cond, "=")
		got, ok := labels[k]
		return ok && (!withValue || got == v)
	}
	for _, c := range f.Get("label") {
		if !has(c) {
			return false
		}
	}
	for _, c := range f.Get("label!") {
		if has(c) {
			return false
		}
	}
	return true
}

// Match reports whether source matches one of key's values, as Docker's
// Args.Match: an exact match, or an unanchored regular expression. A key
// not given matches everything.
func (f *Filters) Match(key, source string) bool {
	vals := f.Get(key)
	if len(vals) == 0 {
		return true
	}
	for _, v := range vals {
		if v == source {
			return true
		}
		if ok, err := regexp.MatchString(v, source); err == nil && ok {
			return true
		}
	}
	return false
}

// ExactMatch reports whether source equals one of key's values; a key not
// given matches everything.
func (f *Filters) ExactMatch(key, source string) bool {
	vals := f.Get(key)
	return len(vals) == 0 || slices.Contains(vals, source)
}

// Timestamps reads key's values (until=) with ParseTimestamp, in the order
// given.
func (f *Filters) Timestamps(key string, now time.Time) ([]time.Time, error) {
	var out []time.Time
	for _, v := range f.Get(key) {
		t, err := ParseTimestamp(v, now)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// CheckPrune checks the filters a prune takes: until= (each a timestamp
// ParseTimestamp reads) and label= or label!=; any other key is refused.
func (f *Filters) CheckPrune(now time.Time) error {
	if err := f.CheckKeys("until", "label", "label!"); err != nil {
		return err
	}
	_, err := f.Timestamps("until", now)
	return err
}

// timestampLayouts are the absolute forms Docker takes for until=.
var timestampLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05", "2006-01-02T15:04Z07:00", "2006-01-02T15:04", "2006-01-02Z07:00", "2006-01-02",
}

// ParseTimestamp reads an until= value as Docker does: a Go duration before
// now ("24h"), a Unix time ("1700000000" or with a fraction) or a date and
// time in the local zone unless it names one.
func ParseTimestamp(value string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(value); err == nil && value != "" && value[0] != '-' {
		return now.Add(-d), nil
	}
	if secs, frac, ok := strings.Cut(value, "."); secs != "" {
		s, err1 := strconv.ParseInt(secs, 10, 64)
		n, err2 := strconv.ParseInt((frac + "000000000")[:9], 10, 64)
		if err1 == nil && (!ok || (err2 == nil && frac != "")) {
			return time.Unix(s, n), nil
		}
	}
	for _, layout := range timestampLayouts {
		if t, err := time.ParseInLocation(layout, value, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("failed to parse value as time or duration: %q", value)
}
