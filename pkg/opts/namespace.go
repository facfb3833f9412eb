package opts

import (
	"errors"
	"fmt"
	"strings"
)

// ContainerMode is the name X of a "container:X" namespace mode, or "".
func ContainerMode(mode string) string {
	name, ok := strings.CutPrefix(mode, "container:")
	if !ok {
		return ""
	}
	return name
}

// ValidateIPCMode checks --ipc: "", none, private, shareable, host or
// container:NAME, as docker allows.
func ValidateIPCMode(mode string) error {
	switch mode {
	case "", "none", "private", "shareable", "host":
		return nil
	}
	if ContainerMode(mode) != "" {
		return nil
	}
	return fmt.Errorf("invalid IPC mode: %s", mode)
}

// ValidatePIDMode checks --pid: "", host or container:NAME.
func ValidatePIDMode(mode string) error {
	if mode == "" || mode == "host" || ContainerMode(mode) != "" {
		return nil
	}
	return errors.New("--pid: invalid PID mode")
}

// ValidateUTSMode checks --uts: "" or host.
func ValidateUTSMode(mode string) error {
	if mode == "" || mode == "host" {
		return nil
	}
	return errors.New("--uts: invalid UTS mode")
}

// ValidateCgroupnsMode checks --cgroupns: "", host or private.
func ValidateCgroupnsMode(mode string) error {
	if mode == "" || mode == "host" || mode == "private" {
		return nil
	}
	return errors.New("--cgroupns: invalid CGROUP mode")
}
