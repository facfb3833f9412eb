package volume_test

import (
	"os"
	"strings"
	"testing"
)

// TestZZNothingLeftBehind runs last (files run in name order): every test
// removes the containers and volumes it made, and no mount made to fill a
// volume is left on the host.
func TestZZNothingLeftBehind(t *testing.T) {
	if ids := containers(t); len(ids) != 0 {
		t.Errorf("containers left behind: %v", ids)
	}
	if vols := volumes(t); len(vols) != 0 {
		t.Errorf("volumes left behind: %v", vols)
	}
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, "containerd-mount") {
			t.Errorf("a temporary mount is left: %s", line)
		}
	}
}
