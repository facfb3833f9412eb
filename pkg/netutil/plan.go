package netutil

import (
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/berth-project/berth/pkg/fsutil"
	"github.com/berth-project/berth/pkg/opts"
)

// Network modes of a container, as docker's --network takes them.
const (
	ModeBridge    = "bridge" // CNI networks: the default one or user networks
	ModeNone      = "none"
	ModeHost      = "host"
	ModeContainer = "container"
)

// Plan is what a container asked for at create time: its networks, ports
// and names. It lives in the container's state directory; the OCI hook
// wires the container from it at every start, and `network connect` and
// `disconnect` change it.
type Plan struct {
	Mode string `json:"mode"`
	// Container is the container whose namespace ModeContainer joins.
	Container string        `json:"container,omitempty"`
	Networks  []PlanNetwork `json:"networks,omitempty"`
	// Ports are published on the first network.
	Ports      []opts.PortBinding `json:"ports,omitempty"`
	Name       string             `json:"name"`
	Hostname   string             `json:"hostname"`
	ExtraHosts []HostEntry        `json:"extraHosts,omitempty"`
	HostsPath  string             `json:"hostsPath,omitempty"`
}

// PlanNetwork is one network of the plan with the container's requests on it.
type PlanNetwork struct {
	Name    string   `json:"name"`
	IPv4    string   `json:"ipv4,omitempty"`
	IPv6    string   `json:"ipv6,omitempty"`
	MAC     string   `json:"mac,omitempty"`
	Aliases []string `json:"aliases,omitempty"`
}

const planFile = "network.json"

// SavePlan writes a container's plan to its state directory.
func SavePlan(stateDir string, pl *Plan) error {
	data, err := json.MarshalIndent(pl, "", "  ")
	if err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(filepath.Join(stateDir, planFile), data, 0o600)
}

// LoadPlan reads a container's plan; a container created without one
// (none mode) has os.ErrNotExist.
func LoadPlan(stateDir string) (*Plan, error) {
	data, err := os.ReadFile(filepath.Join(stateDir, planFile))
	if err != nil {
		return nil, err
	}
	var pl Plan
	if err := json.Unmarshal(data, &pl); err != nil {
		return nil, err
	}
	return &pl, nil
}

// On returns the plan's entry for network name, if any.
func (pl *Plan) On(name string) *PlanNetwork {
	for i := range pl.Networks {
		if pl.Networks[i].Name == name {
			return &pl.Networks[i]
		}
	}
	return nil
}
