package compose_test

import (
	"strings"
	"testing"
)

// Bad projects fail with a message that says what and where, with berth's
// exit status, and create nothing: no container, no network.
func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		// want is the whole of stderr's last line, with DIR for the
		// project's directory.
		want string
	}{
		{"invalid yaml", map[string]string{"compose.yaml": "services:\n  web:\n    image: IMAGE\n   command: x\n"},
			"berth: DIR/compose.yaml: yaml: while parsing a block mapping at line 1, column 3: line 3, column 4: did not find expected key"},
		{"unknown key", map[string]string{"compose.yaml": "services:\n  web:\n    image: IMAGE\n    restart_policy: always\n"},
			`berth: DIR/compose.yaml:4: services.web: additional property "restart_policy" is not allowed`},
		{"wrong type", map[string]string{"compose.yaml": "services:\n  web:\n    image: IMAGE\n    environment: 3\n"},
			"berth: DIR/compose.yaml:4: services.web.environment must be a mapping"},
		{"missing required variable", map[string]string{"compose.yaml": "services:\n  web:\n    image: IMAGE\n    environment:\n      TOKEN: ${TOKEN:?set TOKEN in .env}\n"},
			"berth: DIR/compose.yaml:5: error while interpolating services.web.environment.TOKEN: required variable TOKEN is missing a value: set TOKEN in .env"},
		{"dependency cycle", map[string]string{"compose.yaml": "services:\n  a:\n    image: IMAGE\n    depends_on: [b]\n  b:\n    image: IMAGE\n    depends_on: [a]\n"},
			"berth: DIR/compose.yaml:4: dependency cycle detected: a -> b -> a"},
		{"unknown service", map[string]string{"compose.yaml": "services:\n  a:\n    image: IMAGE\n    depends_on:\n      cache:\n        condition: service_started\n"},
			`berth: DIR/compose.yaml:4: service "a" depends on undefined service "cache"`},
		{"env_file outside the project", map[string]string{"compose.yaml": "services:\n  a:\n    image: IMAGE\n    env_file: ../../etc/shadow\n"},
			`berth: DIR/compose.yaml:4: services.a.env_file: "../../etc/shadow" is outside the project directory DIR`},
		{"port conflict", map[string]string{"compose.yaml": "services:\n  a:\n    image: IMAGE\n    ports: [\"18088:80\"]\n  b:\n    image: IMAGE\n    ports: [\"18088:8080\"]\n"},
			`berth: DIR/compose.yaml:7: services "a" and "b" both publish host port 18088/tcp`},
		{"build section", map[string]string{"compose.yaml": "services:\n  a:\n    build: .\n  b:\n    image: IMAGE\n"},
			`berth: service "a" has a build section: berth cannot build images yet; build the image elsewhere and set image: for the service`},
		{"image that does not exist", map[string]string{"compose.yaml": "services:\n  a:\n    image: IMAGE\n  b:\n    image: berth.local/does-not-exist:1\n    pull_policy: never\n"},
			`berth: service "b": No such image: berth.local/does-not-exist:1 (pull_policy: never)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newProject(t, tc.files)
			r := p.compose("up", "-d")
			if r.ExitCode != 125 {
				t.Errorf("exit status %d, want 125:\n%s", r.ExitCode, r)
			}
			lines := strings.Split(strings.TrimSuffix(r.Stderr, "\n"), "\n")
			if got := strings.ReplaceAll(lines[len(lines)-1], p.dir, "DIR"); got != tc.want {
				t.Errorf("got  %s\nwant %s\n%s", got, tc.want, r)
			}
			if r.Stdout != "" {
				t.Errorf("nothing on stdout:\n%s", r)
			}
			p.nothingLeft("after the failed up")
		})
	}
}

// An image that is in no registry fails the pull, before anything exists.
func TestUpWithMissingImage(t *testing.T) {
	p := newProject(t, map[string]string{"compose.yaml": "services:\n  a:\n    image: IMAGE\n  b:\n    image: berth.local/does-not-exist:1\n"})
	r := p.compose("up", "-d")
	if r.ExitCode != 125 || !strings.Contains(r.Stderr, `berth: service "b": pulling berth.local/does-not-exist:1: `) {
		t.Errorf("up must fail on the pull:\n%s", r)
	}
	p.nothingLeft("after the failed pull")
}

func TestConfigValidatesAndPrints(t *testing.T) {
	p := newProject(t, map[string]string{
		"compose.yaml":          "services:\n  web:\n    image: IMAGE\n    environment:\n      MODE: ${MODE:-dev}\n  db:\n    image: IMAGE\n",
		"compose.override.yaml": "services:\n  web:\n    ports: [\"8080:80\"]\n",
	})
	r := p.mustCompose("config")
	for _, want := range []string{"name: " + p.name, "MODE: dev", "published: \"8080\"", "target: 80"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("config must show %q:\n%s", want, r)
		}
	}
	if r := p.mustCompose("config", "--services"); r.Stdout != "db\nweb\n" {
		t.Errorf("--services:\n%s", r)
	}
	if r := p.mustCompose("config", "-q"); r.Stdout != "" {
		t.Errorf("-q prints nothing:\n%s", r)
	}
	if r := p.mustCompose("config", "--format", "json"); !strings.HasPrefix(r.Stdout, "{") || !strings.Contains(r.Stdout, `"MODE": "dev"`) {
		t.Errorf("--format json:\n%s", r)
	}
	if r := p.mustCompose("config", "--images"); !strings.Contains(r.Stdout, "berth.local/busybox") {
		t.Errorf("--images:\n%s", r)
	}
	// Stdin as a file, and an unknown format.
	in := "services:\n  one:\n    image: busybox\n"
	if r := p.composeIn(strings.NewReader(in), "-f", "-", "config", "--services"); r.ExitCode != 0 || r.Stdout != "one\n" {
		t.Errorf("-f -:\n%s", r)
	}
	if r := p.compose("config", "--format", "toml"); r.ExitCode != 125 || r.Stderr != "berth: unsupported format \"toml\": must be yaml or json\n" {
		t.Errorf("--format toml:\n%s", r)
	}
}
