package referenceutil

import "testing"

func TestParse(t *testing.T) {
	cases := []struct{ in, want, err string }{
		{in: "busybox", want: "docker.io/library/busybox:latest"},
		{in: "busybox:1.36", want: "docker.io/library/busybox:1.36"},
		{in: "user/app", want: "docker.io/user/app:latest"},
		{in: "127.0.0.1:5000/a/b:c", want: "127.0.0.1:5000/a/b:c"},
		{in: "UPPER/Case", err: "invalid reference format: repository name (UPPER/Case) must be lowercase"},
		{in: "", err: "invalid reference format: empty image reference"},
		{in: "a::b", err: `invalid reference format: "a::b": invalid reference format`},
	}
	for _, c := range cases {
		got, err := Normalize(c.in)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("Normalize(%q) error = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestFamiliarAndRepoTag(t *testing.T) {
	if got := Familiar("docker.io/library/busybox:latest"); got != "busybox:latest" {
		t.Errorf("Familiar = %q", got)
	}
	repo, tag := RepoTag("127.0.0.1:5000/app:v1")
	if repo != "127.0.0.1:5000/app" || tag != "v1" {
		t.Errorf("RepoTag = %q %q", repo, tag)
	}
}
