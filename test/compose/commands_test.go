package compose_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const jobs = `services:
  quick:
    image: IMAGE
    command: ["sh", "-c", "echo quick-one; echo quick-two"]
  slow:
    image: IMAGE
    command: ["sh", "-c", "sleep 1; echo slow-done; exit 4"]
`

func TestUpAttached(t *testing.T) {
	p := newProject(t, map[string]string{"compose.yaml": jobs})
	r := p.compose("up")
	if r.ExitCode != 0 {
		t.Fatalf("up without --exit-code-from exits 0:\n%s", r)
	}
	for _, want := range []string{
		"Attaching to quick-1, slow-1\n",
		"quick-1  | quick-one\n", "quick-1  | quick-two\n", "slow-1   | slow-done\n",
		"quick-1 exited with code 0\n", "slow-1 exited with code 4\n",
	} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("stdout must have %q:\n%s", want, r)
		}
	}
	before(t, r.Stdout, "quick-1  | quick-two", "quick-1 exited with code 0")
	// A second attached up shows the new run's output only.
	r = p.compose("up", "--exit-code-from", "slow")
	if r.ExitCode != 4 {
		t.Errorf("--exit-code-from slow: exit %d:\n%s", r.ExitCode, r)
	}
	if strings.Count(r.Stdout, "quick-one") != 1 {
		t.Errorf("the earlier run's output is shown again:\n%s", r)
	}
}

func TestUpAbortOnContainerExit(t *testing.T) {
	p := newProject(t, map[string]string{"compose.yaml": `services:
  tests:
    image: IMAGE
    command: ["sh", "-c", "echo running-tests; exit 2"]
  server:
    image: IMAGE
    command: ` + sleeper + `
`})
	r := p.compose("up", "--abort-on-container-exit")
	if r.ExitCode != 2 || !strings.Contains(r.Stdout, "Aborting on container exit...") {
		t.Fatalf("exit %d, want the tests' 2:\n%s", r.ExitCode, r)
	}
	if got := inspect(t, p.name+"-server-1", "{{.State.Status}}"); got != "exited" {
		t.Errorf("the server must be stopped, it is %s", got)
	}
}

func TestLifecycleCommands(t *testing.T) {
	p := newProject(t, map[string]string{"compose.yaml": `services:
  web:
    image: IMAGE
    command: ["sh", "-c", "echo web-start; trap 'exit 0' TERM; while :; do sleep 0.1; done"]
  worker:
    image: IMAGE
    command: ` + sleeper + `
    deploy:
      replicas: 2
`})
	p.mustCompose("up", "-d")
	web := p.name + "-web-1"

	p.mustCompose("stop", "web")
	if got := inspect(t, web, "{{.State.Status}}"); got != "exited" {
		t.Errorf("after stop: %s", got)
	}
	if r := p.mustCompose("ps", "--services"); r.Stdout != "worker\n" {
		t.Errorf("ps shows running containers only:\n%s", r)
	}
	if r := p.mustCompose("ps", "-a", "--status", "exited", "--format", "{{.Name}} {{.Service}} {{.State}}"); r.Stdout != web+" web exited\n" {
		t.Errorf("ps --status exited:\n%s", r)
	}
	p.mustCompose("start", "web")
	p.mustCompose("restart", "-t", "1", "web")
	if r := p.mustCompose("logs", "--no-log-prefix", "web"); strings.Count(r.Stdout, "web-start") != 3 {
		t.Errorf("web ran three times:\n%s", r)
	}
	p.mustCompose("pause", "worker")
	if got := inspect(t, p.name+"-worker-2", "{{.State.Status}}"); got != "paused" {
		t.Errorf("after pause: %s", got)
	}
	p.mustCompose("unpause", "worker")
	p.mustCompose("kill", "worker")
	if got := inspect(t, p.name+"-worker-1", "{{.State.Status}}"); got != "exited" {
		t.Errorf("after kill: %s", got)
	}

	// exec picks a replica; -e and -w reach the command.
	if r := p.mustCompose("exec", "-T", "-e", "X=1", "-w", "/tmp", "web", "sh", "-c", "echo $X $PWD"); r.Stdout != "1 /tmp\n" {
		t.Errorf("exec:\n%s", r)
	}
	if r := p.compose("exec", "-T", "--index", "2", "worker", "true"); r.ExitCode != 125 || !strings.Contains(r.Stderr, `service "worker" is not running container #2`) {
		t.Errorf("exec in a stopped replica:\n%s", r)
	}
	if r := p.compose("exec", "-T", "web", "sh", "-c", "exit 7"); r.ExitCode != 7 {
		t.Errorf("exec passes the exit status on: %d\n%s", r.ExitCode, r)
	}

	// rm removes the stopped ones only; -s -f stops the others first.
	p.mustCompose("rm", "-f")
	if got := p.containers(); len(got) != 1 || got[0] != web {
		t.Errorf("after rm -f: %q", got)
	}
	p.mustCompose("rm", "-s", "-f")
	if got := p.containers(); len(got) != 0 {
		t.Errorf("after rm -s -f: %q", got)
	}
}

