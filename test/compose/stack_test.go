package compose_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// threeTier is a web front published on the host, a backend it reaches by
// service name, and a database-like service the backend reaches by name:
// each tier answers through a CGI script that asks the next one.
func threeTier(port int) string {
	return fmt.Sprintf(`services:
  web:
    image: IMAGE
    command: ["sh", "-c", "mkdir -p /www/cgi-bin && printf '#!/bin/sh\\necho Content-Type: text/plain\\necho\\nwget -qO- http://backend:8000/cgi-bin/api\\n' > /www/cgi-bin/index && chmod +x /www/cgi-bin/index && exec httpd -f -p 80 -h /www"]
    ports: ["127.0.0.1:%d:80"]
    depends_on: [backend]
    labels:
      tier: front
  backend:
    image: IMAGE
    command: ["sh", "-c", "mkdir -p /www/cgi-bin && printf '#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho backend for $$NAME:\\nwget -qO- http://database:5432/\\n' > /www/cgi-bin/api && chmod +x /www/cgi-bin/api && exec httpd -f -p 8000 -h /www"]
    environment:
      NAME: ${APP_NAME:-shop}
    depends_on: [db]
  db:
    image: IMAGE
    command: ["sh", "-c", "mkdir -p /data && echo rows=42 > /data/index.html && exec httpd -f -p 5432 -h /data"]
    networks:
      default:
        aliases: [database]
`, port)
}

