package netutil

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/types"
	types100 "github.com/containernetworking/cni/pkg/types/100"
)

// cni is libcni over the bundled plugins, with its cache in berth's state.
func (p Paths) cni() *libcni.CNIConfig {
	return libcni.NewCNIConfigWithCacheDir([]string{p.PluginDir}, p.cacheDir(), nil)
}

// Setup wires the network namespace of process pid, container id of
// namespace ns, into the networks of its plan, claims its published ports
// and records the endpoint. It is the OCI hook's createRuntime step. On
// failure everything it did is undone.
func Setup(ctx context.Context, p Paths, ns, id string, pl *Plan, pid int) (err error) {
	if pl.Mode != ModeBridge || len(pl.Networks) == 0 {
		return nil
	}
	lock, err := p.Lock()
	if err != nil {
		return err
	}
	defer lock.Unlock()
	ino, err := netnsInode(pid)
	if err != nil {
		return fmt.Errorf("network namespace of the container: %w", err)
	}
	// A record left by a task that was never torn down (a crash) goes
	// first, so that its addresses and ports are free again.
	if old, err := LoadEndpoint(p, ns, id); err == nil {
		teardown(ctx, p, old, false)
	}
	if err := ensureFirewall(p); err != nil {
		return err
	}
	e := &Endpoint{Namespace: ns, ID: id, Name: pl.Name, Hostname: pl.Hostname, Pid: pid, NetNSInode: ino,
		HostsPath: pl.HostsPath, ExtraHosts: pl.ExtraHosts, PluginDir: p.PluginDir, ConfDir: p.ConfDir}
	if e.Ports, err = claimPorts(ctx, p, id, pl.Ports); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			teardown(context.WithoutCancel(ctx), p, e, false)
		}
	}()
	for _, pn := range pl.Networks {
		if err := attach(ctx, p, e, pn); err != nil {
			return err
		}
	}
	// Ports are published on the first network, as docker does.
	if err := publish(p, e, &e.Attached[0]); err != nil {
		return err
	}
	if err := saveEndpoint(p, e); err != nil {
		return err
	}
	return refreshHosts(p, e)
}

// attach adds the endpoint to one network, as its next interface.
func attach(ctx context.Context, p Paths, e *Endpoint, pn PlanNetwork) error {
	n, err := Get(p, pn.Name)
	if err != nil {
		return err
	}
	raw, err := LoadConfList(p, n.Name)
	if err != nil {
		return err
	}
	list, err := libcni.ConfListFromBytes(raw)
	if err != nil {
		return err
	}
	rt := &libcni.RuntimeConf{ContainerID: e.ID, NetNS: fmt.Sprintf("/proc/%d/ns/net", e.Pid), IfName: e.nextIfName(),
		CapabilityArgs: map[string]any{}}
	var ips []string
	for _, ip := range []string{pn.IPv4, pn.IPv6} {
		if ip != "" {
			ips = append(ips, ip)
		}
	}
	if len(ips) > 0 {
		rt.CapabilityArgs["ips"] = ips
	}
	if pn.MAC != "" {
		rt.CapabilityArgs["mac"] = pn.MAC
	}
	// The attachment is recorded before the plugins run, so that a
	// failure half-way is undone by the same teardown as a success.
	e.Attached = append(e.Attached, Attachment{Network: n.Name, NetworkID: n.ID, IfName: rt.IfName, Bridge: n.Bridge,
		Aliases: pn.Aliases, UserNet: n.Name != DefaultNetwork})
	res, err := p.cni().AddNetworkList(ctx, list, rt)
	if err != nil {
		return fmt.Errorf("attaching to network %s: %w", n.Name, err)
	}
	return fillAttachment(&e.Attached[len(e.Attached)-1], res)
}

func fillAttachment(a *Attachment, res types.Result) error {
	r, err := types100.NewResultFromResult(res)
	if err != nil {
		return err
	}
	for _, ifc := range r.Interfaces {
		if ifc.Sandbox != "" && ifc.Name == a.IfName {
			a.MAC = ifc.Mac
		}
	}
	for _, ip := range r.IPs {
		if ip.Address.IP.To4() != nil {
			a.IPv4 = ip.Address.String()
			if ip.Gateway != nil {
				a.Gateway = ip.Gateway.String()
			}
		} else {
			a.IPv6 = ip.Address.String()
			if ip.Gateway != nil {
				a.Gateway6 = ip.Gateway.String()
			}
		}
	}
	return nil
}

// Teardown undoes a container's endpoint: the plugins' DEL on every
// network (which releases its addresses and port rules), its record and
// its entries in its peers' hosts files. pid, when not 0, limits it to the
// endpoint of that process, so that a late clean-up of an exited task
// cannot tear down the next task's network. It is the OCI hook's postStop
// step and the engine's, when a task exits. Missing pieces are not errors.
func Teardown(ctx context.Context, p Paths, ns, id string, pid int) error {
	lock, err := p.Lock()
	if err != nil {
		return err
	}
	defer lock.Unlock()
	e, err := LoadEndpoint(p, ns, id)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if pid != 0 && e.Pid != pid {
		return nil
	}
	return teardown(ctx, p, e, true)
}

