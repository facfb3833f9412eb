package compose

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-project/berth/pkg/cmd/container"
	"github.com/berth-project/berth/pkg/containerutil"
)

// services builds a service map from "name:dep1,dep2" entries; a dep
// written "?dep" is optional (required: false).
func services(specs ...string) types.Services {
	out := types.Services{}
	for _, spec := range specs {
		name, deps, _ := strings.Cut(spec, ":")
		s := types.ServiceConfig{Name: name}
		s.DependsOn = types.DependsOnConfig{}
		for _, d := range strings.Split(deps, ",") {
			if d == "" {
				continue
			}
			required := !strings.HasPrefix(d, "?")
			s.DependsOn[strings.TrimPrefix(d, "?")] = types.ServiceDependency{Condition: types.ServiceConditionStarted, Required: required}
		}
		out[name] = s
	}
	return out
}

func TestStartOrder(t *testing.T) {
	for _, tc := range []struct {
		name  string
		specs []string
		want  string
		err   string
	}{
		{"independent", []string{"b", "a", "c"}, "[[a b c]]", ""},
		{"chain", []string{"web:api", "api:db", "db"}, "[[db] [api] [web]]", ""},
		{"diamond", []string{"web:api,cache", "api:db", "cache:db", "db", "worker:db"}, "[[db] [api cache worker] [web]]", ""},
		{"longest path decides", []string{"a:b,d", "b:c", "c:d", "d"}, "[[d] [c] [b] [a]]", ""},
		{"optional missing dependency", []string{"web:?metrics"}, "[[web]]", ""},
		{"missing dependency", []string{"web:db"}, "", `service "web" depends on undefined service "db"`},
		{"self", []string{"a:a"}, "", "dependency cycle detected: a -> a"},
		{"cycle", []string{"a:b", "b:c", "c:a", "d"}, "", "dependency cycle detected: a -> b -> c -> a"},
		{"cycle below", []string{"top:x", "x:y", "y:x"}, "", "dependency cycle detected: x -> y -> x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			levels, err := StartOrder(services(tc.specs...))
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("got %v, want %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(levels); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestPlanRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		yaml   string
		scales Scales
		want   string
	}{
		{"two services on one port", "services:\n  a:\n    image: busybox\n    ports: [\"8080:80\"]\n  b:\n    image: busybox\n    ports: [\"127.0.0.1:8080:81\"]\n", nil,
			`DIR/compose.yaml:7: services "a" and "b" both publish host port 127.0.0.1:8080/tcp`},
		{"udp and tcp do not conflict, two udp do", "services:\n  a:\n    image: busybox\n    ports: [\"53:53/udp\", \"53:53/tcp\"]\n  b:\n    image: busybox\n    ports: [\"0.0.0.0:53:5353/udp\"]\n", nil,
			`DIR/compose.yaml:7: services "a" and "b" both publish host port 53/udp`},
		{"replicas on a fixed port", "services:\n  a:\n    image: busybox\n    ports: [\"8080:80\"]\n", Scales{"a": 2},
			`service "a" publishes host port 8080/tcp and has 2 replicas: only one container can listen on it; publish a range ("8000-8010:80") or no host port`},
		{"replicas with a container name", "services:\n  a:\n    image: busybox\n    container_name: one\n", Scales{"a": 3},
			`service "a" has container_name "one" and 3 replicas: a container name must be unique; remove container_name or scale to 1`},
		{"scale of an unknown service", "services:\n  a:\n    image: busybox\n", Scales{"b": 2}, "no such service: b"},
		{"a bad value berth's create refuses", "services:\n  a:\n    image: busybox\n    cap_add: [NOT_A_CAP]\n", nil,
			`service "a": unknown capability: "CAP_NOT_A_CAP"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isolate(t)
			dir := writeProject(t, map[string]string{"compose.yaml": tc.yaml})
			p, err := load(t, dir, ProjectOptions{})
			if err != nil {
				t.Fatal(err)
			}
			_, err = Plan(p, tc.scales, "/state")
			if err == nil {
				t.Fatalf("want %q, got no error", tc.want)
			}
			if got := strings.ReplaceAll(err.Error(), dir, "DIR"); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestPlanScales(t *testing.T) {
	isolate(t)
	dir := writeProject(t, map[string]string{"compose.yaml": "name: app\nservices:\n  a:\n    image: busybox\n    ports: [\"80\", \"9000-9005:90\"]\n    deploy:\n      replicas: 2\n  b:\n    image: busybox\n    scale: 3\n"})
	p, err := load(t, dir, ProjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		scales Scales
		want   string
	}{
		{nil, "a=[app-a-1 app-a-2] b=[app-b-1 app-b-2 app-b-3]"},
		{Scales{"a": 0, "b": 1}, "a=[] b=[app-b-1]"},
	} {
		plan, err := Plan(p, tc.scales, "/state")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, svc := range []string{"a", "b"} {
			var names []string
			for _, r := range plan[svc] {
				names = append(names, r.Create.Name)
			}
			got = append(got, fmt.Sprintf("%s=%v", svc, names))
		}
		if s := strings.Join(got, " "); s != tc.want {
			t.Errorf("scales %v: got %s, want %s", tc.scales, s, tc.want)
		}
	}
}

func TestConfigHash(t *testing.T) {
	one, two := 1, 2
	s := types.ServiceConfig{Name: "web", Scale: &one}
	s.Image = "busybox"
	s.Command = types.ShellCommand{"echo", "a"}
	h1, _ := ConfigHash(s)
	s.Scale = &two
	s.DependsOn = types.DependsOnConfig{"db": {Condition: types.ServiceConditionHealthy}}
	s.PullPolicy = "always"
	h2, _ := ConfigHash(s)
	if h1 != h2 {
		t.Error("scale, depends_on and pull_policy must not change the hash")
	}
	s.Command = types.ShellCommand{"echo", "b"}
	if h3, _ := ConfigHash(s); h3 == h1 {
		t.Error("a changed command must change the hash")
	}
}

func TestLogPrinter(t *testing.T) {
	var b bytes.Buffer
	lp := newLogPrinter(&b, []string{"web-1", "database-1"}, false, true)
	w1, w2 := lp.writer(0, "web-1"), lp.writer(1, "database-1")
	fmt.Fprint(w1, "one\ntw")
	fmt.Fprint(w2, "ready\n")
	fmt.Fprint(w1, "o\nunfinished")
	w1.Flush()
	lp.event(1, "database-1", "exited with code 0")
	want := "web-1       | one\ndatabase-1  | ready\nweb-1       | two\nweb-1       | unfinished\ndatabase-1 exited with code 0\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	lp = newLogPrinter(&b, []string{"a-1"}, true, true)
	fmt.Fprint(lp.writer(0, "a-1"), "x\n")
	if want := "\033[36ma-1  | \033[0mx\n"; b.String() != want {
		t.Errorf("coloured: got %q, want %q", b.String(), want)
	}
	b.Reset()
	lp = newLogPrinter(&b, []string{"a-1"}, true, false)
	fmt.Fprint(lp.writer(0, "a-1"), "x\n")
	if b.String() != "x\n" {
		t.Errorf("without prefix: got %q", b.String())
	}
}

func TestMeets(t *testing.T) {
	health := func(s string) *containerutil.Health { return &containerutil.Health{Status: s} }
	running := container.State{Status: "running", Running: true}
	for _, tc := range []struct {
		name  string
		state container.State
		cond  string
		want  string
	}{
		{"healthy", container.State{Status: "running", Running: true, Health: health("healthy")}, types.ServiceConditionHealthy, ""},
		{"no check run yet", running, types.ServiceConditionHealthy, "waiting"},
		{"starting", container.State{Status: "running", Running: true, Health: health("starting")}, types.ServiceConditionHealthy, "waiting"},
		{"unhealthy", container.State{Status: "running", Running: true, Health: health("unhealthy")}, types.ServiceConditionHealthy,
			"dependency failed to start: container app-db-1 is unhealthy"},
		{"no health check", running, types.ServiceConditionHealthy, "dependency failed to start: container app-db-1 has no healthcheck configured"},
		{"exited while waiting for health", container.State{Status: "exited", ExitCode: 2, Health: health("unhealthy")}, types.ServiceConditionHealthy,
			"dependency failed to start: container app-db-1 exited (2)"},
		{"still running", running, types.ServiceConditionCompletedSuccessfully, "waiting"},
		{"completed", container.State{Status: "exited"}, types.ServiceConditionCompletedSuccessfully, ""},
		{"failed", container.State{Status: "exited", ExitCode: 1}, types.ServiceConditionCompletedSuccessfully, `service "db" didn't complete successfully: exit 1`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Ctr{Service: "db"}
			c.Name, c.State = "app-db-1", tc.state
			if tc.name != "no health check" {
				c.Healthcheck = &containerutil.HealthConfig{Test: []string{"CMD", "true"}}
			}
			err := meets(c, "db", tc.cond)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if errors.Is(err, errStillWaiting) {
				got = "waiting"
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestStopLevels(t *testing.T) {
	p := &Project{Project: &types.Project{Services: services("web:api", "api:db", "db", "cache")}}
	var ctrs []Ctr
	for _, s := range []string{"db", "web", "orphan", "api", "cache", "web"} {
		ctrs = append(ctrs, Ctr{Service: s})
	}
	var got []string
	for _, level := range stopLevels(p, ctrs) {
		var names []string
		for _, c := range level {
			names = append(names, c.Service)
		}
		got = append(got, strings.Join(names, ","))
	}
	if want := "orphan|web,web|api|db,cache"; strings.Join(got, "|") != want {
		t.Errorf("got %s, want %s", strings.Join(got, "|"), want)
	}
}

func TestAttachedServices(t *testing.T) {
	off := false
	svcs := services("web:db", "db", "quiet")
	q := svcs["quiet"]
	q.Attach = &off
	svcs["quiet"] = q
	p := &types.Project{Services: svcs}
	if got := attachedServices(p, nil); fmt.Sprint(got) != "[db web]" {
		t.Errorf("all: %v", got)
	}
	if got := attachedServices(p, []string{"web"}); fmt.Sprint(got) != "[web]" {
		t.Errorf("named: %v", got)
	}
	if got := attachedServices(p, []string{"quiet"}); len(got) != 0 {
		t.Errorf("attach: false: %v", got)
	}
}

func TestCpArguments(t *testing.T) {
	for _, tc := range []struct {
		src, dst, err string
		all           bool
	}{
		{"web:/etc/hosts", ".", "", false},
		{"./a", "web:/tmp", "", true},
		{"/abs/x:y", "web:/tmp", "", false},
		{"web:/a", "db:/b", "copying between services is not supported", false},
		{"./a", "/b", "one of the source and the destination must be SERVICE:PATH", false},
		{"web:/a", ".", "--all copies to every container of a service: the destination must be SERVICE:PATH", true},
	} {
		o := CpOptions{Source: tc.src, Destination: tc.dst, All: tc.all}
		err := o.Validate()
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.err {
			t.Errorf("%s %s: got %q, want %q", tc.src, tc.dst, got, tc.err)
		}
	}
}
