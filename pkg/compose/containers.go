package compose

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/containerd/containerd/v2/client"

	"github.com/berth-project/berth/pkg/cmd/container"
	"github.com/berth-project/berth/pkg/config"
)

// session is one compose command's connection to the engine.
type session struct {
	c   *client.Client
	cfg *config.Config
	s   container.Streams
	// progress prints what happens to each object on stderr.
	progress *progress
}

// Ctr is one container of a project.
type Ctr struct {
	container.Summary
	Service string
	Number  int
	Oneoff  bool
}

// Hash is the config hash the container was created with.
func (c Ctr) Hash() string { return c.Labels[LabelConfigHash] }

// shortName is how attached output and events name the container:
// "web-1", or the container_name.
func (c Ctr) shortName(project string) string {
	if strings.HasPrefix(c.Name, project+"-") && !c.Oneoff {
		return strings.TrimPrefix(c.Name, project+"-")
	}
	return c.Name
}

// filter selects containers of a project.
type filter struct {
	project  string
	services []string
	// oneoff: "" any, "True" or "False".
	oneoff string
	// all includes containers that are not running.
	all bool
}

// list returns the project's containers that f selects, by service and
// number.
func (ss *session) list(ctx context.Context, f filter) ([]Ctr, error) {
	filters := []string{labelFilter(LabelProject, f.project)}
	if f.oneoff != "" {
		filters = append(filters, labelFilter(LabelOneoff, f.oneoff))
	}
	sums, err := container.ListSummaries(ctx, ss.c, ss.cfg, filters...)
	if err != nil {
		return nil, err
	}
	var out []Ctr
	for _, s := range sums {
		c := Ctr{Summary: s, Service: s.Labels[LabelService], Oneoff: s.Labels[LabelOneoff] == "True"}
		c.Number, _ = strconv.Atoi(s.Labels[LabelNumber])
		if len(f.services) > 0 && !slices.Contains(f.services, c.Service) {
			continue
		}
		if !f.all && !c.State.Running {
			continue
		}
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		if a.Oneoff != b.Oneoff {
			return !a.Oneoff
		}
		if a.Number != b.Number {
			return a.Number < b.Number
		}
		return a.Name < b.Name
	})
	return out, nil
}

// labelFilter is a containerd filter for label key=value.
func labelFilter(key, value string) string {
	return fmt.Sprintf("labels.%q==%q", key, value)
}

// load returns the engine's container.
func (ss *session) load(ctx context.Context, id string) (client.Container, error) {
	return ss.c.LoadContainer(ctx, id)
}

// byService groups containers by service.
func byService(ctrs []Ctr) map[string][]Ctr {
	out := map[string][]Ctr{}
	for _, c := range ctrs {
		out[c.Service] = append(out[c.Service], c)
	}
	return out
}

// names lists the containers' names.
func names(ctrs []Ctr) []string {
	out := make([]string, len(ctrs))
	for i, c := range ctrs {
		out[i] = c.Name
	}
	return out
}
