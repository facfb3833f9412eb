// Package network implements `network create|ls|inspect|rm|prune|connect|
// disconnect` over the network store of pkg/netutil. Only connect and
// disconnect dial the engine: the others read and change the store alone.
package network

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/containerd/log"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/netutil"
)

// Drivers of the pseudo networks, as Docker names them.
const (
	driverHost = "host"
	driverNull = "null"
)

// scopeLocal is the only scope berth has: no swarm.
const scopeLocal = "local"

// predefined are the networks a user can neither create nor remove.
var predefined = []string{netutil.DefaultNetwork, netutil.ModeHost, netutil.ModeNone}

func isPredefined(name string) bool {
	for _, p := range predefined {
		if p == name {
			return true
		}
	}
	return false
}

// pseudoID is the ID of host or none. They are not stored, so their IDs
// are derived from their names: stable across runs and machines.
func pseudoID(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:])
}

// pseudoNetworks are host and none, which stand for the --network modes of
// the same names. They take the default network's creation time: they come
// into being with it.
func pseudoNetworks(def *netutil.Network) []*netutil.Network {
	return []*netutil.Network{
		{Name: netutil.ModeHost, ID: pseudoID(netutil.ModeHost), Created: def.Created, Driver: driverHost,
			Options: map[string]string{}, Labels: map[string]string{}},
		{Name: netutil.ModeNone, ID: pseudoID(netutil.ModeNone), Created: def.Created, Driver: driverNull,
			Options: map[string]string{}, Labels: map[string]string{}},
	}
}

// sweep cleans up after crashed containers before a command looks at the
// networks. A failure does not stop the command: it only means some
// leftovers stay until the next sweep.
func sweep(ctx context.Context, p netutil.Paths) {
	n, err := netutil.Sweep(ctx, p)
	if err != nil {
		log.G(ctx).WithError(err).Debug("network sweep")
	}
	if n > 0 {
		log.G(ctx).Debugf("network sweep: cleaned up after %d containers", n)
	}
}

// prepare sweeps and returns the paths of cfg's network store.
func prepare(ctx context.Context, cfg *config.Config) netutil.Paths {
	p := netutil.ConfigPaths(cfg)
	sweep(ctx, p)
	return p
}

// all returns every network a user can name: the default one (created on
// first use), host, none and the user's, sorted by name as Docker sorts.
func all(p netutil.Paths) ([]*netutil.Network, error) {
	def, err := netutil.EnsureDefault(p)
	if err != nil {
		return nil, fmt.Errorf("the default network: %w", err)
	}
	stored, err := netutil.List(p)
	if err != nil {
		return nil, err
	}
	nets := append(pseudoNetworks(def), stored...)
	sortNetworks(nets)
	return nets, nil
}

func sortNetworks(nets []*netutil.Network) {
	sort.SliceStable(nets, func(i, j int) bool { return naturalLess(nets[i].Name, nets[j].Name) })
}

// lookup finds the network a user means by q among nets, as Docker does:
// its name, its full ID, then a unique prefix of its ID.
func lookup(nets []*netutil.Network, q string) (*netutil.Network, error) {
	for _, n := range nets {
		if n.Name == q {
			return n, nil
		}
	}
	for _, n := range nets {
		if n.ID == q {
			return n, nil
		}
	}
	var found []*netutil.Network
	for _, n := range nets {
		if q != "" && strings.HasPrefix(n.ID, q) {
			found = append(found, n)
		}
	}
	switch len(found) {
	case 0:
		return nil, &netutil.NotFoundError{Name: q}
	case 1:
		return found[0], nil
	}
	return nil, fmt.Errorf("network %s is ambiguous (%d matches found based on ID prefix)", q, len(found))
}

// naturalLess orders names as people read numbers in them: net2 before
// net10, as Docker sorts its network list.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		ca, cb := chunk(a), chunk(b)
		a, b = a[len(ca):], b[len(cb):]
		if ca == cb {
			continue
		}
		if isDigit(ca[0]) && isDigit(cb[0]) {
			na, nb := strings.TrimLeft(ca, "0"), strings.TrimLeft(cb, "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			return len(ca) < len(cb) // equal values: fewer leading zeros first
		}
		return ca < cb
	}
	return len(a) < len(b)
}

// chunk is the leading run of s of digits or of non-digits.
func chunk(s string) string {
	d := isDigit(s[0])
	i := 1
	for i < len(s) && isDigit(s[i]) == d {
		i++
	}
	return s[:i]
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// joinLabels is a LABELS column: key=value pairs sorted by key.
func joinLabels(m map[string]string) string {
	kv := make([]string, 0, len(m))
	for k, v := range m {
		kv = append(kv, k+"="+v)
	}
	sort.Strings(kv)
	return strings.Join(kv, ",")
}
