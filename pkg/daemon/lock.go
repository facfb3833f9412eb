package daemon

import (
	"bytes"
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

// exiting reports a process whose main thread has exited (a zombie) while
// others may still run, or one that is gone: a SIGKILLed engine holds its
// lock and accepts on its socket, then resets every connection, until its
// last thread is gone.
func exiting(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// The state follows the command name, which is in parentheses and may
	// hold any character: look after the last ')'.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 || i+2 >= len(data) {
		return false
	}
	switch data[i+2] {
	case 'Z', 'X', 'x':
		return true
	}
	return false
}
