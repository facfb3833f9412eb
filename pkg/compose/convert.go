package compose

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-project/berth/pkg/cmd/container"
)

// Replica is what berth creates for one container of a service: the
// options `berth create` would take, and what the options cannot say
// per network (each network's aliases and addresses), which goes into the
// container's network plan before it starts.
type Replica struct {
	Service string
	Number  int
	Create  container.CreateOptions
	// Networks are the service's networks in order, with their requests.
	Networks []NetworkRequest
	// Files are the files to write before the container is created.
	Files []ProjectFile
}

// NetworkRequest is the container on one network.
type NetworkRequest struct {
	// Name is the engine's name of the network.
	Name    string
	Aliases []string
	IPv4    string
	IPv6    string
}

// Convert turns replica n of service s into berth's create options. It
// does no I/O: what needs the engine (images, networks, volumes) comes
// later. stateDir is where berth keeps the project's files (secrets and
// configs it writes).
func Convert(p *types.Project, s types.ServiceConfig, n int, stateDir string) (*Replica, error) {
	if err := checkBuildable(s); err != nil {
		return nil, err
	}
	o := baseOptions(p, s, n)
	setCommand(&o, s)
	setResources(&o, s)
	setLogging(&o, s)
	if err := setHealth(&o, s.HealthCheck); err != nil {
		return nil, fmt.Errorf("service %q: %w", s.Name, err)
	}
	var err error
	if o.IPC, err = sharedNamespace(p, s.Ipc); err != nil {
		return nil, fmt.Errorf("service %q: ipc: %w", s.Name, err)
	}
	if o.PID, err = sharedNamespace(p, s.Pid); err != nil {
		return nil, fmt.Errorf("service %q: pid: %w", s.Name, err)
	}
	if o.UTS, err = sharedNamespace(p, s.Uts); err != nil {
		return nil, fmt.Errorf("service %q: uts: %w", s.Name, err)
	}
	files, err := setMounts(p, s, &o, stateDir)
	if err != nil {
		return nil, err
	}
	r := &Replica{Service: s.Name, Number: n, Create: o, Files: files}
	if err := setNetworks(p, s, r); err != nil {
		return nil, fmt.Errorf("service %q: %w", s.Name, err)
	}
	return r, nil
}

// baseOptions are the keys that map one to one onto create's options.
func baseOptions(p *types.Project, s types.ServiceConfig, n int) container.CreateOptions {
	o := container.CreateOptions{
		Image:        s.Image,
		Name:         ContainerName(p.Name, s, n),
		Pull:         "missing",
		Platform:     s.Platform,
		Interactive:  s.StdinOpen,
		TTY:          s.Tty,
		Env:          environment(s.Environment),
		Labels:       labelList(s.Labels, nil),
		Workdir:      s.WorkingDir,
		User:         s.User,
		GroupAdd:     s.GroupAdd,
		Hostname:     s.Hostname,
		Domainname:   s.DomainName,
		Init:         s.Init != nil && *s.Init,
		StopSignal:   s.StopSignal,
		StopTimeout:  -1,
		Restart:      restartPolicy(s),
		CapAdd:       s.CapAdd,
		CapDrop:      s.CapDrop,
		Privileged:   s.Privileged,
		SecurityOpt:  s.SecurityOpt,
		ReadOnly:     s.ReadOnly,
		Tmpfs:        append(append([]string{}, s.Tmpfs...), tmpfsVolumes(s)...),
		Sysctls:      sortedPairs(s.Sysctls, "="),
		Runtime:      s.Runtime,
		Cgroupns:     s.Cgroup,
		CgroupParent: s.CgroupParent,
		DNS:          s.DNS,
		DNSSearch:    s.DNSSearch,
		DNSOptions:   s.DNSOpts,
		AddHosts:     hostList(s.ExtraHosts),
		Expose:       s.Expose,
	}
	if s.StopGracePeriod != nil {
		o.StopTimeout = int(time.Duration(*s.StopGracePeriod) / time.Second)
	}
	for _, d := range s.Devices {
		o.Devices = append(o.Devices, deviceString(d))
	}
	for _, pc := range s.Ports {
		o.Publish = append(o.Publish, PortString(pc))
	}
	return o
}

// checkBuildable refuses a service berth cannot make an image for.
func checkBuildable(s types.ServiceConfig) error {
	if s.Build != nil && s.Image == "" {
		return fmt.Errorf("service %q has a build section: berth cannot build images yet; build the image elsewhere and set image: for the service", s.Name)
	}
	if s.Image == "" {
		return fmt.Errorf("service %q has neither an image nor a build context specified", s.Name)
	}
	if s.PullPolicy == types.PullPolicyBuild {
		return fmt.Errorf("service %q has pull_policy: build: berth cannot build images yet", s.Name)
	}
	return nil
}

// setCommand maps entrypoint and command. berth's --entrypoint is one
// executable, as Docker's flag: the rest of a Compose entrypoint list
// leads the arguments, which gives the same process.
func setCommand(o *container.CreateOptions, s types.ServiceConfig) {
	o.Args = s.Command
	if s.Entrypoint == nil {
		return
	}
	o.EntrypointSet = true
	if len(s.Entrypoint) > 0 {
		o.Entrypoint = s.Entrypoint[0]
		o.Args = append(append([]string{}, s.Entrypoint[1:]...), s.Command...)
	}
}

// restartPolicy is restart:, else deploy.restart_policy in Docker's terms.
func restartPolicy(s types.ServiceConfig) string {
	if s.Restart != "" {
		return s.Restart
	}
	if s.Deploy == nil || s.Deploy.RestartPolicy == nil {
		return ""
	}
	rp := s.Deploy.RestartPolicy
	switch rp.Condition {
	case "none":
		return "no"
	case "on-failure":
		if rp.MaxAttempts != nil && *rp.MaxAttempts > 0 {
			return fmt.Sprintf("on-failure:%d", *rp.MaxAttempts)
		}
		return "on-failure"
	case "any", "":
		return "always"
	}
	return rp.Condition
}

