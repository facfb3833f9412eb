package daemon

import (
	"os"
	"strconv"
	"strings"

	"github.com/berth-project/berth/pkg/fsutil"
)

// lockHolder returns the pid written in a lock file that is held now, or 0.
// The locks are flocks: the kernel drops them when the process dies, so a
// crashed engine or CLI never leaves a lock held by nothing.
func lockHolder(path string) int {
	l, err := fsutil.TryLockFile(path)
	if err == nil {
		l.Unlock()
		return 0
	}
	data, rerr := os.ReadFile(path)
	if rerr != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	return pid
}

// exiting reports a process that a fatal signal has hit: its main thread
// has exited (a zombie) while others may still run, or a SIGKILL is pending
// that its threads have not yet acted on; or one that is gone. A SIGKILLed
// engine holds its lock and accepts on its socket, then resets every
// connection, until its last thread is gone.
func exiting(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return true
	}
	for _, line := range strings.Split(string(data), "\n") {
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch key {
		case "State":
			if strings.HasPrefix(value, "Z") || strings.HasPrefix(value, "X") {
				return true
			}
		case "SigPnd", "ShdPnd":
			if mask, err := strconv.ParseUint(value, 16, 64); err == nil && mask&(1<<(9-1)) != 0 {
				return true // SIGKILL is signal 9, bit 8 of the mask
			}
		}
	}
	return false
}
