// Package referenceutil parses image references as Docker does: short names
// are normalised (busybox = docker.io/library/busybox:latest) and bad ones are
// refused with Docker's wording.
package referenceutil

import (
	"fmt"
	"strings"

	"github.com/distribution/reference"
)

// Parse returns the fully qualified reference of s: "busybox" becomes
// "docker.io/library/busybox:latest", a digest is kept, a missing tag is
// "latest".
func Parse(s string) (reference.Named, error) {
	if s == "" {
		return nil, fmt.Errorf("invalid reference format: empty image reference")
	}
	named, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		if strings.ToLower(s) != s {
			return nil, fmt.Errorf("invalid reference format: repository name (%s) must be lowercase", s)
		}
		return nil, fmt.Errorf("invalid reference format: %q: %w", s, err)
	}
	return reference.TagNameOnly(named), nil
}

// Normalize returns the string form of Parse(s).
func Normalize(s string) (string, error) {
	n, err := Parse(s)
	if err != nil {
		return "", err
	}
	return n.String(), nil
}

// Familiar is the short form Docker prints: "busybox:latest" for
// "docker.io/library/busybox:latest"; other registries stay in full.
func Familiar(s string) string {
	n, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		return s
	}
	return reference.FamiliarString(n)
}

// RepoTag splits a stored image name into Docker's REPOSITORY and TAG
// columns ("<none>" where absent); a digest-only name has tag "<none>".
func RepoTag(s string) (repo, tag string) {
	n, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		return "<none>", "<none>"
	}
	repo = reference.FamiliarName(n)
	tag = "<none>"
	if t, ok := n.(reference.Tagged); ok {
		tag = t.Tag()
	}
	return repo, tag
}

// Domain is the registry host of s ("docker.io" for short names).
func Domain(s string) string {
	n, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		return ""
	}
	return reference.Domain(n)
}
