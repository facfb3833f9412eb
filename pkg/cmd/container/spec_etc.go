package container

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"strings"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/containerd/v2/pkg/oci"
	"github.com/containerd/typeurl/v2"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/netutil"
)

// A container's /etc/hosts, /etc/resolv.conf and /etc/hostname are files
// in its state directory, bind-mounted over the image's. The hook rewrites
// hosts in place as the container and its peers get addresses.

// withEtcFiles mounts the three files.
func withEtcFiles(files map[string]string, hostname string) oci.SpecOpts {
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		for _, name := range []string{"hosts", "resolv.conf", "hostname"} {
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/etc/" + name, Type: "bind", Source: files[name],
				Options: []string{"rbind", "rprivate"}})
		}
		return nil
	}
}

func withHooks(h *specs.Hooks) oci.SpecOpts {
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		s.Hooks = h
		return nil
	}
}

// writeNetFiles writes the files of a container with its own network
// namespace: hosts without its address yet (the hook adds it), resolv.conf
// from the host's with loopback servers dropped, and hostname.
func writeNetFiles(hostsPath string, meta *containerutil.Meta, f *netFlags, n *netutil.Network, gw string) error {
	dir := strings.TrimSuffix(hostsPath, "/hosts")
	var extra []netutil.HostEntry
	extra = append(extra, f.hosts...)
	if err := os.WriteFile(hostsPath, netutil.HostsFile(meta.Config.Hostname, extra, nil, nil), 0o644); err != nil {
		return err
	}
	ipv6 := n != nil && n.IPv6
	if err := os.WriteFile(dir+"/resolv.conf", resolvConf(hostResolvConf(), f, true, ipv6), 0o644); err != nil {
		return err
	}
	return os.WriteFile(dir+"/hostname", []byte(meta.Config.Hostname+"\n"), 0o644)
}

// writeHostFiles writes the files of a --network host container: the
// host's own hosts and resolv.conf, with the flags applied.
func writeHostFiles(files map[string]string, meta *containerutil.Meta, f *netFlags) error {
	hosts, _ := os.ReadFile("/etc/hosts")
	var b bytes.Buffer
	b.Write(hosts)
	if len(hosts) > 0 && !bytes.HasSuffix(hosts, []byte("\n")) {
		b.WriteByte('\n')
	}
	for _, h := range f.hosts {
		ip := h.IP
		if ip == "host-gateway" {
			ip = "127.0.0.1"
		}
		fmt.Fprintf(&b, "%s\t%s\n", ip, h.Host)
	}
	if err := os.WriteFile(files["hosts"], b.Bytes(), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(files["resolv.conf"], resolvConf(hostResolvConf(), f, false, true), 0o644); err != nil {
		return err
	}
	return os.WriteFile(files["hostname"], []byte(meta.Config.Hostname+"\n"), 0o644)
}

// hostResolvConf is the host's resolver configuration; with
// systemd-resolved's stub, the file with the real servers.
func hostResolvConf() []byte {
	data, _ := os.ReadFile("/etc/resolv.conf")
	if bytes.Contains(data, []byte("nameserver 127.0.0.53")) {
		if real, err := os.ReadFile("/run/systemd/resolve/resolv.conf"); err == nil {
			return real
		}
	}
	return data
}

// resolvConf renders a container's resolv.conf from the host's: --dns,
// --dns-search and --dns-option replace the host's lines of their kind.
// In a network namespace of its own the host's loopback servers cannot be
// reached, so they are dropped, and with none left docker's defaults
// (Google's public servers) are used.
func resolvConf(host []byte, f *netFlags, ownNetns, ipv6 bool) []byte {
	var servers, search, options, other []string
	sc := bufio.NewScanner(bytes.NewReader(host))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") || strings.HasPrefix(fields[0], ";") {
			continue
		}
		switch fields[0] {
		case "nameserver":
			if len(fields) > 1 {
				a, err := netip.ParseAddr(fields[1])
				if err == nil && ownNetns && (a.IsLoopback() || (a.Is6() && !ipv6)) {
					continue
				}
				servers = append(servers, fields[1])
			}
		case "search", "domain":
			search = fields[1:]
		case "options":
			options = append(options, fields[1:]...)
		default:
			other = append(other, sc.Text())
		}
	}
	if len(f.dns) > 0 {
		servers = f.dns
	}
	if len(f.search) > 0 {
		search = nil
		for _, s := range f.search {
			if s != "." {
				search = append(search, s)
			}
		}
	}
	if len(f.options) > 0 {
		options = f.options
	}
	if len(servers) == 0 && ownNetns {
		servers = []string{"8.8.8.8", "8.8.4.4"}
		if ipv6 {
			servers = append(servers, "2001:4860:4860::8888", "2001:4860:4860::8844")
		}
	}
	var b bytes.Buffer
	for _, s := range servers {
		fmt.Fprintf(&b, "nameserver %s\n", s)
	}
	if len(search) > 0 {
		fmt.Fprintf(&b, "search %s\n", strings.Join(search, " "))
	}
	if len(options) > 0 {
		fmt.Fprintf(&b, "options %s\n", strings.Join(options, " "))
	}
	for _, o := range other {
		fmt.Fprintln(&b, o)
	}
	return b.Bytes()
}

