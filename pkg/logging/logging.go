// Package logging holds berth's log drivers and the reader behind `logs`.
//
// A container's stdout and stderr reach its log through a logger process:
// containerd's shim starts the binary named by the task's `binary://` log URI
// (berth's is libexec/berth/berth-logger, a small binary of its own so that
// each running container costs little memory) with the container's stdout as
// fd 3, its stderr as fd 4 and a readiness pipe as fd 5. The URI carries the
// driver, its options and the data root, so the logger needs no config file.
//
// The json-file and local drivers write Docker's json-file format to
// LogPath (<data-root>/<namespace>/containers/<id>/<id>-json.log), rotated to
// <id>-json.log.1, .2, ... (.N.gz when compressed); Read serves `logs` and
// attached runs from those files. Unlike Docker's json-file, every log is
// capped by default (DefaultMaxSize, DefaultMaxFile); local is the same
// storage with compression on by default (Docker's local driver has its own
// binary format and the same defaults). syslog and journald send the lines
// away and cannot be read back; none runs no logger at all.
package logging

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
)

// Driver names, as Docker spells them.
const (
	JSONFile = "json-file"
	Local    = "local"
	None     = "none"
	Syslog   = "syslog"
	Journald = "journald"
)

// DefaultDriver is the driver of a container created without --log-driver.
const DefaultDriver = JSONFile

// Drivers are the drivers berth supports, in the order error messages list them.
var Drivers = []string{JSONFile, Local, None, Syslog, Journald}

// Config is a container's log configuration, Docker's HostConfig.LogConfig.
// An empty Type means DefaultDriver.
type Config struct {
	Type   string            `json:"Type"`
	Config map[string]string `json:"Config"`
}

// ErrNotReadable is returned for a driver whose logs `logs` cannot read
// back; its text is Docker's.
var ErrNotReadable = errors.New("configured logging driver does not support reading")

// Keys of the logger's arguments besides the driver's options. No driver
// option has these names, so they and the options share one namespace.
const (
	argDriver   = "driver"
	argDataRoot = "data-root"
)

// driverName is c.Type with the default applied.
func (c Config) driverName() string {
	if c.Type == "" {
		return DefaultDriver
	}
	return c.Type
}

// Readable reports whether `logs` can read a container's logs written with
// c: nil for json-file and local, ErrNotReadable otherwise.
func Readable(c Config) error {
	switch c.driverName() {
	case JSONFile, Local:
		return nil
	}
	return ErrNotReadable
}

// LogPath is the current log file of container id: rotated files are this
// path with .1, .2, ... appended (and .gz when compressed).
func LogPath(dataRoot, namespace, id string) string {
	return filepath.Join(dataRoot, namespace, "containers", id, id+"-json.log")
}

// LogURI is the `binary://` URI that makes containerd's shim run loggerPath
// (an absolute path) for container id, for cio.LogURI and the restart
// monitor's loguri label. The driver and its options travel in the query; the
// shim hands them to the logger as `key value` argument pairs.
//
// For the none driver there is nothing to run: LogURI returns nil, and the
// caller creates the task with cio.NullIO.
//
// LogURI checks the names and option values (as Validate does, without the
// host checks) so that a URI it returns always starts a working logger.
func LogURI(loggerPath, dataRoot, namespace, id string, c Config) (*url.URL, error) {
	if !filepath.IsAbs(loggerPath) {
		return nil, fmt.Errorf("logger binary %q must be an absolute path", loggerPath)
	}
	if !filepath.IsAbs(dataRoot) {
		return nil, fmt.Errorf("data root %q must be an absolute path", dataRoot)
	}
	if err := checkName("namespace", namespace); err != nil {
		return nil, err
	}
	if err := checkName("container ID", id); err != nil {
		return nil, err
	}
	if _, err := parseOptions(c); err != nil {
		return nil, err
	}
	driver := c.driverName()
	if driver == None {
		return nil, nil
	}
	q := url.Values{}
	q.Set(argDriver, driver)
	q.Set(argDataRoot, filepath.Clean(dataRoot))
	for k, v := range c.Config {
		q.Set(k, v)
	}
	return &url.URL{Scheme: "binary", Path: filepath.Clean(loggerPath), RawQuery: q.Encode()}, nil
}

// checkName refuses a namespace or ID that could leave the data root.
func checkName(what, s string) error {
	if s == "" || s == "." || s == ".." {
		return fmt.Errorf("invalid %s %q", what, s)
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.'
		if !ok {
			return fmt.Errorf("invalid %s %q", what, s)
		}
	}
	return nil
}

// sortedKeys returns m's keys in order, for stable error messages.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
