package netutil

import (
	"bytes"
	"fmt"
	"os"
	"strings"
)

// Containers on a user network find one another by name through their
// /etc/hosts: each lists the live containers it shares a user network with
// (name, aliases, host name and short ID). The file is rewritten in place,
// never replaced, because it is bind-mounted into the container. It changes
// whenever a peer is wired or torn down.

// hostsHeader is what every container's /etc/hosts starts with.
const hostsHeader = `127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
fe00::0	ip6-localnet
ff00::0	ip6-mcastprefix
ff02::1	ip6-allnodes
ff02::2	ip6-allrouters
`

// HostsFile renders a container's /etc/hosts: the header, --add-host lines,
// its own addresses with its host name (and, in own's Host, the other
// names it has there) and the peers given.
func HostsFile(hostname string, extra []HostEntry, own []HostEntry, peers []string) []byte {
	var b bytes.Buffer
	b.WriteString(hostsHeader)
	for _, h := range extra {
		fmt.Fprintf(&b, "%s\t%s\n", h.IP, h.Host)
	}
	for _, o := range own {
		names := hostname
		if o.Host != "" {
			names += " " + o.Host
		}
		fmt.Fprintf(&b, "%s\t%s\n", o.IP, names)
	}
	for _, p := range peers {
		b.WriteString(p)
	}
	return b.Bytes()
}

// peerLines are the hosts lines e contributes to a container on network.
func peerLines(e *Endpoint, network string) []string {
	a := e.On(network)
	if a == nil {
		return nil
	}
	names := []string{e.Name}
	add := func(n string) {
		for _, x := range names {
			if x == n {
				return
			}
		}
		names = append(names, n)
	}
	for _, al := range a.Aliases {
		add(al)
	}
	if e.Hostname != "" {
		add(e.Hostname)
	}
	if len(e.ID) >= 12 {
		add(e.ID[:12])
	}
	var out []string
	for _, ip := range []string{a.IPv4, a.IPv6} {
		if ip != "" {
			out = append(out, fmt.Sprintf("%s\t%s\n", Addr(ip), strings.Join(names, " ")))
		}
	}
	return out
}

// refreshHosts rewrites the hosts files of e and of every live endpoint
// sharing a user network with it; called with the lock held.
func refreshHosts(p Paths, e *Endpoint) error {
	eps, err := Endpoints(p)
	if err != nil {
		return err
	}
	var errs []error
	for _, x := range eps {
		if x.ID == e.ID || sharesUserNet(x, e) {
			errs = append(errs, writeHosts(x, eps))
		}
	}
	return joinErrs(errs)
}

// refreshHostsOf rewrites the hosts files of the endpoints that shared a
// user network with e, which is gone; called with the lock held.
func refreshHostsOf(p Paths, gone *Endpoint) error {
	eps, err := Endpoints(p)
	if err != nil {
		return err
	}
	var errs []error
	for _, x := range eps {
		if x.ID != gone.ID && sharesUserNet(x, gone) {
			errs = append(errs, writeHosts(x, eps))
		}
	}
	if gone.HostsPath != "" {
		errs = append(errs, writeHostsFile(gone.HostsPath, HostsFile(gone.Hostname, gone.ExtraHosts, nil, nil)))
	}
	return joinErrs(errs)
}

func sharesUserNet(a, b *Endpoint) bool {
	for _, x := range a.Attached {
		if x.UserNet && b.On(x.Network) != nil {
			return true
		}
	}
	return false
}

// writeHosts renders x's hosts file from the live endpoints eps.
func writeHosts(x *Endpoint, eps []*Endpoint) error {
	if x.HostsPath == "" {
		return nil
	}
	var own []HostEntry
	var peers []string
	for _, a := range x.Attached {
		// On a user network a container knows itself by the names its
		// peers know it by.
		var names []string
		if a.UserNet {
			for _, n := range append([]string{x.Name}, a.Aliases...) {
				if n != "" && n != x.Hostname && !contains(names, n) {
					names = append(names, n)
				}
			}
		}
		for _, ip := range []string{a.IPv4, a.IPv6} {
			if ip != "" {
				own = append(own, HostEntry{IP: Addr(ip), Host: strings.Join(names, " ")})
			}
		}
	}
	seen := map[string]bool{}
	for _, a := range x.Attached {
		if !a.UserNet {
			continue
		}
		for _, y := range eps {
			if y.ID == x.ID || !y.Alive() {
				continue
			}
			for _, l := range peerLines(y, a.Network) {
				if !seen[l] {
					seen[l] = true
					peers = append(peers, l)
				}
			}
		}
	}
	return writeHostsFile(x.HostsPath, HostsFile(x.Hostname, x.ExtraHosts, own, peers))
}

// writeHostsFile replaces the content of path in place, if it changed.
func writeHostsFile(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if os.IsNotExist(err) {
		return nil // the container is gone
	}
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func joinErrs(errs []error) error {
	var out []error
	for _, e := range errs {
		if e != nil {
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return fmt.Errorf("updating hosts files: %v", out[0])
}
