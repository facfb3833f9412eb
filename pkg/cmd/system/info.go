package system

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/errdefs"
	"golang.org/x/sys/unix"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/formatter"
	"github.com/berth-project/berth/pkg/hostinfo"
	"github.com/berth-project/berth/pkg/version"
)

// InfoOptions are the flags of `info`.
type InfoOptions struct {
	// Format is a Go template or "json".
	Format string
}

// RegistryConfig is Docker's registry section of `info`.
type RegistryConfig struct {
	InsecureRegistryCIDRs []string
	Mirrors               []string
}

// SystemInfo has the fields of Docker's `info` that apply to berth.
type SystemInfo struct {
	ID                string
	Containers        int
	ContainersRunning int
	ContainersPaused  int
	ContainersStopped int
	Images            int
	Driver            string
	LoggingDriver     string
	CgroupDriver      string
	CgroupVersion     string
	KernelVersion     string
	OperatingSystem   string
	OSType            string
	Architecture      string
	NCPU              int
	MemTotal          int64
	Name              string
	ServerVersion     string
	DockerRootDir     string
	Runtimes          map[string]map[string]string
	DefaultRuntime    string
	Debug             bool
	RegistryConfig    RegistryConfig
	Namespace         string
	Address           string
	Warnings          []string
}

// Info prints what Docker's `info` prints, for berth's engine.
func Info(ctx context.Context, cfg *config.Config, w io.Writer, o InfoOptions) error {
	c, ctx, err := clientutil.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	info, err := gatherInfo(ctx, c, cfg)
	if err != nil {
		return err
	}
	if o.Format != "" {
		return formatter.Object(w, o.Format, info)
	}
	printInfo(w, info)
	return nil
}

func gatherInfo(ctx context.Context, c *client.Client, cfg *config.Config) (*SystemInfo, error) {
	v, err := c.Version(ctx)
	if err != nil {
		return nil, err
	}
	srv, err := c.Server(ctx)
	if err != nil {
		return nil, err
	}
	var uts unix.Utsname
	_ = unix.Uname(&uts)
	host, _ := os.Hostname()
	info := &SystemInfo{
		ID: srv.UUID, Driver: cfg.Snapshotter, LoggingDriver: "json-file",
		CgroupDriver: cfg.CgroupManager, CgroupVersion: hostinfo.CgroupVersion(),
		KernelVersion: unix.ByteSliceToString(uts.Release[:]), OperatingSystem: hostinfo.OSName(),
		OSType: runtime.GOOS, Architecture: unix.ByteSliceToString(uts.Machine[:]),
		NCPU: runtime.NumCPU(), MemTotal: hostinfo.MemTotal(), Name: host,
		ServerVersion: v.Version, DockerRootDir: cfg.DataRoot, DefaultRuntime: "runc",
		Runtimes:  map[string]map[string]string{"runc": {"path": "io.containerd.runc.v2"}},
		Debug:     cfg.Debug || cfg.DebugFull,
		Namespace: cfg.Namespace, Address: cfg.EngineAddress(),
		RegistryConfig: RegistryConfig{InsecureRegistryCIDRs: []string{"127.0.0.0/8"},
			Mirrors: hostinfo.Mirrors(cfg.HostsDir, "docker.io")},
	}
	if cfg.Embedded() {
		info.ServerVersion = version.Version + " (containerd " + v.Version + ")"
	}
	if cfg.InsecureRegistry {
		info.RegistryConfig.InsecureRegistryCIDRs = []string{"0.0.0.0/0"}
	}
	if err := countContainers(ctx, c, info); err != nil {
		return nil, err
	}
	imgs, err := c.ImageService().List(ctx)
	if err != nil {
		return nil, err
	}
	info.Images = len(imgs)
	info.Warnings = hostinfo.Warnings()
	return info, nil
}

func countContainers(ctx context.Context, c *client.Client, info *SystemInfo) error {
	ctrs, err := c.Containers(ctx)
	if err != nil {
		return err
	}
	info.Containers = len(ctrs)
	for _, ctr := range ctrs {
		status := client.Stopped
		if task, err := ctr.Task(ctx, nil); err == nil {
			if st, err := task.Status(ctx); err == nil {
				status = st.Status
			}
		} else if !errdefs.IsNotFound(err) {
			return err
		}
		switch status {
		case client.Running:
			info.ContainersRunning++
		case client.Paused, client.Pausing:
			info.ContainersPaused++
		default:
			info.ContainersStopped++
		}
	}
	return nil
}

func printInfo(w io.Writer, i *SystemInfo) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	p("Client:\n Version:    %s\n Debug Mode: %v\n", version.Version, i.Debug)
	p("Server:")
	p(" Containers: %d\n  Running: %d\n  Paused: %d\n  Stopped: %d", i.Containers, i.ContainersRunning, i.ContainersPaused, i.ContainersStopped)
	p(" Images: %d", i.Images)
	p(" Server Version: %s", i.ServerVersion)
	p(" Storage Driver: %s", i.Driver)
	p(" Logging Driver: %s", i.LoggingDriver)
	p(" Cgroup Driver: %s", i.CgroupDriver)
	p(" Cgroup Version: %s", i.CgroupVersion)
	p(" Runtimes: runc\n Default Runtime: %s", i.DefaultRuntime)
	p(" Kernel Version: %s", i.KernelVersion)
	p(" Operating System: %s", i.OperatingSystem)
	p(" OSType: %s\n Architecture: %s\n CPUs: %d", i.OSType, i.Architecture, i.NCPU)
	p(" Total Memory: %s", hostinfo.HumanBytes(i.MemTotal))
	p(" Name: %s\n ID: %s", i.Name, i.ID)
	p(" Docker Root Dir: %s", i.DockerRootDir)
	p(" Namespace: %s\n Address: %s", i.Namespace, i.Address)
	p(" Debug Mode: %v", i.Debug)
	p(" Insecure Registries:\n  %s", strings.Join(i.RegistryConfig.InsecureRegistryCIDRs, "\n  "))
	if len(i.RegistryConfig.Mirrors) > 0 {
		p(" Registry Mirrors:\n  %s", strings.Join(i.RegistryConfig.Mirrors, "\n  "))
	}
	p(" Live Restore Enabled: true")
	for _, warn := range i.Warnings {
		p("WARNING: %s", warn)
	}
}
