package events

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	apievents "github.com/containerd/containerd/api/events"
)

// fakeSource is the engine as a test sets it.
type fakeSource struct {
	containers map[string]ContainerInfo
	images     map[string]ImageInfo
}

func (f *fakeSource) Container(_ context.Context, ns, id string) (ContainerInfo, error) {
	if c, ok := f.containers[ns+"/"+id]; ok {
		return c, nil
	}
	return ContainerInfo{}, errors.New("not found")
}

func (f *fakeSource) Image(_ context.Context, ns, name string) (ImageInfo, error) {
	if i, ok := f.images[ns+"/"+name]; ok {
		return i, nil
	}
	return ImageInfo{}, errors.New("not found")
}

// line is an event as the tests compare it: type, action, actor and the
// attributes in order.
func line(m Message) string {
	var b strings.Builder
	_ = Pretty(&b, Message{Type: m.Type, Action: m.Action, Actor: m.Actor})
	return strings.TrimSuffix(b.String(), "\n")
}

func TestMapContainerLife(t *testing.T) {
	src := &fakeSource{containers: map[string]ContainerInfo{}, images: map[string]ImageInfo{}}
	m := NewMapper(src)
	ctx := context.Background()
	t0 := time.Unix(1700000000, 0)
	// At create berth has not written the mounts yet: they are read again
	// at start.
	src.containers["default/c1"] = ContainerInfo{Name: "web", Image: "busybox", Labels: map[string]string{"stage": "test"}}
	var got []string
	add := func(at time.Time, ev any) {
		for _, msg := range m.Map(ctx, "default", at, ev) {
			got = append(got, line(msg))
		}
	}
	add(t0, &apievents.ContainerCreate{ID: "c1", Image: "docker.io/library/busybox:latest"})
	src.containers["default/c1"] = ContainerInfo{Name: "web", Image: "busybox", Labels: map[string]string{"stage": "test"},
		Volumes:  []VolumeMount{{Name: "data", Destination: "/data", Driver: "local", RW: true}},
		Networks: []NetworkRef{{ID: "n1id", Name: "n1", Driver: "bridge"}}}
	add(t0.Add(time.Second), &apievents.TaskStart{ContainerID: "c1", Pid: 42})
	add(t0.Add(2*time.Second), &apievents.TaskPaused{ContainerID: "c1"})
	add(t0.Add(2*time.Second), &apievents.TaskResumed{ContainerID: "c1"})
	add(t0.Add(3*time.Second), &apievents.TaskExit{ContainerID: "c1", ID: "exec1", ExitStatus: 1})
	add(t0.Add(5*time.Second), &apievents.TaskExit{ContainerID: "c1", ID: "c1", ExitStatus: 137})
	add(t0.Add(5*time.Second), &apievents.TaskDelete{ContainerID: "c1"})
	src.containers["default/c1"] = ContainerInfo{Name: "db", Image: "busybox"}
	add(t0.Add(6*time.Second), &apievents.ContainerUpdate{ID: "c1"})
	delete(src.containers, "default/c1") // the engine's record goes first
	add(t0.Add(7*time.Second), &apievents.ContainerDelete{ID: "c1"})
	want := []string{
		"container create c1 (image=busybox, name=web, stage=test)",
		"network connect n1id (container=c1, name=n1, type=bridge)",
		"volume mount data (container=c1, destination=/data, driver=local, propagation=, read/write=true)",
		"container start c1 (image=busybox, name=web, stage=test)",
		"container pause c1 (image=busybox, name=web, stage=test)",
		"container unpause c1 (image=busybox, name=web, stage=test)",
		"container die c1 (execDuration=4, exitCode=137, image=busybox, name=web, stage=test)",
		"network disconnect n1id (container=c1, name=n1, type=bridge)",
		"volume unmount data (container=c1, driver=local)",
		"container rename c1 (image=busybox, name=db, oldName=/web)",
		"container destroy c1 (image=busybox, name=db)",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestMapUnknownContainer(t *testing.T) {
	// A container the mapper never saw, already gone: its events still
	// come, with the image containerd recorded.
	m := NewMapper(&fakeSource{})
	got := m.Map(context.Background(), "default", time.Unix(1, 0), &apievents.ContainerCreate{ID: "c9", Image: "docker.io/library/alpine:3.20"})
	if len(got) != 1 || line(got[0]) != "container create c9 (image=alpine:3.20, name=)" {
		t.Fatalf("got %v", got)
	}
	if got := m.Map(context.Background(), "default", time.Unix(1, 0), &apievents.SnapshotPrepare{Key: "x"}); got != nil {
		t.Fatalf("an event Docker has no counterpart of: %v", got)
	}
}

func TestMapImages(t *testing.T) {
	src := &fakeSource{images: map[string]ImageInfo{}}
	m := NewMapper(src)
	ctx := context.Background()
	m.KnowImage("default", "docker.io/library/old:1", ImageInfo{ID: "sha256:old", Target: "sha256:t0"})
	var got []string
	add := func(ev any) {
		for _, msg := range m.Map(ctx, "default", time.Unix(1, 0), ev) {
			got = append(got, line(msg))
		}
	}
	busybox := ImageInfo{ID: "sha256:cfg1", Target: "sha256:t1", Labels: map[string]string{"maintainer": "me"}}
	src.images["default/docker.io/library/busybox:latest"] = busybox
	add(&apievents.ImageCreate{Name: "docker.io/library/busybox:latest"})
	src.images["default/docker.io/library/web:v1"] = busybox
	add(&apievents.ImageCreate{Name: "docker.io/library/web:v1"})
	// rmi of a used image keeps it under berth's dangling name.
	src.images["default/"+DanglingPrefix+"sha256:t1"] = busybox
	add(&apievents.ImageCreate{Name: DanglingPrefix + "sha256:t1"})
	add(&apievents.ImageDelete{Name: "docker.io/library/web:v1"})
	add(&apievents.ImageDelete{Name: "docker.io/library/busybox:latest"})
	add(&apievents.ImageDelete{Name: DanglingPrefix + "sha256:t1"})
	add(&apievents.ImageDelete{Name: "docker.io/library/old:1"})
	add(&apievents.ImageDelete{Name: "docker.io/library/never-seen:1"})
	want := []string{
		"image pull busybox:latest (maintainer=me, name=busybox)",
		"image tag sha256:cfg1 (maintainer=me, name=web:v1)",
		"image untag sha256:cfg1 (maintainer=me, name=sha256:cfg1)",
		"image untag sha256:cfg1 (maintainer=me, name=sha256:cfg1)",
		"image delete sha256:cfg1 (name=sha256:cfg1)",
		"image untag sha256:old (name=sha256:old)",
		"image delete sha256:old (name=sha256:old)",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestDiff(t *testing.T) {
	at := time.Unix(1700000000, 0)
	before := Objects{
		Volumes:  map[string]map[string]string{"default": {"a": "local", "b": "local"}},
		Networks: map[string]NetworkRef{"id1": {ID: "id1", Name: "n1", Driver: "bridge"}},
	}
	after := Objects{
		Volumes:  map[string]map[string]string{"default": {"b": "local"}, "other": {"c": "local"}},
		Networks: map[string]NetworkRef{"id2": {ID: "id2", Name: "n2", Driver: "macvlan"}},
	}
	var got []string
	for _, r := range Diff(before, after, at) {
		got = append(got, r.Namespace+": "+line(r.Event))
	}
	want := []string{
		"default: volume destroy a (driver=local)",
		": network destroy id1 (name=n1, type=bridge)",
		"other: volume create c (driver=local)",
		": network create id2 (name=n2, type=macvlan)",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("diff:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(Diff(after, after, at)) != 0 {
		t.Fatal("no change made events")
	}
}
