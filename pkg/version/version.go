// Package version holds the versions stamped into berth at build time.
package version

import (
	"os/exec"
	"runtime"
	"strings"
)

// Set by the Makefile through -ldflags -X.
var (
	// Version is berth's own version.
	Version = "dev"
	// GitCommit is the commit berth was built from.
	GitCommit = ""
	// RuncVersion is the runc module version the bundle was built with.
	RuncVersion = ""
	// CNIPluginsVersion is the CNI plugins module version of the bundle.
	CNIPluginsVersion = "unknown"
)

// GoVersion is the Go toolchain berth was built with.
var GoVersion = runtime.Version()

// Runc asks the runc binary at path for its version line ("runc version 1.5.2").
// It falls back to the stamped version when the binary does not answer.
func Runc(path string) string {
	out, err := exec.Command(path, "--version").Output()
	if err != nil {
		return RuncVersion
	}
	first, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(strings.TrimPrefix(first, "runc version"))
}
