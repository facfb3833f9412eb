package opts

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"
	"unicode"

	"github.com/moby/sys/signal"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Change is one Dockerfile instruction of `commit -c` or `import -c`,
// parsed but not yet applied: variables are substituted when it is applied,
// from the environment the image has by then.
type Change struct {
	// Instruction is the instruction in upper case: CMD, ENTRYPOINT, ENV,
	// EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME or WORKDIR.
	Instruction string
	// Args are the raw words (quotes and escapes kept); for the exec form
	// of CMD, ENTRYPOINT and VOLUME, the JSON array's strings.
	Args []string
	// JSON tells the exec form ["a", "b"].
	JSON bool
	// Shell is the line of the shell form of CMD and ENTRYPOINT.
	Shell string
	// Pairs are ENV's and LABEL's raw KEY, VALUE pairs.
	Pairs [][2]string
}

// changeParsers are the instructions a change may be, as Docker allows them
// for commit and import.
var changeParsers = map[string]func(string, string) (Change, error){
	"cmd":        parseExecForm,
	"entrypoint": parseExecForm,
	"env":        parsePairs,
	"label":      parsePairs,
	"expose":     parseWords(1, -1),
	"volume":     parseVolume,
	"user":       parseWords(1, 1),
	"workdir":    parseWords(1, 1),
	"stopsignal": parseWords(1, 1),
}

// unsupportedChanges are valid in Docker but have no place in an OCI image
// config.
var unsupportedChanges = map[string]bool{"healthcheck": true, "onbuild": true}

// ParseChanges parses -c values. Like Docker, it reads them as the lines of
// a Dockerfile: a value may hold several lines, a line ending in "\"
// continues on the next, and blank lines and # comments are skipped.
func ParseChanges(values []string) ([]Change, error) {
	var out []Change
	for _, line := range logicalLines(strings.Join(values, "\n")) {
		word, rest := cutWord(line)
		instr := strings.ToLower(word)
		if unsupportedChanges[instr] {
			return nil, fmt.Errorf("%s is not supported in a change by berth", strings.ToUpper(instr))
		}
		parse, ok := changeParsers[instr]
		if !ok {
			// Docker's message, with the instruction in lower case as its
			// parser keeps it.
			return nil, fmt.Errorf("%s is not a valid change command", instr)
		}
		c, err := parse(strings.ToUpper(instr), rest)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// logicalLines joins continued lines and drops blank and comment lines.
func logicalLines(s string) []string {
	var out []string
	var cur strings.Builder
	for _, l := range strings.Split(s, "\n") {
		trimmed := strings.TrimSpace(l)
		if cur.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if strings.HasSuffix(trimmed, `\`) {
			cur.WriteString(strings.TrimSuffix(trimmed, `\`))
			continue
		}
		cur.WriteString(trimmed)
		out = append(out, cur.String())
		cur.Reset()
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// cutWord splits a line into its first word and the rest, trimmed.
func cutWord(s string) (string, string) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}

func atLeastOne(instr string) error { return fmt.Errorf("%s requires at least one argument", instr) }

// parseExecForm reads CMD and ENTRYPOINT: a JSON array of strings, or
// else a shell command line.
func parseExecForm(instr, rest string) (Change, error) {
	c := Change{Instruction: instr}
	if args, ok := jsonArray(rest); ok {
		c.JSON, c.Args = true, args
		return c, nil
	}
	if rest == "" {
		return c, atLeastOne(instr)
	}
	c.Shell = rest
	return c, nil
}

// jsonArray reads s as a JSON array of strings, as Docker tries first.
func jsonArray(s string) ([]string, bool) {
	if !strings.HasPrefix(s, "[") {
		return nil, false
	}
	var args []string
	if err := json.Unmarshal([]byte(s), &args); err != nil {
		return nil, false
	}
	if args == nil {
		args = []string{}
	}
	return args, true
}

// parseWords reads blank-separated words, between min and max of them (max
// -1 for no limit).
func parseWords(min, max int) func(string, string) (Change, error) {
	return func(instr, rest string) (Change, error) {
		words, err := splitWords(rest)
		if err != nil {
			return Change{}, err
		}
		switch {
		case max == 1 && len(words) != 1:
			return Change{}, fmt.Errorf("%s requires exactly one argument", instr)
		case len(words) < min:
			return Change{}, atLeastOne(instr)
		}
		return Change{Instruction: instr, Args: words}, nil
	}
}

// parseVolume reads VOLUME's JSON array or words.
func parseVolume(instr, rest string) (Change, error) {
	if args, ok := jsonArray(rest); ok {
		if len(args) == 0 {
			return Change{}, atLeastOne(instr)
		}
		return Change{Instruction: instr, Args: args, JSON: true}, nil
	}
	return parseWords(1, -1)(instr, rest)
}

// parsePairs reads ENV and LABEL: KEY=VALUE words, or Docker's older form
// KEY VALUE, whose value is the rest of the line.
func parsePairs(instr, rest string) (Change, error) {
	c := Change{Instruction: instr}
	words, err := splitWords(rest)
	if err != nil {
		return c, err
	}
	if len(words) == 0 {
		return c, atLeastOne(instr)
	}
	if !strings.Contains(words[0], "=") {
		key, value := cutWord(rest)
		if value == "" {
			return c, fmt.Errorf("%s must have two arguments", instr)
		}
		c.Pairs = append(c.Pairs, [2]string{key, value})
		return c, nil
	}
	for _, w := range words {
		k, v, ok := strings.Cut(w, "=")
		if !ok {
			return c, fmt.Errorf("Syntax error - can't find = in %q. Must be of the form: name=value", w)
		}
		if k == "" {
			return c, fmt.Errorf("%s names can not be blank", instr)
		}
		c.Pairs = append(c.Pairs, [2]string{k, v})
	}
	return c, nil
}

// ApplyChanges applies parsed changes to an image config in order, as
// Docker's builder does: variables come from the environment so far, a
// relative WORKDIR is taken from the previous one, and ENTRYPOINT clears a
// CMD that no earlier change set.
func ApplyChanges(cfg *ocispec.ImageConfig, changes []Change) error {
	cmdSet := false
	for _, c := range changes {
		var err error
		switch c.Instruction {
		case "CMD":
			cfg.Cmd, cmdSet = c.command(), true
		case "ENTRYPOINT":
			cfg.Entrypoint = c.command()
			if !cmdSet {
				cfg.Cmd = nil
			}
		case "ENV":
			err = applyEnv(cfg, c)
		case "LABEL":
			err = applyLabels(cfg, c)
		case "EXPOSE":
			err = applyExpose(cfg, c)
		case "VOLUME":
			err = applyVolumes(cfg, c)
		default:
			err = applySingle(cfg, c)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// command is the argv of CMD or ENTRYPOINT: the exec form as given, the
// shell form through /bin/sh -c.
func (c Change) command() []string {
	if c.JSON {
		return c.Args
	}
	return []string{"/bin/sh", "-c", c.Shell}
}

// words substitutes variables in c's words.
func (c Change) words(env []string) ([]string, error) {
	out := make([]string, 0, len(c.Args))
	for _, a := range c.Args {
		if c.JSON {
			// The exec form's strings are not shell words: variables only.
			a = strings.ReplaceAll(a, `\`, `\\`)
			a = strings.ReplaceAll(strings.ReplaceAll(a, `'`, `\'`), `"`, `\"`)
		}
		w, err := processWord(a, env)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.Instruction, err)
		}
		out = append(out, w)
	}
	return out, nil
}

