package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/berth-project/berth/cmd/berth/cli"
	"github.com/berth-project/berth/cmd/berth/compose"
	"github.com/berth-project/berth/pkg/config"
)

// referencePath is the command reference, seen from this package.
var referencePath = filepath.Join("..", "..", "docs", "command-reference.md")

// testRoot is the tree the berth binary runs, built from the built-in
// defaults so that no berth.toml or environment of the machine changes it,
// with the compose helper's tree in place of the CLI's hand-over to it.
func testRoot() *cobra.Command {
	g := &cli.Globals{Config: *config.Default()}
	cmds := commands(g)
	if last := cmds[len(cmds)-1]; last.Name() != "compose" {
		panic("the compose hand-over is not the last command")
	}
	cmds[len(cmds)-1] = compose.Commands(g)[0]
	return cli.NewRoot(g, cmds...)
}

// visible lists root and every command below it that is not hidden, parents
// before children.
func visible(root *cobra.Command) []*cobra.Command {
	out := []*cobra.Command{root}
	for _, c := range root.Commands() {
		if c.Hidden {
			continue
		}
		out = append(out, visible(c)...)
	}
	return out
}

// ownFlags are the flags a command defines: the global flags for root, the
// local ones for the others. Merging in the inherited flags panics when a
// command's shorthand collides with a global one, as the real binary does
// the first time it parses that command's flags: the panic becomes an error.
func ownFlags(c *cobra.Command) (flags []*pflag.Flag, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	fs := c.LocalNonPersistentFlags()
	if !c.HasParent() {
		fs = c.PersistentFlags()
	}
	fs.VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			flags = append(flags, f)
		}
	})
	return flags, nil
}

func TestCommandsHaveShortAndExample(t *testing.T) {
	for _, c := range visible(testRoot()) {
		if strings.TrimSpace(c.Short) == "" {
			t.Errorf("%s: no Short description", c.CommandPath())
		}
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%s: no Example", c.CommandPath())
		}
	}
}

// TestFlagsParse runs each command's flag merge as the binary does on every
// invocation: a command whose flags cannot be merged with the global ones
// panics whenever it is run.
func TestFlagsParse(t *testing.T) {
	for _, c := range visible(testRoot()) {
		if _, err := ownFlags(c); err != nil {
			t.Errorf("%s: its flags clash with the global flags (the command panics when run): %v", c.CommandPath(), err)
		}
	}
}

// TestReferenceCoversTree fails for each command or flag of the tree that
// docs/command-reference.md does not describe: each command has a heading
// that is its path (`## berth image ls`), and its section names each of its
// flags as --name.
func TestReferenceCoversTree(t *testing.T) {
	data, err := os.ReadFile(referencePath)
	if err != nil {
		t.Fatalf("reading the command reference: %v", err)
	}
	doc := parseReference(string(data))
	for _, c := range visible(testRoot()) {
		path := c.CommandPath()
		section, ok := doc[path]
		if !ok {
			t.Errorf("%s: %s has no heading %q", path, referencePath, path)
			continue
		}
		flags, err := ownFlags(c)
		if err != nil {
			// TestFlagsParse reports it; check the flags defined so far.
			flags = nil
			c.LocalFlags().VisitAll(func(f *pflag.Flag) {
				if !f.Hidden && f.Name != "help" {
					flags = append(flags, f)
				}
			})
		}
		for _, f := range flags {
			if f.Name == "help" {
				continue
			}
			if !mentionsFlag(section, f.Name) {
				t.Errorf("%s --%s: not described in the section %q of %s", path, f.Name, path, referencePath)
			}
		}
	}
}

// parseReference maps each heading's text (without #s and backticks) to its
// section: the text up to the next heading of the same or a higher level.
// A command's section thus includes its subcommands' sections.
func parseReference(doc string) map[string]string {
	type heading struct {
		level      int
		text       string
		start, end int
	}
	var hs []heading
	lines := strings.SplitAfter(doc, "\n")
	offset := 0
	inFence := false
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			inFence = !inFence
		}
		if !inFence && strings.HasPrefix(line, "#") {
			level := len(line) - len(strings.TrimLeft(line, "#"))
			text := strings.TrimSpace(strings.ReplaceAll(strings.TrimLeft(line, "#"), "`", ""))
			hs = append(hs, heading{level: level, text: text, start: offset, end: len(doc)})
		}
		offset += len(line)
	}
	sections := make(map[string]string, len(hs))
	for i := range hs {
		for j := i + 1; j < len(hs); j++ {
			if hs[j].level <= hs[i].level {
				hs[i].end = hs[j].start
				break
			}
		}
		if _, dup := sections[hs[i].text]; !dup {
			sections[hs[i].text] = doc[hs[i].start:hs[i].end]
		}
	}
	return sections
}

// mentionsFlag reports whether text names --name as a whole word.
func mentionsFlag(text, name string) bool {
	re := regexp.MustCompile(`(^|[^A-Za-z0-9-])--` + regexp.QuoteMeta(name) + `($|[^A-Za-z0-9-])`)
	return re.MatchString(text)
}

