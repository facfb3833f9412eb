package imgutil

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/streaming"
	streamproxy "github.com/containerd/containerd/v2/core/streaming/proxy"
	"github.com/containerd/containerd/v2/core/transfer"
	"github.com/containerd/containerd/v2/core/transfer/proxy"
	"github.com/containerd/typeurl/v2"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// drainWait bounds the wait for the progress stream's end after the
// transfer returned. The engine closes the stream as the transfer ends, so
// the wait is normally the few microseconds its last messages take.
const drainWait = 2 * time.Second

// Transfer runs one transfer (a pull or a push) through the engine's
// transfer service, feeding this display, and returns once the display is
// final. It does what client.Transfer does, with one addition: it learns
// when the progress stream ends. The engine sends its last events (the
// final state of every layer) just before the transfer call returns, on
// another stream, and client.Transfer gives no way to wait for them.
func (p *Progress) Transfer(ctx context.Context, c *client.Client, src, dst any) error {
	ctx, done, err := c.WithLease(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = done(ctx) }()
	if p.dir == Pull && p.mode != ProgressQuiet {
		p.mu.Lock()
		p.lister = &layerLister{ctx: ctx, cs: c.ContentStore(), p: p, seen: map[digest.Digest]bool{}}
		p.mu.Unlock()
	}
	sc := &endStreamCreator{StreamCreator: streamproxy.NewStreamCreator(c.Conn()), ended: make(chan struct{})}
	err = proxy.NewTransferrer(c.Conn(), sc).Transfer(ctx, src, dst, transfer.WithProgress(p.Handle))
	if err == nil {
		t := time.NewTimer(drainWait)
		select {
		case <-sc.ended:
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
		p.lister.wait()
	}
	p.finish(err == nil)
	return err
}

// endStreamCreator wraps the progress stream so that its end is seen.
type endStreamCreator struct {
	streaming.StreamCreator
	ended chan struct{}
	once  sync.Once
}

func (s *endStreamCreator) Create(ctx context.Context, id string) (streaming.Stream, error) {
	st, err := s.StreamCreator.Create(ctx, id)
	// Only the progress stream: the credentials stream has its own life.
	if err != nil || !strings.HasPrefix(id, "progress-") {
		return st, err
	}
	return &endStream{Stream: st, end: func() { s.once.Do(func() { close(s.ended) }) }}, nil
}

// endStream reports the first failed Recv (io.EOF once the engine closed
// it). The transfer proxy handles each message before it calls Recv again,
// so by then every event has reached the display.
type endStream struct {
	streaming.Stream
	end func()
}

func (e *endStream) Recv() (typeurl.Any, error) {
	a, err := e.Stream.Recv()
	if err != nil {
		e.end()
	}
	return a, err
}

// layerLister reads the manifests being pulled from the engine's content
// store, while the pull runs, to learn their layers. It starts when the
// first config of a manifest is announced: the manifest is stored by then.
type layerLister struct {
	ctx  context.Context
	cs   content.Store
	p    *Progress
	wg   sync.WaitGroup
	mu   sync.Mutex
	seen map[digest.Digest]bool
}

// manifestsOf starts reading the manifests among parents, the ref keys
// ("manifest-sha256:...") of a config event. Called with p.mu held.
func (l *layerLister) manifestsOf(parents []string) {
	if l == nil {
		return
	}
	for _, key := range parents {
		kind, ref, ok := strings.Cut(key, "-")
		d, err := digest.Parse(ref)
		if !ok || kind != "manifest" || err != nil {
			continue
		}
		l.mu.Lock()
		if l.seen[d] {
			l.mu.Unlock()
			continue
		}
		l.seen[d] = true
		l.wg.Add(1)
		l.mu.Unlock()
		go func() {
			defer l.wg.Done()
			if layers, err := l.read(d); err == nil {
				l.p.addLayers(layers)
			}
		}()
	}
}

func (l *layerLister) read(d digest.Digest) ([]ocispec.Descriptor, error) {
	info, err := l.cs.Info(l.ctx, d)
	if err != nil {
		return nil, err
	}
	data, err := content.ReadBlob(l.ctx, l.cs, ocispec.Descriptor{Digest: d, Size: info.Size})
	if err != nil {
		return nil, err
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	return m.Layers, nil
}

// wait waits for the reads, which normally ended long before the pull.
func (l *layerLister) wait() {
	if l != nil {
		l.wg.Wait()
	}
}
