package container

import (
	"time"

	"github.com/berth-project/berth/pkg/opts"
)

// CreateOptions are the flags of `create` and `run` that shape the container.
// Each field is one docker flag; parsing of compound values happens in
// pkg/opts, in Validate.
type CreateOptions struct {
	// Image is the image reference; Args replace its CMD when given.
	Image string
	Args  []string
	// Name is --name; empty gives a generated name.
	Name string
	// Pull is the pull policy: "missing", "always" or "never".
	Pull string
	// Platform is --platform.
	Platform string
	// Quiet suppresses the pull output (-q).
	Quiet bool

	// Interactive keeps stdin open (-i); TTY allocates a terminal (-t).
	Interactive bool
	TTY         bool

	// Env are -e values; EnvFiles are --env-file paths.
	Env      []string
	EnvFiles []string
	// Labels are -l values; LabelFiles are --label-file paths.
	Labels     []string
	LabelFiles []string
	// Workdir is -w; User is -u; GroupAdd is --group-add.
	Workdir  string
	User     string
	GroupAdd []string
	// Entrypoint is --entrypoint; EntrypointSet tells "" (reset) from unset.
	Entrypoint    string
	EntrypointSet bool
	// Hostname is -h; Domainname is --domainname.
	Hostname   string
	Domainname string
	// Init runs berth's init as PID 1 (--init).
	Init bool
	// StopSignal and StopTimeout are --stop-signal and --stop-timeout (-1 unset).
	StopSignal  string
	StopTimeout int
	// Restart is --restart ("no", "always", "unless-stopped", "on-failure[:N]").
	Restart string
	// Rm removes the container when it exits (--rm).
	Rm bool

	// Resources.
	CPUs              string
	CPUShares         int64
	CpusetCPUs        string
	CpusetMems        string
	CPUQuota          int64
	CPUPeriod         int64
	Memory            string
	MemorySwap        string
	MemoryReservation string
	PidsLimit         int64
	Ulimits           []string
	OomKillDisable    bool
	OomScoreAdj       int
	ShmSize           string

	// Security.
	CapAdd      []string
	CapDrop     []string
	Privileged  bool
	SecurityOpt []string
	ReadOnly    bool

	// Mounts and devices that belong to the container itself.
	Tmpfs   []string
	Devices []string
	Sysctls []string

	// Volumes: -v values (StringArray: "/a:/b:ro,z" is one), --mount,
	// --volumes-from and --volume-driver.
	Volumes      []string
	Mounts       []string
	VolumesFrom  []string
	VolumeDriver string

	// Namespaces and cgroups.
	IPC          string
	PID          string
	UTS          string
	Cgroupns     string
	CgroupParent string
	Runtime      string

	// Logging.
	LogDriver string
	LogOpts   []string

	// Health.
	HealthCmd         string
	HealthInterval    time.Duration
	HealthTimeout     time.Duration
	HealthRetries     int
	HealthStartPeriod time.Duration
	NoHealthcheck     bool

	// Networking: --network/--net (in order), --ip, --ip6, --mac-address,
	// --network-alias, -p, -P, --expose, --dns, --dns-search,
	// --dns-option and --add-host.
	Networks   []string
	IP         string
	IP6        string
	MACAddress string
	Aliases    []string
	Publish    []string
	PublishAll bool
	Expose     []string
	DNS        []string
	DNSSearch  []string
	DNSOptions []string
	AddHosts   []string

	// CIDFile is --cidfile.
	CIDFile string

	// removedByCLI is set by an attached `run --rm`, whose CLI removes the
	// container itself; otherwise the engine's supervisor does.
	removedByCLI bool
	// imageHealth is the image's HEALTHCHECK, read with its config.
	imageHealth *opts.Healthcheck
}

// RunOptions are the flags `run` has on top of `create`.
type RunOptions struct {
	CreateOptions
	// Detach runs the container in the background (-d).
	Detach bool
	// Attach lists the streams to attach (-a stdin|stdout|stderr).
	Attach []string
	// SigProxy forwards signals to the container (--sig-proxy, default true).
	SigProxy bool
	// DetachKeys is the key sequence that detaches from the container.
	DetachKeys string
}
