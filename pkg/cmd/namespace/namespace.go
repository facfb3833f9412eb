// Package namespace implements `namespace ls|create|rm|inspect`.
package namespace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/errdefs"

	"github.com/berth-project/berth/pkg/formatter"
)

// ListOptions are the flags of `namespace ls`.
type ListOptions struct {
	// Quiet prints names only.
	Quiet bool
	// Format is "table", "json" or a Go template.
	Format string
}

// Validate refuses --quiet together with --format.
func (o ListOptions) Validate() error {
	if o.Quiet && o.Format != "" {
		return errors.New("--format and --quiet cannot be used together")
	}
	return nil
}

// Summary is one row of `namespace ls`.
type Summary struct {
	Name       string
	Containers int
	Images     int
	Labels     string
}

// List prints the namespaces with what they hold.
func List(ctx context.Context, c *client.Client, w io.Writer, o ListOptions) error {
	names, err := c.NamespaceService().List(ctx)
	if err != nil {
		return err
	}
	sort.Strings(names)
	items := make([]any, 0, len(names))
	for _, name := range names {
		s, err := summarize(ctx, c, name)
		if err != nil {
			return err
		}
		items = append(items, s)
	}
	return formatter.List{
		Format:     o.Format,
		Default:    "{{.Name}}\t{{.Containers}}\t{{.Images}}\t{{.Labels}}",
		Headers:    map[string]string{"Name": "NAME", "Containers": "CONTAINERS", "Images": "IMAGES", "Labels": "LABELS"},
		Quiet:      o.Quiet,
		QuietField: "Name",
	}.Write(w, items)
}

func summarize(ctx context.Context, c *client.Client, name string) (Summary, error) {
	nctx := namespaces.WithNamespace(ctx, name)
	ctrs, err := c.ContainerService().List(nctx)
	if err != nil {
		return Summary{}, err
	}
	imgs, err := c.ImageService().List(nctx)
	if err != nil {
		return Summary{}, err
	}
	labels, err := c.NamespaceService().Labels(ctx, name)
	if err != nil {
		return Summary{}, err
	}
	return Summary{Name: name, Containers: len(ctrs), Images: len(imgs), Labels: joinLabels(labels)}, nil
}

func joinLabels(m map[string]string) string {
	kv := make([]string, 0, len(m))
	for k, v := range m {
		kv = append(kv, k+"="+v)
	}
	sort.Strings(kv)
	return strings.Join(kv, ",")
}

// CreateOptions are the flags of `namespace create`.
type CreateOptions struct {
	// Labels are key=value labels of the new namespace.
	Labels map[string]string
}

// Create makes a namespace.
func Create(ctx context.Context, c *client.Client, name string, o CreateOptions) error {
	if err := c.NamespaceService().Create(ctx, name, o.Labels); err != nil {
		if errdefs.IsAlreadyExists(err) {
			return fmt.Errorf("namespace %q already exists", name)
		}
		return fmt.Errorf("creating namespace %q: %w", name, err)
	}
	return nil
}

// Remove deletes namespaces; one that still holds objects is refused by the
// engine and named.
func Remove(ctx context.Context, c *client.Client, w io.Writer, names []string) error {
	var errs []error
	for _, name := range names {
		err := c.NamespaceService().Delete(ctx, name)
		switch {
		case errdefs.IsNotFound(err):
			errs = append(errs, fmt.Errorf("namespace %q does not exist", name))
		case errdefs.IsFailedPrecondition(err):
			errs = append(errs, fmt.Errorf("namespace %q is not empty (remove its containers and images first): %w", name, err))
		case err != nil:
			errs = append(errs, fmt.Errorf("removing namespace %q: %w", name, err))
		default:
			fmt.Fprintln(w, name)
		}
	}
	return errors.Join(errs...)
}

// Detail is the JSON of `namespace inspect`.
type Detail struct {
	Name   string
	Labels map[string]string
}

// Inspect prints namespaces as a JSON array or through a template.
func Inspect(ctx context.Context, c *client.Client, w io.Writer, names []string, format string) error {
	all, err := c.NamespaceService().List(ctx)
	if err != nil {
		return err
	}
	var objs []any
	for _, name := range names {
		found := false
		for _, n := range all {
			found = found || n == name
		}
		if !found {
			return fmt.Errorf("namespace %q does not exist", name)
		}
		labels, err := c.NamespaceService().Labels(ctx, name)
		if err != nil {
			return err
		}
		if labels == nil {
			labels = map[string]string{}
		}
		objs = append(objs, Detail{Name: name, Labels: labels})
	}
	return formatter.Inspect(w, format, objs)
}
