package image

import (
	"context"
	"errors"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/distribution/reference"
	units "github.com/docker/go-units"
	"github.com/opencontainers/go-digest"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/formatter"
	"github.com/berth-project/berth/pkg/opts"
)

// ImagesOptions are the flags and argument of `images`.
type ImagesOptions struct {
	// All would show intermediate images; containerd keeps none, so the
	// list is the same.
	All bool
	// Quiet prints image IDs only.
	Quiet bool
	// Digests adds the DIGEST column.
	Digests bool
	// NoTrunc prints full image IDs.
	NoTrunc bool
	// Filters are the --filter values.
	Filters opts.Filters
	// Format is "table", "table TEMPLATE", "json" or a Go template.
	Format string
	// Repository is the optional REPOSITORY[:TAG] argument: a reference filter.
	Repository string
}

// listFilterKeys are the filters `images` takes.
var listFilterKeys = []string{"dangling", "label", "before", "since", "reference", "until"}

// Validate checks the flags together before the engine is dialed.
func (o *ImagesOptions) Validate() error {
	if o.Quiet && o.Format != "" && o.Format != "table" {
		return errors.New("cannot use --quiet and --format together")
	}
	return validateFilters(&o.Filters, time.Now(), listFilterKeys...)
}

// imageRow is one line of `images`, with Docker's field names: the table
// columns, template fields and JSON keys (alphabetical, as Docker's are).
type imageRow struct {
	Containers   string
	CreatedAt    string
	CreatedSince string
	Digest       string
	ID           string
	Repository   string
	SharedSize   string
	Size         string
	Tag          string
	UniqueSize   string
	VirtualSize  string
}

// imageSummary is one image with all its names, before it becomes rows.
type imageSummary struct {
	id          digest.Digest
	repoTags    []string
	repoDigests []string
	// tagDigest maps each of repoTags to the digest its record points at,
	// which its row shows with --digests.
	tagDigest map[string]string
	created   time.Time
	size      int64
}

var imageHeaders = map[string]string{
	"ID": "IMAGE ID", "Repository": "REPOSITORY", "Tag": "TAG", "Digest": "DIGEST",
	"CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "Size": "SIZE", "Containers": "CONTAINERS",
	"VirtualSize": "SIZE", "SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE",
}

const (
	imagesTable       = "{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}"
	imagesDigestTable = "{{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}"
)

// Images lists the images of the store as `docker images` does.
func Images(ctx context.Context, cfg *config.Config, w io.Writer, o ImagesOptions) error {
	ctx, st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.close()
	if o.Repository != "" {
		o.Filters.Add("reference", o.Repository)
	}
	sums, err := st.summaries(ctx, &o.Filters, !o.Quiet)
	if err != nil {
		return err
	}
	return writeImageRows(w, o, imageRows(sums, o, time.Now()))
}

// summaries groups the store's records by image ID, newest first, keeping
// the images the filters let through. withSize computes sizes, which quiet
// output does not need.
func (st *localStore) summaries(ctx context.Context, f *opts.Filters, withSize bool) ([]imageSummary, error) {
	match, err := st.compileFilter(f, time.Now())
	if err != nil {
		return nil, err
	}
	var out []imageSummary
	for _, id := range st.ids() {
		recs := st.withID(id)
		sum := imageSummary{id: id, created: recs[0].created()}
		for _, img := range st.namesOf(id) {
			sum.addName(img.rec.Name, img.rec.Target.Digest)
		}
		if !match(recs[0], &sum) {
			continue
		}
		if withSize {
			sum.size = st.size(ctx, recs[0])
		}
		out = append(out, sum)
	}
	return out, nil
}

