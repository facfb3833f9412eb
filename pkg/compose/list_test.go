package compose

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/berth-project/berth/pkg/cmd/container"
	"github.com/berth-project/berth/pkg/containerutil"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// golden compares got with testdata/name.golden, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", path, got, want)
	}
}

var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// testContainers are a web front with a published port, a healthy
// database and an exited migration of project app, and a container of
// another project.
func testContainers() []Ctr {
	ctr := func(id, name, service string, n int, st container.State, ports string, published map[string][]containerutil.PortBinding, age time.Duration) Ctr {
		labels := map[string]string{LabelProject: "app", LabelService: service, LabelConfigFiles: "/src/app/compose.yaml"}
		return Ctr{Summary: container.Summary{ID: id, Name: name, Image: "berth.local/busybox:test",
			Command: "sh -c 'exec httpd -f -p 80'", Created: testNow.Add(-age), Labels: labels, State: st,
			Ports: ports, Published: published}, Service: service, Number: n}
	}
	web := ctr("a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90", "app-web-1", "web", 1,
		container.State{Status: "running", Running: true, StartedAt: testNow.Add(-time.Hour)},
		"0.0.0.0:8080->80/tcp", map[string][]containerutil.PortBinding{"80/tcp": {{HostIP: "0.0.0.0", HostPort: "8080"}}}, 2*time.Hour)
	db := ctr("b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1", "app-db-1", "db", 1,
		container.State{Status: "running", Running: true, StartedAt: testNow.Add(-2 * time.Hour), Health: &containerutil.Health{Status: "healthy"}},
		"5432/tcp", map[string][]containerutil.PortBinding{"5432/tcp": nil}, 3*time.Hour)
	migrate := ctr("c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2", "app-migrate-1", "migrate", 1,
		container.State{Status: "exited", ExitCode: 0, FinishedAt: testNow.Add(-30 * time.Minute)},
		"", nil, 3*time.Hour)
	return []Ctr{db, migrate, web}
}

func TestPsGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    PsOptions
	}{
		{"ps-table", PsOptions{}},
		{"ps-json", PsOptions{Format: "json"}},
		{"ps-template", PsOptions{Format: "table {{.Service}}\t{{.State}}\t{{.Health}}"}},
		{"ps-quiet", PsOptions{Quiet: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := writePs(&b, testContainers(), "app", tc.o, testNow); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, b.Bytes())
		})
	}
}

func TestLsGolden(t *testing.T) {
	var sums []container.Summary
	for _, c := range testContainers() {
		sums = append(sums, c.Summary)
	}
	other := container.Summary{ID: "d4", Labels: map[string]string{LabelProject: "stopped", LabelConfigFiles: "/src/stopped/compose.yaml"},
		State: container.State{Status: "exited"}}
	sums = append(sums, other)
	for _, tc := range []struct {
		name string
		o    LsOptions
	}{
		{"ls-table", LsOptions{}},
		{"ls-all", LsOptions{All: true}},
		{"ls-json", LsOptions{All: true, Format: "json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := writeLs(&b, sums, tc.o); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, b.Bytes())
		})
	}
}
