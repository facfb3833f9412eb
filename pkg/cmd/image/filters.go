package image

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/distribution/reference"
)

// Filters holds --filter values as Docker's filter arguments: each key
// with its values. It is a flag value (String, Set, Type) that refuses a
// value without "=", as Docker's --filter does.
type Filters struct {
	args map[string][]string
}

// String lists the filters as key=value pairs.
func (f *Filters) String() string {
	var out []string
	for _, k := range f.keys() {
		for _, v := range f.args[k] {
			out = append(out, k+"="+v)
		}
	}
	return strings.Join(out, ",")
}

// Set adds one "key=value" filter.
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

func (f *Filters) keys() []string {
	keys := make([]string, 0, len(f.args))
	for k := range f.args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// invalidFilter is Docker's error for an unknown key or a bad value.
func storeInvalidFilter(key string, values ...string) error {
	if len(values) == 0 {
		return fmt.Errorf("invalid filter '%s'", key)
	}
	return fmt.Errorf("invalid filter '%s=%s'", key, strings.Join(values, ","))
}

// validate refuses keys outside allowed and values that cannot parse; it
// needs no engine, so commands run it before dialing.
func (f *Filters) validate(now time.Time, allowed ...string) error {
	for _, k := range f.keys() {
		if !slices.Contains(allowed, k) {
			return storeInvalidFilter(k)
		}
	}
	if _, err := f.dangling(); err != nil {
		return err
	}
	for _, v := range f.Get("until") {
		if _, err := storeParseTimestamp(v, now); err != nil {
			return err
		}
	}
	return nil
}

// dangling returns the dangling filter's value, nil when not given.
func (f *Filters) dangling() (*bool, error) {
	vals := f.Get("dangling")
	if len(vals) == 0 {
		return nil, nil
	}
	var isTrue, isFalse bool
	for _, v := range vals {
		switch strings.ToLower(v) {
		case "true", "1":
			isTrue = true
		case "false", "0":
			isFalse = true
		default:
			return nil, storeInvalidFilter("dangling", vals...)
		}
	}
	if isTrue == isFalse {
		return nil, storeInvalidFilter("dangling", vals...)
	}
	return &isTrue, nil
}

// matchLabels reports whether labels satisfy every label= filter
// ("key" or "key=value") and no label!= filter.
func (f *Filters) matchLabels(labels map[string]string) bool {
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

// matchReference reports whether a stored name matches one of the
// reference= patterns, compared as Docker does: the familiar name with its
// tag or digest, then the familiar repository alone.
func storeMatchReference(patterns []string, name string) bool {
	n, err := reference.ParseNormalizedNamed(name)
	if err != nil {
		return false
	}
	for _, p := range patterns {
		if ok, _ := path.Match(p, reference.FamiliarString(n)); ok {
			return true
		}
		if ok, _ := path.Match(p, reference.FamiliarName(n)); ok {
			return true
		}
	}
	return false
}

// timestampLayouts are the absolute forms Docker takes for until=.
var timestampLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05", "2006-01-02T15:04Z07:00", "2006-01-02T15:04", "2006-01-02Z07:00", "2006-01-02",
}

// parseTimestamp reads until= as Docker does: a Go duration before now
// ("24h"), a Unix time ("1700000000" or with a fraction) or a date and time.
func storeParseTimestamp(value string, now time.Time) (time.Time, error) {
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

// compileFilter turns the filters of `images` into a test of one image:
// its first record and its summary, whose names it may narrow to those a
// reference= filter matches. before= and since= name images, so the store
// resolves them here.
func (st *localStore) compileFilter(f *Filters, now time.Time) (func(*localImage, *imageSummary) bool, error) {
	dangling, err := f.dangling()
	if err != nil {
		return nil, err
	}
	var before, since, until []time.Time
	for key, dst := range map[string]*[]time.Time{"before": &before, "since": &since} {
		for _, ref := range f.Get(key) {
			img, _, err := st.lookup(ref)
			if err != nil {
				return nil, err
			}
			*dst = append(*dst, img.created())
		}
	}
	for _, v := range f.Get("until") {
		t, err := storeParseTimestamp(v, now)
		if err != nil {
			return nil, err
		}
		until = append(until, t)
	}
	refs := f.Get("reference")
	return func(img *localImage, s *imageSummary) bool {
		isDangling := len(s.repoTags) == 0 && len(s.repoDigests) == 0
		if dangling != nil && *dangling != isDangling {
			return false
		}
		if len(refs) > 0 && !s.keepMatching(refs) {
			return false
		}
		created := img.created()
		for _, t := range before {
			if !created.Before(t) {
				return false
			}
		}
		for _, t := range since {
			if !created.After(t) {
				return false
			}
		}
		for _, t := range until {
			if !created.Before(t) {
				return false
			}
		}
		return f.matchLabels(img.config.Config.Labels)
	}, nil
}

// keepMatching narrows the names to those matching a pattern and reports
// whether any is left.
func (s *imageSummary) keepMatching(patterns []string) bool {
	var tags, digests []string
	for _, t := range s.repoTags {
		if storeMatchReference(patterns, t) {
			tags = append(tags, t)
		}
	}
	for _, d := range s.repoDigests {
		if storeMatchReference(patterns, d) {
			digests = append(digests, d)
		}
	}
	s.repoTags, s.repoDigests = tags, digests
	return len(tags) > 0 || len(digests) > 0
}
