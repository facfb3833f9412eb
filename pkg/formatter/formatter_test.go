package formatter

import (
	"bytes"
	"strings"
	"testing"
)

type row struct {
	A      string
	B      string
	Labels map[string]string
	Names  []string
}

var rows = []any{
	row{A: "alpha", B: "1", Labels: map[string]string{"k": "v"}, Names: []string{"x", "y"}},
	row{A: "b", B: "2222222", Names: []string{}},
}

var headers = map[string]string{"A": "COLUMN A", "B": "B", "Labels": "LABELS", "Names": "NAMES"}

func TestListWrite(t *testing.T) {
	for _, tc := range []struct {
		name  string
		list  List
		items []any
		want  string
	}{
		{
			name: "default table has a 3-space gutter",
			list: List{Default: "{{.A}}\t{{.B}}"},
			want: "COLUMN A   B\n" +
				"alpha      1\n" +
				"b          2222222\n",
		},
		{
			name: "table keyword alone is the default table",
			list: List{Format: "table", Default: "{{.A}}\t{{.B}}"},
			want: "COLUMN A   B\nalpha      1\nb          2222222\n",
		},
		{
			name: "table template with typed tabs",
			list: List{Format: `table {{.B}}\t{{.A}}`, Default: "{{.A}}"},
			want: "B         COLUMN A\n" +
				"1         alpha\n" +
				"2222222   b\n",
		},
		{
			name:  "a short column is padded to the minimum width of 10",
			list:  List{Format: `table {{.B}}\t{{.B}}`},
			items: []any{row{B: "1"}},
			want:  "B         B\n1         1\n",
		},
		{
			name: "header is empty for a field without a title",
			list: List{Format: `table {{.A}}\t{{.B}}`, Headers: map[string]string{"A": "A"}},
			want: "A         \nalpha     1\nb         2222222\n",
		},
		{
			name: "functions leave the header as it is",
			list: List{Format: `table {{upper .A}}\t{{truncate .B 3}}\t{{json .Labels}}\t{{join .Names ","}}`},
			want: "COLUMN A   B         LABELS      NAMES\n" +
				"ALPHA      1         {\"k\":\"v\"}   x,y\n" +
				"B          222       null        \n",
		},
		{
			name:  "header only when there are no items",
			list:  List{Format: "", Default: "{{.A}}\t{{.B}}"},
			items: []any{},
			want:  "COLUMN A   B\n",
		},
		{
			name: "template without table has no header",
			list: List{Format: `{{.A}}:{{.B}}`},
			want: "alpha:1\nb:2222222\n",
		},
		{
			name: "template with a newline escape",
			list: List{Format: `{{.A}}\n{{.B}}`},
			want: "alpha\n1\nb\n2222222\n",
		},
		{
			name: "json is one object per line",
			list: List{Format: "json", Default: "{{.A}}"},
			want: `{"A":"alpha","B":"1","Labels":{"k":"v"},"Names":["x","y"]}` + "\n" +
				`{"A":"b","B":"2222222","Labels":null,"Names":[]}` + "\n",
		},
		{
			name:  "json does not escape HTML",
			list:  List{Format: "{{json .}}"},
			items: []any{map[string]string{"A": "<a&b>"}},
			want:  `{"A":"<a&b>"}` + "\n",
		},
		{
			name: "quiet prints the quiet field only",
			list: List{Format: "table {{.B}}", Default: "{{.A}}\t{{.B}}", Quiet: true, QuietField: "A"},
			want: "alpha\nb\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			items := tc.items
			if items == nil {
				items = rows
			}
			if tc.list.Headers == nil {
				tc.list.Headers = headers
			}
			var b bytes.Buffer
			if err := tc.list.Write(&b, items); err != nil {
				t.Fatalf("Write: %v", err)
			}
			if b.String() != tc.want {
				t.Fatalf("Write:\n%q\nwant\n%q", b.String(), tc.want)
			}
		})
	}
}

