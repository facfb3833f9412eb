package testutil

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"sync"

	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// BusyboxPath is the host's statically linked busybox (Debian: busybox-static)
// that test images are made of.
const BusyboxPath = "/bin/busybox"

// DefaultPath is the PATH of every test image, the one Docker's images use.
const DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// busyboxApplets are linked to /bin/busybox in the image: what the integration
// tests run, plus the usual shell-script helpers.
var busyboxApplets = []string{
	"sh", "echo", "cat", "sleep", "true", "false", "ls", "env", "id", "hostname",
	"httpd", "nc", "wget", "ps", "top", "mkdir", "rm", "touch", "grep", "head",
	"tail", "seq", "date", "kill", "test", "printf", "wc", "uname", "mount", "ip",
	"ifconfig", "ping", "nslookup", "timeout", "dd", "sync", "stat", "chmod", "tee",
	"yes", "sed", "awk", "cp", "mv", "ln", "pwd", "whoami", "sort", "tr", "cut",
	"find", "xargs", "chown", "readlink", "df", "du", "umount", "basename",
	"dirname", "sha256sum", "nproc", "netstat", "tar", "gzip", "which",
}

var busybox struct {
	once  sync.Once
	layer Layer
	err   error
}

// BusyboxLayer returns the layer of the host's busybox: bin/busybox, its
// applet links, etc/passwd, etc/group, tmp and root. It is built once per
// process and shared, so callers must not modify the returned Blob.
func BusyboxLayer() (Layer, error) {
	busybox.once.Do(func() { busybox.layer, busybox.err = buildBusyboxLayer() })
	return busybox.layer, busybox.err
}

func buildBusyboxLayer() (Layer, error) {
	bin, err := os.ReadFile(BusyboxPath)
	if err != nil {
		return Layer{}, fmt.Errorf("test images need a static busybox at %s (apt-get install busybox-static): %w", BusyboxPath, err)
	}
	// A dynamically linked busybox would fail inside the image with a bare
	// "no such file or directory" from the missing loader: refuse it here.
	if ef, err := elf.NewFile(bytes.NewReader(bin)); err == nil {
		for _, p := range ef.Progs {
			if p.Type == elf.PT_INTERP {
				return Layer{}, fmt.Errorf("%s is dynamically linked; install busybox-static", BusyboxPath)
			}
		}
	}
	files := []File{
		{Path: "bin", Mode: os.ModeDir | 0o755},
		{Path: "bin/busybox", Content: bin, Mode: 0o755},
	}
	for _, a := range busyboxApplets {
		files = append(files, File{Path: "bin/" + a, Mode: os.ModeSymlink | 0o777, Link: "/bin/busybox"})
	}
	files = append(files,
		File{Path: "etc", Mode: os.ModeDir | 0o755},
		File{Path: "etc/passwd", Content: []byte("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")},
		File{Path: "etc/group", Content: []byte("root:x:0:\nnobody:x:65534:\n")},
		File{Path: "tmp", Mode: os.ModeDir | os.ModeSticky | 0o777},
		File{Path: "root", Mode: os.ModeDir | 0o700},
	)
	return NewLayer(files)
}

// Image is a single-platform OCI image held in memory (or, for large images,
// partly in temporary files).
type Image struct {
	Manifest ocispec.Manifest
	Config   ocispec.Image
	// ManifestJSON is the exact manifest whose digest identifies the image.
	ManifestJSON []byte
	// Blobs holds the config and layer blobs that are in memory.
	Blobs map[digest.Digest][]byte
	// files holds blobs too large for memory, by path of a temporary file.
	files map[digest.Digest]string
}

// Digest is the digest of the image's manifest.
func (img *Image) Digest() digest.Digest { return digest.FromBytes(img.ManifestJSON) }

// Descriptor describes the manifest, with the image's platform, as an index lists it.
func (img *Image) Descriptor() ocispec.Descriptor {
	p := img.Config.Platform
	return ocispec.Descriptor{
		MediaType: ocispec.MediaTypeImageManifest,
		Digest:    img.Digest(),
		Size:      int64(len(img.ManifestJSON)),
		Platform:  &p,
	}
}

