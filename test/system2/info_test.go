package system2_test

import (
	"fmt"
	"strings"
	"testing"
)

// info counts the containers by state as they are made, run, paused and
// stopped, and the images, as docker info does.
func TestInfoCountsContainers(t *testing.T) {
	img := engine.LoadBusybox(t)
	removeAll(t, []string{"sys2-info-run", "sys2-info-pause", "sys2-info-stop"}, nil, nil, nil)
	counts := func() string {
		t.Helper()
		r := engine.MustBerth(t, "info", "--format",
			"{{.Containers}} {{.ContainersRunning}} {{.ContainersPaused}} {{.ContainersStopped}} {{.Images}}")
		return strings.TrimSpace(r.Stdout)
	}
	var total, running, paused, stopped, images int
	if _, err := fmt.Sscan(counts(), &total, &running, &paused, &stopped, &images); err != nil {
		t.Fatal(err)
	}
	engine.MustBerth(t, "run", "-d", "--name", "sys2-info-run", img, "sleep", "300")
	engine.MustBerth(t, "run", "-d", "--name", "sys2-info-pause", img, "sleep", "300")
	engine.MustBerth(t, "pause", "sys2-info-pause")
	engine.MustBerth(t, "run", "--name", "sys2-info-stop", img, "true")
	want := fmt.Sprintf("%d %d %d %d %d", total+3, running+1, paused+1, stopped+1, images)
	if got := counts(); got != want {
		t.Fatalf("info counts %q, want %q (containers, running, paused, stopped, images)", got, want)
	}
	r := engine.MustBerth(t, "info")
	for _, line := range []string{
		fmt.Sprintf(" Containers: %d\n", total+3), fmt.Sprintf("  Running: %d\n", running+1),
		fmt.Sprintf("  Paused: %d\n", paused+1), fmt.Sprintf("  Stopped: %d\n", stopped+1),
	} {
		if !strings.Contains(r.Stdout, line) {
			t.Errorf("info lacks %q:\n%s", line, r.Stdout)
		}
	}
}
