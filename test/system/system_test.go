// Package system_test checks version, info and namespace against a real engine.
package system_test

import (
	"encoding/json"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/berth-project/berth/pkg/testutil"
)

var engine *testutil.Engine

func TestMain(m *testing.M) { os.Exit(testutil.Main(m, &engine)) }

func TestVersion(t *testing.T) {
	r := engine.MustBerth(t, "version")
	for _, want := range []string{"Client:", " Go version:", "OS/Arch:", "linux/" + runtime.GOARCH,
		"Server:", " berth engine:", " containerd:", " runc:", " CNI plugins:"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("version output lacks %q:\n%s", want, r.Stdout)
		}
	}
	r = engine.MustBerth(t, "version", "--format", "json")
	var v struct {
		Client struct{ Version, GoVersion, Os, Arch string }
		Server struct {
			Components []struct{ Name, Version string }
		}
	}
	if err := json.Unmarshal([]byte(r.Stdout), &v); err != nil {
		t.Fatalf("version --format json: %v\n%s", err, r.Stdout)
	}
	got := map[string]string{}
	for _, c := range v.Server.Components {
		got[c.Name] = c.Version
	}
	if !strings.Contains(got["containerd"], "2.4") || !strings.Contains(got["runc"], "1.5") || got["CNI plugins"] == "" {
		t.Fatalf("server components: %v", got)
	}
	r = engine.MustBerth(t, "version", "--format", "{{.Client.Os}}/{{.Client.Arch}}")
	if r.Stdout != "linux/"+runtime.GOARCH+"\n" {
		t.Fatalf("template output %q", r.Stdout)
	}
	r = engine.Berth(t, "version", "--format", "{{.Nope}}")
	if r.ExitCode != 125 || !strings.Contains(r.Stderr, "can't evaluate field Nope") {
		t.Fatalf("a bad template must fail:\n%s", r)
	}
}

func TestInfo(t *testing.T) {
	r := engine.MustBerth(t, "info")
	for _, want := range []string{" Containers: 0", "  Running: 0", " Images:", " Storage Driver: overlayfs",
		" Cgroup Driver: cgroupfs", " Cgroup Version: ", " Kernel Version: ", " Operating System: ",
		" CPUs: ", " Total Memory: ", " Docker Root Dir: " + engine.DataRoot, " Insecure Registries:\n  127.0.0.0/8"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("info lacks %q:\n%s", want, r.Stdout)
		}
	}
	r = engine.MustBerth(t, "info", "--format", "json")
	var info map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &info); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"ID", "Containers", "ContainersRunning", "ContainersPaused", "ContainersStopped",
		"Images", "Driver", "CgroupDriver", "CgroupVersion", "KernelVersion", "OperatingSystem", "NCPU",
		"MemTotal", "ServerVersion", "DockerRootDir", "Runtimes", "RegistryConfig", "Warnings"} {
		if _, ok := info[k]; !ok {
			t.Errorf("info --format json lacks %s", k)
		}
	}
	if info["NCPU"].(float64) != float64(runtime.NumCPU()) {
		t.Errorf("NCPU = %v", info["NCPU"])
	}
	r = engine.MustBerth(t, "system", "info", "--format", "{{.Driver}}")
	if r.Stdout != "overlayfs\n" {
		t.Errorf("system info --format: %q", r.Stdout)
	}
}

func TestInfoShowsMirrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(dir+"/docker.io", 0o755); err != nil {
		t.Fatal(err)
	}
	hosts := "server = \"https://registry-1.docker.io\"\n[host.\"https://mirror.example\"]\n  capabilities = [\"pull\", \"resolve\"]\n"
	if err := os.WriteFile(dir+"/docker.io/hosts.toml", []byte(hosts), 0o644); err != nil {
		t.Fatal(err)
	}
	r := engine.MustBerth(t, "--hosts-dir", dir, "info", "--format", "{{json .RegistryConfig.Mirrors}}")
	if r.Stdout != "[\"https://mirror.example\"]\n" {
		t.Fatalf("mirrors: %q", r.Stdout)
	}
	r = engine.MustBerth(t, "--insecure-registry", "info", "--format", "{{json .RegistryConfig.InsecureRegistryCIDRs}}")
	if r.Stdout != "[\"0.0.0.0/0\"]\n" {
		t.Fatalf("insecure registries: %q", r.Stdout)
	}
}

func TestNamespaces(t *testing.T) {
	t.Cleanup(func() { engine.Berth(t, "namespace", "rm", "nstest") })
	engine.MustBerth(t, "namespace", "create", "--label", "team=a,b", "nstest")
	r := engine.Berth(t, "namespace", "create", "nstest")
	if r.ExitCode != 125 || r.Stderr != "berth: namespace \"nstest\" already exists\n" {
		t.Fatalf("duplicate create:\n%s", r)
	}
	r = engine.MustBerth(t, "namespace", "ls")
	lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	if lines[0] != "NAME      CONTAINERS   IMAGES    LABELS" {
		t.Fatalf("header %q", lines[0])
	}
	found := false
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if f[0] == "nstest" {
			found = len(f) == 4 && f[1] == "0" && f[2] == "0" && f[3] == "team=a,b"
		}
	}
	if !found {
		t.Fatalf("nstest row missing or wrong:\n%s", r.Stdout)
	}
	r = engine.MustBerth(t, "namespace", "ls", "-q")
	if !strings.Contains("\n"+r.Stdout, "\nnstest\n") {
		t.Fatalf("ls -q:\n%s", r.Stdout)
	}
	r = engine.MustBerth(t, "namespace", "inspect", "nstest")
	var detail []struct {
		Name   string
		Labels map[string]string
	}
	if err := json.Unmarshal([]byte(r.Stdout), &detail); err != nil || len(detail) != 1 || detail[0].Labels["team"] != "a,b" {
		t.Fatalf("inspect: %v\n%s", err, r.Stdout)
	}
	r = engine.Berth(t, "namespace", "inspect", "nosuchns")
	if r.ExitCode != 125 || r.Stderr != "berth: namespace \"nosuchns\" does not exist\n" {
		t.Fatalf("inspect unknown:\n%s", r)
	}
	// A namespace with an image in it is refused, and named.
	img, err := testutil.NewImage()
	if err != nil {
		t.Fatal(err)
	}
	archive := t.TempDir() + "/bb.tar"
	f, _ := os.Create(archive)
	if err := testutil.WriteOCIArchive(f, img, "berth.local/busybox:ns"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	engine.MustBerth(t, "-n", "nstest", "load", "-q", "-i", archive)
	r = engine.Berth(t, "namespace", "rm", "nstest")
	if r.ExitCode != 125 || !strings.HasPrefix(r.Stderr, "berth: namespace \"nstest\" is not empty (remove its containers and images first)") {
		t.Fatalf("rm of a namespace in use:\n%s", r)
	}
	engine.MustBerth(t, "-n", "nstest", "rmi", "berth.local/busybox:ns")
	r = engine.MustBerth(t, "namespace", "rm", "nstest")
	if r.Stdout != "nstest\n" {
		t.Fatalf("rm output %q", r.Stdout)
	}
}