func TestRunOneOff(t *testing.T) {
	p := newProject(t, map[string]string{"compose.yaml": `services:
  db:
    image: IMAGE
    command: ["sh", "-c", "mkdir -p /d && echo db-ok > /d/index.html && exec httpd -f -p 80 -h /d"]
  tool:
    image: IMAGE
    command: ["echo", "default-command"]
    environment:
      FROM: service
    ports: ["18099:80"]
    depends_on: [db]
`})
	// The dependency is brought up; the command replaces the service's.
	r := p.compose("run", "--rm", "-T", "-e", "EXTRA=1", "tool", "sh", "-c", "echo $FROM $EXTRA; wget -qO- http://db/; exit 3")
	if r.ExitCode != 3 || r.Stdout != "service 1\ndb-ok\n" {
		t.Fatalf("run:\n%s", r)
	}
	if got := p.containers(); len(got) != 1 || got[0] != p.name+"-db-1" {
		t.Errorf("--rm removes the one-off container; the dependency stays: %q", got)
	}
	// Detached, with a name, labelled as one-off; the service's ports are
	// not published.
	r = p.mustCompose("run", "-d", "--name", "job1", "tool", "sleep", "30")
	if strings.TrimSpace(r.Stdout) != "job1" {
		t.Errorf("run -d prints the name:\n%s", r)
	}
	if got := inspect(t, "job1", `{{index .Config.Labels "com.docker.compose.oneoff"}} {{len .HostConfig.PortBindings}}`); got != "True 0" {
		t.Errorf("one-off label and ports: %q", got)
	}
	if r := p.mustCompose("ps", "--format", "{{.Name}}"); strings.Contains(r.Stdout, "job1") {
		t.Errorf("ps without -a hides one-off containers:\n%s", r)
	}
	if r := p.mustCompose("ps", "-a", "--format", "{{.Name}}"); !strings.Contains(r.Stdout, "job1") {
		t.Errorf("ps -a shows one-off containers:\n%s", r)
	}
	// --entrypoint and --no-deps.
	if r := p.mustCompose("run", "--rm", "-T", "--no-deps", "--entrypoint", "echo", "tool", "from-entrypoint"); r.Stdout != "from-entrypoint\n" {
		t.Errorf("--entrypoint:\n%s", r)
	}
	// down removes one-off containers too.
	p.mustCompose("down", "-t", "0")
	p.nothingLeft("after down")
}

func TestLogsPsLsAndDownByName(t *testing.T) {
	p := newProject(t, map[string]string{"compose.yaml": `services:
  talker:
    image: IMAGE
    command: ["sh", "-c", "for i in 1 2 3 4 5; do echo line-$$i; done; trap 'exit 0' TERM; while :; do sleep 0.1; done"]
`})
	p.mustCompose("up", "-d")
	poll(t, "talker's output", func() (bool, string) {
		r := p.compose("logs")
		return strings.Contains(r.Stdout, "line-5"), r.String()
	})
	if r := p.mustCompose("logs", "--tail", "2", "--no-color"); r.Stdout != "talker-1  | line-4\ntalker-1  | line-5\n" {
		t.Errorf("logs --tail 2:\n%s", r)
	}
	if r := p.mustCompose("logs", "-t", "--no-log-prefix", "--tail", "1", "talker"); !strings.HasSuffix(r.Stdout, " line-5\n") || !strings.HasPrefix(r.Stdout, "20") {
		t.Errorf("logs -t:\n%s", r)
	}
	r := p.mustCompose("ps", "--format", "json")
	var row struct {
		Name, Service, Project, State string
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(r.Stdout)), &row); err != nil || row.Name != p.name+"-talker-1" || row.Service != "talker" || row.Project != p.name || row.State != "running" {
		t.Errorf("ps --format json: %+v %v\n%s", row, err, r)
	}
	if r := p.mustCompose("ps", "-q"); len(strings.TrimSpace(r.Stdout)) != 64 {
		t.Errorf("ps -q:\n%s", r)
	}
	r = p.mustCompose("ls")
	if !strings.Contains(r.Stdout, p.name) || !strings.Contains(r.Stdout, "running(1)") || !strings.Contains(r.Stdout, p.dir+"/compose.yaml") {
		t.Errorf("ls:\n%s", r)
	}
	if r := p.mustCompose("top"); !strings.Contains(r.Stdout, p.name+"-talker-1\n") || !strings.Contains(r.Stdout, "PID") {
		t.Errorf("top:\n%s", r)
	}
	if r := p.mustCompose("images", "--format", "{{.ContainerName}} {{.Repository}} {{.Tag}}"); r.Stdout != p.name+"-talker-1 berth.local/busybox test\n" {
		t.Errorf("images:\n%s", r)
	}

	// cp into the service's container and back.
	if err := os.WriteFile(filepath.Join(p.dir, "note.txt"), []byte("copied\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.mustCompose("cp", "./note.txt", "talker:/tmp/note.txt")
	if r := p.mustCompose("exec", "-T", "talker", "cat", "/tmp/note.txt"); r.Stdout != "copied\n" {
		t.Errorf("cp into the container:\n%s", r)
	}
	p.mustCompose("cp", "talker:/tmp/note.txt", "./back.txt")
	if b, err := os.ReadFile(filepath.Join(p.dir, "back.txt")); err != nil || string(b) != "copied\n" {
		t.Errorf("cp out of the container: %q %v", b, err)
	}

	// Without the file, the project is found by its label.
	if r := engine.Cmd("compose", "-p", p.name, "down", "-t", "0"); r != nil {
		r.Dir = t.TempDir()
		out, err := r.CombinedOutput()
		if err != nil {
			t.Fatalf("down -p without files: %v\n%s", err, out)
		}
	}
	p.nothingLeft("after down -p")
	if r := p.mustCompose("ls", "-a", "-q"); strings.Contains(r.Stdout, p.name) {
		t.Errorf("ls -a after down:\n%s", r)
	}
}
