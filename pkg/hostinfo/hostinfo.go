// Package hostinfo reads facts about the host: cgroup version, OS name,
// memory, kernel features berth depends on, registry mirrors.
package hostinfo

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
	"golang.org/x/sys/unix"
)

// CgroupVersion is "2" on a unified hierarchy, else "1".
func CgroupVersion() string {
	var st unix.Statfs_t
	if err := unix.Statfs("/sys/fs/cgroup", &st); err == nil && st.Type == unix.CGROUP2_SUPER_MAGIC {
		return "2"
	}
	return "1"
}

// OSName is PRETTY_NAME from os-release.
func OSName() string {
	f, err := os.Open("/etc/os-release")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "PRETTY_NAME="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return "unknown"
}

// MemTotal is the host's memory in bytes.
func MemTotal() int64 {
	var si unix.Sysinfo_t
	if err := unix.Sysinfo(&si); err != nil {
		return 0
	}
	return int64(si.Totalram) * int64(si.Unit)
}

// HumanBytes prints a size as Docker's info does (binary units).
func HumanBytes(n int64) string {
	// Up to EiB: an int64 holds at most 8 EiB.
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	f := float64(n)
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	return fmt.Sprintf("%.4g%s", f, units[i])
}

// Warnings lists host settings that limit what containers can do.
func Warnings() []string {
	var w []string
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_forward"); err == nil && strings.TrimSpace(string(b)) == "0" {
		w = append(w, "IPv4 forwarding is disabled (berth enables it when it sets up a bridge network)")
	}
	if !HasCapSysResource() {
		w = append(w, "no CAP_SYS_RESOURCE: --oom-score-adj below the current value and raising ulimits above the host's limits cannot be honoured")
	}
	return w
}

// HasCapSysResource reports whether this process may raise rlimits and lower
// oom_score_adj.
func HasCapSysResource() bool {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "CapEff:"); ok {
			var caps uint64
			if _, err := fmt.Sscanf(strings.TrimSpace(v), "%x", &caps); err != nil {
				return false
			}
			return caps&(1<<unix.CAP_SYS_RESOURCE) != 0
		}
	}
	return false
}

// Mirrors lists the mirror hosts configured for registry host, in the order
// the registry client tries them (the order of the file), from the hosts.toml
// that configures host: the first of hostsDirs with an entry for host, else
// the first with a "_default" entry, as containerd looks them up.
func Mirrors(hostsDirs []string, host string) []string {
	path := hostsFile(hostsDirs, host)
	if path == "" {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	// The file is checked whole first: the ordered walk below reads
	// [host."..."] headers and host.* keys only.
	var doc struct {
		Host map[string]any `toml:"host"`
	}
	if toml.Unmarshal(data, &doc) != nil {
		return nil
	}
	out := hostKeysInOrder(data)
	// Hosts given some other way (an inline table) follow, sorted.
	var rest []string
	for h := range doc.Host {
		if !slices.Contains(out, h) {
			rest = append(rest, h)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// hostsFile is the hosts.toml that configures host, or "".
func hostsFile(hostsDirs []string, host string) string {
	names := []string{host}
	if i := strings.LastIndex(host, ":"); i > 0 && !strings.HasSuffix(host, "]") {
		// containerd's portable "host_port_" form comes first.
		names = []string{host[:i] + "_" + host[i+1:] + "_", host}
	}
	for _, group := range [][]string{names, {"_default"}} {
		for _, dir := range hostsDirs {
			for _, name := range group {
				p := filepath.Join(dir, name, "hosts.toml")
				if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
					return p
				}
			}
		}
	}
	return ""
}

// hostKeysInOrder returns the names under the "host" table of a TOML
// document in the order they first appear. A map loses that order, and the
// order is what decides which mirror is tried first.
func hostKeysInOrder(data []byte) []string {
	var p unstable.Parser
	p.Reset(data)
	var out, table []string
	for p.NextExpression() {
		e := p.Expression()
		var key []string
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = keyParts(e)
			key = table
		case unstable.KeyValue:
			key = append(slices.Clone(table), keyParts(e)...)
		default:
			continue
		}
		if len(key) >= 2 && key[0] == "host" && !slices.Contains(out, key[1]) {
			out = append(out, key[1])
		}
	}
	return out
}

func keyParts(n *unstable.Node) []string {
	var parts []string
	it := n.Key()
	for it.Next() {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}
