package opts

import (
	"strings"
	"testing"
)

func TestParseTmpfs(t *testing.T) {
	cases := []struct {
		in   string
		want string // destination and options, "dest opt,opt"
		err  string
	}{
		{in: "/run", want: "/run "},
		{in: "/run/", want: "/run "},
		{in: "/run:rw,exec,size=64m,mode=1777", want: "/run rw,exec,size=64m,mode=1777"},
		{in: "/x:size=50%,uid=1000,gid=1000,nr_inodes=1k", want: "/x size=50%,uid=1000,gid=1000,nr_inodes=1k"},
		{in: "/", err: "invalid specification: destination can't be '/'"},
		{in: "run", err: "invalid mount path: 'run' mount path must be absolute"},
		{in: "", err: "invalid mount path: '' mount path must be absolute"},
		{in: "/x:foo", err: `invalid tmpfs option ["foo"]`},
		{in: "/x:foo=bar", err: `invalid tmpfs option ["foo" "bar"]`},
		{in: "/x:size=1q", err: `invalid tmpfs option "size=1q": the size is a number of bytes with an optional k, m or g suffix, or a percentage of memory`},
		{in: "/x:mode=999", err: `invalid tmpfs option "mode=999": the mode is an octal number`},
		{in: "/x:uid=root", err: `invalid tmpfs option "uid=root": expected a number`},
	}
	for _, c := range cases {
		got, err := ParseTmpfs(c.in)
		checkResult(t, "ParseTmpfs", c.in, got.Destination+" "+strings.Join(got.Options, ","), c.want, err, c.err)
	}
}

func TestParseTmpfsListLaterWins(t *testing.T) {
	got, err := ParseTmpfsList([]string{"/a:size=1m", "/b", "/a/:size=2m"})
	if err != nil || len(got) != 2 || got[0].Options[0] != "size=2m" {
		t.Fatalf("ParseTmpfsList = %+v, %v", got, err)
	}
}
