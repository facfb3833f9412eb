package opts

import (
	"fmt"
	"slices"
	"strings"
)

// AllCapabilities is the --cap-add/--cap-drop value that means every one.
const AllCapabilities = "ALL"

// DefaultCapabilities are the capabilities docker gives a container.
var DefaultCapabilities = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
	"CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
	"CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// NormalizeCapabilities upper-cases names and adds the CAP_ prefix where it
// is missing ("net_admin" is CAP_NET_ADMIN), keeps ALL as is and drops
// duplicates. A name not in known is docker's "unknown capability" error.
func NormalizeCapabilities(caps, known []string) ([]string, error) {
	var out []string
	for _, c := range caps {
		c = strings.ToUpper(strings.TrimSpace(c))
		if c != AllCapabilities && !strings.HasPrefix(c, "CAP_") {
			c = "CAP_" + c
		}
		if c != AllCapabilities && !slices.Contains(known, c) {
			return nil, fmt.Errorf("unknown capability: %q", c)
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out, nil
}

// EffectiveCapAddDrop normalizes --cap-add and --cap-drop as docker's CLI
// does: ALL on either side stands for the whole list, and a capability both
// added and dropped is added.
func EffectiveCapAddDrop(add, drop, known []string) (capAdd, capDrop []string, err error) {
	if capAdd, err = NormalizeCapabilities(add, known); err != nil {
		return nil, nil, err
	}
	if capDrop, err = NormalizeCapabilities(drop, known); err != nil {
		return nil, nil, err
	}
	if slices.Contains(capAdd, AllCapabilities) {
		capAdd = []string{AllCapabilities}
	}
	if slices.Contains(capDrop, AllCapabilities) {
		capDrop = []string{AllCapabilities}
	}
	capDrop = slices.DeleteFunc(capDrop, func(c string) bool { return slices.Contains(capAdd, c) })
	return capAdd, capDrop, nil
}

// Capabilities is the container's capability set from docker's defaults
// and normalized --cap-add/--cap-drop (EffectiveCapAddDrop), as docker's
// engine computes it: ALL added gives all minus the dropped ones, ALL
// dropped gives only the added ones, otherwise the defaults minus the
// dropped plus the added. all is every capability the container may have.
func Capabilities(capAdd, capDrop, all []string) []string {
	switch {
	case slices.Contains(capAdd, AllCapabilities):
		return slices.DeleteFunc(slices.Clone(all), func(c string) bool { return slices.Contains(capDrop, c) })
	case slices.Contains(capDrop, AllCapabilities):
		return slices.Clone(capAdd)
	}
	caps := slices.DeleteFunc(slices.Clone(DefaultCapabilities), func(c string) bool { return slices.Contains(capDrop, c) })
	for _, c := range capAdd {
		if !slices.Contains(caps, c) {
			caps = append(caps, c)
		}
	}
	return caps
}
