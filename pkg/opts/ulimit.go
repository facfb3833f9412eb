package opts

import (
	"fmt"
	"strings"

	units "github.com/docker/go-units"
)

// Ulimit is one parsed --ulimit: Name is docker's name (nofile, nproc, ...),
// Resource the RLIMIT_ constant's name, -1 means unlimited.
type Ulimit struct {
	Name     string
	Resource string
	Soft     int64
	Hard     int64
}

// ParseUlimit parses name=soft[:hard] as docker does (a missing hard limit
// equals the soft one); the errors are docker's.
func ParseUlimit(s string) (Ulimit, error) {
	u, err := units.ParseUlimit(s)
	if err != nil {
		return Ulimit{}, err
	}
	return Ulimit{Name: u.Name, Resource: "RLIMIT_" + strings.ToUpper(u.Name), Soft: u.Soft, Hard: u.Hard}, nil
}

// ParseUlimits parses every --ulimit; a later one for the same name wins.
// The result is in the order the names first appeared.
func ParseUlimits(values []string) ([]Ulimit, error) {
	var out []Ulimit
	index := map[string]int{}
	for _, v := range values {
		u, err := ParseUlimit(v)
		if err != nil {
			return nil, err
		}
		if i, ok := index[u.Name]; ok {
			out[i] = u
			continue
		}
		index[u.Name] = len(out)
		out = append(out, u)
	}
	return out, nil
}

// Ulimits is the pflag.Value of --ulimit: each use is checked and appended.
type Ulimits struct{ p *[]string }

// NewUlimits returns a --ulimit value appending to p.
func NewUlimits(p *[]string) *Ulimits { return &Ulimits{p: p} }

// Set checks and appends s.
func (u *Ulimits) Set(s string) error {
	if _, err := ParseUlimit(s); err != nil {
		return err
	}
	*u.p = append(*u.p, s)
	return nil
}

// String lists the values as docker prints its default ("[]").
func (u *Ulimits) String() string { return fmt.Sprintf("%v", *u.p) }

// Type is docker's name for the flag type in help output.
func (u *Ulimits) Type() string { return "ulimit" }