// addName records a stored name as Docker's RepoTags and RepoDigests: a
// tag also gives repo@target-digest, which `images --digests` shows.
func (s *imageSummary) addName(name string, target digest.Digest) {
	n, err := reference.ParseNormalizedNamed(name)
	if err != nil {
		return
	}
	if t, ok := n.(reference.Tagged); ok {
		tag := reference.FamiliarName(n) + ":" + t.Tag()
		s.repoTags = storeAppendNew(s.repoTags, tag)
		if s.tagDigest == nil {
			s.tagDigest = map[string]string{}
		}
		s.tagDigest[tag] = target.String()
	}
	d := target
	if c, ok := n.(reference.Canonical); ok {
		d = c.Digest()
	}
	s.repoDigests = storeAppendNew(s.repoDigests, reference.FamiliarName(n)+"@"+d.String())
}

func storeAppendNew(list []string, s string) []string {
	for _, l := range list {
		if l == s {
			return list
		}
	}
	return append(list, s)
}

// imageRows expands summaries into rows as Docker does: a row per tag
// (per tag and digest with --digests), a row per digest-only repository,
// and "<none>" rows for dangling images.
func imageRows(sums []imageSummary, o ImagesOptions, now time.Time) []any {
	digests := o.Digests || strings.Contains(o.Format, "{{.Digest}}")
	var rows []any
	for _, s := range sums {
		base := imageRow{ID: s.id.String(), Containers: "N/A", SharedSize: "N/A", UniqueSize: "N/A",
			CreatedAt: time.Unix(s.created.Unix(), 0).String(), CreatedSince: storeSince(s.created, now),
			Size: storeHumanSize(s.size), VirtualSize: units.HumanSize(float64(s.size))}
		if !o.NoTrunc {
			base.ID = storeShortID(base.ID)
		}
		if s.created.IsZero() {
			base.CreatedAt = ""
		}
		add := func(repo, tag, dgst string) {
			r := base
			r.Repository, r.Tag, r.Digest = repo, tag, dgst
			rows = append(rows, r)
		}
		if len(s.repoTags) == 0 && len(s.repoDigests) == 0 {
			add("<none>", "<none>", "<none>")
			continue
		}
		storeExpandNames(s, digests, o.Digests, add)
	}
	return rows
}

// storeExpandNames differs from Docker in one way: with digests, a tag's
// row shows the digest of the manifest that tag points at, not every digest
// of the repository (containerd keeps one target per name).
func storeExpandNames(s imageSummary, needDigest, showDigestRows bool, add func(repo, tag, dgst string)) {
	tags, dgsts := storeSplitByRepo(s.repoTags, ":"), storeSplitByRepo(s.repoDigests, "@")
	for _, repo := range storeSortedKeys(tags) {
		delete(dgsts, repo)
		for _, tag := range tags[repo] {
			d := "<none>"
			if needDigest && s.tagDigest[repo+":"+tag] != "" {
				d = s.tagDigest[repo+":"+tag]
			}
			add(repo, tag, d)
		}
	}
	for _, repo := range storeSortedKeys(dgsts) {
		if !showDigestRows {
			add(repo, "<none>", "")
			continue
		}
		for _, d := range dgsts[repo] {
			add(repo, "<none>", d)
		}
	}
}

// splitByRepo maps "repo<sep>x" entries to repo -> [x...], splitting at the
// last separator (a registry port has a colon too).
func storeSplitByRepo(names []string, sep string) map[string][]string {
	out := map[string][]string{}
	for _, n := range names {
		i := strings.LastIndex(n, sep)
		out[n[:i]] = append(out[n[:i]], n[i+1:])
	}
	return out
}

func storeSortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// writeImageRows prints rows in the format o asks for.
func writeImageRows(w io.Writer, o ImagesOptions, rows []any) error {
	def := imagesTable
	if o.Digests {
		def = imagesDigestTable
	}
	format := o.Format
	if strings.HasPrefix(format, "table ") && o.Digests && !strings.Contains(format, "{{.Digest}}") {
		format += "\t{{.Digest}}"
	}
	l := formatter.List{Format: format, Default: def, Headers: imageHeaders, Quiet: o.Quiet, QuietField: "ID"}
	return l.Write(w, rows)
}
