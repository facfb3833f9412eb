// Package netutil keeps berth's networks and wires containers into them.
//
// A network is a CNI network configuration list in the network config
// directory (berth-<name>.conflist), which the bundled CNI plugins read as
// is, with berth's own description of it under the "berth" key: its ID,
// driver, subnets, options and labels. The containers attached to networks
// are endpoints (endpoint.go); attach.go drives the plugins through libcni
// for the OCI hook, `network connect` and the engine's clean-up.
//
// Everything under the network state directory (<data root>/network) and
// the config directory is changed under one lock, Paths.Lock: network
// create and remove, endpoint records, port claims and hosts files.
package netutil

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/fsutil"
)

// Drivers berth creates networks with.
const (
	DriverBridge  = "bridge"
	DriverMacvlan = "macvlan"
	DriverIPvlan  = "ipvlan"
)

// DefaultNetwork is the network every container joins unless told
// otherwise. Its bridge is DefaultBridge for the default data root, and a
// name of its own for any other (see defaultBridgeName); its subnet is
// DefaultSubnet unless the host uses that already.
const (
	DefaultNetwork = "bridge"
	DefaultBridge  = "berth0"
	DefaultSubnet  = "10.4.0.0/24"
)

// Options docker users pass with -o.
const (
	OptBridgeName = "com.docker.network.bridge.name"
	OptMTU        = "com.docker.network.driver.mtu"
	OptParent     = "parent"
	OptMode       = "mode"
)

// Subnet is one address range of a network.
type Subnet struct {
	Subnet  string `json:"Subnet"`
	Gateway string `json:"Gateway,omitempty"`
	IPRange string `json:"IPRange,omitempty"`
}

// Network is berth's description of a network.
type Network struct {
	Name     string            `json:"Name"`
	ID       string            `json:"Id"`
	Created  time.Time         `json:"Created"`
	Driver   string            `json:"Driver"`
	Subnets  []Subnet          `json:"Subnets"`
	IPv6     bool              `json:"EnableIPv6"`
	Internal bool              `json:"Internal"`
	Options  map[string]string `json:"Options"`
	Labels   map[string]string `json:"Labels"`
	// Bridge is the bridge device (bridge driver); Parent the host
	// interface (macvlan, ipvlan).
	Bridge string `json:"Bridge,omitempty"`
	Parent string `json:"Parent,omitempty"`
	MTU    int    `json:"MTU,omitempty"`
}

// Paths are where a data root keeps its network state.
type Paths struct {
	// ConfDir holds the conflists (the --cni-netconfpath).
	ConfDir string
	// StateDir holds endpoints, IPAM allocations and libcni's cache.
	StateDir string
	// RunDir holds what lasts until reboot, as the firewall rules do.
	RunDir string
	// PluginDir holds the CNI plugins.
	PluginDir string
	// Table is the nftables table of berth's own rules.
	Table string
	// DefaultBridge is the bridge device of the default network.
	DefaultBridge string
}

// NewPaths returns the paths for a data root; confDir "" is the default,
// <data root>/network/conf.
func NewPaths(dataRoot, runDir, confDir, pluginDir string) Paths {
	state := filepath.Join(dataRoot, "network")
	if confDir == "" {
		confDir = filepath.Join(state, "conf")
	}
	return Paths{ConfDir: confDir, StateDir: state, RunDir: filepath.Join(runDir, "network"),
		PluginDir: pluginDir, Table: tableName(dataRoot), DefaultBridge: defaultBridgeName(dataRoot)}
}

func (p Paths) confFile(name string) string {
	return filepath.Join(p.ConfDir, "berth-"+name+".conflist")
}
func (p Paths) ipamDir() string      { return filepath.Join(p.StateDir, "ipam") }
func (p Paths) cacheDir() string     { return filepath.Join(p.StateDir, "cache") }
func (p Paths) endpointDir() string  { return filepath.Join(p.StateDir, "endpoints") }
func (p Paths) lockPath() string     { return filepath.Join(p.StateDir, "lock") }
func (p Paths) firewallMark() string { return filepath.Join(p.RunDir, "firewall") }

// Lock takes the lock that orders every change to networks and endpoints.
func (p Paths) Lock() (*fsutil.Lock, error) {
	if err := os.MkdirAll(p.StateDir, 0o700); err != nil {
		return nil, err
	}
	return fsutil.LockFile(p.lockPath())
}

// conflist is the file a network is stored in.
type conflist struct {
	CNIVersion string           `json:"cniVersion"`
	Name       string           `json:"name"`
	Plugins    []map[string]any `json:"plugins"`
	Berth      *Network         `json:"berth"`
}

// NotFoundError is the answer for a network that does not exist.
type NotFoundError struct{ Name string }

func (e *NotFoundError) Error() string { return fmt.Sprintf("network %s not found", e.Name) }

