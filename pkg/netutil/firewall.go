package netutil

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/berth-project/berth/pkg/fsutil"
)

// berth keeps its own nftables table with the rules that belong to
// networks rather than to containers, so a container's start adds none of
// them and its removal can leave none behind:
//
//   - outbound NAT for each bridge network that is not --internal;
//   - no forwarding between two berth bridges (networks are isolated);
//   - no forwarding in or out of an --internal bridge;
//   - a guard that drops packets for 127.0.0.0/8 arriving from outside the
//     host. Publishing on 127.0.0.1 makes the portmap plugin set
//     route_localnet on the bridge; without the guard a neighbour could
//     reach such a port by routing 127.0.0.1 to the host.
//
// The table is rebuilt whole, in one atomic nft transaction, from the
// stored networks whenever they change, and again when its mark in the run
// directory is missing (after a reboot). Published ports are elements of
// the table's maps, per container (portfw.go).

// tableName is berth's table for a data root: "berth" for the default one,
// and a name of its own for any other, so that two data roots (a test's
// and the host's) do not rebuild each other's rules.
func tableName(dataRoot string) string {
	if filepath.Clean(dataRoot) == "/var/lib/berth" {
		return "berth"
	}
	return "berth_" + digest(filepath.Clean(dataRoot))[:8]
}

// defaultBridgeName is the default network's bridge for a data root:
// berth0 for the default one, berth<8 hex digits> for any other, so that
// two data roots never put containers on one bridge, and removing one's
// networks never takes a bridge from under the other's containers.
func defaultBridgeName(dataRoot string) string {
	if filepath.Clean(dataRoot) == "/var/lib/berth" {
		return DefaultBridge
	}
	return "berth" + digest(filepath.Clean(dataRoot))[:8]
}

// digest is the hex SHA-256 of s.
func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// family is the nftables address family of a subnet: ip or ip6.
func family(subnet string) string {
	if strings.Contains(subnet, ":") {
		return "ip6"
	}
	return "ip"
}

// rules renders the table for nets.
func rules(table string, nets []*Network) string {
	var b strings.Builder
	fmt.Fprintf(&b, "table inet %s {\n", table)
	var bridges []string
	for _, n := range nets {
		if n.Driver == DriverBridge {
			bridges = append(bridges, quote(n.Bridge))
		}
	}
	if len(bridges) > 0 {
		fmt.Fprintf(&b, "\tset bridges {\n\t\ttype ifname\n\t\telements = { %s }\n\t}\n", strings.Join(bridges, ", "))
	}
	b.WriteString(portMaps)
	b.WriteString("\tchain guard {\n\t\ttype filter hook prerouting priority raw; policy accept;\n")
	b.WriteString("\t\tiifname != \"lo\" ip daddr 127.0.0.0/8 drop\n\t}\n")
	b.WriteString("\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n")
	for _, n := range nets {
		if n.Driver != DriverBridge {
			continue
		}
		br := quote(n.Bridge)
		if n.Internal {
			fmt.Fprintf(&b, "\t\tiifname %s oifname != %s drop\n", br, br)
			fmt.Fprintf(&b, "\t\toifname %s iifname != %s drop\n", br, br)
		} else if len(bridges) > 0 {
			fmt.Fprintf(&b, "\t\tiifname %s oifname != %s oifname @bridges drop\n", br, br)
		}
	}
	b.WriteString("\t}\n")
	b.WriteString("\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n")
	if len(bridges) > 0 {
		// Published ports reached from the host's loopback address.
		b.WriteString("\t\toifname @bridges ip saddr 127.0.0.0/8 ct status dnat masquerade\n")
	}
	for _, n := range nets {
		if n.Driver != DriverBridge {
			continue
		}
		// Hairpin: a container reaching a published port of its own
		// network through the host's address.
		for _, s := range n.Subnets {
			fmt.Fprintf(&b, "\t\toifname %s %s saddr %s ct status dnat masquerade\n", quote(n.Bridge), family(s.Subnet), s.Subnet)
		}
	}
	for _, n := range nets {
		if n.Driver != DriverBridge || n.Internal || n.Options["com.docker.network.bridge.enable_ip_masquerade"] == "false" {
			continue
		}
		for _, s := range n.Subnets {
			fmt.Fprintf(&b, "\t\t%s saddr %s oifname != %s masquerade\n", family(s.Subnet), s.Subnet, quote(n.Bridge))
		}
	}
	b.WriteString("\t}\n}\n")
	return b.String()
}

func quote(s string) string { return `"` + s + `"` }

// tableBody is the table nets want: none without a bridge network.
func tableBody(table string, nets []*Network) string {
	for _, n := range nets {
		if n.Driver == DriverBridge {
			return rules(table, nets)
		}
	}
	return ""
}

// syncFirewall rebuilds berth's table for nets; called with the lock held.
// With no bridge network left the table is removed.
func syncFirewall(p Paths, nets []*Network) error {
	var script bytes.Buffer
	// Creating the table first makes the delete succeed on a fresh host.
	fmt.Fprintf(&script, "table inet %s\ndelete table inet %s\n", p.Table, p.Table)
	body := tableBody(p.Table, nets)
	script.WriteString(body)
	if err := nft(script.Bytes()); err != nil {
		return err
	}
	if err := os.MkdirAll(p.RunDir, 0o700); err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(p.firewallMark(), []byte(digest(body)), 0o600)
}

// ensureFirewall rebuilds the table when the mark says it is not the one
// the stored networks want (a reboot flushed it, or this is the first
// container since the networks changed elsewhere).
func ensureFirewall(p Paths) error {
	nets, err := List(p)
	if err != nil {
		return err
	}
	if mark, err := os.ReadFile(p.firewallMark()); err == nil && string(mark) == digest(tableBody(p.Table, nets)) {
		return nil
	}
	return syncFirewall(p, nets)
}

// removeFirewall drops berth's table, for a host with no networks left.
func removeFirewall(p Paths) error {
	_ = os.Remove(p.firewallMark())
	return nft(fmt.Appendf(nil, "table inet %s\ndelete table inet %s\n", p.Table, p.Table))
}

// NFTPath finds nft, which berth's rules and the portmap plugin need.
func NFTPath() (string, error) {
	for _, p := range []string{"nft", "/usr/sbin/nft", "/sbin/nft"} {
		if path, err := exec.LookPath(p); err == nil {
			return path, nil
		}
	}
	return "", errors.New("nft is not installed: bridge networks need nftables (on Debian: apt-get install nftables)")
}

func nft(script []byte) error {
	path, err := NFTPath()
	if err != nil {
		return err
	}
	cmd := exec.Command(path, "-f", "-")
	cmd.Stdin = bytes.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("nft: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}
