package registryutil

import (
	"errors"
	"os"
	"testing"
)

// The engine's error arrives as text: a registry that never answered is
// told from other failures by its words, without a second, as slow, probe.
func TestExplainSilence(t *testing.T) {
	for _, tc := range []struct{ engine, want string }{
		{`failed to resolve image: failed to do request: Head "https://r.example:5000/v2/x/manifests/1": net/http: timeout awaiting response headers`,
			"the registry r.example:5000 accepted the connection but did not answer (the engine waits 30s for each request)"},
		{`failed to resolve image: failed to do request: Head "https://r.example:5000/v2/x/manifests/1": dial tcp 10.1.2.3:5000: i/o timeout`,
			"cannot reach the registry r.example:5000: the connection timed out"},
		{`failed to resolve image: failed to do request: Head "https://r.example:5000/v2/x/manifests/1": dial tcp 10.1.2.3:5000: connect: connection refused`, ""},
		{`content digest sha256:abc: not found`, ""},
	} {
		if got := explainSilence("r.example:5000", errors.New(tc.engine)); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.engine, got, tc.want)
		}
	}
}

// A CA certificate is looked for where the hosts dirs configure the host,
// else under the first of them.
func TestCAPath(t *testing.T) {
	dir := t.TempDir()
	h := Hosts{Dirs: []string{dir + "/none", dir}}
	if got, want := h.caPath("r.example:5000"), dir+"/none/r.example:5000/ca.crt"; got != want {
		t.Errorf("no host dir: got %s, want %s", got, want)
	}
	if err := os.Mkdir(dir+"/r.example_5000_", 0o700); err != nil {
		t.Fatal(err)
	}
	if got, want := h.caPath("r.example:5000"), dir+"/r.example_5000_/ca.crt"; got != want {
		t.Errorf("with a host dir: got %s, want %s", got, want)
	}
}
