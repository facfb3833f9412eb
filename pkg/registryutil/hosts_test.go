package registryutil

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mkHostDir(t *testing.T, root, name, hostsToml string) {
	t.Helper()
	dir := filepath.Join(root, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if hostsToml != "" {
		if err := os.WriteFile(filepath.Join(dir, "hosts.toml"), []byte(hostsToml), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// A directory configuring the host itself wins over an earlier directory's
// _default; among directories for the host, the first wins; containerd's
// "host_port_" spelling counts.
func TestHostDir(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	mkHostDir(t, a, "_default", "")
	mkHostDir(t, b, "reg.example:5000", "")
	mkHostDir(t, c, "reg.example_5000_", "")
	mkHostDir(t, c, "docker.io", "")
	h := Hosts{Dirs: []string{filepath.Join(t.TempDir(), "missing"), a, b, c}}
	for host, want := range map[string]string{
		"reg.example:5000": b,
		"docker.io":        c,
		"other.example":    a,
	} {
		if got := h.HostDir(host); got != want {
			t.Errorf("HostDir(%q) = %q, want %q", host, got, want)
		}
	}
	if got := (Hosts{Dirs: []string{c}}).HostDir("other.example"); got != "" {
		t.Errorf("no configuration: HostDir = %q, want empty", got)
	}
	if got := (Hosts{Dirs: []string{c}}).HostDir("reg.example:5000"); got != c {
		t.Errorf("host_port_ form: HostDir = %q, want %q", got, c)
	}
}

// RegistryHosts reads hosts.toml as the engine will: mirrors first, then the
// server.
func TestRegistryHostsFromHostsToml(t *testing.T) {
	root := t.TempDir()
	mkHostDir(t, root, "docker.io", `server = "https://registry-1.docker.io"
[host."http://mirror.local:5000"]
  capabilities = ["pull", "resolve"]
`)
	hosts, err := Hosts{Dirs: []string{root}}.RegistryHosts(t.Context(), nil)("docker.io")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hosts {
		got = append(got, h.Scheme+"://"+h.Host+h.Path)
	}
	want := "http://mirror.local:5000/v2 https://registry-1.docker.io/v2"
	if strings.Join(got, " ") != want {
		t.Fatalf("hosts %v, want %s", got, want)
	}
	ep, err := Hosts{Dirs: []string{root}}.Endpoint(t.Context(), "docker.io", nil)
	if err != nil || ep.Host != "registry-1.docker.io" {
		t.Fatalf("Endpoint = %+v, %v; want the server, not the mirror", ep, err)
	}
}

func TestRegistryHostsDefaults(t *testing.T) {
	for _, tc := range []struct {
		host     string
		insecure bool
		want     string
	}{
		{"docker.io", false, "https://registry-1.docker.io"},
		{"reg.example", false, "https://reg.example"},
		// Insecure: HTTPS tried first (its transport falls back to HTTP).
		{"reg.example:5000", true, "https://reg.example:5000"},
		// Loopback with a port: containerd's HTTPS-then-HTTP, as docker.
		{"127.0.0.1:5000", false, "https://127.0.0.1:5000"},
	} {
		hosts, err := Hosts{Insecure: tc.insecure}.RegistryHosts(quietLogs(t.Context()), nil)(tc.host)
		if err != nil || len(hosts) != 1 {
			t.Fatalf("%s: %v, %v", tc.host, hosts, err)
		}
		if got := hosts[0].Scheme + "://" + hosts[0].Host; got != tc.want {
			t.Errorf("%s (insecure %v): %s, want %s", tc.host, tc.insecure, got, tc.want)
		}
	}
}

// For an insecure registry without configuration the engine gets a
// temporary hosts directory, removed by cleanup; a configured registry's
// own directory is passed instead.
func TestTransferOptsInsecure(t *testing.T) {
	root := t.TempDir()
	mkHostDir(t, root, "configured.example", `server = "https://configured.example"`)
	h := Hosts{Dirs: []string{root}, Insecure: true}

	opts, cleanup, err := h.TransferOpts("plain.example:5000", nil)
	if err != nil {
		t.Fatal(err)
	}
	matches, _ := filepath.Glob(filepath.Join(os.TempDir(), "berth-hosts-*", "plain.example:5000", "hosts.toml"))
	var found string
	for _, m := range matches {
		data, _ := os.ReadFile(m)
		if string(data) == "server = \"http://plain.example:5000\"\nskip_verify = true\n" {
			found = m
		}
	}
	if found == "" || len(opts) != 2 {
		t.Fatalf("no temporary hosts.toml for the insecure registry (%d opts, %v)", len(opts), matches)
	}
	cleanup()
	if _, err := os.Stat(found); !os.IsNotExist(err) {
		t.Fatalf("cleanup left %s", found)
	}

	before, _ := filepath.Glob(filepath.Join(os.TempDir(), "berth-hosts-*"))
	opts, cleanup, err = h.TransferOpts("configured.example", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	after, _ := filepath.Glob(filepath.Join(os.TempDir(), "berth-hosts-*"))
	if len(after) != len(before) || len(opts) != 2 {
		t.Fatalf("a configured registry got a temporary directory (%d opts)", len(opts))
	}
}

func TestLoginHint(t *testing.T) {
	if got := LoginHint("docker.io"); got != "berth login" {
		t.Errorf("hub: %q", got)
	}
	if got := LoginHint("127.0.0.1:5000"); got != "berth login 127.0.0.1:5000" {
		t.Errorf("other: %q", got)
	}
}