func TestWebBackendDatabase(t *testing.T) {
	port := freePort(t)
	p := newProject(t, map[string]string{"compose.yaml": threeTier(port), ".env": "APP_NAME=store\n"})
	r := p.mustCompose("up", "-d")
	for _, want := range []string{
		" Network " + p.name + "_default  Created",
		" Container " + p.name + "-db-1  Started",
		" Container " + p.name + "-backend-1  Started",
		" Container " + p.name + "-web-1  Started",
	} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("up must report %q:\n%s", want, r)
		}
	}
	before(t, r.Stderr, p.name+"-db-1  Started", p.name+"-backend-1  Starting")
	before(t, r.Stderr, p.name+"-backend-1  Started", p.name+"-web-1  Starting")

	// The request crosses the three tiers by service name and alias.
	if body := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/cgi-bin/index", port)); body != "backend for store:\nrows=42\n" {
		t.Errorf("the front answered %q", body)
	}

	// Docker Compose's names and labels.
	if got, want := p.containers(), []string{p.name + "-backend-1", p.name + "-db-1", p.name + "-web-1"}; !sameSet(got, want) {
		t.Errorf("containers %q, want %q", got, want)
	}
	web := p.name + "-web-1"
	for label, want := range map[string]string{
		"com.docker.compose.project":              p.name,
		"com.docker.compose.service":              "web",
		"com.docker.compose.container-number":     "1",
		"com.docker.compose.oneoff":               "False",
		"com.docker.compose.project.working_dir":  p.dir,
		"com.docker.compose.project.config_files": p.dir + "/compose.yaml",
		"tier": "front",
	} {
		if got := inspect(t, web, fmt.Sprintf("{{index .Config.Labels %q}}", label)); got != want {
			t.Errorf("label %s = %q, want %q", label, got, want)
		}
	}
	if h := inspect(t, web, `{{index .Config.Labels "com.docker.compose.config-hash"}}`); len(h) != 64 {
		t.Errorf("config hash %q", h)
	}
	if got := p.networks(); !slices.Equal(got, []string{p.name + "_default"}) {
		t.Errorf("networks %q", got)
	}
	r = engine.MustBerth(t, "network", "inspect", "--format", `{{index .Labels "com.docker.compose.network"}} {{index .Labels "com.docker.compose.project"}}`, p.name+"_default")
	if got := strings.TrimSpace(r.Stdout); got != "default "+p.name {
		t.Errorf("network labels %q", got)
	}

	// ps, in Docker Compose's columns.
	r = p.mustCompose("ps")
	lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "NAME") || !strings.Contains(lines[0], "SERVICE") || !strings.Contains(lines[0], "PORTS") {
		t.Fatalf("ps:\n%s", r)
	}
	if !strings.Contains(lines[3], web) || !strings.Contains(lines[3], fmt.Sprintf("127.0.0.1:%d->80/tcp", port)) || !strings.Contains(lines[3], "Up ") {
		t.Errorf("ps row of web:\n%s", r.Stdout)
	}
	if r := p.mustCompose("ps", "--services"); r.Stdout != "backend\ndb\nweb\n" {
		t.Errorf("ps --services:\n%s", r)
	}
	if r := p.mustCompose("port", "web", "80"); strings.TrimSpace(r.Stdout) != fmt.Sprintf("127.0.0.1:%d", port) {
		t.Errorf("port:\n%s", r)
	}

	// exec by service name; the backend's view of the database.
	if r := p.mustCompose("exec", "-T", "backend", "wget", "-qO-", "http://db:5432/"); r.Stdout != "rows=42\n" {
		t.Errorf("exec:\n%s", r)
	}

	// down removes everything, dependents first.
	r = p.mustCompose("down", "-t", "1")
	before(t, r.Stderr, p.name+"-web-1  Removed", p.name+"-db-1  Stopping")
	p.nothingLeft("after down")
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// Two networks: the proxy is on both, the database on the back one only,
// with an alias and a fixed address there; the edge client, on the front
// one, cannot reach it. A sidecar shares the proxy's network namespace.
func TestNetworksAliasesAddressesAndNetworkMode(t *testing.T) {
	p := newProject(t, map[string]string{"compose.yaml": `services:
  proxy:
    image: IMAGE
    command: ["sh", "-c", "mkdir -p /www && echo proxy > /www/index.html && exec httpd -f -p 80 -h /www"]
    networks: [front, back]
  db:
    image: IMAGE
    command: ["sh", "-c", "mkdir -p /d && echo db > /d/index.html && exec httpd -f -p 80 -h /d"]
    networks:
      back:
        aliases: [database, primary]
        ipv4_address: 10.77.5.10
  edge:
    image: IMAGE
    command: ` + sleeper + `
    networks: [front]
  sidecar:
    image: IMAGE
    command: ` + sleeper + `
    network_mode: service:proxy
networks:
  front: {}
  back:
    internal: true
    ipam:
      config:
        - subnet: 10.77.5.0/24
`})
	p.mustCompose("up", "-d")
	if got := p.networks(); !sameSet(got, []string{p.name + "_front", p.name + "_back"}) {
		t.Errorf("networks %q", got)
	}
	proxy, edge := p.name+"-proxy-1", p.name+"-edge-1"
	if got := inspect(t, p.name+"-db-1", fmt.Sprintf(`{{with index .NetworkSettings.Networks %q}}{{.IPAddress}}{{end}}`, p.name+"_back")); got != "10.77.5.10" {
		t.Errorf("db's address on back: %q", got)
	}
	for _, name := range []string{"db", "database", "primary", "10.77.5.10"} {
		if r := engine.Berth(t, "exec", proxy, "wget", "-qO-", "http://"+name+"/"); r.Stdout != "db\n" {
			t.Errorf("the proxy reaches the database as %s:\n%s", name, r)
		}
	}
	if r := engine.Berth(t, "exec", edge, "wget", "-qO-", "http://proxy/"); r.Stdout != "proxy\n" {
		t.Errorf("edge reaches the proxy on front:\n%s", r)
	}
	if r := engine.Berth(t, "exec", edge, "wget", "-T", "2", "-qO-", "http://database/"); r.ExitCode == 0 {
		t.Errorf("edge must not reach the database, which is on back only:\n%s", r)
	}
	if r := engine.Berth(t, "exec", p.name+"-sidecar-1", "wget", "-qO-", "http://localhost/"); r.Stdout != "proxy\n" {
		t.Errorf("the sidecar shares the proxy's network namespace:\n%s", r)
	}
}
