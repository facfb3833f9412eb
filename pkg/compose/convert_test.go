package compose

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/berth-project/berth/pkg/cmd/container"
)

// convertOne loads a project with one service "svc" (and what else the
// YAML has) and converts its first replica.
func convertOne(t *testing.T, yaml string) (*Replica, error) {
	t.Helper()
	isolate(t)
	dir := writeProject(t, map[string]string{"compose.yaml": "name: app\n" + yaml})
	p, err := load(t, dir, ProjectOptions{})
	if err != nil {
		t.Fatalf("loading: %v", err)
	}
	return Convert(p.Project, p.Services["svc"], 1, "/state")
}

// base is what every converted service has.
func base() container.CreateOptions {
	return container.CreateOptions{
		Image: "busybox", Name: "app-svc-1", Pull: "missing", StopTimeout: -1,
		Networks: []string{"app_default"},
	}
}

func TestConvert(t *testing.T) {
	for _, tc := range []struct {
		name string
		yaml string
		want func(o *container.CreateOptions)
		nets []NetworkRequest
	}{
		{"minimal", "services:\n  svc:\n    image: busybox\n", func(o *container.CreateOptions) {}, nil},
		{"command and environment", `services:
  svc:
    image: busybox
    command: sh -c 'echo "$$A"'
    environment:
      A: one
      EMPTY: ""
      UNSET:
    working_dir: /w
    user: "1000:1000"
    labels:
      team: a
`, func(o *container.CreateOptions) {
			o.Args = []string{"sh", "-c", `echo "$A"`}
			o.Env = []string{"A=one", "EMPTY="}
			o.Workdir, o.User = "/w", "1000:1000"
			o.Labels = []string{"team=a"}
		}, nil},
		{"entrypoint list leads the arguments", `services:
  svc:
    image: busybox
    entrypoint: [sh, -c]
    command: [echo hi]
`, func(o *container.CreateOptions) {
			o.Entrypoint, o.EntrypointSet = "sh", true
			o.Args = []string{"-c", "echo hi"}
		}, nil},
		{"empty entrypoint resets the image's", "services:\n  svc:\n    image: busybox\n    entrypoint: []\n", func(o *container.CreateOptions) {
			o.EntrypointSet = true
		}, nil},
		{"ports and expose", `services:
  svc:
    image: busybox
    ports:
      - "8080:80"
      - "127.0.0.1:5353:53/udp"
      - "9000"
      - "[::1]:8443:443"
      - "8000-8010:81"
    expose: ["3000", "4000/udp"]
`, func(o *container.CreateOptions) {
			o.Publish = []string{"8080:80/tcp", "127.0.0.1:5353:53/udp", "9000/tcp", "[::1]:8443:443/tcp", "8000-8010:81/tcp"}
			o.Expose = []string{"3000", "4000/udp"}
		}, nil},
		{"networks with aliases and addresses", `services:
  svc:
    image: busybox
    networks:
      front:
        aliases: [www]
        ipv4_address: 10.9.0.5
        priority: 10
      back:
        ipv4_address: 10.8.0.5
networks:
  front:
    ipam:
      config: [{subnet: 10.9.0.0/24}]
  back:
    name: shared-back
`, func(o *container.CreateOptions) {
			o.Networks = []string{"app_front", "shared-back"}
			o.IP = "10.9.0.5"
		}, []NetworkRequest{{Name: "app_front", Aliases: []string{"svc", "www"}, IPv4: "10.9.0.5"}, {Name: "shared-back", Aliases: []string{"svc"}, IPv4: "10.8.0.5"}}},
		{"network_mode host", "services:\n  svc:\n    image: busybox\n    network_mode: host\n", func(o *container.CreateOptions) {
			o.Networks = []string{"host"}
		}, nil},
		{"network_mode of another service", `services:
  svc:
    image: busybox
    network_mode: service:db
  db:
    image: busybox
    container_name: database
`, func(o *container.CreateOptions) {
			o.Networks = []string{"container:database"}
		}, nil},
		{"health check as a list", `services:
  svc:
    image: busybox
    healthcheck:
      test: ["CMD", "wget", "-q", "http://localhost/a b"]
      interval: 2s
      timeout: 1s
      retries: 5
      start_period: 3s
`, func(o *container.CreateOptions) {
			o.HealthCmd = "wget -q 'http://localhost/a b'"
			o.HealthInterval, o.HealthTimeout, o.HealthStartPeriod, o.HealthRetries = 2*time.Second, time.Second, 3*time.Second, 5
		}, nil},
		{"health check as a string", "services:\n  svc:\n    image: busybox\n    healthcheck:\n      test: test -f /ready\n", func(o *container.CreateOptions) {
			o.HealthCmd = "test -f /ready"
		}, nil},
		{"health check disabled", "services:\n  svc:\n    image: busybox\n    healthcheck:\n      disable: true\n", func(o *container.CreateOptions) {
			o.NoHealthcheck = true
		}, nil},
		{"restart and stop", `services:
  svc:
    image: busybox
    restart: on-failure:3
    stop_signal: SIGINT
    stop_grace_period: 1m30s
    init: true
`, func(o *container.CreateOptions) {
			o.Restart, o.StopSignal, o.StopTimeout, o.Init = "on-failure:3", "SIGINT", 90, true
		}, nil},
		{"deploy", `services:
  svc:
    image: busybox
    deploy:
      replicas: 2
      restart_policy:
        condition: on-failure
        max_attempts: 4
      resources:
        limits:
          cpus: "0.5"
          memory: 64M
          pids: 100
        reservations:
          memory: 32M
`, func(o *container.CreateOptions) {
			o.Restart = "on-failure:4"
			o.CPUs, o.Memory, o.PidsLimit, o.MemoryReservation = "0.5", "67108864", 100, "33554432"
		}, nil},
		{"resources of the service", `services:
  svc:
    image: busybox
    cpus: 1.5
    mem_limit: 1g
    memswap_limit: 2g
    cpu_shares: 512
    cpuset: "0"
    shm_size: 128m
    oom_score_adj: 100
    ulimits:
      nofile: {soft: 1024, hard: 2048}
      nproc: 64
    sysctls:
      net.core.somaxconn: "1024"
`, func(o *container.CreateOptions) {
			o.CPUs, o.Memory, o.MemorySwap, o.CPUShares, o.CpusetCPUs = "1.5", "1073741824", "2147483648", 512, "0"
			o.ShmSize, o.OomScoreAdj = "134217728", 100
			o.Ulimits = []string{"nofile=1024:2048", "nproc=64"}
			o.Sysctls = []string{"net.core.somaxconn=1024"}
		}, nil},
		{"security and namespaces", `services:
  svc:
    image: busybox
    cap_add: [NET_ADMIN]
    cap_drop: [ALL]
    privileged: true
    read_only: true
    security_opt: [no-new-privileges]
    pid: host
    ipc: service:db
    tty: true
    stdin_open: true
    hostname: h
    domainname: example.org
    container_name: fixed
    platform: linux/amd64
  db:
    image: busybox
`, func(o *container.CreateOptions) {
			o.CapAdd, o.CapDrop, o.Privileged, o.ReadOnly = []string{"NET_ADMIN"}, []string{"ALL"}, true, true
			o.SecurityOpt, o.PID, o.IPC = []string{"no-new-privileges"}, "host", "container:app-db-1"
			o.TTY, o.Interactive, o.Hostname, o.Domainname = true, true, "h", "example.org"
			o.Name, o.Platform = "fixed", "linux/amd64"
		}, nil},
		{"dns, hosts, tmpfs, logging", `services:
  svc:
    image: busybox
    dns: [1.1.1.1]
    dns_search: [example.org]
    dns_opt: [ndots:2]
    extra_hosts: ["db.local:10.0.0.2", "v6=::1"]
    tmpfs: [/run]
    volumes:
      - type: tmpfs
        target: /cache
        tmpfs: {size: 1048576}
    logging:
      driver: json-file
      options:
        max-size: 1m
`, func(o *container.CreateOptions) {
			o.DNS, o.DNSSearch, o.DNSOptions = []string{"1.1.1.1"}, []string{"example.org"}, []string{"ndots:2"}
			o.AddHosts = []string{"db.local=10.0.0.2", "v6=::1"}
			o.Tmpfs = []string{"/run", "/cache:size=1048576"}
			o.LogDriver, o.LogOpts = "json-file", []string{"max-size=1m"}
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := convertOne(t, tc.yaml)
			if err != nil {
				t.Fatal(err)
			}
			want := base()
			tc.want(&want)
			if want.Networks[0] == "app_default" && tc.nets == nil && len(r.Networks) > 0 {
				tc.nets = []NetworkRequest{{Name: "app_default", Aliases: []string{"svc"}}}
			}
			// %+v prints nil and empty slices alike, which is what matters.
			if fmt.Sprintf("%+v", r.Create) != fmt.Sprintf("%+v", want) {
				t.Errorf("create options\n got %+v\nwant %+v", r.Create, want)
			}
			if !reflect.DeepEqual(r.Networks, tc.nets) {
				t.Errorf("networks\n got %+v\nwant %+v", r.Networks, tc.nets)
			}
		})
	}
}

func TestConvertRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"build", "services:\n  svc:\n    build: .\n",
			`service "svc" has a build section: berth cannot build images yet; build the image elsewhere and set image: for the service`},
		{"pull_policy build", "services:\n  svc:\n    image: busybox\n    pull_policy: build\n",
			`service "svc" has pull_policy: build: berth cannot build images yet`},
		{"external secret", "services:\n  svc:\n    image: busybox\n    secrets: [s]\nsecrets:\n  s:\n    external: true\n",
			`service "svc": secret s: external secrets are a Swarm feature berth does not have`},
		{"secret from an unset variable", "services:\n  svc:\n    image: busybox\n    secrets: [s]\nsecrets:\n  s:\n    environment: BERTH_TEST_UNSET_SECRET\n",
			`service "svc": secret s: environment variable BERTH_TEST_UNSET_SECRET is not set`},
		{"network mode", "services:\n  svc:\n    image: busybox\n    network_mode: nat\n",
			`service "svc": network_mode "nat" is not supported: use none, host, bridge, service:NAME or container:NAME`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := convertOne(t, tc.yaml)
			if err == nil || err.Error() != tc.want {
				t.Errorf("got %v\nwant %s", err, tc.want)
			}
		})
	}
}

func TestShellJoin(t *testing.T) {
	for in, want := range map[string]string{
		"a b":                  "a b",
		"curl -f http://x:80/": "curl -f http://x:80/",
		"echo it's":            `echo 'it'\''s'`,
		"sh -c $HOME":          "sh -c '$HOME'",
	} {
		if got := shellJoin(strings.Fields(in)); got != want {
			t.Errorf("shellJoin(%q) = %q, want %q", in, got, want)
		}
	}
	if got := shellJoin([]string{"echo", ""}); got != "echo ''" {
		t.Errorf("empty argument: %q", got)
	}
}

