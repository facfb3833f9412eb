package image

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"time"

	"github.com/containerd/containerd/v2/core/content"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/formatter"
)

// InspectOptions are the flags and arguments of `image inspect`.
type InspectOptions struct {
	// Format is a Go template or "json"; empty prints a JSON array.
	Format string
	// Images are names or IDs.
	Images []string
}

// imageInspect is Docker's image inspect object. Fields carry the JSON key
// as their name (Id, not ID) because users' templates use the JSON keys.
type imageInspect struct {
	Id            string
	RepoTags      []string
	RepoDigests   []string
	Parent        string
	Comment       string
	Created       string `json:",omitempty"`
	DockerVersion string
	Author        string
	Config        inspectConfig
	Architecture  string
	Variant       string `json:",omitempty"`
	Os            string
	OsVersion     string `json:",omitempty"`
	Size          int64
	GraphDriver   inspectDriver
	RootFS        inspectRootFS
	Metadata      inspectMetadata
}

// inspectConfig is Docker's container config as image inspect shows it.
// It is decoded from the image config itself, which holds Docker's extra
// keys (Healthcheck, OnBuild, Shell) that the OCI struct lacks.
type inspectConfig struct {
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
	Healthcheck  json.RawMessage `json:",omitempty"`
	ArgsEscaped  bool            `json:",omitempty"`
	Image        string
	Volumes      map[string]struct{}
	WorkingDir   string
	Entrypoint   []string
	OnBuild      []string
	Labels       map[string]string
	StopSignal   string   `json:",omitempty"`
	Shell        []string `json:",omitempty"`
}

type inspectDriver struct {
	Data map[string]string
	Name string
}

type inspectRootFS struct {
	Type   string
	Layers []string
}

type inspectMetadata struct {
	LastTagTime string
}

// Inspect prints images as `docker image inspect` does. The images found
// are printed even when some are not; those fail the command.
func Inspect(ctx context.Context, cfg *config.Config, w io.Writer, o InspectOptions) error {
	ctx, st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.close()
	var objs []any
	var errs []error
	for _, ref := range o.Images {
		img, _, err := st.lookup(ref)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		obj, err := st.inspect(ctx, img)
		if err != nil {
			return err
		}
		objs = append(objs, obj)
	}
	if err := formatter.Inspect(w, o.Format, objs); err != nil {
		return err
	}
	return errors.Join(errs...)
}

// inspect builds the inspect object of img from all names of its image.
func (st *localStore) inspect(ctx context.Context, img *localImage) (*imageInspect, error) {
	var sum imageSummary
	lastTag := img.rec.UpdatedAt
	for _, n := range st.namesOf(img.id) {
		sum.addName(n.rec.Name, n.rec.Target.Digest)
		if n.rec.UpdatedAt.After(lastTag) {
			lastTag = n.rec.UpdatedAt
		}
	}
	obj := &imageInspect{
		Id: img.id.String(), RepoTags: storeNonNil(sum.repoTags), RepoDigests: storeNonNil(sum.repoDigests),
		Author:       img.config.Author,
		Architecture: img.config.Architecture, Variant: img.config.Variant, Os: img.config.OS, OsVersion: img.config.OSVersion,
		Size:        st.size(ctx, img),
		GraphDriver: inspectDriver{Name: st.snapshotter},
		RootFS:      inspectRootFS{Type: img.config.RootFS.Type, Layers: []string{}},
		Metadata:    inspectMetadata{LastTagTime: lastTag.UTC().Format(time.RFC3339Nano)},
	}
	if !img.created().IsZero() {
		obj.Created = img.created().UTC().Format(time.RFC3339Nano)
	}
	for _, d := range img.config.RootFS.DiffIDs {
		obj.RootFS.Layers = append(obj.RootFS.Layers, d.String())
	}
	if img.readable {
		var raw struct {
			Config        inspectConfig `json:"config"`
			DockerVersion string        `json:"docker_version"`
			Comment       string        `json:"comment"`
		}
		b, err := content.ReadBlob(ctx, st.cs, img.manifest.Config)
		if err == nil && json.Unmarshal(b, &raw) == nil {
			obj.Config, obj.DockerVersion, obj.Comment = raw.Config, raw.DockerVersion, raw.Comment
		}
	}
	return obj, nil
}

func storeNonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
