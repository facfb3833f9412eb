package compose_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Replicas of one service answer behind its one name: the client's hosts
// file lists each replica under the service's name.
func TestScaledReplicasBehindOneName(t *testing.T) {
	p := newProject(t, map[string]string{"compose.yaml": `services:
  api:
    image: IMAGE
    command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www"]
    deploy:
      replicas: 2
  client:
    image: IMAGE
    command: ` + sleeper + `
`})
	p.mustCompose("up", "-d", "--scale", "api=3")
	for i := 1; i <= 3; i++ {
		name := fmt.Sprintf("%s-api-%d", p.name, i)
		if got := inspect(t, name, `{{index .Config.Labels "com.docker.compose.container-number"}}`); got != fmt.Sprint(i) {
			t.Errorf("%s: container-number %q", name, got)
		}
	}
	client := p.name + "-client-1"
	poll(t, "three replicas named api", func() (bool, string) {
		r := engine.Berth(t, "exec", client, "cat", "/etc/hosts")
		n := 0
		for _, l := range strings.Split(r.Stdout, "\n") {
			if strings.Contains(" "+strings.ReplaceAll(l, "\t", " ")+" ", " api ") {
				n++
			}
		}
		return n == 3, r.Stdout
	})
	if r := engine.MustBerth(t, "exec", client, "wget", "-qO-", "http://api/"); strings.TrimSpace(r.Stdout) == "" {
		t.Errorf("api by name:\n%s", r)
	}

	// Scaling down removes the replicas with the highest numbers.
	r := p.mustCompose("up", "-d", "--scale", "api=1")
	for _, gone := range []string{p.name + "-api-2", p.name + "-api-3"} {
		if !strings.Contains(r.Stderr, " Container "+gone+"  Removed") {
			t.Errorf("%s must be removed:\n%s", gone, r)
		}
	}
	if r := p.mustCompose("ps", "-q", "api"); len(strings.Fields(r.Stdout)) != 1 {
		t.Errorf("one api container must be left:\n%s", r)
	}
}

func TestProfiles(t *testing.T) {
	p := newProject(t, map[string]string{"compose.yaml": `services:
  app:
    image: IMAGE
    command: ` + sleeper + `
  debug:
    image: IMAGE
    command: ` + sleeper + `
    profiles: [debug]
  seed:
    image: IMAGE
    command: ["true"]
    profiles: [tools]
`})
	p.mustCompose("up", "-d")
	if got := p.containers(); len(got) != 1 || got[0] != p.name+"-app-1" {
		t.Fatalf("without a profile only app runs, got %q", got)
	}
	p.mustCompose("--profile", "debug", "up", "-d")
	if got := p.containers(); !sameSet(got, []string{p.name + "-app-1", p.name + "-debug-1"}) {
		t.Fatalf("--profile debug adds debug, got %q", got)
	}
	// A service named on the command line runs whatever its profile.
	p.mustCompose("up", "-d", "seed")
	if got := p.containers(); len(got) != 3 {
		t.Fatalf("up seed adds seed, got %q", got)
	}
	if r := p.mustCompose("config", "--profiles"); r.Stdout != "debug\ntools\n" {
		t.Errorf("config --profiles:\n%s", r)
	}
	// down takes the disabled services' containers too.
	p.mustCompose("down", "-t", "0")
	p.nothingLeft("after down")
}

