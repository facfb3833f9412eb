package testutil

import (
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"
)

// KillAndWait sends SIGKILL to pid and waits until the process is gone for
// good: it holds no files and its other threads have exited. A thread group
// leader dies first and may linger as a zombie; until its last thread is
// gone an engine's listening sockets still take connections and reset them,
// so a command run right after would fail instead of starting a new engine.
func KillAndWait(t testing.TB, pid int) {
	t.Helper()
	_ = syscall.Kill(pid, syscall.SIGKILL)
	Poll(t, fmt.Sprintf("pid %d gone", pid), 30*time.Second, func() (bool, string) {
		fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		tasks, terr := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
		return (err != nil || len(fds) == 0) && (terr != nil || len(tasks) <= 1),
			fmt.Sprintf("%d open files, %d threads", len(fds), len(tasks))
	})
}
