package netutil

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/berth-project/berth/pkg/fsutil"
)

// Endpoint is a running container's presence on its networks: written when
// its network namespace is wired (the OCI hook, `network connect`) and
// removed when it is torn down. It names what to undo, so a crash leaves
// nothing that a sweep cannot find: the container's network namespace is
// recorded by inode, and a record whose namespace is gone is stale.
type Endpoint struct {
	Namespace  string `json:"namespace"`
	ID         string `json:"id"`
	Name       string `json:"name"`
	Hostname   string `json:"hostname"`
	Pid        int    `json:"pid"`
	NetNSInode uint64 `json:"netnsInode"`
	// HostsPath is the container's /etc/hosts, rewritten as peers come
	// and go; ExtraHosts are its --add-host lines.
	HostsPath  string       `json:"hostsPath,omitempty"`
	ExtraHosts []HostEntry  `json:"extraHosts,omitempty"`
	Attached   []Attachment `json:"attached"`
	// PluginDir and ConfDir are the CNI paths the endpoint was wired
	// with, which the engine's clean-up does not know otherwise.
	PluginDir string    `json:"pluginDir"`
	ConfDir   string    `json:"confDir"`
	Ports     []PortMap `json:"ports,omitempty"`
}

// Attachment is the container on one network.
type Attachment struct {
	Network   string   `json:"network"`
	NetworkID string   `json:"networkId"`
	IfName    string   `json:"ifname"`
	Bridge    string   `json:"bridge,omitempty"`
	IPv4      string   `json:"ipv4,omitempty"` // CIDR
	IPv6      string   `json:"ipv6,omitempty"` // CIDR
	Gateway   string   `json:"gateway,omitempty"`
	Gateway6  string   `json:"gateway6,omitempty"`
	MAC       string   `json:"mac,omitempty"`
	Aliases   []string `json:"aliases,omitempty"`
	// UserNet is a user-defined network, on which containers find one
	// another by name.
	UserNet bool `json:"userNet,omitempty"`
}

// PortMap is a published port as it was bound.
type PortMap struct {
	HostIP        string `json:"hostIP"`
	HostPort      int    `json:"hostPort"`
	ContainerPort int    `json:"containerPort"`
	Proto         string `json:"protocol"`
}

// HostEntry is one --add-host line.
type HostEntry struct {
	Host string `json:"host"`
	IP   string `json:"ip"`
}

func (p Paths) endpointFile(ns, id string) string {
	return filepath.Join(p.endpointDir(), ns+"_"+id+".json")
}

// LoadEndpoint returns a container's endpoint; os.ErrNotExist when it is
// not wired (not running, or on no network).
func LoadEndpoint(p Paths, ns, id string) (*Endpoint, error) {
	data, err := os.ReadFile(p.endpointFile(ns, id))
	if err != nil {
		return nil, err
	}
	var e Endpoint
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("endpoint of %s: %w", id, err)
	}
	return &e, nil
}

// Endpoints returns every endpoint record.
func Endpoints(p Paths) ([]*Endpoint, error) {
	files, err := filepath.Glob(filepath.Join(p.endpointDir(), "*.json"))
	if err != nil {
		return nil, err
	}
	var out []*Endpoint
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return nil, err
		}
		var e Endpoint
		if err := json.Unmarshal(data, &e); err != nil {
			continue // a record only a crash mid-write could tear: writes are atomic
		}
		out = append(out, &e)
	}
	return out, nil
}

func saveEndpoint(p Paths, e *Endpoint) error {
	if err := os.MkdirAll(p.endpointDir(), 0o700); err != nil {
		return err
	}
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(p.endpointFile(e.Namespace, e.ID), data, 0o600)
}

func removeEndpoint(p Paths, ns, id string) error {
	err := os.Remove(p.endpointFile(ns, id))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// Alive reports whether the endpoint's network namespace still exists:
// the recorded process still runs in the namespace it was wired into.
func (e *Endpoint) Alive() bool {
	ino, err := netnsInode(e.Pid)
	return err == nil && ino == e.NetNSInode
}

func netnsInode(pid int) (uint64, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(fmt.Sprintf("/proc/%d/ns/net", pid), &st); err != nil {
		return 0, err
	}
	return st.Ino, nil
}

// On returns the attachment to network name, if any.
func (e *Endpoint) On(name string) *Attachment {
	for i := range e.Attached {
		if e.Attached[i].Network == name {
			return &e.Attached[i]
		}
	}
	return nil
}

// nextIfName is the first ethN the endpoint does not use.
func (e *Endpoint) nextIfName() string {
	for i := 0; ; i++ {
		name := fmt.Sprintf("eth%d", i)
		used := false
		for _, a := range e.Attached {
			used = used || a.IfName == name
		}
		if !used {
			return name
		}
	}
}

// Addr strips the prefix length from a CIDR.
func Addr(cidr string) string {
	a, _, _ := strings.Cut(cidr, "/")
	return a
}
