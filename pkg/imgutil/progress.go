// Package imgutil holds image operations shared by several commands: the
// progress display of pulls and pushes, conversion, encryption.
package imgutil

import (
	"io"
	"sync"

	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/containerd/v2/core/transfer"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// ProgressMode says how progress is shown.
type ProgressMode int

const (
	// ProgressTTY redraws one line per layer in place, with bars.
	ProgressTTY ProgressMode = iota
	// ProgressPlain prints a line per change of a layer's state, and no
	// bars: what docker prints when stdout is a file or a pipe.
	ProgressPlain
	// ProgressQuiet prints nothing.
	ProgressQuiet
)

// Direction tells a pull's words from a push's.
type Direction int

const (
	// Pull shows "Downloading", "Extracting", "Pull complete".
	Pull Direction = iota
	// Push shows "Preparing", "Pushing", "Pushed".
	Push
)

// layer is one line of the display.
type layer struct {
	id      string // the first 12 hex digits of the digest, as docker shows
	row     int    // line number in TTY mode, from the top of the block
	drawn   bool   // whether its row was printed yet, on a terminal
	step    step
	current int64
	total   int64
}

// step is a state of a layer as docker words it. rank orders the states, so
// that a late event never moves a line backwards.
type step struct {
	status string
	rank   int
	final  bool
	bar    bool
}

var (
	stepPulling    = step{status: "Pulling fs layer"}
	stepDownload   = step{status: "Downloading", rank: 1, bar: true}
	stepDownloaded = step{status: "Download complete", rank: 2}
	stepExtract    = step{status: "Extracting", rank: 3, bar: true}
	stepPulled     = step{status: "Pull complete", rank: 4, final: true}
	stepExists     = step{status: "Already exists", rank: 5, final: true}
	stepPreparing  = step{status: "Preparing"}
	stepPushing    = step{status: "Pushing", rank: 1, bar: true}
	stepPushed     = step{status: "Pushed", rank: 4, final: true}
	stepPushExists = step{status: "Layer already exists", rank: 5, final: true}
)

// Progress turns the transfer service's progress events into docker's
// per-layer display. Events arrive on the transfer's stream goroutine while
// the command's goroutine finishes the display, hence the lock.
type Progress struct {
	mu     sync.Mutex
	w      io.Writer
	mode   ProgressMode
	dir    Direction
	width  int
	unpack bool

	layers   map[digest.Digest]*layer
	rows     int
	root     *ocispec.Descriptor
	existing digest.Digest
	hidden   bool
	finished bool

	// lister finds the layers of a manifest that send no events of their
	// own; nil until a transfer runs (see progress_transfer.go).
	lister *layerLister
}

// ProgressOpt changes a Progress made by NewProgress.
type ProgressOpt func(*Progress)

// WithWidth sets the terminal width, which decides the size of the bars.
func WithWidth(w int) ProgressOpt { return func(p *Progress) { p.width = w } }

// WithUnpack says a pull unpacks its layers, so a layer is complete only
// once extracted.
func WithUnpack(unpack bool) ProgressOpt { return func(p *Progress) { p.unpack = unpack } }

// WithExisting gives the digest the image had before a pull. If the
// registry resolves to the same one the image is up to date, and, as docker
// does, no layer lines are shown.
func WithExisting(d digest.Digest) ProgressOpt { return func(p *Progress) { p.existing = d } }

// NewProgress returns a display writing to w.
func NewProgress(w io.Writer, mode ProgressMode, dir Direction, opts ...ProgressOpt) *Progress {
	p := &Progress{w: w, mode: mode, dir: dir, layers: map[digest.Digest]*layer{}, unpack: true}
	for _, o := range opts {
		o(p)
	}
	return p
}

// Handle is the transfer.ProgressFunc of the display.
func (p *Progress) Handle(ev transfer.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished || ev.Desc == nil {
		return
	}
	switch ev.Event {
	case "fetching image content", "pushing content":
		// The root of the transfer: the index or manifest the reference
		// resolved to, sent before any layer event.
		d := *ev.Desc
		p.root = &d
		p.hidden = p.dir == Pull && p.existing != "" && p.existing == d.Digest
		return
	}
	if p.hidden {
		return
	}
	if images.IsConfigType(ev.Desc.MediaType) {
		p.lister.manifestsOf(ev.Parents)
		return
	}
	if !images.IsLayerType(ev.Desc.MediaType) {
		return
	}
	st, ok := p.stepOf(ev.Event)
	if !ok {
		return
	}
	l := p.layer(*ev.Desc)
	if l.step.final || st.rank < l.step.rank {
		return
	}
	if st.bar {
		l.current, l.total = ev.Progress, ev.Total
	}
	p.advance(l, st)
}

// layer returns the line of d, opening it at the bottom of the block.
func (p *Progress) layer(d ocispec.Descriptor) *layer {
	if l := p.layers[d.Digest]; l != nil {
		return l
	}
	l := &layer{id: ShortID(d.Digest), row: p.rows, total: d.Size, step: step{rank: -1}}
	p.rows++
	p.layers[d.Digest] = l
	return l
}

// addLayers registers the layers of a manifest that have no line yet:
// layers whose snapshots exist are skipped by the engine's unpacker without
// an event, and docker lists them as "Already exists". On a terminal they
// take their row now; off one nothing is printed until they move, or, if
// they never do, until finish says they were there.
func (p *Progress) addLayers(layers []ocispec.Descriptor) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished || p.hidden {
		return
	}
	for _, d := range layers {
		if _, ok := p.layers[d.Digest]; ok || !images.IsLayerType(d.MediaType) {
			continue
		}
		l := p.layer(d)
		if p.mode == ProgressTTY {
			p.advance(l, stepPulling)
		}
	}
}

