package events

import (
	"context"
	"strconv"
	"strings"
	"time"

	apievents "github.com/containerd/containerd/api/events"
	"github.com/distribution/reference"
)

// ContainerInfo is what a container's events say about it.
type ContainerInfo struct {
	Name string
	// Image is the image as the user named it at create.
	Image string
	// Labels are the user's labels, which Docker puts in the attributes.
	Labels   map[string]string
	Volumes  []VolumeMount
	Networks []NetworkRef
}

// VolumeMount is a volume a container mounts.
type VolumeMount struct {
	Name, Destination, Driver, Propagation string
	RW                                     bool
}

// NetworkRef is a network a container joins.
type NetworkRef struct{ ID, Name, Driver string }

// ImageInfo is what an image's events say about one of its names.
type ImageInfo struct {
	// ID is Docker's image ID (the config digest); Target the digest the
	// name points at.
	ID, Target string
	Labels     map[string]string
}

// Source looks up containers and image names in the engine and berth's
// stores as they are now.
type Source interface {
	Container(ctx context.Context, ns, id string) (ContainerInfo, error)
	Image(ctx context.Context, ns, name string) (ImageInfo, error)
}

// DanglingPrefix names the records berth keeps for untagged images (see
// pkg/cmd/image): they are not names a user gave, so they make no event.
const DanglingPrefix = "berth-dangling@"

// Mapper turns containerd's events into Docker's. It remembers what it
// learnt of each container and image name, so that the events of a removed
// object still carry its name and image, which the engine no longer has.
// It is used from one goroutine.
type Mapper struct {
	src        Source
	containers map[string]*containerState
	images     map[string]ImageInfo
}

type containerState struct {
	info    ContainerInfo
	started time.Time
}

// NewMapper returns a mapper that looks things up in src.
func NewMapper(src Source) *Mapper {
	return &Mapper{src: src, containers: map[string]*containerState{}, images: map[string]ImageInfo{}}
}

// KnowContainer records what exists before the first event, so that its
// later events carry its attributes.
func (m *Mapper) KnowContainer(ns, id string, info ContainerInfo, started time.Time) {
	m.containers[ns+"/"+id] = &containerState{info: info, started: started}
}

// KnowImage records an image name that exists before the first event.
func (m *Mapper) KnowImage(ns, name string, info ImageInfo) { m.images[ns+"/"+name] = info }

// Map returns Docker's events for one containerd event of namespace ns
// that happened at at; none for the events Docker has no counterpart of.
func (m *Mapper) Map(ctx context.Context, ns string, at time.Time, ev any) []Message {
	switch e := ev.(type) {
	case *apievents.ContainerCreate:
		st := m.lookup(ctx, ns, e.ID)
		if st.info.Image == "" {
			st.info.Image = familiar(e.Image)
		}
		return []Message{m.container(st, e.ID, "create", nil, at)}
	case *apievents.ContainerUpdate:
		return m.update(ctx, ns, e, at)
	case *apievents.ContainerDelete:
		st := m.cached(ctx, ns, e.ID)
		delete(m.containers, ns+"/"+e.ID)
		return []Message{m.container(st, e.ID, "destroy", nil, at)}
	case *apievents.TaskStart:
		// The container's mounts and networks are final once it starts.
		st := m.lookup(ctx, ns, e.ContainerID)
		st.started = at
		out := mountEvents(st, e.ContainerID, "mount", at)
		return append(out, m.container(st, e.ContainerID, "start", nil, at))
	case *apievents.TaskExit:
		if e.ID != e.ContainerID {
			return nil // an exec'd process: a health check's, or exec's
		}
		st := m.cached(ctx, ns, e.ContainerID)
		attrs := map[string]string{"exitCode": strconv.Itoa(int(e.ExitStatus))}
		if !st.started.IsZero() {
			attrs["execDuration"] = strconv.Itoa(int(at.Sub(st.started).Seconds()))
		}
		out := []Message{m.container(st, e.ContainerID, "die", attrs, at)}
		return append(out, mountEvents(st, e.ContainerID, "unmount", at)...)
	case *apievents.TaskPaused:
		return []Message{m.container(m.cached(ctx, ns, e.ContainerID), e.ContainerID, "pause", nil, at)}
	case *apievents.TaskResumed:
		return []Message{m.container(m.cached(ctx, ns, e.ContainerID), e.ContainerID, "unpause", nil, at)}
	case *apievents.TaskOOM:
		return []Message{m.container(m.cached(ctx, ns, e.ContainerID), e.ContainerID, "oom", nil, at)}
	case *apievents.ImageCreate:
		return m.imageNamed(ctx, ns, e.Name, at)
	case *apievents.ImageUpdate:
		return m.imageNamed(ctx, ns, e.Name, at)
	case *apievents.ImageDelete:
		return m.imageDeleted(ns, e.Name, at)
	}
	return nil
}

// lookup reads a container afresh, keeping what was known when the
// lookup fails (it is being removed).
func (m *Mapper) lookup(ctx context.Context, ns, id string) *containerState {
	key := ns + "/" + id
	st := m.containers[key]
	if st == nil {
		st = &containerState{}
		m.containers[key] = st
	}
	if info, err := m.src.Container(ctx, ns, id); err == nil {
		st.info = info
	}
	return st
}

