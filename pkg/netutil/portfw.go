package netutil

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
)

// Published ports are elements of four maps in berth's table, from
// (host address,) protocol and port to the container's address and port:
//
//	ports4   proto . port          -> ipv4 . port   (every host address)
//	ports4ip ipv4 . proto . port   -> ipv4 . port   (one host address)
//	ports6, ports6ip               the same for IPv6
//
// The rules that look them up are fixed (firewall.go), so publishing and
// unpublishing a container's ports is one nft transaction of map elements
// each, with no rule added or removed and no base chain touched. (The CNI
// portmap plugin needs fifteen nft or about thirty iptables execs per
// container start and stop for the same, which cost more than the rest of
// the container's network set-up together.)
//
// Locally generated connections are forwarded too (the output hook), also
// to 127.0.0.1: the bridge then needs route_localnet, and the table's
// masquerade rules rewrite the loopback source; the guard chain keeps
// 127.0.0.0/8 unreachable from outside the host.

// portMaps are the maps' declarations, part of the table's rules.
const portMaps = `	map ports4 {
		type inet_proto . inet_service : ipv4_addr . inet_service
	}
	map ports4ip {
		type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service
	}
	map ports6 {
		type inet_proto . inet_service : ipv6_addr . inet_service
	}
	map ports6ip {
		type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service
	}
	chain hostports {
		dnat ip to ip daddr . meta l4proto . th dport map @ports4ip
		dnat ip to meta l4proto . th dport map @ports4
		dnat ip6 to ip6 daddr . meta l4proto . th dport map @ports6ip
		dnat ip6 to meta l4proto . th dport map @ports6
	}
	chain dnat_prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		fib daddr type local jump hostports
	}
	chain dnat_output {
		type nat hook output priority -100; policy accept;
		fib daddr type local jump hostports
	}
`

// portElements are the map elements that publish ports for a container
// at ipv4 and ipv6 (either may be empty), as "map { element }" pairs.
func portElements(ports []PortMap, ipv4, ipv6 string) [][2]string {
	var out [][2]string
	for _, pm := range ports {
		host, _ := netip.ParseAddr(pm.HostIP)
		for _, target := range []string{Addr(ipv4), Addr(ipv6)} {
			t, err := netip.ParseAddr(target)
			if err != nil {
				continue
			}
			fam := "4"
			if t.Is6() {
				fam = "6"
			}
			dst := fmt.Sprintf("%s . %d", t, pm.ContainerPort)
			switch {
			case pm.HostIP == "" || host.IsUnspecified() && host.Is4() == t.Is4():
				out = append(out, [2]string{"ports" + fam, fmt.Sprintf("%s . %d : %s", pm.Proto, pm.HostPort, dst)})
			case host.IsValid() && host.Is4() == t.Is4():
				out = append(out, [2]string{"ports" + fam + "ip", fmt.Sprintf("%s . %s . %d : %s", host, pm.Proto, pm.HostPort, dst)})
			}
		}
	}
	return out
}

// publish adds a container's port elements; called with the lock held.
func publish(p Paths, e *Endpoint, a *Attachment) error {
	els := portElements(e.Ports, a.IPv4, a.IPv6)
	if len(els) == 0 {
		return nil
	}
	var b strings.Builder
	for _, el := range els {
		fmt.Fprintf(&b, "add element inet %s %s { %s }\n", p.Table, el[0], el[1])
	}
	if err := nft([]byte(b.String())); err != nil {
		return fmt.Errorf("publishing ports: %w", err)
	}
	return routeLocalnet(a.Bridge)
}

// unpublish removes them; elements already gone are skipped.
func unpublish(p Paths, e *Endpoint, a *Attachment) error {
	els := portElements(e.Ports, a.IPv4, a.IPv6)
	if len(els) == 0 {
		return nil
	}
	var b strings.Builder
	for _, el := range els {
		fmt.Fprintf(&b, "delete element inet %s %s { %s }\n", p.Table, el[0], el[1])
	}
	if nft([]byte(b.String())) == nil {
		return nil
	}
	// One missing element fails the whole transaction: go one by one.
	for _, el := range els {
		_ = nft(fmt.Appendf(nil, "delete element inet %s %s { %s }\n", p.Table, el[0], el[1]))
	}
	return nil
}

// routeLocalnet lets connections to 127.0.0.1 be forwarded to a bridge,
// as published ports answer on the loopback address too.
func routeLocalnet(bridge string) error {
	if bridge == "" {
		return nil
	}
	return os.WriteFile("/proc/sys/net/ipv4/conf/"+bridge+"/route_localnet", []byte("1"), 0o644)
}

// sweepPorts removes the elements that point at no live endpoint's
// address, which a crash between publishing and recording leaves. The
// table is listed with one nft run: the engine sweeps every few seconds.
func sweepPorts(p Paths, live map[string]bool) {
	out, err := exec.Command("nft", "-j", "list", "table", "inet", p.Table).Output()
	if err != nil {
		return // no table yet: nothing was published
	}
	var b strings.Builder
	for _, el := range mapElements(out) {
		if strings.HasPrefix(el.mapName, "ports") && !live[el.target] {
			fmt.Fprintf(&b, "delete element inet %s %s { %s }\n", p.Table, el.mapName, el.key)
		}
	}
	if b.Len() > 0 {
		_ = nft([]byte(b.String()))
	}
}

type mapElement struct{ mapName, key, target string }

// mapElements reads the maps of `nft -j list` output: each element is a
// key (a concatenation) and a value (address . port).
func mapElements(data []byte) []mapElement {
	var doc struct {
		Nftables []map[string]json.RawMessage `json:"nftables"`
	}
	if json.Unmarshal(data, &doc) != nil {
		return nil
	}
	var out []mapElement
	for _, obj := range doc.Nftables {
		raw, ok := obj["map"]
		if !ok {
			continue
		}
		var m struct {
			Name string `json:"name"`
			Elem [][2]struct {
				Concat []any `json:"concat"`
			} `json:"elem"`
		}
		if json.Unmarshal(raw, &m) != nil {
			continue
		}
		for _, e := range m.Elem {
			key := joinConcat(e[0].Concat)
			val := e[1].Concat
			if key == "" || len(val) != 2 {
				continue
			}
			out = append(out, mapElement{mapName: m.Name, key: key, target: fmt.Sprint(val[0])})
		}
	}
	return out
}

func joinConcat(parts []any) string {
	var s []string
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			s = append(s, v)
		case float64:
			s = append(s, fmt.Sprint(int(v)))
		default:
			return ""
		}
	}
	return strings.Join(s, " . ")
}