// stepOf maps an event to the state of a layer.
func (p *Progress) stepOf(event string) (step, bool) {
	if p.dir == Push {
		st, ok := pushSteps[event]
		return st, ok
	}
	st, ok := pullSteps[event]
	if st == stepDownloaded && !p.unpack {
		st.final = true
	}
	return st, ok
}

// pullSteps and pushSteps map the transfer service's events (see containerd's
// core/transfer/local/progress.go) to docker's words.
var (
	pullSteps = map[string]step{"waiting": stepPulling, "downloading": stepDownload,
		"complete": stepDownloaded, "already exists": stepExists,
		"extracting": stepExtract, "extracted": stepPulled}
	pushSteps = map[string]step{"waiting": stepPreparing, "uploading": stepPushing,
		"complete": stepPushed, "already exists": stepPushExists}
)

// advance moves a layer to st and shows it. A layer whose extraction starts
// before the engine reported its download complete (they race in its
// progress loop) is shown "Download complete" first, as docker always does.
func (p *Progress) advance(l *layer, st step) {
	if p.dir == Pull && st.rank > stepDownloaded.rank && st != stepExists && l.step.rank < stepDownloaded.rank {
		l.step = stepDownloaded
		p.show(l)
	}
	changed := st.status != l.step.status
	l.step = st
	if changed || (st.bar && p.mode == ProgressTTY) {
		p.show(l)
	}
}

// finish ends the display once the transfer and its events are over. After
// a success, a layer still in flight is shown complete, and one that never
// moved past its first state (its content was there) as already there.
func (p *Progress) finish(ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finished = true
	if !ok {
		return
	}
	for _, l := range p.sorted() {
		if l.step.final {
			continue
		}
		switch {
		case p.dir == Push:
			p.advance(l, stepPushed)
		case l.step.rank <= stepPulling.rank:
			p.advance(l, stepExists)
		case p.unpack:
			p.advance(l, stepPulled)
		default:
			p.advance(l, step{status: stepDownloaded.status, rank: stepDownloaded.rank, final: true})
		}
	}
}

// sorted returns the layers in the order of their lines.
func (p *Progress) sorted() []*layer {
	ls := make([]*layer, p.rows)
	for _, l := range p.layers {
		ls[l.row] = l
	}
	return ls
}

// Root is the descriptor the transfer resolved: the digest docker prints.
func (p *Progress) Root() (ocispec.Descriptor, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.root == nil {
		return ocispec.Descriptor{}, false
	}
	return *p.root, true
}

// UpToDate reports a pull that resolved to the digest the image already had.
func (p *Progress) UpToDate() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hidden
}
