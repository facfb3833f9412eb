package image

import (
	"path"
	"strings"
	"time"

	"github.com/distribution/reference"

	"github.com/berth-project/berth/pkg/opts"
)

// validateFilters refuses keys outside allowed and values that cannot
// parse; it needs no engine, so commands run it before dialing.
func validateFilters(f *opts.Filters, now time.Time, allowed ...string) error {
	if err := f.CheckKeys(allowed...); err != nil {
		return err
	}
	if _, err := danglingFilter(f); err != nil {
		return err
	}
	_, err := f.Timestamps("until", now)
	return err
}

// danglingFilter returns the dangling filter's value, nil when not given.
// Docker refuses a value that is not a boolean and a true and a false
// given together.
func danglingFilter(f *opts.Filters) (*bool, error) {
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
			return nil, opts.InvalidFilter("dangling", vals...)
		}
	}
	if isTrue == isFalse {
		return nil, opts.InvalidFilter("dangling", vals...)
	}
	return &isTrue, nil
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

// compileFilter turns the filters of `images` into a test of one image:
// its first record and its summary, whose names it may narrow to those a
// reference= filter matches. before= and since= name images, so the store
// resolves them here.
func (st *localStore) compileFilter(f *opts.Filters, now time.Time) (func(*localImage, *imageSummary) bool, error) {
	dangling, err := danglingFilter(f)
	if err != nil {
		return nil, err
	}
	var before, since []time.Time
	for key, dst := range map[string]*[]time.Time{"before": &before, "since": &since} {
		for _, ref := range f.Get(key) {
			img, _, err := st.lookup(ref)
			if err != nil {
				return nil, err
			}
			*dst = append(*dst, img.created())
		}
	}
	until, err := f.Timestamps("until", now)
	if err != nil {
		return nil, err
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
		return f.MatchLabels(img.config.Config.Labels)
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
