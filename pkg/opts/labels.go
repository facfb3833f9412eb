// Package opts holds pure parsers for compound flag values. They do no I/O.
package opts

import (
	"fmt"
	"strings"
)

// ParseLabels turns key=value strings into a map; a value may be empty or
// contain '=' and ',', a key may not be empty.
func ParseLabels(values []string) (map[string]string, error) {
	labels := make(map[string]string, len(values))
	for _, l := range values {
		k, v, _ := strings.Cut(l, "=")
		if strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("invalid label %q: the key must not be empty", l)
		}
		labels[k] = v
	}
	return labels, nil
}