func TestFuncs(t *testing.T) {
	data := map[string]any{
		"S":     "hello wORLD-foo_bar",
		"Empty": "",
		"List":  []string{"a", "b", "c"},
		"CSV":   "a,b,c",
		"Obj":   map[string]any{"b": 1, "a": "<x>"},
	}
	for _, tc := range []struct{ format, want string }{
		{`{{json .Obj}}`, `{"a":"<x>","b":1}`},
		{`{{json .List}}`, `["a","b","c"]`},
		{`{{json .S}}`, `"hello wORLD-foo_bar"`},
		{`{{join .List ", "}}`, "a, b, c"},
		{`{{split .CSV ","}}`, "[a b c]"},
		{`{{index (split .CSV ",") 1}}`, "b"},
		{`{{upper .S}}`, "HELLO WORLD-FOO_BAR"},
		{`{{lower .S}}`, "hello world-foo_bar"},
		{`{{title .S}}`, "Hello WORLD-Foo_bar"},
		{`{{title "élan vital"}}`, "Élan Vital"},
		{`{{title .Empty}}`, ""},
		{`{{truncate .S 5}}`, "hello"},
		{`{{truncate .S 100}}`, "hello wORLD-foo_bar"},
		{`{{truncate .S 0}}`, ""},
		{`[{{pad "x" 2 3}}]`, "[  x   ]"},
		{`[{{pad .Empty 2 3}}]`, "[]"},
		{`{{.S | upper | printf "%s!"}}`, "HELLO WORLD-FOO_BAR!"},
	} {
		var b bytes.Buffer
		if err := Object(&b, tc.format, data); err != nil {
			t.Errorf("%s: %v", tc.format, err)
			continue
		}
		if got := strings.TrimSuffix(b.String(), "\n"); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.format, got, tc.want)
		}
	}
}

func TestTemplateErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		format  string
		data    any
		wantErr string
	}{
		{"unclosed action", "{{.A", row{}, `template parsing error: template: :1: unclosed action`},
		{"unknown function", "{{nope .A}}", row{}, `template parsing error: template: :1: function "nope" not defined`},
		{"unknown field", "{{.C}}", row{}, `template parsing error: template: :1:2: executing "" at <.C>: can't evaluate field C in type formatter.row`},
		{"missing map key", "{{.C}}", map[string]string{"A": "a"}, `template parsing error: template: :1:2: executing "" at <.C>: map has no entry for key "C"`},
		{"wrong argument type", "{{truncate .A .A}}", row{A: "a"}, `template parsing error: template: :1:14: executing "" at <.A>: wrong type for value; expected int; got string`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			err := Object(&b, tc.format, tc.data)
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("Object: error = %v, want %q", err, tc.wantErr)
			}
			b.Reset()
			err = List{Format: tc.format}.Write(&b, []any{tc.data})
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("List.Write: error = %v, want %q", err, tc.wantErr)
			}
		})
	}
	// The table header never fails on its own: the rows report the error.
	var b bytes.Buffer
	err := List{Format: "table {{.A}}\t{{.C}}", Headers: headers}.Write(&b, []any{row{A: "a"}})
	want := `template parsing error: template: :1:9: executing "" at <.C>: can't evaluate field C in type formatter.row`
	if err == nil || err.Error() != want {
		t.Errorf("table with an unknown field: error = %v, want %q", err, want)
	}
}

func TestObject(t *testing.T) {
	v := map[string]any{"Name": "default", "Labels": map[string]string{}}
	for _, tc := range []struct{ format, want string }{
		{"", "{\n    \"Labels\": {},\n    \"Name\": \"default\"\n}\n"},
		{"json", `{"Labels":{},"Name":"default"}` + "\n"},
		{"{{json .}}", `{"Labels":{},"Name":"default"}` + "\n"},
		{"{{.Name}}", "default\n"},
		{`{{.Name}}\t{{len .Labels}}`, "default\t0\n"},
	} {
		var b bytes.Buffer
		if err := Object(&b, tc.format, v); err != nil {
			t.Fatalf("Object(%q): %v", tc.format, err)
		}
		if b.String() != tc.want {
			t.Errorf("Object(%q) = %q, want %q", tc.format, b.String(), tc.want)
		}
	}
}

func TestInspect(t *testing.T) {
	objs := []any{map[string]string{"Id": "a"}, map[string]string{"Id": "b"}}
	for _, tc := range []struct {
		format string
		objs   []any
		want   string
	}{
		{"", nil, "[]\n"},
		{"", objs, "[\n    {\n        \"Id\": \"a\"\n    },\n    {\n        \"Id\": \"b\"\n    }\n]\n"},
		{"{{.Id}}", objs, "a\nb\n"},
		{"{{.Id}}", nil, ""},
	} {
		var b bytes.Buffer
		if err := Inspect(&b, tc.format, tc.objs); err != nil {
			t.Fatalf("Inspect(%q): %v", tc.format, err)
		}
		if b.String() != tc.want {
			t.Errorf("Inspect(%q, %d objects) = %q, want %q", tc.format, len(tc.objs), b.String(), tc.want)
		}
	}
}

func TestIsJSON(t *testing.T) {
	for format, want := range map[string]bool{
		"json": true, " json ": true, "{{json .}}": true, "{{ json . }}": false,
		"table": false, "": false, "{{json .A}}": false,
	} {
		if got := IsJSON(format); got != want {
			t.Errorf("IsJSON(%q) = %v, want %v", format, got, want)
		}
	}
}