func applyEnv(cfg *ocispec.ImageConfig, c Change) error {
	for _, p := range c.Pairs {
		k, err := processWord(p[0], cfg.Env)
		if err != nil {
			return fmt.Errorf("ENV: %w", err)
		}
		v, err := processWord(p[1], cfg.Env)
		if err != nil {
			return fmt.Errorf("ENV: %w", err)
		}
		cfg.Env = setEnvVar(cfg.Env, k, v)
	}
	return nil
}

func setEnvVar(env []string, k, v string) []string {
	out := make([]string, 0, len(env)+1)
	for _, e := range env {
		if ek, _, _ := strings.Cut(e, "="); ek != k {
			out = append(out, e)
		}
	}
	return append(out, k+"="+v)
}

func applyLabels(cfg *ocispec.ImageConfig, c Change) error {
	for _, p := range c.Pairs {
		k, err := processWord(p[0], cfg.Env)
		if err != nil {
			return fmt.Errorf("LABEL: %w", err)
		}
		v, err := processWord(p[1], cfg.Env)
		if err != nil {
			return fmt.Errorf("LABEL: %w", err)
		}
		if cfg.Labels == nil {
			cfg.Labels = map[string]string{}
		}
		cfg.Labels[k] = v
	}
	return nil
}

func applyExpose(cfg *ocispec.ImageConfig, c Change) error {
	words, err := c.words(cfg.Env)
	if err != nil {
		return err
	}
	for _, w := range words {
		ports, err := ParseExpose(w)
		if err != nil {
			return fmt.Errorf("invalid port %q in EXPOSE", w)
		}
		if cfg.ExposedPorts == nil {
			cfg.ExposedPorts = map[string]struct{}{}
		}
		for _, p := range ports {
			cfg.ExposedPorts[p.String()] = struct{}{}
		}
	}
	return nil
}

func applyVolumes(cfg *ocispec.ImageConfig, c Change) error {
	words, err := c.words(cfg.Env)
	if err != nil {
		return err
	}
	for _, w := range words {
		if strings.TrimSpace(w) == "" {
			return fmt.Errorf("VOLUME specified can not be an empty string")
		}
		if cfg.Volumes == nil {
			cfg.Volumes = map[string]struct{}{}
		}
		cfg.Volumes[w] = struct{}{}
	}
	return nil
}

// applySingle applies USER, WORKDIR and STOPSIGNAL.
func applySingle(cfg *ocispec.ImageConfig, c Change) error {
	words, err := c.words(cfg.Env)
	if err != nil {
		return err
	}
	w := words[0]
	switch c.Instruction {
	case "USER":
		cfg.User = w
	case "WORKDIR":
		if !path.IsAbs(w) {
			base := cfg.WorkingDir
			if base == "" {
				base = "/"
			}
			w = path.Join(base, w)
		}
		cfg.WorkingDir = path.Clean(w)
	case "STOPSIGNAL":
		if _, err := signal.ParseSignal(w); err != nil {
			return err
		}
		cfg.StopSignal = w
	}
	return nil
}
