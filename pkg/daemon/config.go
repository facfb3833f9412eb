package daemon

import (
	"fmt"
	"strconv"
	"strings"
)

// criPlugins are disabled together: the engine runs without CRI, and
// containerd refuses to start when only some of them are off.
var criPlugins = []string{
	"io.containerd.grpc.v1.cri",
	"io.containerd.cri.v1.images",
	"io.containerd.cri.v1.runtime",
	"io.containerd.podsandbox.controller.v1.podsandbox",
}

// RenderConfig returns the containerd configuration for the engine described
// by d. imports is empty so that files in /etc/containerd/conf.d cannot change
// berth's engine.
func (d *Daemon) RenderConfig() string {
	level := "info"
	if d.debug {
		level = "debug"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "version = 3\n")
	fmt.Fprintf(&b, "root = %s\n", strconv.Quote(d.ContainerdRoot()))
	fmt.Fprintf(&b, "state = %s\n", strconv.Quote(d.StateDir()))
	fmt.Fprintf(&b, "imports = []\n")
	fmt.Fprintf(&b, "disabled_plugins = [%s]\n", quoteList(criPlugins))
	fmt.Fprintf(&b, "\n[grpc]\n  address = %s\n", strconv.Quote(d.Socket()))
	fmt.Fprintf(&b, "  uid = %d\n  gid = %d\n", d.uid, d.gid)
	fmt.Fprintf(&b, "\n[ttrpc]\n  address = %s\n", strconv.Quote(d.Socket()+".ttrpc"))
	fmt.Fprintf(&b, "\n[debug]\n  level = %q\n", level)
	fmt.Fprintf(&b, "\n[plugins]\n")
	// The restart monitor's default of 10 s makes `--restart always` feel broken.
	fmt.Fprintf(&b, "  [plugins.\"io.containerd.monitor.container.v1.restart\"]\n    interval = \"1s\"\n")
	fmt.Fprintf(&b, "  [plugins.\"io.containerd.transfer.v1.local\"]\n    max_concurrent_downloads = 6\n    max_concurrent_unpacks = 3\n")
	fmt.Fprintf(&b, "    [[plugins.\"io.containerd.transfer.v1.local\".unpack_config]]\n")
	fmt.Fprintf(&b, "      platform = %q\n      snapshotter = %q\n", d.platform, d.snapshotter)
	return b.String()
}

func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}
