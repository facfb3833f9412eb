package network

import (
	"bytes"
	"testing"

	"github.com/berth-project/berth/pkg/formatter"
	"github.com/berth-project/berth/pkg/netutil"
)

// testEndpoints are two running containers: web on app and bridge, db on
// app only.
func testEndpoints(nets []*netutil.Network) []*netutil.Endpoint {
	byName := map[string]*netutil.Network{}
	for _, n := range nets {
		byName[n.Name] = n
	}
	app, def := byName["app"], byName["bridge"]
	return []*netutil.Endpoint{
		{Namespace: "default", ID: "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00", Name: "web",
			Attached: []netutil.Attachment{
				{Network: "bridge", NetworkID: def.ID, IfName: "eth0", IPv4: "10.4.0.2/24", MAC: "02:42:0a:04:00:02"},
				{Network: "app", NetworkID: app.ID, IfName: "eth1", IPv4: "10.10.0.130/24", IPv6: "fd00:10::2/64",
					MAC: "02:42:0a:0a:00:82", UserNet: true},
			}},
		{Namespace: "default", ID: "deadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef", Name: "db",
			Attached: []netutil.Attachment{
				{Network: "app", NetworkID: app.ID, IfName: "eth0", IPv4: "10.10.0.131/24", MAC: "02:42:0a:0a:00:83", UserNet: true},
			}},
		// An endpoint on an earlier network of the same name is not on this one.
		{Namespace: "default", ID: "0123456701234567012345670123456701234567012345670123456701234567", Name: "old",
			Attached: []netutil.Attachment{{Network: "app", NetworkID: "another", IfName: "eth0", IPv4: "10.10.0.5/24"}}},
	}
}

func TestInspectGolden(t *testing.T) {
	nets := testNetworks()
	eps := testEndpoints(nets)
	var objs []any
	for _, name := range []string{"app", "bridge", "host", "net10"} {
		n, err := lookup(nets, name)
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, detail(n, eps))
	}
	for name, format := range map[string]string{
		"inspect-json":     "",
		"inspect-template": `{{.Name}} {{.Id}} {{.Driver}} {{range .IPAM.Config}}{{.Subnet}} {{end}}{{len .Containers}} {{json .Labels}}`,
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := formatter.Inspect(&buf, format, objs); err != nil {
				t.Fatal(err)
			}
			golden(t, name, buf.Bytes())
		})
	}
}

func TestDetailDoesNotShareMaps(t *testing.T) {
	nets := testNetworks()
	app, _ := lookup(nets, "app")
	d := detail(app, nil)
	d.Labels["x"], d.Options["y"] = "1", "2"
	if _, ok := app.Labels["x"]; ok {
		t.Error("changing the detail's labels changed the network's")
	}
	if _, ok := app.Options["y"]; ok {
		t.Error("changing the detail's options changed the network's")
	}
}

func TestNotFoundError(t *testing.T) {
	err := &NotFoundError{Names: []string{"nope", "gone"}}
	if got, want := err.Error(), "No such network: nope\nNo such network: gone"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
