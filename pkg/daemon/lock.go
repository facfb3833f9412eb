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
