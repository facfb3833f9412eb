// Package hostinfo reads facts about the host: cgroup version, OS name,
// memory, kernel features berth depends on, registry mirrors.
package hostinfo

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
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
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
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

// Mirrors lists the mirror hosts configured for registry host in the first
// hosts directory that has a hosts.toml for it.
func Mirrors(hostsDirs []string, host string) []string {
	for _, dir := range hostsDirs {
		data, err := os.ReadFile(filepath.Join(dir, host, "hosts.toml"))
		if err != nil {
			continue
		}
		var doc struct {
			Host map[string]any `toml:"host"`
		}
		if toml.Unmarshal(data, &doc) != nil {
			return nil
		}
		var out []string
		for h := range doc.Host {
			out = append(out, h)
		}
		sort.Strings(out)
		return out
	}
	return nil
}
