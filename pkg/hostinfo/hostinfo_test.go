package hostinfo

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestHumanBytes(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "0B"},
		{1, "1B"},
		{1023, "1023B"},
		{1024, "1KiB"},
		{1536, "1.5KiB"},
		{1024*1024 - 1, "1024KiB"},
		{1024 * 1024, "1MiB"},
		{25_110_691_840, "23.39GiB"},
		{16 << 30, "16GiB"},
		{3 << 40, "3TiB"},
		{5 << 50, "5PiB"},
		{1 << 62, "4EiB"},
		{-512, "-512B"},
	} {
		if got := HumanBytes(tc.n); got != tc.want {
			t.Errorf("HumanBytes(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

// writeHosts writes dir/name/hosts.toml.
func writeHosts(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name, "hosts.toml"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestMirrors(t *testing.T) {
	const ordered = `server = "https://registry-1.docker.io"

[host."https://mirror-z.example.com"]
  capabilities = ["pull", "resolve"]

[host."https://mirror-a.example.com"]
  capabilities = ["pull"]
  skip_verify = true

[host."http://10.0.0.1:5000"]
  capabilities = ["pull", "resolve"]
  [host."http://10.0.0.1:5000".header]
    x-custom = ["1"]
`
	for _, tc := range []struct {
		name  string
		files map[string]string // "<dir index>/<host dir>" -> hosts.toml
		host  string
		want  []string
	}{
		{
			name:  "in the order of the file",
			files: map[string]string{"0/docker.io": ordered},
			host:  "docker.io",
			want:  []string{"https://mirror-z.example.com", "https://mirror-a.example.com", "http://10.0.0.1:5000"},
		},
		{
			name: "dotted keys under [host]",
			files: map[string]string{"0/docker.io": `[host]
"https://b.example.com".capabilities = ["pull"]
"https://a.example.com".capabilities = ["pull"]
`},
			host: "docker.io",
			want: []string{"https://b.example.com", "https://a.example.com"},
		},
		{
			name: "inline table follows, sorted",
			files: map[string]string{"0/docker.io": `host = { "https://b.example.com" = { capabilities = ["pull"] }, "https://a.example.com" = {} }
`},
			host: "docker.io",
			want: []string{"https://a.example.com", "https://b.example.com"},
		},
		{
			name:  "no mirrors",
			files: map[string]string{"0/docker.io": `server = "https://registry-1.docker.io"` + "\n"},
			host:  "docker.io",
			want:  nil,
		},
		{
			name:  "no hosts.toml",
			files: nil,
			host:  "docker.io",
			want:  nil,
		},
		{
			name:  "invalid hosts.toml",
			files: map[string]string{"0/docker.io": "[host.\n"},
			host:  "docker.io",
			want:  nil,
		},
		{
			name: "the first directory that configures the host wins",
			files: map[string]string{
				"0/ghcr.io":   `[host."https://ghcr-mirror.example.com"]` + "\n",
				"1/docker.io": `[host."https://second.example.com"]` + "\n",
				"2/docker.io": `[host."https://third.example.com"]` + "\n",
			},
			host: "docker.io",
			want: []string{"https://second.example.com"},
		},
		{
			name: "a host entry anywhere before _default",
			files: map[string]string{
				"0/_default":  `[host."https://default.example.com"]` + "\n",
				"1/docker.io": `[host."https://docker.example.com"]` + "\n",
			},
			host: "docker.io",
			want: []string{"https://docker.example.com"},
		},
		{
			name:  "_default when nothing names the host",
			files: map[string]string{"1/_default": `[host."https://default.example.com"]` + "\n"},
			host:  "docker.io",
			want:  []string{"https://default.example.com"},
		},
		{
			name: "host with a port: the portable directory name first",
			files: map[string]string{
				"0/registry.local:5000":  `[host."https://colon.example.com"]` + "\n",
				"0/registry.local_5000_": `[host."https://portable.example.com"]` + "\n",
			},
			host: "registry.local:5000",
			want: []string{"https://portable.example.com"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			dirs := []string{filepath.Join(root, "0"), filepath.Join(root, "1"), filepath.Join(root, "2")}
			for where, content := range tc.files {
				writeHosts(t, root, where, content)
			}
			if got := Mirrors(dirs, tc.host); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Mirrors(%q) = %q, want %q", tc.host, got, tc.want)
			}
		})
	}
}
