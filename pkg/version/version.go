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

// Runc is the bundled runc's version: the one stamped at build time, which
// is what make built into libexec, else what the binary at path says.
func Runc(path string) string {
	if RuncVersion != "" {
		return strings.TrimPrefix(RuncVersion, "v")
	}
	out, err := exec.Command(path, "--version").Output()
	if err != nil {
		return "unknown"
	}
	first, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(strings.TrimPrefix(first, "runc version"))
}
