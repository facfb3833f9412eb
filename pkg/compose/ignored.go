package compose

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/tree"
	"github.com/compose-spec/compose-go/v2/types"
)

// ignoredServiceKeys are the service keys of the Compose Specification that
// berth accepts but does not implement. docs/compose.md lists them too.
var ignoredServiceKeys = []string{
	"annotations", "blkio_config", "cpu_count", "cpu_percent", "cpu_rt_period", "cpu_rt_runtime",
	"credential_spec", "develop", "device_cgroup_rules", "external_links", "gpus", "isolation",
	"links", "mem_swappiness", "models", "post_start", "pre_start", "pre_stop", "provider",
	"storage_opt", "umask", "use_api_socket", "userns_mode", "volume_driver",
	"deploy.mode", "deploy.labels", "deploy.update_config", "deploy.rollback_config",
	"deploy.placement", "deploy.endpoint_mode", "deploy.resources.reservations.cpus",
	"deploy.resources.reservations.devices", "deploy.resources.reservations.generic_resources",
	"deploy.resources.limits.devices", "deploy.restart_policy.delay", "deploy.restart_policy.window",
	"healthcheck.start_interval",
}

// ignoredNetworkKeys are keys of a service's network entry berth ignores.
var ignoredNetworkKeys = []string{"driver_opts", "gw_priority", "interface_name", "link_local_ips"}

// ignoredTopKeys are top-level keys berth ignores.
var ignoredTopKeys = []string{"models", "jobs"}

// IgnoredKey is a key berth does not implement, with where it is used.
type IgnoredKey struct {
	// Key is the key's path below its service ("deploy.placement"), or
	// the top-level key.
	Key string
	// Services are the services that use it (none for a top-level key).
	Services []string
}

func (k IgnoredKey) String() string {
	if len(k.Services) == 0 {
		return fmt.Sprintf("%q is not implemented by berth and is ignored", k.Key)
	}
	return fmt.Sprintf("%q is not implemented by berth and is ignored (service %s)", k.Key, strings.Join(k.Services, ", "))
}

// Warn prints one warning per ignored key.
func (p *Project) Warn(w io.Writer) {
	for _, k := range p.Ignored {
		fmt.Fprintln(w, "WARNING:", k)
	}
}

func ignoredPatterns() []loader.UnsupportedAttributePattern {
	var out []loader.UnsupportedAttributePattern
	for _, k := range ignoredServiceKeys {
		out = append(out, loader.UnsupportedAttributePattern{Path: tree.NewPath(append([]string{"services", tree.PathMatchAll}, strings.Split(k, ".")...)...)})
	}
	for _, k := range ignoredNetworkKeys {
		out = append(out, loader.UnsupportedAttributePattern{Path: tree.NewPath("services", tree.PathMatchAll, "networks", tree.PathMatchAll, k)})
	}
	for _, k := range ignoredTopKeys {
		out = append(out, loader.UnsupportedAttributePattern{Path: tree.NewPath(k)})
	}
	return out
}

// ignoredKeys groups what the loader found by key, keeping the services of
// the project that are enabled.
func ignoredKeys(found []loader.UnsupportedAttribute, p *types.Project) []IgnoredKey {
	byKey := map[string]*IgnoredKey{}
	var order []string
	for _, f := range found {
		parts := f.Path.Parts()
		key, service := parts[0], ""
		if parts[0] == "services" && len(parts) > 2 {
			service = parts[1]
			if _, ok := p.Services[service]; !ok {
				continue
			}
			key = strings.Join(parts[2:], ".")
			if parts[2] == "networks" && len(parts) > 4 {
				key = "networks.*." + strings.Join(parts[4:], ".")
			}
		}
		k, ok := byKey[key]
		if !ok {
			k = &IgnoredKey{Key: key}
			byKey[key] = k
			order = append(order, key)
		}
		if service != "" && !slices.Contains(k.Services, service) {
			k.Services = append(k.Services, service)
		}
	}
	slices.Sort(order)
	out := make([]IgnoredKey, 0, len(order))
	for _, key := range order {
		k := byKey[key]
		slices.Sort(k.Services)
		out = append(out, *k)
	}
	return out
}
