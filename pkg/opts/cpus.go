package opts

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// ParseCPUs parses --cpus (a decimal or a fraction such as 1.5 or 3/2) into
// billionths of a CPU, as docker does. Range checks against the host's CPUs
// happen later; here only the syntax and the precision are checked.
func ParseCPUs(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, fmt.Errorf("failed to parse %v as a rational number", s)
	}
	r.Mul(r, big.NewRat(1e9, 1))
	if !r.IsInt() {
		return 0, errors.New("value is too precise")
	}
	if !r.Num().IsInt64() {
		return 0, fmt.Errorf("value %s is out of range", s)
	}
	return r.Num().Int64(), nil
}

// CPUs is the pflag.Value of --cpus; it keeps the text as typed.
type CPUs struct{ p *string }

// NewCPUs returns a --cpus value stored in p.
func NewCPUs(p *string) *CPUs { return &CPUs{p: p} }

// Set checks and stores s.
func (c *CPUs) Set(s string) error {
	if _, err := ParseCPUs(s); err != nil {
		return err
	}
	*c.p = s
	return nil
}

// String is the value as typed.
func (c *CPUs) String() string { return *c.p }

// Type is docker's name for the flag type in help output.
func (c *CPUs) Type() string { return "decimal" }

// ParseCPUSet parses a cpuset list such as "0-2,4" (--cpuset-cpus,
// --cpuset-mems) into the set of numbers it names.
func ParseCPUSet(s string) (map[int]bool, error) {
	set := map[int]bool{}
	if s == "" {
		return set, nil
	}
	bad := fmt.Errorf("invalid format: %s", s)
	for _, r := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(r, "-")
		if !isRange {
			hi = lo
		}
		min, err1 := strconv.Atoi(lo)
		max, err2 := strconv.Atoi(hi)
		if err1 != nil || err2 != nil || min < 0 || max < min {
			return nil, bad
		}
		for i := min; i <= max; i++ {
			set[i] = true
		}
	}
	return set, nil
}
