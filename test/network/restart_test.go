package network_test

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// logSince returns what the engine logged after offset.
func logSince(t *testing.T, offset int64) string {
	t.Helper()
	f, err := os.Open(engine.Daemon.LogPath())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(f)
	return string(data)
}

func logSize(t *testing.T) int64 {
	t.Helper()
	st, err := os.Stat(engine.Daemon.LogPath())
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

func TestRestartedContainerGetsAnAddressAgain(t *testing.T) {
	runD(t, "rs-peer", nil, sleeper...)
	base := settled(t)
	offset := logSize(t)
	hp := freePort(t)
	runD(t, "rs-web", []string{"--restart", "always", "-p", fmt.Sprintf("%d:80", hp)}, httpd("again")...)
	url := fmt.Sprintf("http://127.0.0.1:%d/", hp)
	wired := base.plus("ports4")
	for round := 1; round <= 3; round++ {
		waitRunning(t, "rs-web")
		waitState(t, fmt.Sprintf("round %d: rs-web wired once", round), wired, "", 0)
		waitHTTP(t, url, "again")
		ip := ipOn(t, "rs-web", "bridge")
		if got := addrs4(t, "rs-web"); len(got) != 2 || got[1] != "eth0 "+ip+"/24" {
			t.Fatalf("round %d: inspect says %s, the container has %q", round, ip, got)
		}
		pid := pidOf(t, "rs-web")
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		poll(t, fmt.Sprintf("round %d: rs-web restarted", round), func() (bool, string) {
			r := engine.Berth(t, "inspect", "--format", "{{.State.Status}} {{.State.Pid}} {{.RestartCount}}", "rs-web")
			f := strings.Fields(r.Stdout)
			return len(f) == 3 && f[0] == "running" && f[1] != strconv.Itoa(pid) && f[2] == strconv.Itoa(round), r.String()
		})
	}
	waitState(t, "rs-web wired once after its restarts", wired, "", 0)
	waitHTTP(t, url, "again")
	if log := logSince(t, offset); strings.Contains(log, "duplicate allocation") {
		t.Fatalf("the engine logged a duplicate allocation:\n%s", log)
	}
	engine.MustBerth(t, "rm", "-f", "rs-web")
	waitState(t, "clean after rm -f of the restarted container", base, "", 0)
}
