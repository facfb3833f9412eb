package server

import (
	"context"
	"path/filepath"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/events"
	"github.com/containerd/log"
	"github.com/containerd/typeurl/v2"

	berthevents "github.com/berth-project/berth/pkg/events"
)

// objectsInterval is how often the volumes and networks are looked at
// besides when their directories change: berth makes and removes them
// without the engine, so no engine event tells of them.
const objectsInterval = time.Second

// eventRecorder keeps the engine's event log (pkg/events): containerd
// streams its events but keeps none, while `berth events --since` replays
// Docker's events from before the command started. It runs in the engine
// so that what happens while no CLI listens is recorded too.
type eventRecorder struct {
	log     *berthevents.Log
	src     *berthevents.EngineSource
	mapper  *berthevents.Mapper
	objects *berthevents.Objects
	// watch prompts a scan when a volume or network is made or removed.
	watch *dirWatch
}

// startEventLog records the engine's events until the returned stop is
// called. A log that cannot be opened only costs the history.
func (s *supervisor) startEventLog(ctx context.Context, c *client.Client) (stop func()) {
	l, err := berthevents.OpenLog(berthevents.LogPath(s.d.RunDir()), 0)
	if err != nil {
		log.G(ctx).WithError(err).Warn("berth supervisor: no event log, `berth events --since` replays nothing")
		return func() {}
	}
	r := &eventRecorder{log: l, src: &berthevents.EngineSource{Client: c, DataRoot: s.dataRoot, Net: s.net}}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			r.follow(ctx)
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
		}
	}()
	return func() {
		cancel()
		<-done
		_ = l.Close()
	}
}

// follow records the events of one subscription, until it breaks. What
// exists is learnt afresh at each subscription, so that the events that
// follow carry the attributes of what they are about; events that happen
// while no subscription is up are not recorded.
func (r *eventRecorder) follow(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	evC, errC := r.src.Client.Subscribe(ctx, `topic~="^/containers/"`, `topic~="^/tasks/"`, `topic~="^/images/"`)
	r.mapper = berthevents.NewMapper(r.src)
	if err := r.src.Know(ctx, r.mapper); err != nil && ctx.Err() == nil {
		log.G(ctx).WithError(err).Warn("berth supervisor: listing what the events are about")
	}
	var changed chan struct{}
	if w, err := newDirWatch(); err == nil {
		defer w.close()
		r.watch, changed = w, w.C
	} else {
		log.G(ctx).WithError(err).Warn("berth supervisor: volumes and networks are looked at every second only")
	}
	r.scan(ctx, time.Now())
	tick := time.NewTicker(objectsInterval)
	defer tick.Stop()
	for {
		select {
		case env := <-evC:
			r.record(ctx, env)
		case err := <-errC:
			if err != nil && ctx.Err() == nil {
				log.G(ctx).WithError(err).Warn("berth supervisor: event stream for the event log ended")
			}
			return
		case <-changed:
			r.scan(ctx, time.Now())
		case <-tick.C:
			r.scan(ctx, time.Now())
		case <-ctx.Done():
			return
		}
	}
}

func (r *eventRecorder) record(ctx context.Context, env *events.Envelope) {
	if env == nil || env.Event == nil {
		return
	}
	ev, err := typeurl.UnmarshalAny(env.Event)
	if err != nil {
		return
	}
	switch env.Topic {
	case "/containers/create", "/tasks/start":
		// A volume or network made for this container is reported first,
		// as Docker reports it, and dated no later than the container.
		r.scan(ctx, env.Timestamp)
	}
	msgs := r.mapper.Map(ctx, env.Namespace, env.Timestamp, ev)
	if err := r.log.Append(env.Namespace, msgs...); err != nil {
		log.G(ctx).WithError(err).Warn("berth supervisor: writing the event log")
	}
}

// scan records the volumes and networks made or removed since the last
// scan, dated at. The first scan only learns what exists.
func (r *eventRecorder) scan(ctx context.Context, at time.Time) {
	if r.watch != nil {
		// Namespaces, stores and volumes made since the last scan are
		// watched too: a volume counts once its metadata is written in
		// its own directory.
		root := r.src.DataRoot
		r.watch.add(root, filepath.Join(root, "*"), filepath.Join(root, "*", "volumes"),
			filepath.Join(root, "*", "volumes", "*"), filepath.Dir(r.src.Net.ConfDir), r.src.Net.ConfDir)
	}
	now, err := berthevents.ScanObjects(r.src.DataRoot, r.src.Net)
	if err != nil {
		return
	}
	if r.objects != nil {
		for _, rec := range berthevents.Diff(*r.objects, now, at) {
			if err := r.log.Append(rec.Namespace, rec.Event); err != nil {
				log.G(ctx).WithError(err).Warn("berth supervisor: writing the event log")
			}
		}
	}
	r.objects = &now
}