// teardown runs DEL for each attachment, newest first; called with the
// lock held. The namespace is passed while it exists, so that the
// plugins remove the container's interface too.
func teardown(ctx context.Context, p Paths, e *Endpoint, refresh bool) error {
	if e.PluginDir != "" {
		p.PluginDir, p.ConfDir = e.PluginDir, e.ConfDir
	}
	netns := ""
	if e.Alive() {
		netns = fmt.Sprintf("/proc/%d/ns/net", e.Pid)
	}
	var errs []error
	if len(e.Attached) > 0 {
		errs = append(errs, unpublish(p, e, &e.Attached[0]))
	}
	for i := len(e.Attached) - 1; i >= 0; i-- {
		errs = append(errs, detach(ctx, p, e.ID, e.Attached[i], netns))
	}
	errs = append(errs, removeEndpoint(p, e.Namespace, e.ID))
	if refresh {
		// e still names its networks: its peers there are rewritten.
		errs = append(errs, refreshHostsOf(p, e))
	}
	return errors.Join(errs...)
}

// detach runs DEL for one attachment with the config it was added with
// (libcni's cache), else the network's current one; when neither exists
// the address is released from the allocator's files directly.
func detach(ctx context.Context, p Paths, id string, a Attachment, netns string) error {
	c := p.cni()
	rt := &libcni.RuntimeConf{ContainerID: id, NetNS: netns, IfName: a.IfName}
	cached, cachedRT, err := c.GetNetworkListCachedConfig(&libcni.NetworkConfigList{Name: a.Network}, rt)
	var list *libcni.NetworkConfigList
	if err == nil && cached != nil {
		list, err = libcni.ConfListFromBytes(cached)
		if err == nil && cachedRT != nil {
			rt.CapabilityArgs = cachedRT.CapabilityArgs
		}
	} else if raw, lerr := LoadConfList(p, a.Network); lerr == nil {
		list, err = libcni.ConfListFromBytes(raw)
	}
	if list == nil || err != nil {
		releaseAddresses(p, a.Network, id)
		return nil
	}
	if err := c.DelNetworkList(ctx, list, rt); err != nil {
		releaseAddresses(p, a.Network, id)
		return fmt.Errorf("detaching from network %s: %w", a.Network, err)
	}
	return nil
}

// releaseAddresses removes host-local's allocation files that name id.
func releaseAddresses(p Paths, network, id string) {
	files, _ := filepath.Glob(filepath.Join(p.ipamDir(), network, "*"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if owner, _, _ := strings.Cut(strings.TrimSpace(string(data)), "\n"); strings.TrimSpace(owner) == id {
			_ = os.Remove(f)
		}
	}
}

// Connect attaches a running container (process pid) to one more network.
func Connect(ctx context.Context, p Paths, ns, id string, pn PlanNetwork, pid int) error {
	lock, err := p.Lock()
	if err != nil {
		return err
	}
	defer lock.Unlock()
	e, err := LoadEndpoint(p, ns, id)
	if err != nil {
		return fmt.Errorf("container %s is not wired to any network: %w", id, err)
	}
	if !e.Alive() || e.Pid != pid {
		return fmt.Errorf("container %s is not running", id)
	}
	if e.On(pn.Name) != nil {
		return fmt.Errorf("container %s is already attached to network %s", id, pn.Name)
	}
	if err := ensureFirewall(p); err != nil {
		return err
	}
	if err := attach(ctx, p, e, pn); err != nil {
		last := e.Attached[len(e.Attached)-1]
		_ = detach(context.WithoutCancel(ctx), p, id, last, fmt.Sprintf("/proc/%d/ns/net", pid))
		return err
	}
	if err := saveEndpoint(p, e); err != nil {
		return err
	}
	return refreshHosts(p, e)
}

// Disconnect detaches a running container from one network.
func Disconnect(ctx context.Context, p Paths, ns, id, network string) error {
	lock, err := p.Lock()
	if err != nil {
		return err
	}
	defer lock.Unlock()
	e, err := LoadEndpoint(p, ns, id)
	if err != nil {
		return nil
	}
	a := e.On(network)
	if a == nil {
		return nil
	}
	netns := ""
	if e.Alive() {
		netns = fmt.Sprintf("/proc/%d/ns/net", e.Pid)
	}
	derr := detach(ctx, p, id, *a, netns)
	before := *e
	before.Attached = append([]Attachment{}, e.Attached...)
	var keep []Attachment
	for _, x := range e.Attached {
		if x.Network != network {
			keep = append(keep, x)
		}
	}
	e.Attached = keep
	if err := saveEndpoint(p, e); err != nil {
		return err
	}
	return errors.Join(derr, refreshHostsOf(p, &before), refreshHosts(p, e))
}

// IPIn reports whether ip is an address of one of the network's subnets.
func (n *Network) IPIn(ip netip.Addr) bool {
	for _, s := range n.Subnets {
		if pfx, err := netip.ParsePrefix(s.Subnet); err == nil && pfx.Contains(ip) {
			return true
		}
	}
	return false
}
