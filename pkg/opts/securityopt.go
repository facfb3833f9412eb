package opts

import (
	"fmt"
	"strconv"
	"strings"
)

// Seccomp profile names --security-opt seccomp= takes besides a file path.
const (
	SeccompBuiltin    = "builtin"
	SeccompUnconfined = "unconfined"
)

// SecurityOpts are the parsed --security-opt values.
type SecurityOpts struct {
	// NoNewPrivileges is no-new-privileges[=true].
	NoNewPrivileges bool
	// Seccomp is "" (the default profile), SeccompBuiltin,
	// SeccompUnconfined or the path of a profile file.
	Seccomp string
	// AppArmor is the apparmor= profile; AppArmorSet tells it was given.
	AppArmor    string
	AppArmorSet bool
	// SystemPathsUnconfined is systempaths=unconfined: no masked or
	// read-only paths under /proc and /sys.
	SystemPathsUnconfined bool
}

// ParseSecurityOpts parses --security-opt values as docker does: KEY=VALUE
// (or the deprecated KEY:VALUE), and no-new-privileges alone. SELinux
// labels are refused: berth does not manage SELinux contexts.
func ParseSecurityOpts(values []string) (SecurityOpts, error) {
	var s SecurityOpts
	for _, opt := range values {
		if opt == "no-new-privileges" {
			s.NoNewPrivileges = true
			continue
		}
		k, v, ok := strings.Cut(opt, "=")
		if !ok {
			k, v, ok = strings.Cut(opt, ":")
		}
		if !ok || v == "" {
			return s, fmt.Errorf("Invalid --security-opt: %q", opt)
		}
		if err := s.set(opt, k, v); err != nil {
			return s, err
		}
	}
	return s, nil
}

func (s *SecurityOpts) set(opt, k, v string) error {
	switch k {
	case "no-new-privileges":
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("invalid --security-opt 2: %q", opt)
		}
		s.NoNewPrivileges = b
	case "seccomp":
		s.Seccomp = v
	case "apparmor":
		s.AppArmor, s.AppArmorSet = v, true
	case "systempaths":
		if v != "unconfined" {
			return fmt.Errorf("invalid --security-opt 2: %q", opt)
		}
		s.SystemPathsUnconfined = true
	case "label":
		return fmt.Errorf("--security-opt %s is not supported: berth does not manage SELinux labels", opt)
	default:
		return fmt.Errorf("invalid --security-opt 2: %q", opt)
	}
	return nil
}
