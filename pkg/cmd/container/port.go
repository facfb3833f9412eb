package container

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strings"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/opts"
)

// PortOptions are `port`'s arguments.
type PortOptions struct {
	// Container is the name or ID.
	Container string
	// Port is PRIVATE_PORT[/PROTO], or "" for every published port.
	Port string
}

// Port lists a running container's published ports as `docker port`:
// "80/tcp -> 0.0.0.0:8080" for each, or with a port only its host sides.
func Port(ctx context.Context, cfg *config.Config, s Streams, o *PortOptions) error {
	var want string
	if o.Port != "" {
		p, err := opts.ParsePortKey(o.Port)
		if err != nil {
			return err
		}
		want = p.String()
	}
	return forEach(ctx, cfg, s.Out, []string{o.Container}, false, func(ctx context.Context, t *target) error {
		r, err := loadRecord(ctx, t.c, t.store, t.ctr)
		if err != nil {
			return err
		}
		ports := r.publishedPorts()
		keys := make([]string, 0, len(ports))
		for k := range ports {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return portSortKey(keys[i]) < portSortKey(keys[j]) })
		found := false
		for _, k := range keys {
			if want != "" && k != want {
				continue
			}
			for _, b := range ports[k] {
				found = true
				addr := net.JoinHostPort(b.HostIP, b.HostPort)
				if want != "" {
					fmt.Fprintln(s.Out, addr)
				} else {
					fmt.Fprintf(s.Out, "%s -> %s\n", k, addr)
				}
			}
		}
		if want != "" && !found {
			return fmt.Errorf("No public port '%s' published for %s", strings.TrimSpace(want), o.Container)
		}
		return nil
	})
}