// OpenBlob opens one of the image's config or layer blobs.
func (img *Image) OpenBlob(d digest.Digest) (io.ReadCloser, error) {
	if b, ok := img.Blobs[d]; ok {
		return io.NopCloser(bytes.NewReader(b)), nil
	}
	if p, ok := img.files[d]; ok {
		return os.Open(p)
	}
	return nil, fmt.Errorf("blob %s is not part of the image", d)
}

type imageOptions struct {
	config ocispec.ImageConfig
	extra  []File
	layers [][]File
	plat   ocispec.Platform
}

// ImageOpt changes an image built by NewImage.
type ImageOpt func(*imageOptions)

// WithLabels adds labels to the image config.
func WithLabels(labels map[string]string) ImageOpt {
	return func(o *imageOptions) {
		if o.config.Labels == nil {
			o.config.Labels = map[string]string{}
		}
		for k, v := range labels {
			o.config.Labels[k] = v
		}
	}
}

// WithCmd replaces the default Cmd ["sh"].
func WithCmd(cmd ...string) ImageOpt { return func(o *imageOptions) { o.config.Cmd = cmd } }

// WithEntrypoint sets the Entrypoint.
func WithEntrypoint(ep ...string) ImageOpt {
	return func(o *imageOptions) { o.config.Entrypoint = ep }
}

// WithEnv appends KEY=value entries after PATH.
func WithEnv(env ...string) ImageOpt {
	return func(o *imageOptions) { o.config.Env = append(o.config.Env, env...) }
}

// WithExposedPorts declares ports such as "80/tcp", for tests of -P.
func WithExposedPorts(ports ...string) ImageOpt {
	return func(o *imageOptions) {
		if o.config.ExposedPorts == nil {
			o.config.ExposedPorts = map[string]struct{}{}
		}
		for _, p := range ports {
			o.config.ExposedPorts[p] = struct{}{}
		}
	}
}

// WithVolumes declares VOLUMEs such as "/data", for tests of anonymous
// volumes and of the copy of the image's content into new volumes.
func WithVolumes(paths ...string) ImageOpt {
	return func(o *imageOptions) {
		if o.config.Volumes == nil {
			o.config.Volumes = map[string]struct{}{}
		}
		for _, p := range paths {
			o.config.Volumes[p] = struct{}{}
		}
	}
}

// WithFiles adds a layer holding files on top of busybox.
func WithFiles(files ...File) ImageOpt {
	return func(o *imageOptions) { o.extra = append(o.extra, files...) }
}

// WithLayers adds one layer per []File, in order, on top of busybox and of
// WithFiles' layer, for tests of how layers stack: an OCI whiteout
// ("dir/.wh.name") or opaque marker ("dir/.wh..wh..opq") is an empty File.
func WithLayers(layers ...[]File) ImageOpt {
	return func(o *imageOptions) { o.layers = append(o.layers, layers...) }
}

// WithPlatform sets the platform the config declares. The busybox binary
// stays the host's: such images are for resolving platforms, not running them.
func WithPlatform(p ocispec.Platform) ImageOpt { return func(o *imageOptions) { o.plat = p } }

// NewImage builds a busybox image changed by opts.
func NewImage(opts ...ImageOpt) (*Image, error) {
	o := &imageOptions{
		config: ocispec.ImageConfig{Env: []string{DefaultPath}, Cmd: []string{"sh"}},
		plat:   defaultPlatform(),
	}
	for _, opt := range opts {
		opt(o)
	}
	base, err := BusyboxLayer()
	if err != nil {
		return nil, err
	}
	layers := []Layer{base}
	stacked := o.layers
	if len(o.extra) > 0 {
		stacked = append([][]File{o.extra}, stacked...)
	}
	for _, files := range stacked {
		l, err := NewLayer(files)
		if err != nil {
			return nil, err
		}
		layers = append(layers, l)
	}
	img := &Image{Blobs: map[digest.Digest][]byte{}}
	var descs []ocispec.Descriptor
	var diffIDs []digest.Digest
	for _, l := range layers {
		d := l.descriptor()
		img.Blobs[d.Digest] = l.Blob
		descs, diffIDs = append(descs, d), append(diffIDs, l.DiffID)
	}
	return img, img.finish(o.config, o.plat, descs, diffIDs)
}

