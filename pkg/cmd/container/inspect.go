package container

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	tasks "github.com/containerd/containerd/api/services/tasks/v1"
	"github.com/containerd/containerd/api/types/runc/options"
	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/errdefs"
	"github.com/containerd/typeurl/v2"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/cmd/image"
	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/formatter"
	"github.com/berth-project/berth/pkg/logging"
)

// InspectOptions are the flags and arguments of `inspect` and
// `container inspect`.
type InspectOptions struct {
	// Format is a Go template or "json"; empty prints a JSON array.
	Format string
	// Size adds SizeRw and SizeRootFs (-s).
	Size bool
	// Type is "container", "image", or "" for a container, else an image.
	Type string
	// Objects are names or IDs.
	Objects []string
}

// Validate checks --type before the engine is dialed.
func (o *InspectOptions) Validate() error {
	switch o.Type {
	case "", "container", "image":
		return nil
	}
	return fmt.Errorf("%q is not a valid value for --type", o.Type)
}

// containerInspect is Docker's container inspect object, its keys in
// Docker's order. Fields carry the JSON key as their name (Id, not ID)
// because users' templates use the JSON keys.
type containerInspect struct {
	Id              string
	Created         string
	Path            string
	Args            []string
	State           inspectState
	Image           string
	ResolvConfPath  string
	HostnamePath    string
	HostsPath       string
	LogPath         string
	Name            string
	RestartCount    int
	Driver          string
	Platform        string
	MountLabel      string
	ProcessLabel    string
	AppArmorProfile string
	ExecIDs         []string
	HostConfig      containerutil.HostConfig
	GraphDriver     graphDriver
	SizeRw          *int64 `json:",omitempty"`
	SizeRootFs      *int64 `json:",omitempty"`
	Mounts          []mountPoint
	Config          containerutil.Config
	NetworkSettings networkSettings
}

// inspectState is State with Docker's string times, so that a template's
// {{.State.StartedAt}} prints what Docker's does.
type inspectState struct {
	Status     string
	Running    bool
	Paused     bool
	Restarting bool
	OOMKilled  bool
	Dead       bool
	Pid        int
	ExitCode   int
	Error      string
	StartedAt  string
	FinishedAt string
	Health     *containerutil.Health `json:",omitempty"`
}

type graphDriver struct {
	Data map[string]string
	Name string
}

// mountPoint is Docker's MountPoint, from the container's metadata.
type mountPoint struct {
	Type        string
	Name        string `json:",omitempty"`
	Source      string
	Destination string
	Driver      string `json:",omitempty"`
	Mode        string
	RW          bool
	Propagation string
}

// networkSettings is Docker's NetworkSettings.
type networkSettings struct {
	Bridge                 string
	SandboxID              string
	SandboxKey             string
	Ports                  map[string]any
	HairpinMode            bool
	LinkLocalIPv6Address   string
	LinkLocalIPv6PrefixLen int
	SecondaryIPAddresses   []any
	SecondaryIPv6Addresses []any
	EndpointID             string
	Gateway                string
	GlobalIPv6Address      string
	GlobalIPv6PrefixLen    int
	IPAddress              string
	IPPrefixLen            int
	IPv6Gateway            string
	MacAddress             string
	Networks               map[string]any
}

// Inspect prints containers (or images) as `docker inspect` does. The
// objects found are printed even when some are not; those fail the command.
func Inspect(ctx context.Context, cfg *config.Config, w io.Writer, o InspectOptions) error {
	if o.Type == "image" {
		return image.Inspect(ctx, cfg, w, image.InspectOptions{Format: o.Format, Images: o.Objects})
	}
	c, ctx, err := clientutil.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	store := containerutil.NewStore(cfg.DataRoot, cfg.Namespace)
	var objs []any
	var errs []error
	for _, q := range o.Objects {
		obj, err := inspectOne(ctx, c, cfg, store, q, o)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		objs = append(objs, obj)
	}
	if err := writeInspect(w, o.Format, objs); err != nil {
		return err
	}
	return errors.Join(errs...)
}

// writeInspect prints the objects as formatter.Inspect does, except that a
// template that fails on an object is run again over the object's JSON, as
// Docker's inspect does: users' templates name JSON keys ({{.HostConfig.CpuShares}}),
// which are not always the Go field names.
func writeInspect(w io.Writer, format string, objs []any) error {
	if format == "" || formatter.IsJSON(format) {
		return formatter.Inspect(w, format, objs)
	}
	for _, obj := range objs {
		var buf bytes.Buffer
		if err := formatter.Object(&buf, format, obj); err != nil {
			raw, rerr := asJSONValue(obj)
			if rerr != nil {
				return err
			}
			buf.Reset()
			if err := formatter.Object(&buf, format, raw); err != nil {
				return err
			}
		}
		if _, err := buf.WriteTo(w); err != nil {
			return err
		}
	}
	return nil
}

// asJSONValue is v as its JSON decodes, numbers kept as written.
func asJSONValue(v any) (any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out any
	err = dec.Decode(&out)
	return out, err
}

