package image

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/errdefs"
	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/berth-project/berth/pkg/config"
	imgarchive "github.com/berth-project/berth/pkg/imgutil/archive"
	"github.com/berth-project/berth/pkg/opts"
	"github.com/berth-project/berth/pkg/referenceutil"
)

// ImportOptions are the flags and arguments of `import`.
type ImportOptions struct {
	// Source is a file, "-" for standard input, or an http(s) URL.
	Source string
	// Reference is the REPOSITORY[:TAG] to name the image; "" leaves it
	// untagged.
	Reference string
	// Changes are Dockerfile instructions applied to the config (-c).
	Changes []string
	// Message is the history comment (-m); Docker's "Imported from SOURCE"
	// when empty.
	Message string
	// Platform is the image's os[/arch[/variant]]; the host's when empty.
	Platform string
}

// Validate parses the name, the changes and the platform before anything
// is read.
func (o *ImportOptions) Validate() error {
	if o.Reference != "" {
		if err := validateNewName(o.Reference); err != nil {
			return err
		}
	}
	if o.Platform != "" {
		if _, err := platforms.Parse(o.Platform); err != nil {
			return fmt.Errorf("invalid platform %q: %w", o.Platform, err)
		}
	}
	_, err := opts.ParseChanges(o.Changes)
	return err
}

// validateNewName checks a REPOSITORY[:TAG] an image is to be given.
func validateNewName(s string) error {
	n, err := referenceutil.Parse(s)
	if err != nil {
		return err
	}
	if _, ok := n.(reference.Digested); ok {
		return errors.New("refusing to create a tag with a digest reference")
	}
	return nil
}

// isURL tells a source Docker would download.
func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// Import makes an image of one layer from a filesystem tarball (a `docker
// export`), as `docker import` does, and prints its ID. The whole archive
// is read and checked before the engine stores anything: a corrupt or
// truncated archive, or an entry leaving the archive's root, imports
// nothing.
func Import(ctx context.Context, cfg *config.Config, stdin io.Reader, out io.Writer, o ImportOptions) error {
	changes, _ := opts.ParseChanges(o.Changes)
	f, err := openImportSource(ctx, cfg, stdin, o.Source)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := imgarchive.ValidateRootfs(f); err != nil {
		return err
	}
	var icfg ocispec.ImageConfig
	if err := opts.ApplyChanges(&icfg, changes); err != nil {
		return err
	}
	plat := platforms.DefaultSpec()
	if o.Platform != "" {
		p, _ := platforms.Parse(o.Platform)
		plat = platforms.Normalize(p)
	}
	comment := o.Message
	if comment == "" {
		// Docker's comment: a file is sent to its engine as a stream.
		src := "-"
		if isURL(o.Source) {
			src = o.Source
		}
		comment = "Imported from " + src
	}
	return withImportLease(ctx, cfg, f, func(ctx context.Context, c *client.Client) error {
		layer, err := writeLayer(ctx, c.ContentStore(), f)
		if err != nil {
			return err
		}
		id, err := Create(ctx, c, cfg.Snapshotter, NewImage{Layer: layer, Config: icfg, Platform: plat,
			Comment: comment, Name: o.Reference})
		if err != nil {
			return err
		}
		fmt.Fprintln(out, id)
		return nil
	})
}

// openImportSource returns the archive as a file that can be read twice:
// a regular file as it is, anything else spooled under the data root.
func openImportSource(ctx context.Context, cfg *config.Config, stdin io.Reader, src string) (*os.File, error) {
	spool := filepath.Join(cfg.DataRoot, "tmp")
	switch {
	case src == "-":
		if storeIsTerminal(stdin) {
			return nil, errors.New("requested import from stdin, but stdin is a terminal")
		}
		return imgarchive.Spool(spool, stdin)
	case isURL(src):
		return download(ctx, spool, src)
	}
	return openRereadable(spool, src)
}

// download fetches an archive over HTTP into a spool file.
func download(ctx context.Context, spool, url string) (*os.File, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("downloading %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("downloading %s: %s", url, resp.Status)
	}
	return imgarchive.Spool(spool, resp.Body)
}

// writeLayer stores the archive as a gzip-compressed layer and computes
// its diff ID (the digest of the uncompressed tar) on the way.
func writeLayer(ctx context.Context, cs content.Store, f io.Reader) (*Layer, error) {
	rd, err := imgarchive.Open(f)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	w, err := content.OpenWriter(ctx, cs, content.WithRef(fmt.Sprintf("berth-import-%d-%d", os.Getpid(), time.Now().UnixNano())))
	if err != nil {
		return nil, err
	}
	defer w.Close()
	diffID := digest.Canonical.Digester()
	counter := &countWriter{w: w}
	zw := gzip.NewWriter(counter)
	if _, err := io.Copy(zw, io.TeeReader(rd, diffID.Hash())); err != nil {
		return nil, fmt.Errorf("storing the layer: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	labels := map[string]string{"containerd.io/uncompressed": diffID.Digest().String()}
	if err := w.Commit(ctx, counter.n, "", content.WithLabels(labels)); err != nil && !errdefs.IsAlreadyExists(err) {
		return nil, fmt.Errorf("storing the layer: %w", err)
	}
	desc := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageLayerGzip, Digest: w.Digest(), Size: counter.n}
	return &Layer{Desc: desc, DiffID: diffID.Digest()}, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
