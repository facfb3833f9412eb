package opts

import (
	"fmt"
	"strings"
)

// namespacedSysctls are the sysctls docker lets a container set: those of
// the IPC namespace, and prefixes of the network and mqueue namespaces. A
// sysctl outside a namespace the container owns would change the host.
var (
	ipcSysctls = map[string]bool{
		"kernel.msgmax": true, "kernel.msgmnb": true, "kernel.msgmni": true, "kernel.sem": true,
		"kernel.shmall": true, "kernel.shmmax": true, "kernel.shmmni": true, "kernel.shm_rmid_forced": true,
	}
	sysctlPrefixes = []string{"net.", "fs.mqueue."}
)

// ParseSysctl parses --sysctl NAME=VALUE, allowing only namespaced sysctls
// as docker does.
func ParseSysctl(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, "=")
	if !ok {
		return "", "", fmt.Errorf("sysctl '%s' is not allowed", s)
	}
	if ipcSysctls[name] {
		return name, value, nil
	}
	for _, p := range sysctlPrefixes {
		if strings.HasPrefix(name, p) {
			return name, value, nil
		}
	}
	return "", "", fmt.Errorf("sysctl '%s' is not allowed", s)
}

// IsIPCSysctl reports whether a sysctl belongs to the IPC namespace (it
// cannot be set when the container shares the host's).
func IsIPCSysctl(name string) bool {
	return ipcSysctls[name] || strings.HasPrefix(name, "fs.mqueue.")
}

// ParseSysctls parses every --sysctl into a map; a later value wins.
func ParseSysctls(values []string) (map[string]string, error) {
	if len(values) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(values))
	for _, v := range values {
		k, val, err := ParseSysctl(v)
		if err != nil {
			return nil, err
		}
		m[k] = val
	}
	return m, nil
}

// Sysctls is the pflag.Value of --sysctl: each use is checked and appended.
type Sysctls struct{ p *[]string }

// NewSysctls returns a --sysctl value appending to p.
func NewSysctls(p *[]string) *Sysctls { return &Sysctls{p: p} }

// Set checks and appends s.
func (s *Sysctls) Set(v string) error {
	if _, _, err := ParseSysctl(v); err != nil {
		return err
	}
	*s.p = append(*s.p, v)
	return nil
}

// String prints the values as docker prints its map default ("map[]").
func (s *Sysctls) String() string {
	m, _ := ParseSysctls(*s.p)
	if m == nil {
		m = map[string]string{}
	}
	return fmt.Sprintf("%v", m)
}

// Type is docker's name for the flag type in help output.
func (s *Sysctls) Type() string { return "map" }
