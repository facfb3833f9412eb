package image

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/formatter"
)

// HistoryOptions are the flags and argument of `image history`.
type HistoryOptions struct {
	// Human prints sizes and dates in human units (-H, on by default).
	Human bool
	// NoTrunc prints full IDs and CREATED BY.
	NoTrunc bool
	// Quiet prints IDs only.
	Quiet bool
	// Format is "table", "table TEMPLATE", "json" or a Go template.
	Format string
	// Image is the image's name or ID.
	Image string
}

// Validate checks the flags together before the engine is dialed.
func (o *HistoryOptions) Validate() error {
	if o.Quiet && o.Format != "" && o.Format != "table" {
		return errors.New("cannot use --quiet and --format together")
	}
	return nil
}

// historyRow is one line of `history`, with Docker's field names.
type historyRow struct {
	Comment      string
	CreatedAt    string
	CreatedBy    string
	CreatedSince string
	ID           string
	Size         string
}

var historyHeaders = map[string]string{
	"ID": "IMAGE", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "CreatedBy": "CREATED BY",
	"Size": "SIZE", "Comment": "COMMENT",
}

const (
	historyTable         = "{{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
	historyNonHumanTable = "{{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
)

// historyEpoch is the time before which Docker shows no CREATED: images
// built reproducibly carry 1970 dates that would only mislead.
var historyEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// History prints the layers' history of an image, newest first.
func History(ctx context.Context, cfg *config.Config, w io.Writer, o HistoryOptions) error {
	ctx, st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.close()
	img, _, err := st.lookup(o.Image)
	if err != nil {
		return err
	}
	rows := historyRows(img, st.layerSizes(ctx, img), o, time.Now())
	def := historyTable
	if !o.Human {
		def = historyNonHumanTable
	}
	return historyList(o, def).Write(w, rows)
}

func historyList(o HistoryOptions, def string) formatter.List {
	return formatter.List{Format: o.Format, Default: def, Headers: historyHeaders, Quiet: o.Quiet, QuietField: "ID"}
}

// historyRows pairs the config's history with the layers, newest first:
// entries marked empty_layer have no layer and size 0. Only the newest
// entry is the image itself; the others are "<missing>", as Docker shows
// images it did not build.
func historyRows(img *localImage, layerSizes []int64, o HistoryOptions, now time.Time) []any {
	hist := img.config.History
	var rows []any
	layer := len(layerSizes) - 1
	for i := len(hist) - 1; i >= 0; i-- {
		h := hist[i]
		var size int64
		if !h.EmptyLayer && layer >= 0 {
			size, layer = layerSizes[layer], layer-1
		}
		r := historyRow{ID: "<missing>", Comment: h.Comment, CreatedBy: strings.ReplaceAll(h.CreatedBy, "\t", " ")}
		if i == len(hist)-1 {
			r.ID = img.id.String()
		}
		var created time.Time
		if h.Created != nil {
			created = *h.Created
		}
		r.CreatedAt = time.Unix(created.Unix(), 0).Format(time.RFC3339)
		r.CreatedSince = r.CreatedAt
		r.Size = strconv.FormatInt(size, 10)
		if o.Human {
			r.CreatedSince, r.Size = "", storeHumanSize(size)
			if created.After(historyEpoch) {
				r.CreatedSince = storeSince(created, now)
			}
		}
		if !o.NoTrunc {
			r.ID, r.CreatedBy = storeShortID(r.ID), storeEllipsis(r.CreatedBy, 45)
		}
		rows = append(rows, r)
	}
	return rows
}
