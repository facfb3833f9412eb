package opts

import (
	"encoding/json"
	"testing"
)

func TestParseSeccompProfile(t *testing.T) {
	profile := `{
		"defaultAction": "SCMP_ACT_ERRNO",
		"defaultErrnoRet": 1,
		"archMap": [
			{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
			{"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}
		],
		"syscalls": [
			{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
			{"name": "mkdir", "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
			{"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
			{"names": ["clone"], "action": "SCMP_ACT_ALLOW", "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
			{"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64"]}},
			{"names": ["new_one"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "7.1"}},
			{"names": ["old_one"], "action": "SCMP_ACT_ALLOW", "excludes": {"minKernel": "4.8"}}
		]
	}`
	host := SeccompHost{Caps: []string{"CAP_CHOWN"}, GOARCH: "amd64", Kernel: "6.18.0-test"}
	got, err := ParseSeccompProfile([]byte(profile), host)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(got)
	want := `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"],` +
		`"syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"},{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","errnoRet":13},` +
		`{"names":["clone"],"action":"SCMP_ACT_ALLOW"},{"names":["arch_prctl"],"action":"SCMP_ACT_ALLOW"}]}`
	if string(out) != want {
		t.Errorf("profile:\n got %s\nwant %s", out, want)
	}

	host.Caps = []string{"CAP_SYS_ADMIN"}
	got, _ = ParseSeccompProfile([]byte(profile), host)
	names := []string{}
	for _, s := range got.Syscalls {
		names = append(names, s.Names...)
	}
	if len(names) != 5 || names[3] != "mount" {
		t.Errorf("with CAP_SYS_ADMIN: %v", names)
	}
}

func TestParseSeccompProfileErrors(t *testing.T) {
	cases := []struct{ in, err string }{
		{`not json`, "decoding seccomp profile failed: invalid character 'o' in literal null (expecting 'u')"},
		{`{"syscalls": []}`, "the seccomp profile has no defaultAction"},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"], "archMap": [{"architecture": "SCMP_ARCH_X86_64"}]}`,
			"'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'"},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"name": "a", "names": ["b"], "action": "SCMP_ACT_ALLOW"}]}`,
			"'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'"},
	}
	for _, c := range cases {
		_, err := ParseSeccompProfile([]byte(c.in), SeccompHost{GOARCH: "amd64"})
		checkResult(t, "ParseSeccompProfile", c.in, 0, 0, err, c.err)
	}
}
