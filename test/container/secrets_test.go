package container_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-project/berth/pkg/testutil"
)

func TestSecretsStayOutOfDebugOutput(t *testing.T) {
	img := loadBusybox(t)
	const secret = "s3cr3t-value-4711"
	r := engine.Berth(t, "--debug", "run", "--rm", "-e", "TOKEN="+secret, img, "sh", "-c", "test \"$TOKEN\" = "+secret)
	if r.ExitCode != 0 {
		t.Fatalf("the variable must reach the container:\n%s", r)
	}
	if !strings.Contains(r.Stderr, "level=debug") {
		t.Fatalf("--debug printed no debug lines:\n%s", r)
	}
	if strings.Contains(r.Stderr, secret) || strings.Contains(r.Stdout, secret) {
		t.Fatalf("the secret leaked into the output:\n%s", r)
	}
	if log, err := os.ReadFile(filepath.Join(engine.RunDir, "daemon.log")); err == nil && strings.Contains(string(log), secret) {
		t.Fatal("the secret leaked into the engine log")
	}
}

// An image's labels are the image author's; they must never reach the labels
// the engine acts on (a loguri label would pick the binary the engine runs).
func TestImageLabelsNeverBecomeEngineLabels(t *testing.T) {
	img, err := testutil.NewImage(testutil.WithLabels(map[string]string{
		"containerd.io/restart.loguri": "binary:///bin/sh?-c=touch%20/tmp/pwned",
		"containerd.io/restart.policy": "always",
		"berth/log-config":             `{"Type":"none"}`,
		"org.example.ok":               "yes",
	}))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "evil-labels.tar")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := testutil.WriteOCIArchive(f, img, "berth.local/evil-labels:1"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	engine.MustBerth(t, "load", "-q", "-i", path)
	t.Cleanup(func() { engine.Berth(t, "rmi", "-f", "berth.local/evil-labels:1") })
	forceRemove(t, "evil-labels")
	engine.MustBerth(t, "run", "-d", "--name", "evil-labels", "berth.local/evil-labels:1", "sleep", "300")
	r := engine.Ctr(t, "containers", "info", containerID(t, "evil-labels"))
	for _, bad := range []string{"/tmp/pwned", "restart.policy", `\"Type\":\"none\"`} {
		if strings.Contains(r.Stdout, bad) {
			t.Errorf("image label %q reached the engine's container record:\n%s", bad, r.Stdout)
		}
	}
}

func containerID(t *testing.T, name string) string {
	t.Helper()
	r := engine.MustBerth(t, "inspect", "--format", "{{.Id}}", name)
	return strings.TrimSpace(r.Stdout)
}
