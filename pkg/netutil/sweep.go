package netutil

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vishvananda/netlink"
)

// Sweep undoes what crashed containers left: endpoints whose network
// namespace is gone, libcni cache entries and address allocations of
// containers with no endpoint. The engine runs it when it starts, and
// every network command before it looks. It returns how many containers
// it cleaned up after.
func Sweep(ctx context.Context, p Paths) (int, error) {
	lock, err := p.Lock()
	if err != nil {
		return 0, err
	}
	defer lock.Unlock()
	return sweep(ctx, p)
}

func sweep(ctx context.Context, p Paths) (int, error) {
	eps, err := Endpoints(p)
	if err != nil {
		return 0, err
	}
	cleaned := 0
	live := map[string]bool{}
	var errs []error
	for _, e := range eps {
		if e.Alive() {
			live[e.ID] = true
			continue
		}
		cleaned++
		errs = append(errs, teardown(ctx, p, e, true))
	}
	// Cache entries are written by libcni during an ADD, before berth
	// records the endpoint: a crash in between leaves only them.
	for _, c := range cachedAttachments(p) {
		if live[c.ContainerID] {
			continue
		}
		cleaned++
		errs = append(errs, detach(ctx, p, c.ContainerID, Attachment{Network: c.NetworkName, IfName: c.IfName}, ""))
		_ = os.Remove(c.path)
	}
	for _, f := range allocationFiles(p) {
		if !live[f.owner] {
			_ = os.Remove(f.path)
		}
	}
	liveIPs := map[string]bool{}
	for _, e := range eps {
		if live[e.ID] {
			for _, a := range e.Attached {
				liveIPs[Addr(a.IPv4)], liveIPs[Addr(a.IPv6)] = true, true
			}
		}
	}
	sweepPorts(p, liveIPs)
	return cleaned, errors.Join(errs...)
}

type cachedAttachment struct {
	ContainerID string `json:"containerId"`
	IfName      string `json:"ifName"`
	NetworkName string `json:"networkName"`
	path        string
}

func cachedAttachments(p Paths) []cachedAttachment {
	files, _ := filepath.Glob(filepath.Join(p.cacheDir(), "results", "*"))
	var out []cachedAttachment
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var c cachedAttachment
		if json.Unmarshal(data, &c) != nil || c.ContainerID == "" {
			continue
		}
		c.path = f
		out = append(out, c)
	}
	return out
}

type allocation struct{ path, owner string }

// allocationFiles are host-local's files, one per allocated address, whose
// first line is the owning container's ID.
func allocationFiles(p Paths) []allocation {
	files, _ := filepath.Glob(filepath.Join(p.ipamDir(), "*", "*"))
	var out []allocation
	for _, f := range files {
		if _, err := netip.ParseAddr(filepath.Base(f)); err != nil {
			continue // last_reserved_ip.N, lock
		}
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		owner, _, _ := strings.Cut(string(data), "\n")
		out = append(out, allocation{f, strings.TrimSpace(owner)})
	}
	return out
}

// Allocations counts the addresses allocated on every network, for tests
// and `system df`-like reports.
func Allocations(p Paths) int { return len(allocationFiles(p)) }

// InUseError names the containers that keep a network from being removed.
type InUseError struct {
	Network    string
	Containers []string
}

func (e *InUseError) Error() string {
	return fmt.Sprintf("error while removing network: network %s has active endpoints (containers: %s)",
		e.Network, strings.Join(e.Containers, ", "))
}

// Users returns the names of the containers whose plan names network, and
// of the live endpoints on it.
func Users(p Paths, network string) []string {
	set := map[string]bool{}
	plans, _ := filepath.Glob(filepath.Join(filepath.Dir(p.StateDir), "*", "containers", "*", planFile))
	for _, f := range plans {
		if pl, err := LoadPlan(filepath.Dir(f)); err == nil && pl.Mode == ModeBridge && pl.On(network) != nil {
			set[pl.Name] = true
		}
	}
	eps, _ := Endpoints(p)
	for _, e := range eps {
		if e.On(network) != nil && e.Alive() {
			set[e.Name] = true
		}
	}
	var out []string
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Remove deletes a network that no container uses: its config, its
// address allocations, its bridge and its firewall rules.
func Remove(ctx context.Context, p Paths, name string) (*Network, error) {
	lock, err := p.Lock()
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	n, err := Get(p, name)
	if err != nil {
		return nil, err
	}
	if n.Name == DefaultNetwork {
		return nil, fmt.Errorf("%s is a pre-defined network and cannot be removed", n.Name)
	}
	if _, err := sweep(ctx, p); err != nil {
		return nil, err
	}
	if users := Users(p, n.Name); len(users) > 0 {
		return nil, &InUseError{Network: n.Name, Containers: users}
	}
	if err := os.Remove(p.confFile(n.Name)); err != nil {
		return nil, err
	}
	_ = os.RemoveAll(filepath.Join(p.ipamDir(), n.Name))
	if n.Driver == DriverBridge {
		if l, err := netlink.LinkByName(n.Bridge); err == nil {
			_ = netlink.LinkDel(l)
		}
	}
	nets, err := List(p)
	if err != nil {
		return n, err
	}
	return n, syncFirewall(p, nets)
}

// RemoveAll deletes every network and berth's firewall table: for the
// clean-up of a whole data root (tests, `system reset`-like tools).
func RemoveAll(ctx context.Context, p Paths) error {
	lock, err := p.Lock()
	if err != nil {
		return err
	}
	defer lock.Unlock()
	// What the sweep could not undo does not keep the rest in place.
	_, serr := sweep(ctx, p)
	nets, err := List(p)
	if err != nil {
		return errors.Join(serr, err)
	}
	for _, n := range nets {
		_ = os.Remove(p.confFile(n.Name))
		_ = os.RemoveAll(filepath.Join(p.ipamDir(), n.Name))
		if n.Driver == DriverBridge {
			if l, err := netlink.LinkByName(n.Bridge); err == nil {
				_ = netlink.LinkDel(l)
			}
		}
	}
	return errors.Join(serr, removeFirewall(p))
}
