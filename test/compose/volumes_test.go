package compose_test

import (
	"strings"
	"testing"
)

// A named volume shared by two services outlives down, and goes with
// down -v; a bind mount of the project directory, a secret from a file and
// a config given as content are mounted read-only.
func TestVolumesSecretsAndConfigs(t *testing.T) {
	p := newProject(t, map[string]string{
		"compose.yaml": `services:
  writer:
    image: IMAGE
    command: ["sh", "-c", "echo run >> /data/log; cat /run/secrets/token /etc/app.conf /site/index.html; touch /site/x 2>/dev/null || echo site-read-only"]
    volumes:
      - data:/data
      - ./site:/site:ro
    secrets: [token]
    configs:
      - source: app
        target: /etc/app.conf
  reader:
    image: IMAGE
    command: ["sh", "-c", "cat /data/log"]
    volumes: [data:/data:ro]
    depends_on:
      writer: {condition: service_completed_successfully}
volumes:
  data:
    labels: {purpose: test}
secrets:
  token: {file: ./token.txt}
configs:
  app: {content: "mode=prod\n"}
`,
		"token.txt":       "s3cret\n",
		"site/index.html": "from-bind\n",
	})
	vol := p.name + "_data"
	r := p.mustCompose("up", "-d")
	if !strings.Contains(r.Stderr, " Volume "+vol+"  Created") {
		t.Errorf("up must create the volume:\n%s", r)
	}
	want := "s3cret\nmode=prod\nfrom-bind\nsite-read-only\n"
	poll(t, "writer's output", func() (bool, string) {
		r := p.compose("logs", "--no-log-prefix", "writer")
		return r.Stdout == want, r.String()
	})
	poll(t, "reader's output", func() (bool, string) {
		r := p.compose("logs", "--no-log-prefix", "reader")
		return r.Stdout == "run\n", r.String()
	})
	if got := strings.TrimSpace(engine.MustBerth(t, "volume", "inspect", "--format",
		`{{index .Labels "com.docker.compose.project"}} {{index .Labels "com.docker.compose.volume"}} {{index .Labels "purpose"}}`, vol).Stdout); got != p.name+" data test" {
		t.Errorf("volume labels %q", got)
	}

	// down keeps the volume: the next up appends to it.
	p.mustCompose("down")
	if r := engine.Berth(t, "volume", "inspect", vol); r.ExitCode != 0 {
		t.Fatalf("down without -v must keep the volume:\n%s", r)
	}
	p.mustCompose("up", "-d")
	poll(t, "reader sees both runs", func() (bool, string) {
		r := p.compose("logs", "--no-log-prefix", "reader")
		return r.Stdout == "run\nrun\n", r.String()
	})

	r = p.mustCompose("down", "-v")
	if !strings.Contains(r.Stderr, " Volume "+vol+"  Removed") {
		t.Errorf("down -v must remove the volume:\n%s", r)
	}
	if r := engine.Berth(t, "volume", "inspect", vol); r.ExitCode == 0 {
		t.Errorf("the volume is left after down -v")
	}
	p.nothingLeft("after down -v")
}

func TestExternalVolumeMustExist(t *testing.T) {
	p := newProject(t, map[string]string{"compose.yaml": `services:
  a:
    image: IMAGE
    volumes: [shared:/shared]
volumes:
  shared:
    external: true
    name: compose-test-external-volume
`})
	r := p.compose("up", "-d")
	if r.ExitCode != 125 || !strings.HasSuffix(r.Stderr, "berth: external volume \"compose-test-external-volume\" not found\n") {
		t.Fatalf("up with a missing external volume:\n%s", r)
	}
	p.nothingLeft("after the failed up")
	engine.MustBerth(t, "volume", "create", "compose-test-external-volume")
	t.Cleanup(func() { engine.Berth(t, "volume", "rm", "compose-test-external-volume") })
	p.mustCompose("up", "-d")
	// down -v leaves an external volume alone.
	p.mustCompose("down", "-v")
	if r := engine.Berth(t, "volume", "inspect", "compose-test-external-volume"); r.ExitCode != 0 {
		t.Errorf("down -v removed the external volume:\n%s", r)
	}
}
