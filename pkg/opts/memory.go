package opts

import units "github.com/docker/go-units"

// ParseMemBytes parses a size as docker's --memory, --memory-reservation and
// --shm-size do: a number with an optional binary suffix (b, k, m, g, t, p,
// with or without "b"/"ib": 1k = 1024), never negative. "" is 0 (unset).
// The errors are go-units', which docker prints: invalid size: 'x',
// invalid suffix: 'q'.
func ParseMemBytes(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	return units.RAMInBytes(s)
}

// ParseMemSwap parses --memory-swap: a size, or -1 for unlimited swap.
func ParseMemSwap(s string) (int64, error) {
	if s == "-1" {
		return -1, nil
	}
	return ParseMemBytes(s)
}

// MemBytes is a pflag.Value for a size flag. Set checks the value the way
// docker does, so a bad size is a flag error ("invalid argument "1q" for
// "-m, --memory" flag: ..."), and keeps the text as typed in the options
// struct, which holds data only and is parsed again by Validate.
type MemBytes struct {
	p    *string
	swap bool
}

// NewMemBytes returns a size flag value stored in p.
func NewMemBytes(p *string) *MemBytes { return &MemBytes{p: p} }

// NewMemSwap returns a --memory-swap value (a size or -1) stored in p.
func NewMemSwap(p *string) *MemBytes { return &MemBytes{p: p, swap: true} }

// Set checks and stores s.
func (m *MemBytes) Set(s string) error {
	parse := ParseMemBytes
	if m.swap {
		parse = ParseMemSwap
	}
	if _, err := parse(s); err != nil {
		return err
	}
	*m.p = s
	return nil
}

// String is the value as typed.
func (m *MemBytes) String() string { return *m.p }

// Type is docker's name for the flag type in help output.
func (m *MemBytes) Type() string { return "bytes" }