func TestConvertMounts(t *testing.T) {
	isolate(t)
	t.Setenv("CERT", "pem-data")
	dir := writeProject(t, map[string]string{"compose.yaml": `name: app
services:
  svc:
    image: busybox
    volumes:
      - data:/var/lib/data
      - ./conf:/etc/conf:ro
      - /cache
      - type: bind
        source: /srv/x,y
        target: /x
        bind:
          create_host_path: false
          propagation: rslave
      - type: volume
        source: data
        target: /sub
        read_only: true
        volume: {nocopy: true, subpath: a}
    volumes_from: [other:ro]
    secrets: [token, {source: cert, target: tls/cert.pem}]
    configs: [app, {source: inline, target: /etc/inline.conf}]
  other:
    image: busybox
volumes:
  data: {}
secrets:
  token: {file: ./token.txt}
  cert: {environment: CERT}
configs:
  app: {file: ./app.conf}
  inline: {content: "x=1"}
`})
	p, err := load(t, dir, ProjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Convert(p.Project, p.Services["svc"], 1, "/state/app")
	if err != nil {
		t.Fatal(err)
	}
	wantMounts := []string{
		"type=volume,src=app_data,dst=/var/lib/data",
		"type=volume,dst=/cache",
		`type=bind,"src=/srv/x,y",dst=/x,bind-propagation=rslave`,
		"type=volume,src=app_data,dst=/sub,readonly,volume-nocopy,volume-subpath=a",
		"type=bind,src=" + dir + "/token.txt,dst=/run/secrets/token,readonly",
		"type=bind,src=/state/app/secrets/cert,dst=/run/secrets/tls/cert.pem,readonly",
		"type=bind,src=" + dir + "/app.conf,dst=/app,readonly",
		"type=bind,src=/state/app/configs/inline,dst=/etc/inline.conf,readonly",
	}
	if fmt.Sprint(r.Create.Mounts) != fmt.Sprint(wantMounts) {
		t.Errorf("mounts\n got %q\nwant %q", r.Create.Mounts, wantMounts)
	}
	if want := []string{dir + "/conf:/etc/conf:ro"}; fmt.Sprint(r.Create.Volumes) != fmt.Sprint(want) {
		t.Errorf("volumes %q, want %q", r.Create.Volumes, want)
	}
	if want := []string{"app-other-1:ro"}; fmt.Sprint(r.Create.VolumesFrom) != fmt.Sprint(want) {
		t.Errorf("volumes_from %q, want %q", r.Create.VolumesFrom, want)
	}
	wantFiles := []ProjectFile{{"/state/app/secrets/cert", []byte("pem-data")}, {"/state/app/configs/inline", []byte("x=1")}}
	if fmt.Sprint(r.Files) != fmt.Sprint(wantFiles) {
		t.Errorf("files %q, want %q", r.Files, wantFiles)
	}
}