// A second up of an unchanged project recreates nothing; a changed
// service is recreated and the others are left alone.
func TestUpRecreatesOnlyWhatChanged(t *testing.T) {
	compose := `services:
  a:
    image: IMAGE
    command: ` + sleeper + `
    environment:
      VERSION: "1"
  b:
    image: IMAGE
    command: ` + sleeper + `
`
	p := newProject(t, map[string]string{"compose.yaml": compose})
	p.mustCompose("up", "-d")
	idA, idB := inspect(t, p.name+"-a-1", "{{.Id}}"), inspect(t, p.name+"-b-1", "{{.Id}}")

	r := p.mustCompose("up", "-d")
	if strings.Contains(r.Stderr, "Creat") || strings.Contains(r.Stderr, "Recreate") {
		t.Errorf("an unchanged project must not be recreated:\n%s", r)
	}
	for _, c := range []string{"a", "b"} {
		if !strings.Contains(r.Stderr, " Container "+p.name+"-"+c+"-1  Running") {
			t.Errorf("%s must be reported running:\n%s", c, r)
		}
	}

	changed := strings.Replace(compose, `VERSION: "1"`, `VERSION: "2"`, 1)
	if err := os.WriteFile(filepath.Join(p.dir, "compose.yaml"), []byte(strings.ReplaceAll(changed, "IMAGE", engine.LoadBusybox(t))), 0o644); err != nil {
		t.Fatal(err)
	}
	r = p.mustCompose("up", "-d")
	if !strings.Contains(r.Stderr, " Container "+p.name+"-a-1  Recreated") || strings.Contains(r.Stderr, p.name+"-b-1  Recreate") {
		t.Errorf("only a must be recreated:\n%s", r)
	}
	if got := inspect(t, p.name+"-a-1", "{{.Id}}"); got == idA {
		t.Error("a kept its container")
	}
	if got := inspect(t, p.name+"-b-1", "{{.Id}}"); got != idB {
		t.Error("b was recreated")
	}
	if r := engine.MustBerth(t, "exec", p.name+"-a-1", "sh", "-c", "echo $VERSION"); r.Stdout != "2\n" {
		t.Errorf("the new a has VERSION %q", r.Stdout)
	}
	// --force-recreate recreates b too; --no-recreate keeps everything.
	if r := p.mustCompose("up", "-d", "--force-recreate", "b"); !strings.Contains(r.Stderr, p.name+"-b-1  Recreated") {
		t.Errorf("--force-recreate:\n%s", r)
	}
}

// A dependent that asks for it (`depends_on: {db: {restart: true}}`) is
// restarted, not recreated, when its dependency is updated; one that does
// not ask keeps running.
func TestDependsOnRestart(t *testing.T) {
	compose := `services:
  db:
    image: IMAGE
    command: ` + sleeper + `
    environment:
      VERSION: "1"
  web:
    image: IMAGE
    command: ` + sleeper + `
    depends_on:
      db:
        condition: service_started
        restart: true
  side:
    image: IMAGE
    command: ` + sleeper + `
    depends_on:
      - db
`
	p := newProject(t, map[string]string{"compose.yaml": compose})
	p.mustCompose("up", "-d")
	web, side := p.name+"-web-1", p.name+"-side-1"
	idWeb, pidWeb, pidSide := inspect(t, web, "{{.Id}}"), inspect(t, web, "{{.State.Pid}}"), inspect(t, side, "{{.State.Pid}}")

	changed := strings.Replace(compose, `VERSION: "1"`, `VERSION: "2"`, 1)
	if err := os.WriteFile(filepath.Join(p.dir, "compose.yaml"), []byte(strings.ReplaceAll(changed, "IMAGE", engine.LoadBusybox(t))), 0o644); err != nil {
		t.Fatal(err)
	}
	r := p.mustCompose("up", "-d")
	if !strings.Contains(r.Stderr, p.name+"-db-1  Recreated") || !strings.Contains(r.Stderr, web+"  Restarting") {
		t.Errorf("db must be recreated and web restarted:\n%s", r)
	}
	if got := inspect(t, web, "{{.Id}}"); got != idWeb {
		t.Error("web was recreated, not restarted")
	}
	if got := inspect(t, web, "{{.State.Pid}}"); got == pidWeb || inspect(t, web, "{{.State.Status}}") != "running" {
		t.Errorf("web was not restarted: pid %s before, %s after", pidWeb, got)
	}
	if got := inspect(t, side, "{{.State.Pid}}"); got != pidSide {
		t.Errorf("side (no restart: true) was restarted: pid %s before, %s after", pidSide, got)
	}
}
