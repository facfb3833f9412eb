package compose_test

import (
	"strings"
	"testing"
	"time"
)

// A worker that needs its queue healthy: the queue serves only once it
// is ready, two seconds after it starts, and its health check says so.
const healthyProject = `services:
  queue:
    image: IMAGE
    command: ["sh", "-c", "sleep 2; mkdir -p /www; echo queue-ready > /www/index.html; exec httpd -f -p 80 -h /www"]
    healthcheck:
      test: ["CMD", "wget", "-qO", "/dev/null", "http://localhost/"]
      interval: 500ms
      timeout: 2s
      retries: 20
  worker:
    image: IMAGE
    command: ["sh", "-c", "wget -qO- http://queue/ || echo queue-unreachable; trap 'exit 0' TERM; while :; do sleep 0.1; done"]
    depends_on:
      queue:
        condition: service_healthy
`

func TestWorkerWaitsForHealthyDependency(t *testing.T) {
	p := newProject(t, map[string]string{"compose.yaml": healthyProject})
	r := p.mustCompose("up", "-d")
	q, w := p.name+"-queue-1", p.name+"-worker-1"
	before(t, r.Stderr, q+"  Healthy", w+"  Creating")
	if got := inspect(t, q, "{{.State.Health.Status}}"); got != "healthy" {
		t.Errorf("queue health %q", got)
	}
	poll(t, "worker output", func() (bool, string) {
		r := p.compose("logs", "--no-log-prefix", "worker")
		return strings.Contains(r.Stdout, "queue-ready"), r.String()
	})
	if r := p.mustCompose("logs", "worker"); strings.Contains(r.Stdout, "queue-unreachable") {
		t.Errorf("the worker started before the queue was ready:\n%s", r)
	}
	// --wait on a project that is up returns once everything is healthy.
	if r := p.mustCompose("up", "-d", "--wait"); !strings.Contains(r.Stderr, q+"  Healthy") {
		t.Errorf("up --wait:\n%s", r)
	}
}

func TestUnhealthyDependencyStopsUp(t *testing.T) {
	p := newProject(t, map[string]string{"compose.yaml": `services:
  db:
    image: IMAGE
    command: ` + sleeper + `
    healthcheck:
      test: ["CMD", "false"]
      interval: 300ms
      retries: 2
  app:
    image: IMAGE
    command: ` + sleeper + `
    depends_on:
      db:
        condition: service_healthy
`})
	r := p.compose("up", "-d")
	if r.ExitCode == 0 || !strings.Contains(r.Stderr, "berth: dependency failed to start: container "+p.name+"-db-1 is unhealthy\n") {
		t.Fatalf("up must fail on the unhealthy dependency:\n%s", r)
	}
	if got := p.containers(); len(got) != 1 || got[0] != p.name+"-db-1" {
		t.Errorf("only the dependency may exist, got %q", got)
	}
}

// A one-shot migration the application waits for: it must have completed
// successfully before the application starts.
const migrationProject = `services:
  migrate:
    image: IMAGE
    command: ["sh", "-c", "echo migrating; sleep 1; echo migrated; exit ${MIGRATE_STATUS:-0}"]
  app:
    image: IMAGE
    command: ["sh", "-c", "echo app-started; trap 'exit 0' TERM; while :; do sleep 0.1; done"]
    depends_on:
      migrate:
        condition: service_completed_successfully
`

func TestMigrationCompletesBeforeApp(t *testing.T) {
	p := newProject(t, map[string]string{"compose.yaml": migrationProject})
	r := p.mustCompose("up", "-d")
	m, a := p.name+"-migrate-1", p.name+"-app-1"
	before(t, r.Stderr, m+"  Exited", a+"  Creating")
	if got := inspect(t, m, "{{.State.Status}} {{.State.ExitCode}}"); got != "exited 0" {
		t.Errorf("migration state %q", got)
	}
	finished, err1 := time.Parse(time.RFC3339Nano, inspect(t, m, "{{.State.FinishedAt}}"))
	started, err2 := time.Parse(time.RFC3339Nano, inspect(t, a, "{{.State.StartedAt}}"))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if started.Before(finished) {
		t.Errorf("the app started at %s, before the migration finished at %s", started, finished)
	}
	r = p.mustCompose("logs", "--no-color")
	for _, want := range []string{"migrate-1  | migrating", "migrate-1  | migrated", "app-1      | app-started"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("logs must have %q:\n%s", want, r)
		}
	}
}

func TestFailedMigrationStopsUp(t *testing.T) {
	p := newProject(t, map[string]string{"compose.yaml": migrationProject, ".env": "MIGRATE_STATUS=3\n"})
	r := p.compose("up", "-d")
	if r.ExitCode == 0 || !strings.HasSuffix(r.Stderr, "berth: service \"migrate\" didn't complete successfully: exit 3\n") {
		t.Fatalf("up must fail on the failed migration:\n%s", r)
	}
	for _, c := range p.containers() {
		if c == p.name+"-app-1" {
			t.Errorf("the app was created after a failed migration")
		}
	}
}
