package opts

import (
	"fmt"
	"testing"
)

func TestParseVolume(t *testing.T) {
	cases := []struct {
		in   string
		want string // Type Source Target Mode ro=ReadOnly Propagation nocopy
		err  string
	}{
		{in: "/data", want: "volume  /data  false  false"},
		{in: "/data/", want: "volume  /data  false  false"},
		{in: "data:/data", want: "volume data /data  false  false"},
		{in: "data:/data:ro", want: "volume data /data ro true  false"},
		{in: "data:/data:nocopy", want: "volume data /data nocopy false  true"},
		{in: "data:/data:ro,z", want: "volume data /data ro,z true  false"},
		{in: "/src:/dst", want: "bind /src /dst  false rprivate false"},
		{in: "/src/:/dst/:rw", want: "bind /src /dst rw false rprivate false"},
		{in: "/src:/dst:ro", want: "bind /src /dst ro true rprivate false"},
		{in: "/src:/dst:Z", want: "bind /src /dst Z false rprivate false"},
		{in: "/src:/dst:ro,rshared", want: "bind /src /dst ro,rshared true rshared false"},
		{in: "/src:/dst:rslave,delegated", want: "bind /src /dst rslave,delegated false rslave false"},
		{in: "./src:/dst", want: "bind /work/src /dst  false rprivate false"},
		{in: "../src:/dst:ro", want: "bind /src /dst ro true rprivate false"},
		{in: ".:/dst", want: "bind /work /dst  false rprivate false"},
		{in: "", err: "invalid empty volume spec"},
		{in: ":/dst", err: "invalid spec: :/dst: empty section between colons"},
		{in: "/src:", err: "invalid spec: /src:: empty section between colons"},
		{in: "/src::ro", err: "invalid spec: /src::ro: empty section between colons"},
		{in: "/a:/b:ro:x", err: "invalid spec: /a:/b:ro:x: too many colons"},
		{in: "/src:ro", err: "invalid volume specification: '/src:ro'"},
		{in: "/src:/dst:xyz", err: "invalid mode: xyz"},
		{in: "/src:/dst:ro,rw", err: "invalid mode: ro,rw"},
		{in: "/src:/dst:z,Z", err: "invalid mode: z,Z"},
		{in: "/src:dst", err: `invalid volume specification: '/src:dst': invalid mount config for type "bind": invalid mount path: 'dst' mount path must be absolute`},
		{in: "/src:/", err: `invalid volume specification: '/src:/': invalid mount config for type "bind": invalid specification: destination can't be '/'`},
		{in: "data:/", err: `invalid volume specification: 'data:/': invalid mount config for type "volume": invalid specification: destination can't be '/'`},
		{in: "/", err: `invalid volume specification: '/': invalid mount config for type "volume": invalid specification: destination can't be '/'`},
		{in: "data", err: `invalid volume specification: 'data': invalid mount config for type "volume": invalid mount path: 'data' mount path must be absolute`},
		{in: "/src:/dst:nocopy", err: `invalid volume specification: '/src:/dst:nocopy': invalid mount config for type "bind": field VolumeOptions must not be specified`},
		{in: "data:/dst:rshared", err: `invalid volume specification: 'data:/dst:rshared': invalid mount config for type "volume": field BindOptions must not be specified`},
		{in: "foo/bar:/dst", err: `create foo/bar: "foo/bar" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`},
		{in: "~/x:/dst", err: `create ~/x: "~/x" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`},
		{in: "a:/dst", err: "create a: volume name is too short, names should be at least two alphanumeric characters"},
	}
	for _, c := range cases {
		v, err := ParseVolume(c.in, "/work")
		got := fmt.Sprintf("%s %s %s %s %v %s %v", v.Type, v.Source, v.Target, v.Mode, v.ReadOnly, v.Propagation, v.NoCopy)
		checkResult(t, "ParseVolume", c.in, got, c.want, err, c.err)
	}
}

func TestParseVolumeRaw(t *testing.T) {
	v, err := ParseVolume("./data:/data:ro", "/home/u")
	if err != nil || v.Raw != "/home/u/data:/data:ro" {
		t.Fatalf("ParseVolume = %+v, %v; want the raw spec with an absolute host path", v, err)
	}
	if v, _ := ParseVolume("/data", "/"); !v.Anonymous() {
		t.Fatalf("-v /data is not anonymous: %+v", v)
	}
}

func TestValidateVolumeName(t *testing.T) {
	cases := []struct{ in, err string }{
		{in: "data"},
		{in: "a1"},
		{in: "my_vol-1.2"},
		{in: "a..b"},
		{in: "x", err: "volume name is too short, names should be at least two alphanumeric characters"},
		{in: "..", err: `".." includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`},
		{in: "../x", err: `"../x" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`},
		{in: "a/b", err: `"a/b" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`},
		{in: "_x", err: `"_x" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`},
		{in: "", err: `"" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`},
	}
	for _, c := range cases {
		checkResult(t, "ValidateVolumeName", c.in, "", "", ValidateVolumeName(c.in), c.err)
	}
}

func TestParseVolumesFrom(t *testing.T) {
	cases := []struct {
		in, want, err string
	}{
		{in: "data", want: "data rw false"},
		{in: "data:ro", want: "data ro true"},
		{in: "data:rw", want: "data rw false"},
		{in: "data:ro,z", want: "data ro,z true"},
		{in: "", err: "volumes-from specification cannot be an empty string"},
		{in: "data:xyz", err: "invalid mode: xyz"},
		{in: "data:rshared", err: "invalid mode: rshared"},
		{in: "data:nocopy", err: "invalid mode: nocopy"},
	}
	for _, c := range cases {
		v, err := ParseVolumesFrom(c.in)
		checkResult(t, "ParseVolumesFrom", c.in, fmt.Sprintf("%s %s %v", v.Container, v.Mode, v.ReadOnly), c.want, err, c.err)
	}
}
