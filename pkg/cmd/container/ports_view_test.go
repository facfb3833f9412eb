package container

import (
	"testing"

	containers "github.com/containerd/containerd/v2/core/containers"

	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/netutil"
)

func TestPortsColumn(t *testing.T) {
	r := &ctrRecord{info: containers.Container{ID: "c1"}, meta: &containerutil.Meta{}}
	r.meta.Config.ExposedPorts = map[string]struct{}{"443/tcp": {}, "80/tcp": {}, "81/tcp": {}}
	r.ep = &netutil.Endpoint{Ports: []netutil.PortMap{
		{HostPort: 8080, ContainerPort: 80, Proto: "tcp"},
		{HostIP: "127.0.0.1", HostPort: 81, ContainerPort: 81, Proto: "tcp"},
		{HostPort: 9000, ContainerPort: 53, Proto: "udp"},
	}}
	want := "127.0.0.1:81->81/tcp, 443/tcp, 0.0.0.0:9000->53/udp, 0.0.0.0:8080->80/tcp"
	if got := r.portsColumn(); got != want {
		t.Errorf("PORTS %q, want %q", got, want)
	}
}
