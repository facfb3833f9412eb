package opts

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// seccompProfile is docker's seccomp profile format: the OCI fields, plus
// an architecture map and per-rule conditions on the container's
// capabilities, the architecture and the kernel version.
type seccompProfile struct {
	DefaultAction   specs.LinuxSeccompAction `json:"defaultAction"`
	DefaultErrnoRet *uint                    `json:"defaultErrnoRet,omitempty"`
	Architectures   []specs.Arch             `json:"architectures,omitempty"`
	ArchMap         []struct {
		Arch      specs.Arch   `json:"architecture"`
		SubArches []specs.Arch `json:"subArchitectures"`
	} `json:"archMap,omitempty"`
	Flags    []specs.LinuxSeccompFlag `json:"flags,omitempty"`
	Syscalls []seccompRule            `json:"syscalls"`
}

type seccompRule struct {
	specs.LinuxSyscall
	Name     string         `json:"name,omitempty"`
	Includes *seccompFilter `json:"includes,omitempty"`
	Excludes *seccompFilter `json:"excludes,omitempty"`
}

type seccompFilter struct {
	Caps      []string `json:"caps,omitempty"`
	Arches    []string `json:"arches,omitempty"`
	MinKernel string   `json:"minKernel,omitempty"`
}

// SeccompHost is what a profile's conditions are checked against.
type SeccompHost struct {
	// Caps are the container's capabilities (CAP_...).
	Caps []string
	// GOARCH is the host's architecture in Go's spelling.
	GOARCH string
	// Kernel is the kernel release (uname -r).
	Kernel string
}

// seccompArch is the libseccomp name of a Go architecture.
var seccompArch = map[string]specs.Arch{
	"amd64": specs.ArchX86_64, "386": specs.ArchX86, "arm64": specs.ArchAARCH64, "arm": specs.ArchARM,
	"ppc64le": specs.ArchPPC64LE, "s390x": specs.ArchS390X, "riscv64": specs.ArchRISCV64,
	"mips64le": specs.ArchMIPSEL64, "loong64": specs.ArchLOONGARCH64,
}

// ParseSeccompProfile reads a profile in docker's format (which includes
// the plain OCI format) and returns the OCI seccomp configuration for a
// container on host, as docker's engine builds it.
func ParseSeccompProfile(data []byte, host SeccompHost) (*specs.LinuxSeccomp, error) {
	var p seccompProfile
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("decoding seccomp profile failed: %w", err)
	}
	if p.DefaultAction == "" {
		return nil, errors.New("the seccomp profile has no defaultAction")
	}
	if len(p.Architectures) != 0 && len(p.ArchMap) != 0 {
		return nil, errors.New("'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'")
	}
	out := &specs.LinuxSeccomp{DefaultAction: p.DefaultAction, DefaultErrnoRet: p.DefaultErrnoRet,
		Architectures: p.Architectures, Flags: p.Flags}
	native := seccompArch[host.GOARCH]
	for _, a := range p.ArchMap {
		if a.Arch == native {
			out.Architectures = append(append(out.Architectures, a.Arch), a.SubArches...)
		}
	}
	for _, r := range p.Syscalls {
		if r.Name != "" && len(r.Names) != 0 {
			return nil, errors.New("'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'")
		}
		if !r.applies(host) {
			continue
		}
		sc := r.LinuxSyscall
		if r.Name != "" {
			sc.Names = []string{r.Name}
		}
		out.Syscalls = append(out.Syscalls, sc)
	}
	return out, nil
}

// applies checks a rule's includes (all must hold) and excludes (none may).
func (r seccompRule) applies(h SeccompHost) bool {
	if in := r.Includes; in != nil {
		if len(in.Arches) > 0 && !slices.Contains(in.Arches, h.GOARCH) {
			return false
		}
		for _, c := range in.Caps {
			if !slices.Contains(h.Caps, c) {
				return false
			}
		}
		if in.MinKernel != "" && !kernelAtLeast(h.Kernel, in.MinKernel) {
			return false
		}
	}
	if ex := r.Excludes; ex != nil {
		if slices.Contains(ex.Arches, h.GOARCH) {
			return false
		}
		for _, c := range ex.Caps {
			if slices.Contains(h.Caps, c) {
				return false
			}
		}
		if ex.MinKernel != "" && kernelAtLeast(h.Kernel, ex.MinKernel) {
			return false
		}
	}
	return true
}

// kernelAtLeast compares the major.minor of a kernel release with min.
func kernelAtLeast(release, min string) bool {
	rm, rn := majorMinor(release)
	mm, mn := majorMinor(min)
	return rm > mm || rm == mm && rn >= mn
}

func majorMinor(v string) (int, int) {
	fields := strings.FieldsFunc(v, func(r rune) bool { return r < '0' || r > '9' })
	var n [2]int
	for i := 0; i < len(fields) && i < 2; i++ {
		n[i], _ = strconv.Atoi(fields[i])
	}
	return n[0], n[1]
}
