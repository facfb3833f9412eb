package compose

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeProject writes files (name -> content) into a new directory.
func writeProject(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// load loads the project in dir; o.ProjectDir defaults to dir.
func load(t *testing.T, dir string, o ProjectOptions) (*Project, error) {
	t.Helper()
	if o.ProjectDir == "" && len(o.Files) == 0 {
		o.ProjectDir = dir
	}
	return Load(context.Background(), o)
}

// isolate keeps the developer's COMPOSE_* variables out of a test.
func isolate(t *testing.T) {
	for _, v := range []string{"COMPOSE_FILE", "COMPOSE_PROJECT_NAME", "COMPOSE_PROFILES", "COMPOSE_DISABLE_ENV_FILE"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
}

func TestLoadBadInput(t *testing.T) {
	isolate(t)
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"invalid yaml", map[string]string{"compose.yaml": "services:\n  web:\n    image: busybox\n   command: x\n"},
			"DIR/compose.yaml: yaml: while parsing a block mapping at line 1, column 3: line 3, column 4: did not find expected key"},
		{"unknown key", map[string]string{"compose.yaml": "services:\n  web:\n    image: busybox\n    bogus: 1\n"},
			`DIR/compose.yaml:4: services.web: additional property "bogus" is not allowed`},
		{"unknown top-level key", map[string]string{"compose.yaml": "servics:\n  web:\n    image: busybox\n"},
			`DIR/compose.yaml:1: (root): additional property "servics" is not allowed`},
		{"wrong type", map[string]string{"compose.yaml": "services:\n  web:\n    image: busybox\n    ports: 80\n"},
			"DIR/compose.yaml:4: services.web.ports must be an array"},
		{"wrong boolean", map[string]string{"compose.yaml": "services:\n  web:\n    image: busybox\n    privileged: maybe\n"},
			"DIR/compose.yaml:4: error while interpolating services.web.privileged: failed to cast to expected type: invalid boolean: maybe"},
		{"missing required variable", map[string]string{"compose.yaml": "services:\n  web:\n    image: busybox\n    environment:\n      A: ${X:?need X}\n"},
			"DIR/compose.yaml:5: error while interpolating services.web.environment.A: required variable X is missing a value: need X"},
		{"missing required variable in a list", map[string]string{"compose.yaml": "services:\n  web:\n    image: busybox\n    environment:\n      - B=1\n      - A=${X:?need X}\n"},
			"DIR/compose.yaml:6: error while interpolating services.web.environment.[]: required variable X is missing a value: need X"},
		{"dependency cycle", map[string]string{"compose.yaml": "services:\n  a:\n    image: busybox\n    depends_on: [b]\n  b:\n    image: busybox\n    depends_on: [a]\n"},
			"DIR/compose.yaml:4: dependency cycle detected: a -> b -> a"},
		{"unknown dependency", map[string]string{"compose.yaml": "services:\n  a:\n    image: busybox\n    depends_on: [zz]\n"},
			`DIR/compose.yaml:4: service "a" depends on undefined service "zz"`},
		{"undefined network", map[string]string{"compose.yaml": "services:\n  a:\n    image: busybox\n    networks: [back]\n"},
			`DIR/compose.yaml:4: service "a" refers to undefined network back`},
		{"env_file outside the project", map[string]string{"compose.yaml": "services:\n  a:\n    image: busybox\n    env_file: ../secret.env\n"},
			`DIR/compose.yaml:4: services.a.env_file: "../secret.env" is outside the project directory DIR`},
		{"env_file list outside the project", map[string]string{"compose.yaml": "services:\n  a:\n    image: busybox\n    env_file:\n      - ok.env\n      - path: sub/../../x.env\n", "ok.env": "A=1\n"},
			`DIR/compose.yaml:6: services.a.env_file: "sub/../../x.env" is outside the project directory DIR`},
		{"extends outside the project", map[string]string{"compose.yaml": "services:\n  a:\n    extends:\n      file: ../base.yaml\n      service: base\n"},
			`DIR/compose.yaml:4: services.a.extends.file: "../base.yaml" is outside the project directory DIR`},
		{"missing env_file", map[string]string{"compose.yaml": "services:\n  a:\n    image: busybox\n    env_file: nope.env\n"},
			"env file DIR/nope.env not found: stat DIR/nope.env: no such file or directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeProject(t, tc.files)
			_, err := load(t, dir, ProjectOptions{})
			if err == nil {
				t.Fatalf("want %q, got no error", tc.want)
			}
			if got := strings.ReplaceAll(err.Error(), dir, "DIR"); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestLoadNoConfig(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	t.Chdir(dir)
	if _, err := Load(context.Background(), ProjectOptions{}); err != ErrNoConfig {
		t.Fatalf("got %v, want %v", err, ErrNoConfig)
	}
}

func TestLoadMergesFilesInOrder(t *testing.T) {
	isolate(t)
	dir := writeProject(t, map[string]string{
		"compose.yaml":      "services:\n  web:\n    image: busybox\n    command: [a]\n    environment:\n      A: base\n",
		"compose.prod.yaml": "services:\n  web:\n    command: [b]\n    environment:\n      B: prod\n  db:\n    image: busybox\n",
	})
	p, err := load(t, dir, ProjectOptions{Files: []string{filepath.Join(dir, "compose.yaml"), filepath.Join(dir, "compose.prod.yaml")}})
	if err != nil {
		t.Fatal(err)
	}
	web := p.Services["web"]
	if got := strings.Join(web.Command, " "); got != "b" {
		t.Errorf("command = %q, want the override's b", got)
	}
	if got := environment(web.Environment); !slices.Equal(got, []string{"A=base", "B=prod"}) {
		t.Errorf("environment = %q", got)
	}
	if got := p.ServiceNamesSorted(); !slices.Equal(got, []string{"db", "web"}) {
		t.Errorf("services = %q", got)
	}
	if p.Name != filepath.Base(dir) || len(p.ComposeFiles) != 2 {
		t.Errorf("name %q, files %q", p.Name, p.ComposeFiles)
	}
}

func TestLoadDiscoversUpwardsWithOverride(t *testing.T) {
	isolate(t)
	dir := writeProject(t, map[string]string{
		"docker-compose.yml":          "services:\n  web:\n    image: busybox\n",
		"docker-compose.override.yml": "services:\n  web:\n    image: busybox:override\n",
		"sub/deeper/.keep":            "",
	})
	t.Chdir(filepath.Join(dir, "sub", "deeper"))
	p, err := Load(context.Background(), ProjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.WorkingDir != dir || p.Services["web"].Image != "busybox:override" {
		t.Errorf("working dir %q, image %q", p.WorkingDir, p.Services["web"].Image)
	}
}

func TestLoadProjectName(t *testing.T) {
	isolate(t)
	for _, tc := range []struct {
		name, yamlName, flag, env, want string
	}{
		{"directory", "", "", "", "dirname"},
		{"name key", "fromfile", "", "", "fromfile"},
		{"environment beats the file", "fromfile", "", "fromenv", "fromenv"},
		{"flag beats all", "fromfile", "fromflag", "fromenv", "fromflag"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			content := "services:\n  web:\n    image: busybox\n"
			if tc.yamlName != "" {
				content = "name: " + tc.yamlName + "\n" + content
			}
			dir := filepath.Join(writeProject(t, map[string]string{"DirName/compose.yaml": content}), "DirName")
			t.Setenv("COMPOSE_PROJECT_NAME", tc.env)
			p, err := load(t, dir, ProjectOptions{ProjectName: tc.flag})
			if err != nil {
				t.Fatal(err)
			}
			if p.Name != tc.want {
				t.Errorf("name %q, want %q", p.Name, tc.want)
			}
		})
	}
	_, err := load(t, t.TempDir(), ProjectOptions{ProjectName: "Bad Name"})
	want := `invalid project name "Bad Name": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestLoadInterpolationSources(t *testing.T) {
	isolate(t)
	dir := writeProject(t, map[string]string{
		"compose.yaml": "services:\n  web:\n    image: busybox:${TAG:-latest}\n    environment:\n      FROM_DOT: ${DOT}\n      FROM_OS: ${OSVAR}\n      DEFAULTED: ${UNSET:-fallback}\n",
		".env":         "DOT=dot\nTAG=1.36\n",
		"other.env":    "DOT=other\n",
	})
	t.Setenv("OSVAR", "os")
	p, err := load(t, dir, ProjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	web := p.Services["web"]
	if got := environment(web.Environment); !slices.Equal(got, []string{"DEFAULTED=fallback", "FROM_DOT=dot", "FROM_OS=os"}) || web.Image != "busybox:1.36" {
		t.Errorf(".env: environment %q, image %q", got, web.Image)
	}
	p, err = load(t, dir, ProjectOptions{EnvFiles: []string{filepath.Join(dir, "other.env")}})
	if err != nil {
		t.Fatal(err)
	}
	if got := environment(p.Services["web"].Environment); !slices.Contains(got, "FROM_DOT=other") || p.Services["web"].Image != "busybox:latest" {
		t.Errorf("--env-file replaces .env: environment %q, image %q", got, p.Services["web"].Image)
	}
}

func TestLoadProfiles(t *testing.T) {
	isolate(t)
	dir := writeProject(t, map[string]string{"compose.yaml": `services:
  web:
    image: busybox
  debug:
    image: busybox
    profiles: [debug]
  tools:
    image: busybox
    profiles: [tools, debug]
`})
	for _, tc := range []struct {
		name     string
		flags    []string
		env      string
		want     []string
		disabled []string
	}{
		{"none", nil, "", []string{"web"}, []string{"debug", "tools"}},
		{"flag", []string{"tools"}, "", []string{"tools", "web"}, []string{"debug"}},
		{"environment", nil, "debug", []string{"debug", "tools", "web"}, nil},
		{"flag beats environment", []string{"tools"}, "debug", []string{"tools", "web"}, []string{"debug"}},
		{"all", []string{"*"}, "", []string{"debug", "tools", "web"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("COMPOSE_PROFILES", tc.env)
			p, err := load(t, dir, ProjectOptions{Profiles: tc.flags})
			if err != nil {
				t.Fatal(err)
			}
			disabled := p.DisabledServiceNames()
			slices.Sort(disabled)
			if got := p.ServiceNamesSorted(); !slices.Equal(got, tc.want) || !slices.Equal(disabled, tc.disabled) {
				t.Errorf("enabled %q disabled %q, want %q and %q", got, disabled, tc.want, tc.disabled)
			}
		})
	}
	p, err := load(t, dir, ProjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sel, err := p.Select([]string{"debug"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := sel.ServiceNamesSorted(); !slices.Equal(got, []string{"debug"}) {
		t.Errorf("a service named on the command line is enabled: got %q", got)
	}
	if _, err := p.Select([]string{"nope"}, false); err == nil || err.Error() != "no such service: nope" {
		t.Errorf("unknown service: %v", err)
	}
}

func TestLoadIncludeAndExtends(t *testing.T) {
	isolate(t)
	dir := writeProject(t, map[string]string{
		"compose.yaml":    "include:\n  - db/compose.yaml\nservices:\n  web:\n    extends:\n      file: base.yaml\n      service: base\n    environment:\n      OWN: web\n",
		"base.yaml":       "services:\n  base:\n    image: busybox\n    command: [echo, base]\n    environment:\n      BASE: yes\n",
		"db/compose.yaml": "services:\n  db:\n    image: busybox\n    env_file: db.env\n",
		"db/db.env":       "PASSWORD=x\n",
	})
	p, err := load(t, dir, ProjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	web, db := p.Services["web"], p.Services["db"]
	if web.Image != "busybox" || strings.Join(web.Command, " ") != "echo base" || !slices.Equal(environment(web.Environment), []string{"BASE=yes", "OWN=web"}) {
		t.Errorf("extends: %+v", web)
	}
	if !slices.Equal(environment(db.Environment), []string{"PASSWORD=x"}) {
		t.Errorf("include resolves the included file's paths from its own directory: %q", environment(db.Environment))
	}
}

func TestLoadReportsIgnoredKeys(t *testing.T) {
	isolate(t)
	dir := writeProject(t, map[string]string{"compose.yaml": `services:
  a:
    image: busybox
    blkio_config:
      weight: 300
    deploy:
      placement:
        constraints: [node.role==manager]
  b:
    image: busybox
    blkio_config:
      weight: 100
    networks:
      default:
        link_local_ips: [169.254.1.1]
  c:
    image: busybox
    profiles: [off]
    storage_opt:
      size: 1G
`})
	p, err := load(t, dir, ProjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, k := range p.Ignored {
		got = append(got, k.String())
	}
	want := []string{
		`"blkio_config" is not implemented by berth and is ignored (service a, b)`,
		`"deploy.placement" is not implemented by berth and is ignored (service a)`,
		`"networks.*.link_local_ips" is not implemented by berth and is ignored (service b)`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestLoadErrorNamesTheOverrideFile(t *testing.T) {
	isolate(t)
	dir := writeProject(t, map[string]string{
		"compose.yaml":          "services:\n  web:\n    image: busybox\n    ports: [\"80\"]\n",
		"compose.override.yaml": "services:\n  web:\n    image: busybox\n    environment: 3\n",
	})
	_, err := load(t, dir, ProjectOptions{})
	want := "DIR/compose.override.yaml:4: services.web.environment must be a mapping"
	if err == nil || strings.ReplaceAll(err.Error(), dir, "DIR") != want {
		t.Errorf("got %v, want %s", err, want)
	}
}
