package container

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/containerd/typeurl/v2"
	"github.com/distribution/reference"
	units "github.com/docker/go-units"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-project/berth/pkg/formatter"
)

// psRow is one line of ps, with Docker's field names: the table columns,
// the template fields and the JSON keys (alphabetical, as Docker's are).
type psRow struct {
	Command      string
	CreatedAt    string
	ID           string
	Image        string
	Labels       string
	LocalVolumes string
	Mounts       string
	Names        string
	Networks     string
	Ports        string
	RunningFor   string
	Size         string
	State        string
	Status       string

	labels map[string]string
}

// Label is the value of one label, for {{.Label "key"}}.
func (r psRow) Label(name string) string { return r.labels[name] }

var psHeaders = map[string]string{
	"ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND", "CreatedAt": "CREATED AT",
	"RunningFor": "CREATED", "Ports": "PORTS", "State": "STATE", "Status": "STATUS", "Size": "SIZE",
	"Names": "NAMES", "Labels": "LABELS", "Mounts": "MOUNTS", "Networks": "NETWORKS",
	"LocalVolumes": "LOCAL VOLUMES",
}

const psDefaultFormat = "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"

// psRows turns records into rows; trunc shortens IDs, images and commands
// as ps does without --no-trunc.
func psRows(recs []*ctrRecord, trunc bool, now time.Time) []any {
	rows := make([]any, 0, len(recs))
	for _, r := range recs {
		created := r.created()
		labels := r.userLabels()
		row := psRow{
			ID:           r.info.ID,
			Image:        displayImage(r, trunc),
			Command:      r.commandLine(),
			CreatedAt:    time.Unix(created.Unix(), 0).String(),
			RunningFor:   units.HumanDuration(now.UTC().Sub(created)) + " ago",
			State:        r.state.Status,
			Status:       r.state.HumanStatus(now),
			Size:         displaySize(r.sizeRw, r.sizeRootFs),
			Names:        r.name(),
			Labels:       joinLabels(labels),
			LocalVolumes: localVolumesColumn(r.meta),
			Mounts:       mountsColumn(r.meta, trunc),
			Networks:     r.networksColumn(),
			Ports:        r.portsColumn(),
			labels:       labels,
		}
		if trunc {
			row.ID = truncateID(row.ID)
			row.Command = ellipsize(row.Command, 20)
		}
		row.Command = strconv.Quote(row.Command)
		rows = append(rows, row)
	}
	return rows
}

// writePs prints rows in the format o asks for. As in Docker, -q and -s
// change only the default table; a format of the user's wins.
func writePs(w io.Writer, o PsOptions, rows []any) error {
	def := psDefaultFormat
	if o.Size {
		def += "\t{{.Size}}"
	}
	l := formatter.List{Format: o.Format, Default: def, Headers: psHeaders,
		Quiet: o.Quiet && isTableFormat(o.Format), QuietField: "ID"}
	return l.Write(w, rows)
}

// pathArgs are Docker's Path and Args: the entrypoint and command as one
// list, split after the first; the OCI spec's for a container berth did
// not create.
func (r *ctrRecord) pathArgs() (string, []string) {
	argv := append(append([]string{}, r.meta.Config.Entrypoint...), r.meta.Config.Cmd...)
	if len(argv) == 0 && r.info.Spec != nil {
		if v, err := typeurl.UnmarshalAny(r.info.Spec); err == nil {
			if s, ok := v.(*specs.Spec); ok && s.Process != nil {
				argv = s.Process.Args
			}
		}
	}
	if len(argv) == 0 {
		return "", []string{}
	}
	return argv[0], append([]string{}, argv[1:]...)
}

// commandLine is ps's COMMAND before quoting: the path and the arguments,
// those with a space in single quotes, as Docker prints it.
func (r *ctrRecord) commandLine() string {
	path, args := r.pathArgs()
	parts := []string{path}
	for _, a := range args {
		if strings.Contains(a, " ") {
			a = "'" + a + "'"
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

// displayImage is ps's IMAGE: the reference the user gave (familiar, digest
// dropped unless --no-trunc), or the image ID once that reference names no
// image any more.
func displayImage(r *ctrRecord, trunc bool) string {
	img := r.meta.Config.Image
	if img == "" {
		img = r.info.Image
	}
	if r.imageGone || img == "" {
		img = r.meta.Image
	}
	if img == "" {
		return "<no image>"
	}
	if !trunc {
		return img
	}
	if r.meta.Image != "" && truncateID(r.meta.Image) == truncateID(img) {
		return truncateID(img)
	}
	ref, err := reference.ParseNormalizedNamed(img)
	if err != nil {
		return img
	}
	if nt, ok := ref.(reference.NamedTagged); ok {
		if tagged, err := reference.WithTag(reference.TrimNamed(nt), nt.Tag()); err == nil {
			return reference.FamiliarString(tagged)
		}
	}
	return reference.FamiliarString(reference.TrimNamed(ref))
}

// displaySize is ps's SIZE: the writable layer, and the whole root
// filesystem as "virtual" when known.
func displaySize(rw, rootfs int64) string {
	s := units.HumanSizeWithPrecision(float64(rw), 3)
	if rootfs > 0 {
		s = fmt.Sprintf("%s (virtual %s)", s, units.HumanSizeWithPrecision(float64(rootfs), 3))
	}
	return s
}

// joinLabels is ps's LABELS: key=value pairs, sorted so output is stable.
func joinLabels(labels map[string]string) string {
	out := make([]string, 0, len(labels))
	for k, v := range labels {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// truncateID is Docker's TruncateID: no algorithm, 12 characters.
func truncateID(id string) string {
	if i := strings.IndexByte(id, ':'); i >= 0 {
		id = id[i+1:]
	}
	if len(id) > 12 {
		id = id[:12]
	}
	return id
}

// ellipsize shortens s to n characters, the last being "…".
func ellipsize(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
