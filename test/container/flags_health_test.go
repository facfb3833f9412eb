package container_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/berth-project/berth/pkg/testutil"
)

// flagsInspect creates a container with flags and returns `inspect
// --format FORMAT` of it.
func flagsInspect(t *testing.T, img, name, format string, flags ...string) string {
	t.Helper()
	forceRemove(t, name)
	args := append(append([]string{"create", "--name", name}, flags...), img, "true")
	engine.MustBerth(t, args...)
	return strings.TrimSpace(engine.MustBerth(t, "inspect", "--format", format, name).Stdout)
}

func TestFlagsHealthcheck(t *testing.T) {
	img := loadBusybox(t)
	got := flagsInspect(t, img, "flags-health", "{{json .Config.Healthcheck}}",
		"--health-cmd", "test -e /tmp", "--health-interval", "5s", "--health-timeout", "2s",
		"--health-start-period", "1s", "--health-retries", "4")
	want := `{"Test":["CMD-SHELL","test -e /tmp"],"Interval":5000000000,"Timeout":2000000000,"StartPeriod":1000000000,"Retries":4}`
	if got != want {
		t.Errorf("Healthcheck from flags:\n got %s\nwant %s", got, want)
	}
	if got := flagsInspect(t, img, "flags-nohealth", "{{json .Config.Healthcheck}}", "--no-healthcheck"); got != `{"Test":["NONE"]}` {
		t.Errorf("--no-healthcheck: %s", got)
	}
	if got := flagsInspect(t, img, "flags-health-none", "{{json .Config.Healthcheck}}"); got != "null" {
		t.Errorf("no health check anywhere: %s", got)
	}
}

func TestFlagsHealthcheckMergesImage(t *testing.T) {
	ref := "berth.local/busybox:flags-health"
	loadImageWithHealthcheck(t, ref, map[string]any{"Test": []string{"CMD", "true"}, "Interval": 60e9, "Retries": 7})
	got := flagsInspect(t, ref, "flags-health-image", "{{json .Config.Healthcheck}}")
	if want := `{"Test":["CMD","true"],"Interval":60000000000,"Retries":7}`; got != want {
		t.Errorf("the image's HEALTHCHECK:\n got %s\nwant %s", got, want)
	}
	got = flagsInspect(t, ref, "flags-health-merged", "{{json .Config.Healthcheck}}", "--health-interval", "2s")
	if want := `{"Test":["CMD","true"],"Interval":2000000000,"Retries":7}`; got != want {
		t.Errorf("flags merged with the image's HEALTHCHECK:\n got %s\nwant %s", got, want)
	}
	got = flagsInspect(t, ref, "flags-health-disabled", "{{json .Config.Healthcheck.Test}}", "--no-healthcheck")
	if got != `["NONE"]` {
		t.Errorf("--no-healthcheck over the image's HEALTHCHECK: %s", got)
	}
}

// loadImageWithHealthcheck loads a busybox image whose config carries a
// HEALTHCHECK (which the OCI config type has no field for).
func loadImageWithHealthcheck(t *testing.T, ref string, hc map[string]any) {
	t.Helper()
	img, err := testutil.NewImage()
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	raw, _ := json.Marshal(img.Config)
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	cfg["config"].(map[string]any)["Healthcheck"] = hc
	data, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	delete(img.Blobs, img.Manifest.Config.Digest)
	d := digest.FromBytes(data)
	img.Blobs[d] = data
	img.Manifest.Config.Digest, img.Manifest.Config.Size = d, int64(len(data))
	if img.ManifestJSON, err = json.Marshal(img.Manifest); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "health.tar")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := testutil.WriteOCIArchive(f, img, ref); err != nil {
		t.Fatal(err)
	}
	f.Close()
	engine.MustBerth(t, "load", "-q", "-i", path)
	t.Cleanup(func() { engine.Berth(t, "rmi", "-f", ref) })
}

func TestFlagsHostConfig(t *testing.T) {
	img := loadBusybox(t)
	format := "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCPUs}} {{.HostConfig.ShmSize}} " +
		"{{.HostConfig.CapAdd}} {{.HostConfig.CapDrop}} {{.HostConfig.IpcMode}} {{.HostConfig.CgroupnsMode}} " +
		"{{.HostConfig.ReadonlyRootfs}} {{.HostConfig.LogConfig.Type}} {{.HostConfig.Init}}"
	got := flagsInspect(t, img, "flags-hostconfig", format, "-m", "64m", "--cpus", "1.5", "--cap-add", "net_admin",
		"--cap-drop", "chown", "--read-only", "--log-driver", "none", "--init")
	want := "67108864 134217728 1500000000 67108864 [CAP_NET_ADMIN] [CAP_CHOWN] private host true none true"
	if got != want {
		t.Errorf("HostConfig:\n got %s\nwant %s", got, want)
	}
}
