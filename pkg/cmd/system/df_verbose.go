package system

import (
	"fmt"
	"io"
	"strings"

	units "github.com/docker/go-units"

	"github.com/berth-project/berth/pkg/formatter"
)

// The tables of `system df -v`, as Docker prints them.
const (
	dfImagesTable     = "{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}"
	dfContainersTable = "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}"
	dfVolumesTable    = "{{.Name}}\t{{.Links}}\t{{.Size}}"
	dfCacheTable      = "{{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}"
)

var (
	dfImageHeaders = map[string]string{
		"Repository": "REPOSITORY", "Tag": "TAG", "ID": "IMAGE ID", "CreatedSince": "CREATED", "Size": "SIZE",
		"SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE", "Containers": "CONTAINERS",
	}
	dfContainerHeaders = map[string]string{
		"ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND", "LocalVolumes": "LOCAL VOLUMES",
		"Size": "SIZE", "RunningFor": "CREATED", "Status": "STATUS", "Names": "NAMES",
	}
	dfVolumeHeaders = map[string]string{"Name": "VOLUME NAME", "Links": "LINKS", "Size": "SIZE"}
	dfCacheHeaders  = map[string]string{
		"ID": "CACHE ID", "CacheType": "CACHE TYPE", "Size": "SIZE", "CreatedSince": "CREATED",
		"LastUsedSince": "LAST USED", "UsageCount": "USAGE", "Shared": "SHARED",
	}
)

// dfReport is what a template of `system df -v` runs over, and its JSON:
// Docker's four lists.
type dfReport struct {
	Images     []any
	Containers []any
	Volumes    []any
	BuildCache []any
}

func (du *diskUsage) report() dfReport {
	r := dfReport{Images: []any{}, Containers: []any{}, Volumes: []any{}, BuildCache: []any{}}
	for _, i := range du.images {
		r.Images = append(r.Images, i.Row)
	}
	for _, c := range du.containers {
		r.Containers = append(r.Containers, c.Row)
	}
	for _, v := range du.volumes {
		r.Volumes = append(r.Volumes, v.row)
	}
	return r
}

// writeDfVerbose prints `system df -v`: four titled tables by default, else
// the report as one JSON object or through the user's template.
func writeDfVerbose(w io.Writer, format string, du *diskUsage) error {
	r := du.report()
	if format != "" && format != "table" {
		return formatter.Object(w, strings.TrimPrefix(format, "table "), r)
	}
	sections := []struct {
		title   string
		def     string
		headers map[string]string
		rows    []any
	}{
		{"Images space usage:\n\n", dfImagesTable, dfImageHeaders, r.Images},
		{"\nContainers space usage:\n\n", dfContainersTable, dfContainerHeaders, r.Containers},
		{"\nLocal Volumes space usage:\n\n", dfVolumesTable, dfVolumeHeaders, r.Volumes},
		{fmt.Sprintf("\nBuild cache usage: %s\n\n", units.HumanSize(0)), dfCacheTable, dfCacheHeaders, r.BuildCache},
	}
	for _, s := range sections {
		if _, err := io.WriteString(w, s.title); err != nil {
			return err
		}
		if err := (formatter.List{Default: s.def, Headers: s.headers}).Write(w, s.rows); err != nil {
			return err
		}
	}
	return nil
}
