package compose

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v4"
)

// sources are the project's files as YAML trees. compose-go's errors name
// a path in the merged model ("services.web.ports") but neither the file
// nor the line; these trees find them.
type sources struct {
	files []sourceFile
}

type sourceFile struct {
	name    string
	content []byte
	root    *yaml.Node
}

// displayName is how a message names a file: stdin has no name of its own.
func displayName(filename string) string {
	if filename == "-" {
		return "(stdin)"
	}
	return filename
}

// parseSources parses each file; a syntax error names the file.
func parseSources(files []types.ConfigFile) (*sources, error) {
	s := &sources{}
	for _, f := range files {
		var doc yaml.Node
		if err := yaml.Unmarshal(f.Content, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", displayName(f.Filename), err)
		}
		root := &doc
		if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
			root = doc.Content[0]
		}
		s.files = append(s.files, sourceFile{name: f.Filename, content: f.Content, root: root})
	}
	return s, nil
}

// lookup finds the node at a dotted path ("services.web.ports.0") and
// returns the line of its key (or item), 0 when the path is not there.
func (f sourceFile) lookup(path []string) int {
	n, line := f.root, 0
	for _, part := range path {
		if n == nil {
			return 0
		}
		switch n.Kind {
		case yaml.MappingNode:
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == part {
					line, next = n.Content[i].Line, n.Content[i+1]
					break
				}
			}
			if next == nil {
				return 0
			}
			n = next
		case yaml.SequenceNode:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(n.Content) {
				return 0
			}
			n = n.Content[i]
			line = n.Line
		default:
			return 0
		}
	}
	return line
}

// locate returns "file:line" of the first file that has path (the
// longest prefix of it that exists), or "" when none has any of it. A
// file named first (the one compose-go names) is searched first.
func (s *sources) locate(path string, first ...string) string {
	if s == nil {
		return ""
	}
	files := make([]sourceFile, 0, len(s.files))
	for _, f := range s.files {
		if slices.Contains(first, f.name) {
			files = append([]sourceFile{f}, files...)
		} else {
			files = append(files, f)
		}
	}
	parts := strings.Split(path, ".")
	for n := len(parts); n > 0; n-- {
		for _, f := range files {
			if line := f.lookup(parts[:n]); line > 0 {
				return fmt.Sprintf("%s:%d", displayName(f.name), line)
			}
		}
	}
	return ""
}

// findVariable returns "file:line" of the first use of ${name...} in
// the files, "" when there is none.
func (s *sources) findVariable(name string) string {
	re := regexp.MustCompile(`\$\{` + regexp.QuoteMeta(name) + `[:?}-]`)
	for _, f := range s.files {
		for i, line := range strings.Split(string(f.content), "\n") {
			if re.MatchString(line) {
				return fmt.Sprintf("%s:%d", displayName(f.name), i+1)
			}
		}
	}
	return ""
}

// Patterns of compose-go's messages that name a path in the model.
var (
	validatingRe  = regexp.MustCompile(`^validating (.+?): (\S*) (.*)$`)
	additionalRe  = regexp.MustCompile(`^additional properties '([^']+)' not allowed$`)
	requiredRe    = regexp.MustCompile(`required variable (\w+) is missing a value`)
	interpolateRe = regexp.MustCompile(`^error while interpolating (\S+): (.*)$`)
	dependsRe     = regexp.MustCompile(`^service "([^"]+)" depends on undefined service "[^"]+"`)
	cycleRe       = regexp.MustCompile(`^dependency cycle detected: (\S+) ->`)
	networkRe     = regexp.MustCompile(`^service "([^"]+)" refers to undefined (network|volume|secret|config) `)
)

// explain rewrites a load error of compose-go to name the file and line.
func (s *sources) explain(err error) error {
	msg := err.Error()
	// compose-go joins interpolation errors; each names its own path.
	if lines := strings.Split(msg, "\n"); len(lines) > 1 {
		var out []string
		for _, l := range lines {
			out = append(out, s.explainLine(l))
		}
		return errors.New(strings.Join(out, "\n"))
	}
	if x := s.explainLine(msg); x != msg {
		return errors.New(x)
	}
	return err
}

