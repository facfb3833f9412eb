package opts

import (
	"errors"
	"fmt"
	"time"
)

// MinimumHealthDuration is the shortest interval, timeout or start period
// docker accepts for a health check.
const MinimumHealthDuration = time.Millisecond

// HealthFlags are the --health-* flags and --no-healthcheck as given.
type HealthFlags struct {
	Cmd         string
	Interval    time.Duration
	Timeout     time.Duration
	StartPeriod time.Duration
	Retries     int
	None        bool
}

// Healthcheck is docker's HealthConfig: Test is ["NONE"], ["CMD", args...]
// or ["CMD-SHELL", command]; a zero field means "inherit or default".
type Healthcheck struct {
	Test          []string      `json:",omitempty"`
	Interval      time.Duration `json:",omitempty"`
	Timeout       time.Duration `json:",omitempty"`
	StartPeriod   time.Duration `json:",omitempty"`
	StartInterval time.Duration `json:",omitempty"`
	Retries       int           `json:",omitempty"`
}

// set reports whether any --health-* flag was given.
func (f HealthFlags) set() bool {
	return f.Cmd != "" || f.Interval != 0 || f.Timeout != 0 || f.StartPeriod != 0 || f.Retries != 0
}

// Healthcheck turns the flags into the container's own health check, nil
// when none was given, with docker's checks and messages.
func (f HealthFlags) Healthcheck() (*Healthcheck, error) {
	if f.None {
		if f.set() {
			return nil, errors.New("--no-healthcheck conflicts with --health-* options")
		}
		return &Healthcheck{Test: []string{"NONE"}}, nil
	}
	if !f.set() {
		return nil, nil
	}
	for _, d := range []struct {
		flag, field string
		v           time.Duration
	}{
		{"--health-interval", "Interval", f.Interval},
		{"--health-timeout", "Timeout", f.Timeout},
		{"--health-start-period", "StartPeriod", f.StartPeriod},
	} {
		if d.v < 0 {
			return nil, fmt.Errorf("%s cannot be negative", d.flag)
		}
		if d.v != 0 && d.v < MinimumHealthDuration {
			return nil, fmt.Errorf("%s in Healthcheck cannot be less than %s", d.field, MinimumHealthDuration)
		}
	}
	if f.Retries < 0 {
		return nil, errors.New("--health-retries cannot be negative")
	}
	h := &Healthcheck{Interval: f.Interval, Timeout: f.Timeout, StartPeriod: f.StartPeriod, Retries: f.Retries}
	if f.Cmd != "" {
		h.Test = []string{"CMD-SHELL", f.Cmd}
	}
	return h, nil
}

// MergeHealthcheck fills what the container's own check leaves unset from
// the image's HEALTHCHECK, as docker does; either may be nil.
func MergeHealthcheck(own, image *Healthcheck) *Healthcheck {
	if own == nil {
		if image == nil {
			return nil
		}
		c := *image
		return &c
	}
	h := *own
	if image == nil {
		return &h
	}
	if len(h.Test) == 0 {
		h.Test = image.Test
	}
	if h.Interval == 0 {
		h.Interval = image.Interval
	}
	if h.Timeout == 0 {
		h.Timeout = image.Timeout
	}
	if h.StartPeriod == 0 {
		h.StartPeriod = image.StartPeriod
	}
	if h.StartInterval == 0 {
		h.StartInterval = image.StartInterval
	}
	if h.Retries == 0 {
		h.Retries = image.Retries
	}
	return &h
}