// environment is the resolved environment as KEY=VALUE, sorted; a variable
// without a value (not set where compose looked) is left out, as Docker does.
func environment(env types.MappingWithEquals) []string {
	var out []string
	for k, v := range env {
		if v != nil {
			out = append(out, k+"="+*v)
		}
	}
	sort.Strings(out)
	return out
}

// labelList is the service's labels and compose's, as -l values.
func labelList(own types.Labels, compose map[string]string) []string {
	all := map[string]string{}
	for k, v := range own {
		all[k] = v
	}
	for k, v := range compose {
		all[k] = v
	}
	return sortedPairs(all, "=")
}

func sortedPairs[M ~map[string]string](m M, sep string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+sep+v)
	}
	sort.Strings(out)
	return out
}

func sortStrings(s []string) { sort.Strings(s) }

// setResources maps the service's limits, and deploy.resources where the
// service's own keys are not set.
func setResources(o *container.CreateOptions, s types.ServiceConfig) {
	var limits, reservations *types.Resource
	if s.Deploy != nil {
		limits, reservations = s.Deploy.Resources.Limits, s.Deploy.Resources.Reservations
	}
	cpus := float64(s.CPUS)
	mem, memRes, pids := int64(s.MemLimit), int64(s.MemReservation), s.PidsLimit
	if limits != nil {
		if cpus == 0 {
			cpus = float64(limits.NanoCPUs)
		}
		if mem == 0 {
			mem = int64(limits.MemoryBytes)
		}
		if pids == 0 {
			pids = limits.Pids
		}
	}
	if reservations != nil && memRes == 0 {
		memRes = int64(reservations.MemoryBytes)
	}
	if cpus > 0 {
		o.CPUs = strconv.FormatFloat(math.Round(cpus*1e9)/1e9, 'f', -1, 64)
	}
	o.Memory = bytesString(mem)
	o.MemoryReservation = bytesString(memRes)
	if s.MemSwapLimit != 0 {
		o.MemorySwap = strconv.FormatInt(int64(s.MemSwapLimit), 10)
	}
	o.PidsLimit = pids
	o.CPUShares = s.CPUShares
	o.CPUQuota = s.CPUQuota
	o.CPUPeriod = s.CPUPeriod
	o.CpusetCPUs = s.CPUSet
	o.OomKillDisable = s.OomKillDisable
	o.OomScoreAdj = int(s.OomScoreAdj)
	o.ShmSize = bytesString(int64(s.ShmSize))
	names := make([]string, 0, len(s.Ulimits))
	for name := range s.Ulimits {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		u := s.Ulimits[name]
		if u.Single != 0 {
			o.Ulimits = append(o.Ulimits, fmt.Sprintf("%s=%d", name, u.Single))
		} else {
			o.Ulimits = append(o.Ulimits, fmt.Sprintf("%s=%d:%d", name, u.Soft, u.Hard))
		}
	}
}

// bytesString is a size in bytes as the size flags take it; 0 is unset.
func bytesString(n int64) string {
	if n <= 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// setLogging maps logging:, or the old log_driver and log_opt.
func setLogging(o *container.CreateOptions, s types.ServiceConfig) {
	driver, options := s.LogDriver, map[string]string(s.LogOpt)
	if s.Logging != nil {
		if s.Logging.Driver != "" {
			driver = s.Logging.Driver
		}
		if len(s.Logging.Options) > 0 {
			options = s.Logging.Options
		}
	}
	o.LogDriver = driver
	o.LogOpts = sortedPairs(options, "=")
}

// setHealth maps healthcheck: to the --health-* flags. A CMD list becomes
// a shell command with each argument quoted, which runs the same program.
func setHealth(o *container.CreateOptions, h *types.HealthCheckConfig) error {
	if h == nil {
		return nil
	}
	if h.Disable || len(h.Test) > 0 && h.Test[0] == "NONE" {
		o.NoHealthcheck = true
		return nil
	}
	if len(h.Test) > 0 {
		switch h.Test[0] {
		case "CMD-SHELL":
			if len(h.Test) != 2 {
				return fmt.Errorf("healthcheck.test: CMD-SHELL takes exactly one command string")
			}
			o.HealthCmd = h.Test[1]
		case "CMD":
			if len(h.Test) < 2 {
				return fmt.Errorf("healthcheck.test: CMD needs a command")
			}
			o.HealthCmd = shellJoin(h.Test[1:])
		default:
			return fmt.Errorf("healthcheck.test must start with CMD, CMD-SHELL or NONE, not %q", h.Test[0])
		}
	}
	for _, d := range []struct {
		from *types.Duration
		to   *time.Duration
	}{{h.Interval, &o.HealthInterval}, {h.Timeout, &o.HealthTimeout}, {h.StartPeriod, &o.HealthStartPeriod}} {
		if d.from != nil {
			*d.to = time.Duration(*d.from)
		}
	}
	if h.Retries != nil {
		o.HealthRetries = int(*h.Retries)
	}
	return nil
}

// shellJoin quotes each argument for sh so that the shell runs argv as is.
func shellJoin(argv []string) string {
	quoted := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@%+,", r))
		}) < 0 {
			quoted[i] = a
			continue
		}
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(quoted, " ")
}

func deviceString(d types.DeviceMapping) string {
	s := d.Source
	if d.Target != "" {
		s += ":" + d.Target
	}
	if d.Permissions != "" {
		s += ":" + d.Permissions
	}
	return s
}
