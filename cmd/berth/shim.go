package main

import (
	"context"

	"github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2/manager"
	_ "github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2/task/plugin"
	"github.com/containerd/containerd/v2/pkg/shim"
	"github.com/containerd/containerd/v2/plugins"
	"github.com/containerd/plugin"
	"github.com/containerd/plugin/registry"
)

// runShim runs the runc v2 shim. The engine's builtin plugins are registered
// in this binary too, and the shim would try to start every registered
// plugin: keep only the shim's own task service before handing over.
func runShim() {
	keep := registry.Graph(func(r *plugin.Registration) bool {
		return r.Type != plugins.TTRPCPlugin || r.ID != "task"
	})
	registry.Reset()
	for i := range keep {
		registry.Register(&keep[i])
	}
	shim.RunShim(context.Background(), manager.NewShimManager("io.containerd.runc.v2"))
}
