package imgutil

import (
	"bytes"
	"strings"
	"testing"

	"github.com/containerd/containerd/v2/core/transfer"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

var (
	layerA = ocispec.Descriptor{MediaType: ocispec.MediaTypeImageLayerGzip, Digest: digest.FromString("a"), Size: 5_000_000}
	layerB = ocispec.Descriptor{MediaType: ocispec.MediaTypeImageLayerGzip, Digest: digest.FromString("b"), Size: 100}
	config = ocispec.Descriptor{MediaType: ocispec.MediaTypeImageConfig, Digest: digest.FromString("c"), Size: 10}
	root   = ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.FromString("m"), Size: 10}
)

func ev(event string, d ocispec.Descriptor, cur int64) transfer.Progress {
	return transfer.Progress{Event: event, Desc: &d, Progress: cur, Total: d.Size}
}

// Off a terminal: one line per state, no bars, the implied "Download
// complete" when extraction is reported first, nothing for non-layers.
func TestProgressPlainPull(t *testing.T) {
	var out bytes.Buffer
	p := NewProgress(&out, ProgressPlain, Pull)
	for _, e := range []transfer.Progress{
		ev("fetching image content", root, 0),
		ev("waiting", config, 0),
		ev("waiting", layerA, 0),
		ev("waiting", layerB, 0),
		ev("downloading", layerA, 1_000_000),
		ev("already exists", layerB, 100),
		ev("extracting", layerA, 2_000_000),
		ev("downloading", layerA, 3_000_000), // late: ignored
	} {
		p.Handle(e)
	}
	p.finish(true)
	a, b := ShortID(layerA.Digest), ShortID(layerB.Digest)
	want := a + ": Pulling fs layer\n" + b + ": Pulling fs layer\n" + b + ": Already exists\n" +
		a + ": Download complete\n" + a + ": Pull complete\n"
	if out.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out.String(), want)
	}
	if r, ok := p.Root(); !ok || r.Digest != root.Digest {
		t.Fatalf("Root = %v, %v", r, ok)
	}
	if p.UpToDate() {
		t.Fatal("UpToDate without an existing image")
	}
}

func TestProgressUpToDateHidesLayers(t *testing.T) {
	var out bytes.Buffer
	p := NewProgress(&out, ProgressPlain, Pull, WithExisting(root.Digest))
	p.Handle(ev("fetching image content", root, 0))
	p.Handle(ev("already exists", layerA, 0))
	p.finish(true)
	if out.Len() != 0 || !p.UpToDate() {
		t.Fatalf("up to date: printed %q, UpToDate %v", out.String(), p.UpToDate())
	}
}

// On a terminal each layer owns a row, rewritten in place.
func TestProgressTTY(t *testing.T) {
	var out bytes.Buffer
	p := NewProgress(&out, ProgressTTY, Pull, WithWidth(120))
	p.Handle(ev("waiting", layerA, 0))
	p.Handle(ev("waiting", layerB, 0))
	out.Reset()
	p.Handle(ev("downloading", layerA, 2_500_000))
	want := "\x1b[2A\r\x1b[2K" + ShortID(layerA.Digest) + ": Downloading [" + strings.Repeat("=", 25) + ">" +
		strings.Repeat(" ", 25) + "]    2.5MB/5MB\x1b[2B\r"
	if out.String() != want {
		t.Fatalf("got  %q\nwant %q", out.String(), want)
	}
}

func TestProgressPush(t *testing.T) {
	var out bytes.Buffer
	p := NewProgress(&out, ProgressPlain, Push)
	p.Handle(ev("pushing content", root, 0))
	p.Handle(ev("waiting", layerA, 0))
	p.Handle(ev("waiting", layerB, 0))
	p.Handle(ev("uploading", layerA, 10))
	p.Handle(ev("already exists", layerB, 0))
	p.finish(true)
	a, b := ShortID(layerA.Digest), ShortID(layerB.Digest)
	want := a + ": Preparing\n" + b + ": Preparing\n" + b + ": Layer already exists\n" + a + ": Pushed\n"
	if out.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestProgressQuietAndFailure(t *testing.T) {
	var out bytes.Buffer
	p := NewProgress(&out, ProgressQuiet, Pull)
	p.Handle(ev("waiting", layerA, 0))
	p.finish(true)
	q := NewProgress(&out, ProgressPlain, Pull)
	q.Handle(ev("downloading", layerA, 10))
	q.finish(false)
	q.Handle(ev("extracted", layerA, 10))
	if out.Len() != 0 {
		t.Fatalf("printed %q", out.String())
	}
}

func TestBar(t *testing.T) {
	for _, tc := range []struct {
		cur, total int64
		width      int
		want       string
	}{
		{0, 0, 120, ""},
		{1_234_567, 0, 120, " 1.235MB"},
		{1_234_567, 4_500_000, 0, " 1.235MB/4.5MB"},
		{1_234_567, 4_500_000, 80, "[======>" + strings.Repeat(" ", 19) + "]  1.235MB/4.5MB"},
		{5_000, 5_000, 120, "[" + strings.Repeat("=", 50) + ">] " + "     5kB/5kB"},
		{6_000, 5_000, 80, "[" + strings.Repeat("=", 25) + ">]"},
	} {
		if got := Bar(tc.cur, tc.total, tc.width); got != tc.want {
			t.Errorf("Bar(%d, %d, %d) = %q, want %q", tc.cur, tc.total, tc.width, got, tc.want)
		}
	}
}