// finish writes the config and manifest for layers already stored in img.
func (img *Image) finish(cfg ocispec.ImageConfig, plat ocispec.Platform, layers []ocispec.Descriptor, diffIDs []digest.Digest) error {
	if img.Blobs == nil {
		img.Blobs = map[digest.Digest][]byte{}
	}
	created := layerTime
	img.Config = ocispec.Image{Created: &created, Platform: plat, Config: cfg,
		RootFS: ocispec.RootFS{Type: "layers", DiffIDs: diffIDs}}
	for i := range diffIDs {
		img.Config.History = append(img.Config.History, ocispec.History{
			Created: &created, CreatedBy: fmt.Sprintf("berth testutil layer %d", i)})
	}
	cfgJSON, err := json.Marshal(img.Config)
	if err != nil {
		return err
	}
	cfgDesc := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageConfig, Digest: digest.FromBytes(cfgJSON), Size: int64(len(cfgJSON))}
	img.Blobs[cfgDesc.Digest] = cfgJSON
	img.Manifest = ocispec.Manifest{Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: ocispec.MediaTypeImageManifest, Config: cfgDesc, Layers: layers}
	img.ManifestJSON, err = json.Marshal(img.Manifest)
	return err
}

// PushImage pushes img's blobs and then its manifest under repoTag
// ("name:tag"), and returns the manifest digest.
func PushImage(ctx context.Context, reg *Registry, repoTag string, img *Image) (digest.Digest, error) {
	repo, tag := splitRepoTag(repoTag)
	p, err := newPusher(ctx, reg, repo)
	if err != nil {
		return "", err
	}
	if err := p.pushImage(ctx, img, tag); err != nil {
		return "", err
	}
	return img.Digest(), nil
}

// PushBusybox pushes the plain busybox image as repoTag.
func PushBusybox(ctx context.Context, reg *Registry, repoTag string) (digest.Digest, error) {
	img, err := NewImage()
	if err != nil {
		return "", err
	}
	return PushImage(ctx, reg, repoTag, img)
}

// PushMultiPlatform pushes an OCI index with one busybox manifest per
// platform. Each differs by /etc/platform, which holds the platform string,
// so a test can tell which one was pulled. It returns the index digest.
func PushMultiPlatform(ctx context.Context, reg *Registry, repoTag string, platforms []ocispec.Platform) (digest.Digest, error) {
	repo, tag := splitRepoTag(repoTag)
	p, err := newPusher(ctx, reg, repo)
	if err != nil {
		return "", err
	}
	index := ocispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageIndex}
	for _, plat := range platforms {
		img, err := NewImage(WithPlatform(plat),
			WithFiles(File{Path: "etc/platform", Content: []byte(PlatformString(plat) + "\n")}))
		if err != nil {
			return "", err
		}
		// By digest: only the index is tagged, as with real multi-arch images.
		if err := p.pushImage(ctx, img, img.Digest().String()); err != nil {
			return "", err
		}
		index.Manifests = append(index.Manifests, img.Descriptor())
	}
	body, err := json.Marshal(index)
	if err != nil {
		return "", err
	}
	if err := p.putManifest(ctx, tag, ocispec.MediaTypeImageIndex, body); err != nil {
		return "", err
	}
	return digest.FromBytes(body), nil
}

