package opts

import (
	"fmt"
	"strconv"
	"strings"
)

// RestartPolicy is a parsed --restart value.
type RestartPolicy struct {
	// Name is "no", "always", "unless-stopped" or "on-failure".
	Name string
	// MaximumRetryCount is N of on-failure:N (0: no limit).
	MaximumRetryCount int
}

// ParseRestartPolicy parses --restart as docker does; "" means "no".
func ParseRestartPolicy(s string) (RestartPolicy, error) {
	name, count, hasCount := strings.Cut(s, ":")
	p := RestartPolicy{Name: name}
	switch name {
	case "", "no":
		p.Name = "no"
		if hasCount {
			return p, fmt.Errorf("invalid restart policy: maximum retry count can only be used with 'on-failure'")
		}
	case "always", "unless-stopped":
		if hasCount {
			return p, fmt.Errorf("invalid restart policy: maximum retry count can only be used with 'on-failure'")
		}
	case "on-failure":
		if hasCount {
			n, err := strconv.Atoi(count)
			if err != nil {
				return p, fmt.Errorf("invalid restart policy: maximum retry count must be an integer")
			}
			if n < 0 {
				return p, fmt.Errorf("invalid restart policy: maximum retry count cannot be negative")
			}
			p.MaximumRetryCount = n
		}
	default:
		return p, fmt.Errorf("invalid restart policy: unknown policy '%s'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'", name)
	}
	return p, nil
}
