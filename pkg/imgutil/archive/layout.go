package archive

import (
	"encoding/json"
	"strings"

	"github.com/containerd/containerd/v2/core/images"
	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// dockerManifest is one entry of a `docker save` manifest.json.
type dockerManifest struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// checkLayout checks what the archive's index.json and manifest.json name,
// after the walk has seen every entry. An OCI layout wins when both are
// there, as in containerd's importer, but a manifest.json beside it must be
// sound too: `docker load` of the same file would read it.
func (s *scan) checkLayout() error {
	_, hasLayout := s.entries[ocispec.ImageLayoutFile]
	_, hasDocker := s.entries["manifest.json"]
	if !hasLayout && !hasDocker {
		return invalid("no manifest.json or oci-layout: not a Docker or OCI image archive")
	}
	if hasDocker {
		if err := s.checkDockerManifest(!hasLayout); err != nil {
			return err
		}
	}
	if hasLayout {
		return s.checkOCILayout()
	}
	return nil
}

// readJSON decodes the archive file name.
func (s *scan) readJSON(name string, v any) error {
	e, ok := s.lookup(name)
	if !ok {
		return invalid("%s is not a file", name)
	}
	return decodeEntry(name, e, v)
}

// readBlob decodes the blob of d, wherever in the archive it is.
func (s *scan) readBlob(d digest.Digest, v any) error {
	return decodeEntry("blob "+d.String(), s.digests[d], v)
}

// decodeEntry decodes the JSON body the walk kept for e.
func decodeEntry(what string, e *entry, v any) error {
	if e.json == nil {
		if e.size > maxJSONFile {
			return invalid("%s is larger than %d MiB", what, maxJSONFile>>20)
		}
		return invalid("%s is not JSON", what)
	}
	if err := json.Unmarshal(e.json, v); err != nil {
		return invalid("%s is not valid JSON: %v", what, err)
	}
	return nil
}

// checkDockerManifest checks the paths and tags of manifest.json; primary
// says the Docker layout is the one that will be imported.
func (s *scan) checkDockerManifest(primary bool) error {
	var mfsts []dockerManifest
	if err := s.readJSON("manifest.json", &mfsts); err != nil {
		return err
	}
	if primary {
		s.contents.Format = "docker"
	}
	for _, m := range mfsts {
		for _, p := range append([]string{m.Config}, m.Layers...) {
			if err := s.checkArchivePath("manifest.json", p); err != nil {
				return err
			}
		}
		if !primary {
			continue
		}
		for _, tag := range m.RepoTags {
			named, err := reference.ParseDockerRef(tag)
			if err != nil {
				return invalid("manifest.json has an invalid tag %q: %v", tag, err)
			}
			s.contents.Names = append(s.contents.Names, named.String())
		}
		var cfg ocispec.Image
		if s.readJSON(m.Config, &cfg) == nil {
			s.contents.Platforms = append(s.contents.Platforms, cfg.Platform)
		}
	}
	return nil
}

// checkArchivePath refuses a path that owner names outside the archive or
// that is not a file in it.
func (s *scan) checkArchivePath(owner, p string) error {
	if p == "" {
		return invalid("%s names an empty path", owner)
	}
	if strings.HasPrefix(p, "/") || hasDotDot(p) {
		return invalid("%s names %q, which escapes the archive", owner, p)
	}
	if _, ok := s.lookup(p); !ok {
		return invalid("%s names %q, which is not in the archive", owner, p)
	}
	return nil
}

// checkOCILayout checks oci-layout and walks index.json down to the blobs
// of every manifest present.
func (s *scan) checkOCILayout() error {
	var layout ocispec.ImageLayout
	if err := s.readJSON(ocispec.ImageLayoutFile, &layout); err != nil {
		return err
	}
	if layout.Version != ocispec.ImageLayoutVersion {
		return invalid("unsupported OCI layout version %q", layout.Version)
	}
	if _, ok := s.entries[ocispec.ImageIndexFile]; !ok {
		return invalid("oci-layout without index.json")
	}
	var idx ocispec.Index
	if err := s.readJSON(ocispec.ImageIndexFile, &idx); err != nil {
		return err
	}
	s.contents.Format = "oci"
	s.contents.Names, s.contents.Platforms = nil, nil
	for _, d := range idx.Manifests {
		if err := s.checkImageName(d); err != nil {
			return err
		}
		if err := s.checkDescriptor(ocispec.ImageIndexFile, d, true, 0); err != nil {
			return err
		}
	}
	return nil
}

// checkImageName records the name an index.json entry gives its image, as
// containerd's importer reads it: io.containerd.image.name, else a full
// reference in org.opencontainers.image.ref.name (a bare tag names nothing).
func (s *scan) checkImageName(d ocispec.Descriptor) error {
	name := d.Annotations[images.AnnotationImageName]
	if name == "" {
		ref := d.Annotations[ocispec.AnnotationRefName]
		if !strings.ContainsAny(ref, "/:@") {
			return nil
		}
		name = ref
	}
	named, err := reference.ParseDockerRef(name)
	if err != nil {
		return invalid("index.json names an invalid image %q: %v", name, err)
	}
	s.contents.Names = append(s.contents.Names, named.String())
	return nil
}

// maxDepth bounds nested indexes, which could otherwise refer in a cycle.
const maxDepth = 8

// checkDescriptor checks that the blob d describes is present with d's size
// and, for a manifest or index, that what it refers to is present too.
// required is false below an index: a single-platform save keeps the index
// but only the manifest of its platform.
func (s *scan) checkDescriptor(owner string, d ocispec.Descriptor, required bool, depth int) error {
	if err := d.Digest.Validate(); err != nil {
		return invalid("%s names an invalid digest %q", owner, d.Digest)
	}
	e, ok := s.digests[d.Digest]
	if !ok {
		if required {
			return invalid("%s names %s, which is not in the archive", owner, d.Digest)
		}
		s.contents.Partial = true
		return nil
	}
	if e.size != d.Size {
		return invalid("blob %s is %d bytes but %s says %d", d.Digest, e.size, owner, d.Size)
	}
	if depth > maxDepth {
		return invalid("indexes nest deeper than %d at %s", maxDepth, d.Digest)
	}
	switch {
	case images.IsIndexType(d.MediaType):
		return s.checkIndexBlob(d, depth)
	case images.IsManifestType(d.MediaType):
		return s.checkManifestBlob(d)
	}
	return nil
}

func (s *scan) checkIndexBlob(d ocispec.Descriptor, depth int) error {
	var idx ocispec.Index
	if err := s.readBlob(d.Digest, &idx); err != nil {
		return err
	}
	owner := "index " + d.Digest.String()
	for _, m := range idx.Manifests {
		if err := s.checkDescriptor(owner, m, false, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (s *scan) checkManifestBlob(d ocispec.Descriptor) error {
	var m ocispec.Manifest
	if err := s.readBlob(d.Digest, &m); err != nil {
		return err
	}
	owner := "manifest " + d.Digest.String()
	if err := s.checkDescriptor(owner, m.Config, true, maxDepth); err != nil {
		return err
	}
	for _, l := range m.Layers {
		// Foreign layers (Windows base layers) are fetched from their URLs
		// and never travel in an archive.
		if images.IsNonDistributable(l.MediaType) || len(l.URLs) > 0 {
			continue
		}
		if err := s.checkDescriptor(owner, l, true, maxDepth); err != nil {
			return err
		}
	}
	if d.Annotations["vnd.docker.reference.type"] == "attestation-manifest" {
		return nil
	}
	if d.Platform != nil {
		s.contents.Platforms = append(s.contents.Platforms, *d.Platform)
		return nil
	}
	var cfg ocispec.Image
	if s.readBlob(m.Config.Digest, &cfg) == nil {
		s.contents.Platforms = append(s.contents.Platforms, cfg.Platform)
	}
	return nil
}