// joined is the running container whose network namespace another joins.
type joined struct {
	id, hostname, stateDir string
	pid                    int
}

// joinTarget resolves --network container:NAME; the container must run.
func joinTarget(ctx context.Context, c *client.Client, cfg *config.Config, ref, self string) (*joined, error) {
	store := containerutil.NewStore(cfg.DataRoot, cfg.Namespace)
	ctr, err := containerutil.Resolve(ctx, c, store, ref)
	if err != nil {
		return nil, err
	}
	if ctr.ID() == self {
		return nil, fmt.Errorf("cannot join own network")
	}
	task, err := ctr.Task(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("cannot join network of a non running container: %s", ref)
	}
	st, err := task.Status(ctx)
	if err != nil || st.Status != client.Running {
		return nil, fmt.Errorf("cannot join network of a non running container: %s", ref)
	}
	labels, err := ctr.Labels(ctx)
	if err != nil {
		return nil, err
	}
	j := &joined{id: ctr.ID(), hostname: labels[containerutil.LabelHostname], pid: int(task.Pid()),
		stateDir: labels[containerutil.LabelStateDir]}
	if j.stateDir == "" {
		return nil, fmt.Errorf("container %s was not created by berth: cannot share its network files", ref)
	}
	if _, err := os.Stat(j.stateDir + "/hosts"); err != nil {
		return nil, fmt.Errorf("container %s has no network files to share (created by an older berth): %w", ref, err)
	}
	return j, nil
}

// rejoinNetns points a `--network container:NAME` container at the current
// network namespace of the container it joins, which may have restarted
// since: docker resolves it at each start.
func rejoinNetns(ctx context.Context, cfg *config.Config, ctr client.Container) error {
	store := containerutil.NewStore(cfg.DataRoot, cfg.Namespace)
	meta, err := store.LoadMeta(ctr.ID())
	if err != nil {
		return nil
	}
	target, ok := strings.CutPrefix(meta.HostConfig.NetworkMode, "container:")
	if !ok {
		return nil
	}
	return ctr.Update(ctx, func(ctx context.Context, c *client.Client, rec *containers.Container) error {
		j, err := joinTarget(ctx, c, cfg, target, ctr.ID())
		if err != nil {
			return err
		}
		v, err := typeurl.UnmarshalAny(rec.Spec)
		if err != nil {
			return err
		}
		s, ok := v.(*specs.Spec)
		if !ok || s.Linux == nil {
			return fmt.Errorf("container %s has no Linux spec", ctr.ID())
		}
		for i, ns := range s.Linux.Namespaces {
			if ns.Type == specs.NetworkNamespace {
				s.Linux.Namespaces[i].Path = fmt.Sprintf("/proc/%d/ns/net", j.pid)
			}
		}
		rec.Spec, err = typeurl.MarshalAnyToProto(s)
		return err
	})
}