// cached is what is known of a container, looked up when nothing is.
func (m *Mapper) cached(ctx context.Context, ns, id string) *containerState {
	if st := m.containers[ns+"/"+id]; st != nil {
		return st
	}
	return m.lookup(ctx, ns, id)
}

// update reports a rename, the one container update Docker has an event
// for; the others (labels berth keeps) say nothing.
func (m *Mapper) update(ctx context.Context, ns string, e *apievents.ContainerUpdate, at time.Time) []Message {
	old := ""
	if st := m.containers[ns+"/"+e.ID]; st != nil {
		old = st.info.Name
	}
	st := m.lookup(ctx, ns, e.ID)
	if old == "" || st.info.Name == "" || old == st.info.Name {
		return nil
	}
	return []Message{m.container(st, e.ID, "rename", map[string]string{"oldName": "/" + old}, at)}
}

// container builds a container event: Docker's attributes are the
// container's labels, its image and name, and the event's own.
func (m *Mapper) container(st *containerState, id, action string, extra map[string]string, at time.Time) Message {
	attrs := map[string]string{}
	for k, v := range st.info.Labels {
		attrs[k] = v
	}
	attrs["image"], attrs["name"] = st.info.Image, st.info.Name
	for k, v := range extra {
		attrs[k] = v
	}
	return New(TypeContainer, action, id, attrs, at)
}

// mountEvents are the volume (un)mount and network (dis)connect events of
// a container's start ("mount") and stop ("unmount").
func mountEvents(st *containerState, id, how string, at time.Time) []Message {
	var out []Message
	netAction := "connect"
	if how == "unmount" {
		netAction = "disconnect"
	}
	for _, n := range st.info.Networks {
		out = append(out, New(TypeNetwork, netAction, n.ID,
			map[string]string{"container": id, "name": n.Name, "type": n.Driver}, at))
	}
	for _, v := range st.info.Volumes {
		attrs := map[string]string{"container": id, "driver": v.Driver}
		if how == "mount" {
			attrs["destination"], attrs["propagation"] = v.Destination, v.Propagation
			attrs["read/write"] = strconv.FormatBool(v.RW)
		}
		out = append(out, New(TypeVolume, how, v.Name, attrs, at))
	}
	return out
}

// imageNamed reports a name given to an image: "tag" when another name
// already holds the image, else "pull" (containerd cannot tell a pull
// from a load or an import).
func (m *Mapper) imageNamed(ctx context.Context, ns, name string, at time.Time) []Message {
	info, err := m.src.Image(ctx, ns, name)
	if err != nil {
		return nil
	}
	held := m.heldElsewhere(ns, name, info)
	m.images[ns+"/"+name] = info
	if strings.HasPrefix(name, DanglingPrefix) {
		return nil
	}
	attrs := copyLabels(info.Labels)
	if held {
		attrs["name"] = familiar(name)
		return []Message{New(TypeImage, "tag", info.ID, attrs, at)}
	}
	ref, err := reference.ParseNormalizedNamed(name)
	if err != nil {
		attrs["name"] = name
		return []Message{New(TypeImage, "pull", name, attrs, at)}
	}
	attrs["name"] = reference.FamiliarName(ref)
	return []Message{New(TypeImage, "pull", reference.FamiliarString(ref), attrs, at)}
}

// heldElsewhere reports whether a name other than name holds the image.
func (m *Mapper) heldElsewhere(ns, name string, info ImageInfo) bool {
	for key, other := range m.images {
		n, ok := strings.CutPrefix(key, ns+"/")
		if ok && n != name && (other.ID == info.ID || other.Target == info.Target) {
			return true
		}
	}
	return false
}

// imageDeleted reports a removed name as Docker's rmi does: "untag" for
// the name, and "delete" when it was the image's last.
func (m *Mapper) imageDeleted(ns, name string, at time.Time) []Message {
	key := ns + "/" + name
	info, ok := m.images[key]
	if !ok {
		return nil // never known: nothing to say what it was
	}
	delete(m.images, key)
	var out []Message
	if !strings.HasPrefix(name, DanglingPrefix) {
		attrs := copyLabels(info.Labels)
		attrs["name"] = info.ID
		out = append(out, New(TypeImage, "untag", info.ID, attrs, at))
	}
	if !m.heldElsewhere(ns, name, info) {
		// Docker's image is gone by then, and its labels with it.
		out = append(out, New(TypeImage, "delete", info.ID, map[string]string{"name": info.ID}, at))
	}
	return out
}

func copyLabels(labels map[string]string) map[string]string {
	out := make(map[string]string, len(labels)+1)
	for k, v := range labels {
		out[k] = v
	}
	return out
}

// familiar shortens an image name as Docker shows it (busybox:latest).
func familiar(name string) string {
	ref, err := reference.ParseNormalizedNamed(name)
	if err != nil {
		return name
	}
	return reference.FamiliarString(ref)
}
