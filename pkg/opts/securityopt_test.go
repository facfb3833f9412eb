package opts

import "testing"

func TestParseSecurityOpts(t *testing.T) {
	cases := []struct {
		in   []string
		want SecurityOpts
		err  string
	}{
		{in: nil, want: SecurityOpts{}},
		{in: []string{"no-new-privileges"}, want: SecurityOpts{NoNewPrivileges: true}},
		{in: []string{"no-new-privileges=true", "no-new-privileges:false"}, want: SecurityOpts{}},
		{in: []string{"seccomp=unconfined"}, want: SecurityOpts{Seccomp: "unconfined"}},
		{in: []string{"seccomp:/tmp/p.json"}, want: SecurityOpts{Seccomp: "/tmp/p.json"}},
		{in: []string{"apparmor=docker-default"}, want: SecurityOpts{AppArmor: "docker-default", AppArmorSet: true}},
		{in: []string{"systempaths=unconfined"}, want: SecurityOpts{SystemPathsUnconfined: true}},
		{in: []string{"foo"}, err: `Invalid --security-opt: "foo"`},
		{in: []string{"seccomp="}, err: `Invalid --security-opt: "seccomp="`},
		{in: []string{"foo=bar"}, err: `invalid --security-opt 2: "foo=bar"`},
		{in: []string{"no-new-privileges=maybe"}, err: `invalid --security-opt 2: "no-new-privileges=maybe"`},
		{in: []string{"systempaths=confined"}, err: `invalid --security-opt 2: "systempaths=confined"`},
		{in: []string{"label=disable"}, err: "--security-opt label=disable is not supported: berth does not manage SELinux labels"},
	}
	for _, c := range cases {
		got, err := ParseSecurityOpts(c.in)
		checkResult(t, "ParseSecurityOpts", fmtList(c.in), got, c.want, err, c.err)
	}
}

func fmtList(l []string) string {
	s := ""
	for _, v := range l {
		s += v + " "
	}
	return s
}