// IsNotFound reports whether err is a NotFoundError.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// List returns every network, sorted by name. The default network appears
// once it has been used or created; see EnsureDefault.
func List(p Paths) ([]*Network, error) {
	files, err := filepath.Glob(filepath.Join(p.ConfDir, "berth-*.conflist"))
	if err != nil {
		return nil, err
	}
	var nets []*Network
	for _, f := range files {
		n, _, err := readConf(f)
		if err != nil {
			return nil, err
		}
		nets = append(nets, n)
	}
	sort.Slice(nets, func(i, j int) bool { return nets[i].Name < nets[j].Name })
	return nets, nil
}

// Get returns the network named name, or whose ID starts with name.
func Get(p Paths, name string) (*Network, error) {
	if n, _, err := readConf(p.confFile(name)); err == nil {
		return n, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	nets, err := List(p)
	if err != nil {
		return nil, err
	}
	var found []*Network
	for _, n := range nets {
		if name != "" && strings.HasPrefix(n.ID, name) {
			found = append(found, n)
		}
	}
	switch len(found) {
	case 0:
		return nil, &NotFoundError{Name: name}
	case 1:
		return found[0], nil
	}
	return nil, fmt.Errorf("network %s is ambiguous (%d matches found based on ID prefix)", name, len(found))
}

// LoadConfList returns the stored CNI conflist of a network.
func LoadConfList(p Paths, name string) ([]byte, error) {
	_, raw, err := readConf(p.confFile(name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, &NotFoundError{Name: name}
	}
	return raw, err
}

func readConf(path string) (*Network, []byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var c conflist
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if c.Berth == nil {
		return nil, nil, fmt.Errorf("%s: not a berth network (no \"berth\" key)", path)
	}
	return c.Berth, raw, nil
}

// save writes the network's conflist; called with the lock held.
func save(p Paths, n *Network) error {
	if err := os.MkdirAll(p.ConfDir, 0o755); err != nil {
		return err
	}
	c := conflist{CNIVersion: cniVersion, Name: n.Name, Plugins: plugins(p, n), Berth: n}
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(p.confFile(n.Name), data, 0o644)
}

const cniVersion = "1.0.0"

// plugins is the CNI plugin chain of a network: the driver's plugin with
// host-local addresses. Outbound NAT, the isolation between networks and
// published ports are berth's own rules (firewall.go, portfw.go).
func plugins(p Paths, n *Network) []map[string]any {
	var ranges [][]map[string]string
	for _, s := range n.Subnets {
		r := map[string]string{"subnet": s.Subnet}
		if s.Gateway != "" {
			r["gateway"] = s.Gateway
		}
		if s.IPRange != "" {
			start, end := rangeBounds(s.IPRange)
			r["rangeStart"], r["rangeEnd"] = start, end
		}
		ranges = append(ranges, []map[string]string{r})
	}
	ipam := map[string]any{"type": "host-local", "ranges": ranges, "dataDir": p.ipamDir()}
	if !n.Internal {
		var routes []map[string]string
		for _, s := range n.Subnets {
			if family(s.Subnet) == "ip6" {
				routes = append(routes, map[string]string{"dst": "::/0"})
			} else {
				routes = append(routes, map[string]string{"dst": "0.0.0.0/0"})
			}
		}
		ipam["routes"] = routes
	}
	caps := map[string]bool{"ips": true, "mac": true}
	var main map[string]any
	switch n.Driver {
	case DriverMacvlan:
		main = map[string]any{"type": "macvlan", "master": n.Parent, "mode": modeOr(n, "bridge"), "ipam": ipam}
	case DriverIPvlan:
		main = map[string]any{"type": "ipvlan", "master": n.Parent, "mode": modeOr(n, "l2"), "ipam": ipam}
		delete(caps, "mac")
	default:
		main = map[string]any{"type": "bridge", "bridge": n.Bridge, "isGateway": true, "ipMasq": false,
			"hairpinMode": true, "ipam": ipam}
	}
	main["capabilities"] = caps
	if n.MTU > 0 {
		main["mtu"] = n.MTU
	}
	return []map[string]any{main}
}

func modeOr(n *Network, def string) string {
	if m := n.Options[OptMode]; m != "" {
		return m
	}
	return def
}

// rangeBounds returns the first and last usable address of an --ip-range.
func rangeBounds(cidr string) (string, string) {
	pfx, err := netip.ParsePrefix(cidr)
	if err != nil {
		return "", ""
	}
	pfx = pfx.Masked()
	first := pfx.Addr()
	last := lastAddr(pfx)
	if pfx.Addr().Is4() && pfx.Bits() < 31 {
		first, last = first.Next(), last.Prev() // not the network and broadcast addresses
	}
	return first.String(), last.String()
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := range b {
		bits := p.Bits() - i*8
		switch {
		case bits >= 8:
		case bits <= 0:
			b[i] = 0xff
		default:
			b[i] |= 0xff >> bits
		}
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

func newID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ConfigPaths returns the network paths of a berth configuration.
func ConfigPaths(cfg *config.Config) Paths {
	return NewPaths(cfg.DataRoot, cfg.RunDir, cfg.CNINetConfPath, cfg.CNIBinDir())
}
