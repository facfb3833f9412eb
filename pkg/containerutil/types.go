package containerutil

import (
	"time"

	"github.com/berth-project/berth/pkg/opts"
)

// Meta is what berth keeps about a container besides the engine's record:
// Docker's Config and HostConfig as given at create time, and the parts of
// Docker's State the engine does not remember.
type Meta struct {
	Name       string
	Created    time.Time
	Image      string // the image's ID (config digest)
	Config     Config
	HostConfig HostConfig
	State      SavedState
	// MountPoints are the container's volumes, binds and tmpfs mounts
	// (--mount) as inspect's Mounts shows them.
	MountPoints []MountPoint `json:",omitempty"`
}

// Config is Docker's container Config.
type Config struct {
	Hostname     string
	Domainname   string
	User         string
	AttachStdin  bool
	AttachStdout bool
	AttachStderr bool
	ExposedPorts map[string]struct{} `json:",omitempty"`
	Tty          bool
	OpenStdin    bool
	StdinOnce    bool
	Env          []string
	Cmd          []string
	Healthcheck  *HealthConfig `json:",omitempty"`
	Image        string
	Volumes      map[string]struct{} `json:",omitempty"`
	WorkingDir   string
	Entrypoint   []string
	Labels       map[string]string
	StopSignal   string `json:",omitempty"`
	StopTimeout  *int   `json:",omitempty"`
}

// HealthConfig is Docker's Healthcheck: Test is ["NONE"], ["CMD", args...]
// or ["CMD-SHELL", command]; durations in nanoseconds as Docker's JSON.
type HealthConfig struct {
	Test          []string      `json:",omitempty"`
	Interval      time.Duration `json:",omitempty"`
	Timeout       time.Duration `json:",omitempty"`
	StartPeriod   time.Duration `json:",omitempty"`
	StartInterval time.Duration `json:",omitempty"`
	Retries       int           `json:",omitempty"`
}

// RestartPolicy is Docker's restart policy.
type RestartPolicy struct {
	Name              string
	MaximumRetryCount int
}

// LogConfig is Docker's HostConfig.LogConfig.
type LogConfig struct {
	Type   string
	Config map[string]string
}

// PortBinding is one host side of a published port, as in Docker's
// HostConfig.PortBindings and NetworkSettings.Ports.
type PortBinding struct {
	HostIP   string `json:"HostIp"`
	HostPort string
}

// Ulimit is one --ulimit.
type Ulimit struct {
	Name string
	Hard int64
	Soft int64
}

// DeviceMapping is one --device.
type DeviceMapping struct {
	PathOnHost        string
	PathInContainer   string
	CgroupPermissions string
}

// Resources are Docker's HostConfig resources.
type Resources struct {
	CPUShares         int64 `json:"CpuShares"`
	Memory            int64
	NanoCPUs          int64 `json:"NanoCpus"`
	CgroupParent      string
	CPUPeriod         int64  `json:"CpuPeriod"`
	CPUQuota          int64  `json:"CpuQuota"`
	CpusetCpus        string `json:"CpusetCpus"`
	CpusetMems        string `json:"CpusetMems"`
	Devices           []DeviceMapping
	MemoryReservation int64
	MemorySwap        int64
	OomKillDisable    *bool
	PidsLimit         *int64
	Ulimits           []*Ulimit
}

// HostConfig is Docker's HostConfig, the fields that apply to berth.
type HostConfig struct {
	// Binds are the -v values with a source, as given (a relative host
	// path made absolute); VolumesFrom and VolumeDriver are the flags'.
	Binds        []string
	VolumeDriver string
	VolumesFrom  []string
	// Mounts are the --mount values.
	Mounts []opts.Mount `json:",omitempty"`
	Resources
	LogConfig       LogConfig
	NetworkMode     string
	PortBindings    map[string][]PortBinding `json:",omitempty"`
	PublishAllPorts bool
	DNS             []string `json:"Dns"`
	DNSOptions      []string `json:"DnsOptions"`
	DNSSearch       []string `json:"DnsSearch"`
	ExtraHosts      []string
	RestartPolicy   RestartPolicy
	AutoRemove      bool
	CapAdd          []string
	CapDrop         []string
	GroupAdd        []string
	IpcMode         string
	Cgroup          string
	CgroupnsMode    string
	OomScoreAdj     int
	PidMode         string
	Privileged      bool
	ReadonlyRootfs  bool
	SecurityOpt     []string
	Tmpfs           map[string]string `json:",omitempty"`
	UTSMode         string
	ShmSize         int64
	Sysctls         map[string]string `json:",omitempty"`
	Runtime         string
	Init            *bool `json:",omitempty"`
}

// SavedState is the part of Docker's State berth records itself.
type SavedState struct {
	StartedAt  time.Time
	FinishedAt time.Time
	ExitCode   int
	OOMKilled  bool
	Error      string
	// StoppedByUser is set by stop/kill and cleared by start: Docker's
	// "a container stopped by stop stays stopped".
	StoppedByUser bool
	Health        *Health `json:",omitempty"`
}

// Health is Docker's State.Health.
type Health struct {
	Status        string // "starting", "healthy", "unhealthy"
	FailingStreak int
	Log           []HealthResult
}

// HealthResult is one run of the health check.
type HealthResult struct {
	Start    time.Time
	End      time.Time
	ExitCode int
	Output   string
}
