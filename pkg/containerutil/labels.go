// Package containerutil is berth's container model: the labels it puts on
// containerd containers, the per-namespace store of names and metadata under
// the data root, and the lookup of a container by name, ID or ID prefix.
package containerutil

import (
	"fmt"
	"strings"
)

// Labels berth sets on the containerd containers it creates. They are
// written by berth only: a user's -l and an image's LABEL never reach them.
const (
	// LabelName is the container's name (without Docker's leading "/").
	LabelName = "berth/name"
	// LabelHostname is the container's hostname.
	LabelHostname = "berth/hostname"
	// LabelLogConfig is the JSON of the container's logging.Config.
	LabelLogConfig = "berth/log-config"
	// LabelStopSignal and LabelStopTimeout are --stop-signal and --stop-timeout.
	LabelStopSignal  = "berth/stop-signal"
	LabelStopTimeout = "berth/stop-timeout"
	// LabelAutoRemove marks a container created with --rm: "true" when the
	// engine removes it at exit, AutoRemoveByCLI when an attached `run --rm`
	// does (the engine then steps in only if that CLI went away).
	LabelAutoRemove = "berth/auto-remove"
	// AutoRemoveByCLI is LabelAutoRemove's value for an attached `run --rm`.
	AutoRemoveByCLI = "cli"
	// LabelImageRef is the image reference the user gave.
	LabelImageRef = "berth/image-ref"
	// LabelStateDir is where the container's files live.
	LabelStateDir = "berth/state-dir"
)

// Labels of containerd's restart monitor (plugins/restart).
const (
	RestartPolicyLabel  = "containerd.io/restart.policy"
	RestartStatusLabel  = "containerd.io/restart.status"
	RestartLogURILabel  = "containerd.io/restart.loguri"
	RestartCountLabel   = "containerd.io/restart.count"
	RestartExplicitStop = "containerd.io/restart.explicitly-stopped"
)

// reservedPrefixes are label namespaces owned by berth or containerd.
var reservedPrefixes = []string{"berth/", "containerd.io/", "io.containerd.", "nerdctl/"}

// CheckUserLabels refuses user labels in a reserved namespace: a label such
// as containerd.io/restart.loguri would let whoever writes it choose the
// binary the engine runs as the container's logger.
func CheckUserLabels(labels map[string]string) error {
	for k := range labels {
		for _, p := range reservedPrefixes {
			if strings.HasPrefix(k, p) {
				return fmt.Errorf("label %q is reserved: keys starting with %q are set by berth and the engine only", k, p)
			}
		}
	}
	return nil
}

// UserLabels returns the labels of a containerd container that the user
// set, without berth's and the engine's own.
func UserLabels(all map[string]string) map[string]string {
	out := make(map[string]string, len(all))
next:
	for k, v := range all {
		for _, p := range reservedPrefixes {
			if strings.HasPrefix(k, p) {
				continue next
			}
		}
		out[k] = v
	}
	return out
}
