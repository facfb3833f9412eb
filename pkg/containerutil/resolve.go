package containerutil

import (
	"context"
	"fmt"
	"strings"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/errdefs"
)

// NotFoundError is Docker's "No such container".
type NotFoundError struct{ Query string }

func (e *NotFoundError) Error() string { return "No such container: " + e.Query }

// Is makes errdefs.IsNotFound true for it.
func (e *NotFoundError) Is(target error) bool { return target == errdefs.ErrNotFound }

// Resolve finds the container a user means by query: a full ID, a name
// (with or without "/"), or a unique ID prefix, in that order as Docker does.
func Resolve(ctx context.Context, c *client.Client, s *Store, query string) (client.Container, error) {
	name := strings.TrimPrefix(query, "/")
	if ctr, err := c.LoadContainer(ctx, query); err == nil {
		return ctr, nil
	} else if !errdefs.IsNotFound(err) {
		return nil, err
	}
	if id := s.NameHolder(name); id != "" {
		if ctr, err := c.LoadContainer(ctx, id); err == nil {
			return ctr, nil
		}
	}
	// The name store may lag behind a crash: the label is the record.
	byName, err := c.Containers(ctx, fmt.Sprintf("labels.%q==%q", LabelName, name))
	if err != nil {
		return nil, err
	}
	if len(byName) == 1 {
		return byName[0], nil
	}
	if query == "" {
		return nil, &NotFoundError{Query: query}
	}
	all, err := c.Containers(ctx, fmt.Sprintf("id~=%q", "^"+regexpQuote(query)))
	if err != nil {
		return nil, err
	}
	switch len(all) {
	case 0:
		return nil, &NotFoundError{Query: query}
	case 1:
		return all[0], nil
	}
	return nil, fmt.Errorf("multiple IDs found with provided prefix: %s", query)
}

// regexpQuote escapes what a containerd filter regexp would interpret; IDs
// and names are [a-zA-Z0-9_.-], of which only "." needs it.
func regexpQuote(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\.+*?()|[]{}^$`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