func TestParseReference(t *testing.T) {
	doc := "# Title\n\n## berth\n\n`--debug`\n\n## berth image\n\n### berth image ls\n\n`-q`, `--quiet`\n\n```\n# not a heading\n```\n\n### `berth image rm`\n\n--force\n\n## berth run\n\n--rm, --interactive\n"
	s := parseReference(doc)
	for _, tc := range []struct {
		section, flag string
		want          bool
	}{
		{"berth", "debug", true},
		{"berth", "quiet", false},
		{"berth image", "quiet", true},
		{"berth image", "force", true},
		{"berth image", "rm", false},
		{"berth image ls", "quiet", true},
		{"berth image ls", "force", false},
		{"berth image rm", "force", true},
		{"berth run", "rm", true},
		{"berth run", "interactive", true},
		{"berth run", "inter", false},
	} {
		text, ok := s[tc.section]
		if !ok {
			t.Fatalf("no section %q in %q", tc.section, keys(s))
		}
		if got := mentionsFlag(text, tc.flag); got != tc.want {
			t.Errorf("section %q mentions --%s = %v, want %v", tc.section, tc.flag, got, tc.want)
		}
	}
	if _, ok := s["not a heading"]; ok {
		t.Error("a # line inside a code block was taken for a heading")
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// captureStderr runs f with os.Stderr going to a pipe and returns what f wrote.
func captureStderr(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = w
	done := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(r)
		done <- b
	}()
	defer func() {
		os.Stderr = saved
	}()
	f()
	w.Close()
	out := <-done
	r.Close()
	return string(out)
}

func TestExitStatus(t *testing.T) {
	for _, tc := range []struct {
		name       string
		err        error
		wantStatus int
		wantStderr string
	}{
		{"success", nil, 0, ""},
		{"plain error", errors.New("No such image: busybox:latest"), 125, "berth: No such image: busybox:latest\n"},
		{"wrapped error", fmt.Errorf("pulling: %w", errors.New("boom")), 125, "berth: pulling: boom\n"},
		{"container's own status", &cli.StatusError{Status: 3}, 3, ""},
		{"status with a message", &cli.StatusError{Status: 127, Message: "failed to start the container: exec: \"nope\": executable file not found in $PATH"}, 127,
			"berth: failed to start the container: exec: \"nope\": executable file not found in $PATH\n"},
		{"cannot invoke", &cli.StatusError{Status: 126, Message: "permission denied"}, 126, "berth: permission denied\n"},
		{"wrapped status", fmt.Errorf("run: %w", &cli.StatusError{Status: 42}), 42, ""},
		{"quiet success", &cli.StatusError{Status: 0}, 0, ""},
		{"interrupted", fmt.Errorf("pulling: %w", context.Canceled), 130, ""},
		{"unknown flag from cobra", errors.New("unknown flag: --nope"), 125, "berth: unknown flag: --nope\nSee 'berth --help'.\n"},
		{"unknown command from cobra", errors.New(`unknown command "nope" for "berth"`), 125, "berth: unknown command \"nope\" for \"berth\"\nSee 'berth --help'.\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var status int
			stderr := captureStderr(t, func() { status = cli.ExitStatus(testRoot(), tc.err) })
			if status != tc.wantStatus || stderr != tc.wantStderr {
				t.Errorf("cli.ExitStatus() = %d, stderr %q; want %d, %q", status, stderr, tc.wantStatus, tc.wantStderr)
			}
		})
	}
}

// TestExitStatusOfTree runs the real tree on command lines that fail before
// any engine is dialled and checks the status and message main would give.
func TestExitStatusOfTree(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		wantStderr string
	}{
		{[]string{"images", "--nope"}, "berth: unknown flag: --nope\nSee 'berth images --help'.\n"},
		{[]string{"images", "-Z"}, "berth: unknown shorthand flag: 'Z' in -Z\nSee 'berth images --help'.\n"},
		{[]string{"--nope", "images"}, "berth: unknown flag: --nope\nSee 'berth --help'.\n"},
		{[]string{"nope"}, "berth: unknown command \"nope\" for \"berth\"\nSee 'berth --help'.\n"},
		{[]string{"history", "--human=maybe", "busybox"}, "berth: invalid argument \"maybe\" for \"-H, --human\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax\nSee 'berth history --help'.\n"},
		{[]string{"--cgroup-manager", "bogus", "images"}, "berth: invalid --cgroup-manager \"bogus\": must be cgroupfs, systemd or none\n"},
		{[]string{"tag", "busybox"}, "berth: \"berth tag\" requires exactly 2 arguments.\nSee 'berth tag --help'.\n\nUsage:  berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG] [flags]\n\nCreate a tag TARGET_IMAGE that refers to SOURCE_IMAGE\n"},
		{[]string{"run", "--restart", "sometimes", "busybox"}, "berth: invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'\n"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			root := testRoot()
			root.SetArgs(tc.args)
			var out bytes.Buffer
			root.SetOut(&out)
			var status int
			stderr := captureStderr(t, func() {
				cmd, err := root.ExecuteC()
				status = cli.ExitStatus(cmd, err)
			})
			if status != 125 || stderr != tc.wantStderr {
				t.Errorf("status %d, stderr %q; want 125, %q", status, stderr, tc.wantStderr)
			}
		})
	}
}
