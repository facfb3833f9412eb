package compose

import (
	"fmt"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// tmpfsVolumes are the tmpfs entries of volumes: as --tmpfs values.
func tmpfsVolumes(s types.ServiceConfig) []string {
	var out []string
	for _, v := range s.Volumes {
		if v.Type != types.VolumeTypeTmpfs {
			continue
		}
		var o []string
		if v.Tmpfs != nil && v.Tmpfs.Size > 0 {
			o = append(o, fmt.Sprintf("size=%d", int64(v.Tmpfs.Size)))
		}
		if v.Tmpfs != nil && v.Tmpfs.Mode != 0 {
			o = append(o, fmt.Sprintf("mode=%o", v.Tmpfs.Mode))
		}
		if v.ReadOnly {
			o = append(o, "ro")
		}
		t := v.Target
		if len(o) > 0 {
			t += ":" + strings.Join(o, ",")
		}
		out = append(out, t)
	}
	return out
}

// Scales gives each service's number of containers: --scale, else the
// service's scale: or deploy.replicas, else 1.
type Scales map[string]int

// Of returns the scale of s.
func (sc Scales) Of(s types.ServiceConfig) int {
	if n, ok := sc[s.Name]; ok {
		return n
	}
	return s.GetScale()
}

// Plan converts every replica of the project's services and checks them
// all before anything is created: each container's options as `create`
// checks its flags, container names, and host ports two containers would
// both publish. stateDir is the project's directory of berth's own files.
func Plan(p *Project, scales Scales, stateDir string) (map[string][]*Replica, error) {
	for name := range scales {
		if _, ok := p.Services[name]; !ok {
			return nil, fmt.Errorf("no such service: %s", name)
		}
	}
	out := map[string][]*Replica{}
	for _, name := range p.ServiceNamesSorted() {
		s := p.Services[name]
		n := scales.Of(s)
		if n > 1 && s.ContainerName != "" {
			return nil, fmt.Errorf("service %q has container_name %q and %d replicas: a container name must be unique; remove container_name or scale to 1", name, s.ContainerName, n)
		}
		for i := 1; i <= n; i++ {
			r, err := Convert(p.Project, s, i, stateDir)
			if err != nil {
				return nil, err
			}
			if err := r.Create.Validate(); err != nil {
				return nil, fmt.Errorf("service %q: %w", name, err)
			}
			out[name] = append(out[name], r)
		}
	}
	if err := checkPorts(p, scales); err != nil {
		return nil, err
	}
	return out, nil
}

// checkPorts refuses a fixed host port published twice: by two services,
// or by two replicas of one.
func checkPorts(p *Project, scales Scales) error {
	type claim struct {
		hp      hostPort
		service string
	}
	var claims []claim
	for _, name := range p.ServiceNamesSorted() {
		s := p.Services[name]
		ports, err := hostPortsOf(s)
		if err != nil {
			return err
		}
		n := scales.Of(s)
		for _, hp := range ports {
			if n > 1 {
				return fmt.Errorf("service %q publishes host port %s and has %d replicas: only one container can listen on it; publish a range (\"8000-8010:80\") or no host port", name, hp, n)
			}
			for _, c := range claims {
				if c.hp.overlaps(hp) {
					where := p.sources.locate("services." + name + ".ports")
					msg := fmt.Sprintf("services %q and %q both publish host port %s", c.service, name, hp)
					if where != "" {
						msg = where + ": " + msg
					}
					return fmt.Errorf("%s", msg)
				}
			}
			claims = append(claims, claim{hp, name})
		}
	}
	return nil
}

// StartOrder sorts services into levels: each service depends only on
// services of earlier levels. A dependency on a service that is not in
// the project fails unless it is optional (required: false); a cycle fails.
func StartOrder(services types.Services) ([][]string, error) {
	deps := map[string][]string{}
	for name, s := range services {
		for dep, d := range s.DependsOn {
			if _, ok := services[dep]; !ok {
				if !d.Required {
					continue
				}
				return nil, fmt.Errorf("service %q depends on undefined service %q", name, dep)
			}
			deps[name] = append(deps[name], dep)
		}
		slices.Sort(deps[name])
	}
	if cycle := findCycle(services, deps); cycle != nil {
		return nil, fmt.Errorf("dependency cycle detected: %s", strings.Join(cycle, " -> "))
	}
	level := map[string]int{}
	var depth func(string) int
	depth = func(n string) int {
		if l, ok := level[n]; ok {
			return l
		}
		l := 0
		for _, d := range deps[n] {
			l = max(l, depth(d)+1)
		}
		level[n] = l
		return l
	}
	var out [][]string
	names := make([]string, 0, len(services))
	for n := range services {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		l := depth(n)
		for len(out) <= l {
			out = append(out, nil)
		}
		out[l] = append(out[l], n)
	}
	return out, nil
}

// findCycle returns the first cycle found, in alphabetical order of the
// services, as a path that ends where it starts.
func findCycle(services types.Services, deps map[string][]string) []string {
	const (
		unvisited = iota
		visiting
		done
	)
	state := map[string]int{}
	var path []string
	var visit func(string) []string
	visit = func(n string) []string {
		state[n] = visiting
		path = append(path, n)
		for _, d := range deps[n] {
			switch state[d] {
			case visiting:
				i := slices.Index(path, d)
				return append(append([]string{}, path[i:]...), d)
			case unvisited:
				if c := visit(d); c != nil {
					return c
				}
			}
		}
		path = path[:len(path)-1]
		state[n] = done
		return nil
	}
	names := make([]string, 0, len(services))
	for n := range services {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if state[n] == unvisited {
			if c := visit(n); c != nil {
				return c
			}
		}
	}
	return nil
}
