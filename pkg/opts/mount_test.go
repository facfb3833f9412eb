package opts

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseMount(t *testing.T) {
	cases := []struct {
		in   string
		want string // the Mount's JSON
		err  string
	}{
		{in: "type=bind,source=/a,target=/b", want: `{"Type":"bind","Source":"/a","Target":"/b"}`},
		{in: "type=bind,src=/a,dst=/b,readonly", want: `{"Type":"bind","Source":"/a","Target":"/b","ReadOnly":true}`},
		{in: "type=bind,src=/a,destination=/b,ro=true,bind-propagation=rslave", want: `{"Type":"bind","Source":"/a","Target":"/b","ReadOnly":true,"BindOptions":{"Propagation":"rslave"}}`},
		{in: "type=bind,src=./a,dst=/b,ro=0", want: `{"Type":"bind","Source":"/work/a","Target":"/b"}`},
		{in: "type=bind,src=.,dst=/b,bind-create-mountpoint", want: `{"Type":"bind","Source":"/work","Target":"/b","BindOptions":{"CreateMountpoint":true}}`},
		{in: "src=data,dst=/data", want: `{"Type":"volume","Source":"data","Target":"/data"}`},
		{in: "type=volume,target=/data", want: `{"Type":"volume","Target":"/data"}`},
		{in: "TYPE=VOLUME,src=data,dst=/data,volume-nocopy", want: `{"Type":"volume","Source":"data","Target":"/data","VolumeOptions":{"NoCopy":true,"DriverConfig":{}}}`},
		{in: "type=volume,src=data,dst=/data,volume-opt=type=tmpfs,volume-opt=device=tmpfs,volume-label=a=b", want: `{"Type":"volume","Source":"data","Target":"/data","VolumeOptions":{"Labels":{"a":"b"},"DriverConfig":{"Options":{"device":"tmpfs","type":"tmpfs"}}}}`},
		{in: `type=volume,src=data,dst=/data,"volume-opt=o=size=1m,uid=1"`, want: `{"Type":"volume","Source":"data","Target":"/data","VolumeOptions":{"DriverConfig":{"Options":{"o":"size=1m,uid=1"}}}}`},
		{in: "type=volume,src=data,dst=/data,volume-subpath=sub", want: `{"Type":"volume","Source":"data","Target":"/data","VolumeOptions":{"Subpath":"sub","DriverConfig":{}}}`},
		{in: "type=tmpfs,dst=/run,tmpfs-size=64m,tmpfs-mode=1770", want: `{"Type":"tmpfs","Target":"/run","TmpfsOptions":{"SizeBytes":67108864,"Mode":1016}}`},
		{in: "type=bind,src=/a", err: "target is required"},
		{in: "type=,dst=/a", err: "type is required"},
		{in: "type=bind,src=/a,dst=/b,foo=bar", err: "unexpected key 'foo' in 'foo=bar'"},
		{in: "type=bind,src=/a,dst=/b,bogus", err: "invalid field 'bogus' must be a key=value pair"},
		{in: "type=bind,src=/a,dst=/b,readonly=maybe", err: "invalid value for readonly: maybe"},
		{in: "type=tmpfs,dst=/b,tmpfs-size=lots", err: "invalid value for tmpfs-size: lots"},
		{in: "type=tmpfs,dst=/b,tmpfs-mode=999", err: "invalid value for tmpfs-mode: 999"},
		{in: "type=bind,src=/a,dst=/b,volume-nocopy", err: "cannot mix 'volume-*' options with mount type 'bind'"},
		{in: "type=volume,dst=/b,bind-propagation=shared", err: "cannot mix 'bind-*' options with mount type 'volume'"},
		{in: "type=bind,src=/a,dst=/b,tmpfs-size=1m", err: "cannot mix 'tmpfs-*' options with mount type 'bind'"},
		{in: `type=bind,src="/a`, err: `parse error on line 1, column 15: bare " in non-quoted-field`},
	}
	for _, c := range cases {
		m, err := ParseMount(c.in, "/work")
		got, _ := json.Marshal(m)
		checkResult(t, "ParseMount", c.in, string(got), c.want, err, c.err)
	}
}

func TestValidateMount(t *testing.T) {
	cases := []struct{ in, err string }{
		{in: "type=bind,src=/a,dst=/b"},
		{in: "type=volume,dst=/b"},
		{in: "type=volume,src=data,dst=/b,ro"},
		{in: "type=tmpfs,dst=/b"},
		{in: "type=bind,src=/a,dst=/", err: `invalid mount config for type "bind": invalid specification: destination can't be '/'`},
		{in: "type=bind,src=/a,dst=b", err: `invalid mount config for type "bind": invalid mount path: 'b' mount path must be absolute`},
		{in: "type=bind,dst=/b", err: `invalid mount config for type "bind": field Source must not be empty`},
		{in: "type=bind,src=a,dst=/b", err: `invalid mount config for type "bind": invalid mount path: 'a' mount path must be absolute`},
		{in: "type=bind,src=/a,dst=/b,bind-propagation=sideways", err: `invalid mount config for type "bind": invalid propagation mode: sideways`},
		{in: "type=volume,dst=/b,ro", err: `invalid mount config for type "volume": must not set ReadOnly mode when using anonymous volumes`},
		{in: "type=volume,dst=/b,volume-subpath=x", err: `invalid mount config for type "volume": must not set Subpath when using anonymous volumes`},
		{in: "type=volume,src=data,dst=/b,volume-subpath=../x", err: `invalid mount config for type "volume": subpath must be a relative path within the volume`},
		{in: "type=volume,src=a/b,dst=/b", err: `create a/b: "a/b" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`},
		{in: "type=volume,src=..,dst=/b", err: `create ..: ".." includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`},
		{in: "type=tmpfs,src=x,dst=/b", err: `invalid mount config for type "tmpfs": field Source must not be specified`},
		{in: "type=npipe,src=x,dst=/b", err: `invalid mount config for type "npipe": mount type unknown`},
	}
	for _, c := range cases {
		m, err := ParseMount(c.in, "/work")
		if err != nil {
			t.Fatalf("ParseMount(%q): %v", c.in, err)
		}
		checkResult(t, "ValidateMount", c.in, "", "", ValidateMount(m), c.err)
	}
}

func TestTmpfsMountOptions(t *testing.T) {
	cases := map[string]string{
		"type=tmpfs,dst=/a": "",
		"type=tmpfs,dst=/a,ro,tmpfs-size=64m,tmpfs-mode=700": "ro,mode=700,size=64m",
		"type=tmpfs,dst=/a,tmpfs-size=1g":                    "size=1g",
		"type=tmpfs,dst=/a,tmpfs-size=1536k":                 "size=1536k",
		"type=tmpfs,dst=/a,tmpfs-size=1000":                  "size=1000",
	}
	for in, want := range cases {
		m, err := ParseMount(in, "/")
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(TmpfsMountOptions(m), ","); got != want {
			t.Errorf("TmpfsMountOptions(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMountsValue(t *testing.T) {
	var values []string
	v := NewMounts(&values)
	if err := v.Set("type=tmpfs,dst=/a"); err != nil {
		t.Fatal(err)
	}
	if err := v.Set("type=bind,src=/a,dst=/b,foo=bar"); err == nil || err.Error() != "unexpected key 'foo' in 'foo=bar'" {
		t.Fatalf("Set: %v", err)
	}
	if len(values) != 1 || v.Type() != "mount" {
		t.Fatalf("values %v, type %s", values, v.Type())
	}
}
