package container

import (
	"encoding/json"
	"testing"

	"github.com/berth-project/berth/pkg/opts"
)

func TestVolumeFlags(t *testing.T) {
	cases := []struct {
		o   CreateOptions
		err string
	}{
		{o: CreateOptions{Volumes: []string{"/a", "data:/b", "/h:/c:ro"}, Mounts: []string{"type=tmpfs,dst=/d"}, VolumesFrom: []string{"x:ro"}}},
		{o: CreateOptions{Volumes: []string{"aa:/x", "bb:/x"}}, err: "Duplicate mount point: /x"},
		{o: CreateOptions{Volumes: []string{"aa:/x"}, Mounts: []string{"type=bind,src=/h,dst=/x/"}}, err: "Duplicate mount point: /x"},
		{o: CreateOptions{Tmpfs: []string{"/x"}, Volumes: []string{"/h:/x"}}, err: "Duplicate mount point: /x"},
		// An anonymous volume gives way; it is no duplicate.
		{o: CreateOptions{Volumes: []string{"/x", "/h:/x"}}},
		{o: CreateOptions{Mounts: []string{"type=bind,src=/a,dst=/b,foo=bar"}}, err: `invalid argument "type=bind,src=/a,dst=/b,foo=bar" for "--mount" flag: unexpected key 'foo' in 'foo=bar'`},
		{o: CreateOptions{Mounts: []string{"type=volume,dst=/b,ro"}}, err: `invalid mount config for type "volume": must not set ReadOnly mode when using anonymous volumes`},
		{o: CreateOptions{Mounts: []string{"src=vv,dst=/b,volume-subpath=s"}}, err: "--mount volume-subpath is not supported yet"},
		{o: CreateOptions{VolumesFrom: []string{""}}, err: "volumes-from specification cannot be an empty string"},
		{o: CreateOptions{VolumeDriver: "nfs", Volumes: []string{"/h:/b"}}},
		{o: CreateOptions{VolumeDriver: "nfs", Volumes: []string{"vv:/b"}}, err: `create vv: error looking up volume plugin nfs: plugin "nfs" not found`},
		{o: CreateOptions{VolumeDriver: "nfs", Volumes: []string{"/b"}}, err: `create: error looking up volume plugin nfs: plugin "nfs" not found`},
		{o: CreateOptions{Mounts: []string{"src=vv,dst=/b,volume-driver=rex"}}, err: `create vv: error looking up volume plugin rex: plugin "rex" not found`},
		{o: CreateOptions{Mounts: []string{"src=vv,dst=/b,volume-driver=local"}, VolumeDriver: "rex"}},
	}
	for _, c := range cases {
		_, err := c.o.volumeFlags()
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.err {
			t.Errorf("-v %q --mount %q --volumes-from %q --tmpfs %q --volume-driver %q: %q, want %q",
				c.o.Volumes, c.o.Mounts, c.o.VolumesFrom, c.o.Tmpfs, c.o.VolumeDriver, got, c.err)
		}
	}
}

func TestMountPointsOfFlags(t *testing.T) {
	cases := []struct {
		point func() *plannedMount
		want  string
	}{
		{func() *plannedMount { v, _ := opts.ParseVolume("data:/d", "/"); return bindPoint(v, "") },
			`{"Type":"volume","Name":"data","Source":"","Destination":"/d","Driver":"local","Mode":"z","RW":true,"Propagation":""}`},
		{func() *plannedMount { v, _ := opts.ParseVolume("data:/d:ro,nocopy", "/"); return bindPoint(v, "") },
			`{"Type":"volume","Name":"data","Source":"","Destination":"/d","Driver":"local","Mode":"ro,nocopy","RW":false,"Propagation":""}`},
		{func() *plannedMount { v, _ := opts.ParseVolume("/h:/d:ro", "/"); return bindPoint(v, "") },
			`{"Type":"bind","Source":"/h","Destination":"/d","Mode":"ro","RW":false,"Propagation":"rprivate"}`},
		{func() *plannedMount {
			m, _ := opts.ParseMount("type=bind,src=/h,dst=/d,bind-propagation=rshared", "/")
			return mountFlagPoint(m, "")
		},
			`{"Type":"bind","Source":"/h","Destination":"/d","Mode":"","RW":true,"Propagation":"rshared"}`},
		{func() *plannedMount {
			m, _ := opts.ParseMount("type=volume,dst=/d/", "/")
			return mountFlagPoint(m, "")
		},
			`{"Type":"volume","Source":"","Destination":"/d","Driver":"local","Mode":"","RW":true,"Propagation":"","Anonymous":true}`},
		{func() *plannedMount {
			m, _ := opts.ParseMount("type=tmpfs,dst=/t,ro,tmpfs-size=1m", "/")
			return mountFlagPoint(m, "")
		},
			`{"Type":"tmpfs","Source":"","Destination":"/t","Mode":"","RW":false,"Propagation":"","Options":["size=1m"]}`},
	}
	for _, c := range cases {
		got, _ := json.Marshal(c.point().point)
		if string(got) != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
	pm := bindPoint(opts.VolumeSpec{Type: "volume", Source: "v", Target: "/d", NoCopy: true}, "")
	if pm.copyData || !pm.mkdir {
		t.Errorf("nocopy: %+v", pm)
	}
}
