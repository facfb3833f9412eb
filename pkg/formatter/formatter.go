// Package formatter renders lists and objects as Docker does: a table with a
// 3-space gutter, one JSON object per line with "json", or a Go template with
// Docker's template functions. It makes no RPCs; callers hand it finished data.
package formatter

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"text/template"
)

// Funcs are Docker's template functions.
func Funcs() template.FuncMap {
	return template.FuncMap{
		"json": func(v any) (string, error) {
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(v); err != nil {
				return "", err
			}
			return strings.TrimSpace(b.String()), nil
		},
		"join":  strings.Join,
		"split": strings.Split,
		"upper": strings.ToUpper,
		"lower": strings.ToLower,
		"title": func(s string) string {
			if s == "" {
				return s
			}
			return strings.ToUpper(s[:1]) + s[1:]
		},
		"truncate": func(s string, n int) string {
			if len(s) > n {
				return s[:n]
			}
			return s
		},
		"pad": func(s string, before, after int) string {
			return strings.Repeat(" ", before) + s + strings.Repeat(" ", after)
		},
		"println": func(args ...any) string { return fmt.Sprintln(args...) },
	}
}

// Parse compiles a user's --format template with Docker's functions.
func Parse(format string) (*template.Template, error) {
	t, err := template.New("").Funcs(Funcs()).Option("missingkey=error").Parse(format)
	if err != nil {
		return nil, fmt.Errorf("template parsing error: %w", err)
	}
	return t, nil
}

// IsJSON reports a format that asks for one JSON object per item.
func IsJSON(format string) bool {
	f := strings.TrimSpace(format)
	return f == "json" || f == "{{json .}}"
}

// List describes how a list command prints its items.
type List struct {
	// Format is the user's --format: "", "table", "table TEMPLATE", "json" or a template.
	Format string
	// Default is the table template used for "" and "table".
	Default string
	// Headers maps each field a table template may name to its column title.
	Headers map[string]string
	// Quiet prints the QuietField of each item only.
	Quiet      bool
	QuietField string
}

// Write renders items (structs or maps) to w.
func (l List) Write(w io.Writer, items []any) error {
	format := strings.TrimSpace(l.Format)
	if l.Quiet {
		format = "{{." + l.QuietField + "}}"
	}
	if IsJSON(format) {
		return writeJSONLines(w, items)
	}
	table := false
	switch {
	case format == "" || format == "table":
		format, table = l.Default, true
	case strings.HasPrefix(format, "table "):
		format, table = strings.TrimPrefix(format, "table "), true
	}
	format = unescape(format)
	tmpl, err := Parse(format)
	if err != nil {
		return err
	}
	out := w
	var tw *tabwriter.Writer
	if table {
		tw = tabwriter.NewWriter(w, 10, 1, 3, ' ', 0)
		out = tw
		// The header row runs the same template over the column titles; a
		// field without a title prints empty rather than failing.
		htmpl, err := template.New("").Funcs(Funcs()).Parse(format)
		if err != nil {
			return fmt.Errorf("template parsing error: %w", err)
		}
		if err := htmpl.Execute(out, l.Headers); err != nil {
			return fmt.Errorf("template: %w", err)
		}
		fmt.Fprintln(out)
	}
	for _, it := range items {
		if err := tmpl.Execute(out, it); err != nil {
			return fmt.Errorf("template: %w", err)
		}
		fmt.Fprintln(out)
	}
	if tw != nil {
		return tw.Flush()
	}
	return nil
}

// unescape turns the `\t` and `\n` a user types in a shell into real ones.
func unescape(s string) string {
	return strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(s)
}

func writeJSONLines(w io.Writer, items []any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, it := range items {
		if err := enc.Encode(it); err != nil {
			return err
		}
	}
	return nil
}

// Object renders one object for inspect-like commands: a template when format
// is set (each object on its own line), else indented JSON.
func Object(w io.Writer, format string, v any) error {
	if format == "" || IsJSON(format) {
		if format != "" {
			return writeJSONLines(w, []any{v})
		}
		b, err := json.MarshalIndent(v, "", "    ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(w, string(b))
		return err
	}
	tmpl, err := Parse(unescape(format))
	if err != nil {
		return err
	}
	if err := tmpl.Execute(w, v); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	_, err = fmt.Fprintln(w)
	return err
}

// Inspect renders several objects as Docker's inspect does: a JSON array, or
// the template once per object.
func Inspect(w io.Writer, format string, objs []any) error {
	if format == "" {
		if objs == nil {
			objs = []any{}
		}
		b, err := json.MarshalIndent(objs, "", "    ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(w, string(b))
		return err
	}
	for _, o := range objs {
		if err := Object(w, format, o); err != nil {
			return err
		}
	}
	return nil
}