// PlatformString formats p as "os/arch[/variant]", the form /etc/platform holds.
func PlatformString(p ocispec.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// splitRepoTag splits "name:tag" at the tag's colon (not a port's), defaulting
// the tag to "latest".
func splitRepoTag(repoTag string) (repo, tag string) {
	if i := strings.LastIndex(repoTag, ":"); i > strings.LastIndex(repoTag, "/") {
		return repoTag[:i], repoTag[i+1:]
	}
	return repoTag, "latest"
}

// defaultPlatform is the host's: the busybox inside every image is the host's binary.
func defaultPlatform() ocispec.Platform {
	return ocispec.Platform{OS: "linux", Architecture: runtime.GOARCH}
}

// GenerateLargeImage pushes as repoTag an image for benchmarks: busybox (so it
// runs) under min(4, files) layers that hold totalMB MiB of incompressible
// data spread evenly over files files. Layers are streamed through temporary
// files, removed on return, so memory use stays small whatever totalMB. The
// data is seeded by repoTag: the same tag always gives the same digest.
func GenerateLargeImage(ctx context.Context, reg *Registry, repoTag string, totalMB, files int) (digest.Digest, error) {
	if totalMB < 1 || files < 1 {
		return "", fmt.Errorf("large image needs totalMB >= 1 and files >= 1, got %d and %d", totalMB, files)
	}
	dir, err := os.MkdirTemp("", "berth-large-image-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	base, err := BusyboxLayer()
	if err != nil {
		return "", err
	}
	img := &Image{Blobs: map[digest.Digest][]byte{}, files: map[digest.Digest]string{}}
	descs, diffIDs := []ocispec.Descriptor{base.descriptor()}, []digest.Digest{base.DiffID}
	img.Blobs[descs[0].Digest] = base.Blob

	rnd := rand.NewChaCha8(sha256.Sum256([]byte(repoTag)))
	total, layers := int64(totalMB)<<20, min(4, files)
	for l := range layers {
		var sizes []int64
		for i := l * files / layers; i < (l+1)*files/layers; i++ {
			size := total / int64(files)
			if i == files-1 {
				size += total % int64(files)
			}
			sizes = append(sizes, size)
		}
		desc, diffID, p, err := writeRandomLayer(ctx, dir, rnd, l, sizes)
		if err != nil {
			return "", err
		}
		img.files[desc.Digest] = p
		descs, diffIDs = append(descs, desc), append(diffIDs, diffID)
	}
	if err := img.finish(ocispec.ImageConfig{Env: []string{DefaultPath}, Cmd: []string{"sh"}}, defaultPlatform(), descs, diffIDs); err != nil {
		return "", err
	}
	return PushImage(ctx, reg, repoTag, img)
}

// writeRandomLayer writes one gzip layer of len(sizes) random files to a file
// in dir, hashing the compressed and uncompressed streams as they pass.
func writeRandomLayer(ctx context.Context, dir string, rnd io.Reader, n int, sizes []int64) (ocispec.Descriptor, digest.Digest, string, error) {
	f, err := os.CreateTemp(dir, "layer-*.tar.gz")
	if err != nil {
		return ocispec.Descriptor{}, "", "", err
	}
	defer f.Close()
	blob, diff := digest.Canonical.Digester(), digest.Canonical.Digester()
	zw, err := gzip.NewWriterLevel(io.MultiWriter(f, blob.Hash()), gzip.BestSpeed)
	if err != nil {
		return ocispec.Descriptor{}, "", "", err
	}
	tw := tar.NewWriter(io.MultiWriter(diff.Hash(), zw))
	dirName := fmt.Sprintf("data%d", n)
	if err := writeTarEntry(tw, File{Path: dirName, Mode: os.ModeDir | 0o755}, 0, nil); err != nil {
		return ocispec.Descriptor{}, "", "", err
	}
	for i, size := range sizes {
		// Checked per file so a cancelled benchmark stops within one file.
		if err := ctx.Err(); err != nil {
			return ocispec.Descriptor{}, "", "", err
		}
		name := fmt.Sprintf("%s/file%06d.bin", dirName, i)
		if err := writeTarEntry(tw, File{Path: name}, size, rnd); err != nil {
			return ocispec.Descriptor{}, "", "", err
		}
	}
	if err := tw.Close(); err != nil {
		return ocispec.Descriptor{}, "", "", err
	}
	if err := zw.Close(); err != nil {
		return ocispec.Descriptor{}, "", "", err
	}
	info, err := f.Stat()
	if err != nil {
		return ocispec.Descriptor{}, "", "", err
	}
	desc := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageLayerGzip, Digest: blob.Digest(), Size: info.Size()}
	return desc, diff.Digest(), f.Name(), f.Close()
}
