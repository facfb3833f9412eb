package compose

import (
	"fmt"
	"io"
	"slices"
)

// ConfigOptions are the flags of `compose config`.
type ConfigOptions struct {
	// Services restricts the model to these services and what they need.
	Services []string
	// Format is "yaml" (the default) or "json".
	Format string
	// Quiet only validates; ListServices, ListVolumes, ListNetworks,
	// ListImages and ListProfiles print names, one a line.
	Quiet        bool
	ListServices bool
	ListVolumes  bool
	ListNetworks bool
	ListImages   bool
	ListProfiles bool
}

// Validate checks the flags before the files are loaded.
func (o *ConfigOptions) Validate() error {
	switch o.Format {
	case "", "yaml", "json":
		return nil
	}
	return fmt.Errorf("unsupported format %q: must be yaml or json", o.Format)
}

// Config prints the project as compose resolves it: merged, interpolated,
// normalized, in YAML or JSON, or the lists the flags ask for.
func Config(w io.Writer, p *Project, o ConfigOptions) error {
	sel := p
	if len(o.Services) > 0 {
		var err error
		if sel, err = p.Select(o.Services, false); err != nil {
			return err
		}
	}
	switch {
	case o.Quiet:
		return nil
	case o.ListServices:
		return printLines(w, sel.ServiceNamesSorted())
	case o.ListVolumes:
		return printLines(w, sortedKeys(sel.Volumes))
	case o.ListNetworks:
		return printLines(w, sortedKeys(sel.Networks))
	case o.ListProfiles:
		all := append(sel.Services.GetProfiles(), sel.DisabledServices.GetProfiles()...)
		slices.Sort(all)
		return printLines(w, slices.Compact(all))
	case o.ListImages:
		var images []string
		for _, s := range serviceList(sel.Project) {
			images = append(images, s.Image)
		}
		return printLines(w, images)
	}
	var data []byte
	var err error
	if o.Format == "json" {
		data, err = sel.MarshalJSON()
	} else {
		data, err = sel.MarshalYAML()
	}
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	if err == nil && (len(data) == 0 || data[len(data)-1] != '\n') {
		_, err = fmt.Fprintln(w)
	}
	return err
}

func printLines(w io.Writer, lines []string) error {
	for _, l := range lines {
		if _, err := fmt.Fprintln(w, l); err != nil {
			return err
		}
	}
	return nil
}
