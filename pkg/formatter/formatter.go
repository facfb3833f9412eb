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
	"unicode"
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
		"join":     strings.Join,
		"split":    strings.Split,
		"upper":    strings.ToUpper,
		"lower":    strings.ToLower,
		"title":    title,
		"truncate": truncate,
		"pad":      pad,
	}
}

// headerFuncs stand in for Funcs when a table template runs over the column
// titles: as in Docker, a function leaves the title as it is, so that
// {{truncate .ID 5}} or {{json .Labels}} is still headed "IMAGE ID" or "LABELS".
func headerFuncs() template.FuncMap {
	keep := func(v any, _ ...any) any { return v }
	m := template.FuncMap{}
	for name := range Funcs() {
		m[name] = keep
	}
	return m
}

// title upper-cases the first letter of every word, as Docker's title
// (strings.Title) does; the rest of each word is left alone.
func title(s string) string {
	prev := ' '
	return strings.Map(func(r rune) rune {
		startsWord := isWordSeparator(prev)
		prev = r
		if startsWord {
			return unicode.ToTitle(r)
		}
		return r
	}, s)
}

// isWordSeparator tells where a word ends for title: anything but a letter,
// a digit or an underscore in ASCII; spaces only beyond it.
func isWordSeparator(r rune) bool {
	if r <= unicode.MaxASCII {
		return !(r == '_' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z')
	}
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		return false
	}
	return unicode.IsSpace(r)
}

// truncate keeps the first n bytes of s.
func truncate(s string, n int) string {
	if n < 0 {
		n = 0
	}
	if len(s) > n {
		return s[:n]
	}
	return s
}

// pad surrounds s with spaces; an empty s stays empty, as in Docker, so that
// a missing value does not leave a blank gap.
func pad(s string, before, after int) string {
	if s == "" {
		return s
	}
	return strings.Repeat(" ", max(before, 0)) + s + strings.Repeat(" ", max(after, 0))
}

// Parse compiles a user's --format template with Docker's functions.
func Parse(format string) (*template.Template, error) {
	t, err := template.New("").Funcs(Funcs()).Option("missingkey=error").Parse(format)
	if err != nil {
		return nil, fmt.Errorf("template parsing error: %w", err)
	}
	return t, nil
}

// execute runs t, with Docker's wording for a failure: Docker calls an error
// while executing a template a "template parsing error" too.
func execute(t *template.Template, w io.Writer, data any) error {
	if err := t.Execute(w, data); err != nil {
		return fmt.Errorf("template parsing error: %w", err)
	}
	return nil
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
		writeHeader(out, format, l.Headers)
	}
	for _, it := range items {
		if err := execute(tmpl, out, it); err != nil {
			return err
		}
		fmt.Fprintln(out)
	}
	if tw != nil {
		return tw.Flush()
	}
	return nil
}

// writeHeader writes the header row: the same template over the column
// titles. A field without a title prints empty, and a template that cannot
// run over titles (say {{.Size.Bytes}}) leaves what it printed so far, as
// Docker does: the rows below show the real error, if there is one.
func writeHeader(w io.Writer, format string, headers map[string]string) {
	var b bytes.Buffer
	if t, err := template.New("").Funcs(headerFuncs()).Option("missingkey=zero").Parse(format); err == nil {
		_ = t.Execute(&b, headers)
	}
	b.WriteString("\n")
	_, _ = b.WriteTo(w)
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
	if err := execute(tmpl, w, v); err != nil {
		return err
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