// inspectOne finds q as a container, then, unless the type says container,
// as an image.
func inspectOne(ctx context.Context, c *client.Client, cfg *config.Config, store *containerutil.Store, q string, o InspectOptions) (any, error) {
	ctr, err := containerutil.Resolve(ctx, c, store, q)
	if err == nil {
		var r *ctrRecord
		if r, err = loadRecord(ctx, c, store, ctr); err == nil {
			obj := inspectObject(cfg, store, r)
			if r.state.Running {
				obj.ExecIDs = runningExecIDs(ctx, c, r.info.ID)
			}
			if o.Size {
				newDiskSizer(c).measure(ctx, r)
				obj.SizeRw, obj.SizeRootFs = &r.sizeRw, &r.sizeRootFs
			}
			return obj, nil
		}
	}
	if !errdefs.IsNotFound(err) || o.Type == "container" {
		if errdefs.IsNotFound(err) {
			return nil, &containerutil.NotFoundError{Query: q}
		}
		return nil, err
	}
	obj, err := inspectImage(ctx, cfg, q, o.Format)
	if errdefs.IsNotFound(err) {
		return nil, fmt.Errorf("No such object: %s", q)
	}
	return obj, err
}

// inspectImage gets one image's inspect object from the image commands:
// as raw JSON, which keeps its key order, for JSON output, and decoded for
// a template.
func inspectImage(ctx context.Context, cfg *config.Config, ref, format string) (any, error) {
	var buf bytes.Buffer
	if err := image.Inspect(ctx, cfg, &buf, image.InspectOptions{Images: []string{ref}}); err != nil {
		return nil, err
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &raws); err != nil || len(raws) != 1 {
		return nil, fmt.Errorf("reading the inspect output of image %s: %v", ref, err)
	}
	if format == "" || formatter.IsJSON(format) {
		return raws[0], nil
	}
	return asJSONValue(raws[0])
}

// inspectObject builds Docker's inspect object of one container from what
// was read already; the exec IDs and sizes need more calls.
func inspectObject(cfg *config.Config, store *containerutil.Store, r *ctrRecord) *containerInspect {
	id := r.info.ID
	path, args := r.pathArgs()
	restarts, _ := strconv.Atoi(r.info.Labels[containerutil.RestartCountLabel])
	obj := &containerInspect{
		Id: id, Created: r.created().Format(time.RFC3339Nano), Path: path, Args: args,
		State: inspectStateOf(r.state), Image: r.meta.Image,
		ResolvConfPath: pathIfExists(filepath.Join(store.ContainerDir(id), "resolv.conf")),
		HostnamePath:   pathIfExists(filepath.Join(store.ContainerDir(id), "hostname")),
		HostsPath:      pathIfExists(filepath.Join(store.ContainerDir(id), "hosts")),
		LogPath:        pathIfExists(logging.LogPath(cfg.DataRoot, cfg.Namespace, id)),
		Name:           "/" + r.name(), RestartCount: restarts,
		Driver: r.info.Snapshotter, Platform: "linux",
		HostConfig:  r.meta.HostConfig,
		GraphDriver: graphDriver{Name: r.info.Snapshotter},
		Mounts:      mountPointsOf(r.meta),
		Config:      r.meta.Config,
		NetworkSettings: networkSettings{
			Ports: map[string]any{}, Networks: map[string]any{},
		},
	}
	fillNetworkSettings(&obj.NetworkSettings, store, r)
	return obj
}

func inspectStateOf(s State) inspectState {
	return inspectState{
		Status: s.Status, Running: s.Running, Paused: s.Paused, Restarting: s.Restarting,
		OOMKilled: s.OOMKilled, Dead: s.Dead, Pid: s.Pid, ExitCode: s.ExitCode, Error: s.Error,
		StartedAt: s.StartedAt.UTC().Format(time.RFC3339Nano), FinishedAt: s.FinishedAt.UTC().Format(time.RFC3339Nano),
		Health: s.Health,
	}
}

// runningExecIDs lists the IDs of the processes exec'd in the container that are
// still there; nil (Docker's null) when there are none.
func runningExecIDs(ctx context.Context, c *client.Client, id string) []string {
	resp, err := c.TaskService().ListPids(ctx, &tasks.ListPidsRequest{ContainerID: id})
	if err != nil {
		return nil
	}
	var ids []string
	for _, p := range resp.Processes {
		if p.Info == nil {
			continue
		}
		v, err := typeurl.UnmarshalAny(p.Info)
		if err != nil {
			continue
		}
		if d, ok := v.(*options.ProcessDetails); ok && d.ExecID != "" {
			ids = append(ids, d.ExecID)
		}
	}
	return ids
}

// pathIfExists returns path when the file exists, else "" as Docker shows a
// path not made yet (a container never started has no log).
func pathIfExists(path string) string {
	if _, err := os.Stat(path); err != nil {
		return ""
	}
	return path
}