func (s *sources) explainLine(msg string) string {
	if m := validatingRe.FindStringSubmatch(msg); m != nil {
		file, path, what := m[1], m[2], fixArticles(strings.TrimSpace(m[3]))
		if a := additionalRe.FindStringSubmatch(what); a != nil && path == "" {
			return s.at(a[1], file, fmt.Sprintf("(root): additional property %q is not allowed", a[1]))
		}
		if what == "false schema" {
			// compose-go's schema check says "false schema" for a key the
			// schema does not have.
			parent, key := path, ""
			if i := strings.LastIndex(path, "."); i >= 0 {
				parent, key = path[:i], path[i+1:]
			}
			what = fmt.Sprintf("additional property %q is not allowed", key)
			if parent == key {
				parent = "(root)"
			}
			return s.at(path, file, fmt.Sprintf("%s: %s", parent, what))
		}
		return s.at(path, file, path+" "+what)
	}
	if m := interpolateRe.FindStringSubmatch(msg); m != nil {
		if r := requiredRe.FindStringSubmatch(m[2]); r != nil && strings.Contains(m[1], "[]") {
			// A list item's path has no index: the variable finds the line.
			if where := s.findVariable(r[1]); where != "" {
				return where + ": " + msg
			}
		}
		return s.at(m[1], "", msg)
	}
	if m := dependsRe.FindStringSubmatch(msg); m != nil {
		return s.at("services."+m[1]+".depends_on", "", strings.TrimSuffix(msg, ": invalid compose project"))
	}
	if m := cycleRe.FindStringSubmatch(msg); m != nil {
		return s.at("services."+m[1]+".depends_on", "", msg)
	}
	if m := networkRe.FindStringSubmatch(msg); m != nil {
		return s.at("services."+m[1]+"."+m[2]+"s", "", strings.TrimSuffix(msg, ": invalid compose project"))
	}
	return msg
}

// at prefixes msg with where path is; file is the one compose-go named,
// used when the path cannot be found.
func (s *sources) at(path, file, msg string) string {
	if where := s.locate(path, file); where != "" {
		return where + ": " + msg
	}
	if file != "" {
		return displayName(file) + ": " + msg
	}
	return msg
}

// fixArticles mends the schema messages' "must be a array".
func fixArticles(s string) string {
	for _, w := range []string{"array", "object", "integer"} {
		s = strings.ReplaceAll(s, " a "+w, " an "+w)
	}
	return s
}

// checkPaths refuses env_file and extends.file paths that leave the
// project directory through "..": a project's files must not read what
// lies beside or above it. Absolute paths are the user's explicit choice.
func (s *sources) checkPaths(projectDir string) error {
	for _, f := range s.files {
		services := child(f.root, "services")
		if services == nil || services.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(services.Content); i += 2 {
			name, svc := services.Content[i].Value, services.Content[i+1]
			for _, ref := range servicePaths(svc) {
				if escapes(projectDir, ref.value) {
					return fmt.Errorf("%s:%d: services.%s.%s: %q is outside the project directory %s",
						displayName(f.name), ref.line, name, ref.key, ref.value, projectDir)
				}
			}
		}
	}
	return nil
}

type pathRef struct {
	key, value string
	line       int
}

// servicePaths are a service's env_file paths (a string, a list of
// strings or of {path: ...}) and its extends.file.
func servicePaths(svc *yaml.Node) []pathRef {
	var out []pathRef
	if ef := child(svc, "env_file"); ef != nil {
		switch ef.Kind {
		case yaml.ScalarNode:
			out = append(out, pathRef{"env_file", ef.Value, ef.Line})
		case yaml.SequenceNode:
			for _, item := range ef.Content {
				if item.Kind == yaml.MappingNode {
					item = child(item, "path")
				}
				if item != nil && item.Kind == yaml.ScalarNode {
					out = append(out, pathRef{"env_file", item.Value, item.Line})
				}
			}
		}
	}
	if ext := child(svc, "extends"); ext != nil && ext.Kind == yaml.MappingNode {
		if file := child(ext, "file"); file != nil && file.Kind == yaml.ScalarNode {
			out = append(out, pathRef{"extends.file", file.Value, file.Line})
		}
	}
	return out
}

// escapes reports a relative path that leads out of dir. A path with a
// variable is judged once interpolated, by compose-go.
func escapes(dir, p string) bool {
	if p == "" || filepath.IsAbs(p) || strings.Contains(p, "$") {
		return false
	}
	rel, err := filepath.Rel(dir, filepath.Join(dir, p))
	return err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// child is the value of key in a mapping node, nil when absent.
func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
