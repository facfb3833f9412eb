package network_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/berth-project/berth/pkg/testutil"
)

// A container's network clean-up is checked by counting: the state before
// it started, the state while it runs (one more endpoint, allocation, veth,
// port element, and on a user network one more line in a peer's hosts
// file), and the state again once it is gone, whichever way it went.

// cleanupWorld is a network with a peer container on it and the counts
// taken before the container under test starts.
type cleanupWorld struct {
	network, peer string
	base          netState
	baseHosts     int
}

func newCleanupWorld(t *testing.T, network string) *cleanupWorld {
	t.Helper()
	w := &cleanupWorld{network: network, peer: "cu-peer-" + network}
	runD(t, w.peer, []string{"--network", network}, sleeper...)
	w.base = settled(t)
	w.baseHosts = hostsLines(t, w.peer)
	return w
}

// userNet reports whether peers list each other in their hosts files.
func (w *cleanupWorld) userNet() bool { return w.network != "bridge" }

// flags are the run flags of a container under test: on the network, with
// a published port.
func (w *cleanupWorld) flags(t *testing.T) []string {
	t.Helper()
	return []string{"--network", w.network, "-p", fmt.Sprintf("%d:80", freePort(t))}
}

// waitWired waits until the container under test is counted: its port is
// published on every address, in map ports4.
func (w *cleanupWorld) waitWired(t *testing.T, name string) {
	t.Helper()
	hosts := w.baseHosts
	if w.userNet() {
		hosts++
	}
	waitState(t, name+" wired", w.base.plus("ports4"), w.peer, hosts)
}

// waitClean waits until everything is counted as before.
func (w *cleanupWorld) waitClean(t *testing.T, what string) {
	t.Helper()
	waitState(t, what, w.base, w.peer, w.baseHosts)
}

func TestCleanupAfterEveryEnd(t *testing.T) {
	netCreate(t, "cu-net")
	for _, network := range []string{"bridge", "cu-net"} {
		t.Run(network, func(t *testing.T) {
			t.Run("run-rm", func(t *testing.T) { cleanupRunRm(t, newCleanupWorld(t, network)) })
			t.Run("stop", func(t *testing.T) { cleanupStop(t, newCleanupWorld(t, network)) })
			t.Run("rm-f", func(t *testing.T) { cleanupRmF(t, newCleanupWorld(t, network)) })
			t.Run("sigkill", func(t *testing.T) { cleanupSigkill(t, newCleanupWorld(t, network)) })
			t.Run("engine-killed", func(t *testing.T) { cleanupEngineKilled(t, newCleanupWorld(t, network)) })
			t.Run("failed-start", func(t *testing.T) { cleanupFailedStart(t, newCleanupWorld(t, network)) })
		})
	}
}

func cleanupRunRm(t *testing.T, w *cleanupWorld) {
	name := "cu-rm-" + w.network
	forceRemove(t, name)
	args := append(append([]string{"run", "--rm", "--name", name}, w.flags(t)...), image(t),
		"sh", "-c", "while [ ! -e /tmp/done ]; do sleep 0.1; done; echo finished")
	cmd := engine.Cmd(args...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var werr error
	finished := make(chan struct{})
	go func() { werr = cmd.Wait(); close(finished) }()
	// The attached client goes when the test fails half-way; the
	// container then goes with forceRemove.
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-finished
	})
	w.waitWired(t, name)
	if r := execIn(t, name, "touch", "/tmp/done"); r.ExitCode != 0 {
		t.Fatalf("exec:\n%s", r)
	}
	<-finished
	if werr != nil || out.String() != "finished\n" {
		t.Fatalf("run --rm: %v\nstdout:\n%s\nstderr:\n%s", werr, out.String(), errb.String())
	}
	w.waitClean(t, "clean after run --rm")
	if r := engine.MustBerth(t, "ps", "-a", "--format", "{{.Names}}"); strings.Contains(r.Stdout, name) {
		t.Fatalf("run --rm left its container:\n%s", r)
	}
}

func cleanupStop(t *testing.T, w *cleanupWorld) {
	name := "cu-stop-" + w.network
	runD(t, name, w.flags(t), sleeper...)
	w.waitWired(t, name)
	engine.MustBerth(t, "stop", name)
	w.waitClean(t, "clean after stop")
	// Started again, it is wired again, and cleaned again.
	engine.MustBerth(t, "start", name)
	w.waitWired(t, name)
	engine.MustBerth(t, "stop", name)
	w.waitClean(t, "clean after the second stop")
}

func cleanupRmF(t *testing.T, w *cleanupWorld) {
	name := "cu-rmf-" + w.network
	runD(t, name, w.flags(t), sleeper...)
	w.waitWired(t, name)
	engine.MustBerth(t, "rm", "-f", name)
	w.waitClean(t, "clean after rm -f")
}

func cleanupSigkill(t *testing.T, w *cleanupWorld) {
	name := "cu-kill-" + w.network
	runD(t, name, w.flags(t), sleeper...)
	w.waitWired(t, name)
	if err := syscall.Kill(pidOf(t, name), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	w.waitClean(t, "clean after the container's process was killed")
	if st := inspect(t, name, "{{.State.Status}} {{.State.ExitCode}}"); st != "exited 137" {
		t.Fatalf("after SIGKILL: %s", st)
	}
}

// enginePID is the pid of the running engine, from `daemon status` and
// from the data root's lock file, which must agree.
func enginePID(t *testing.T) int {
	t.Helper()
	r := engine.MustBerth(t, "daemon", "status", "--format", "{{.Pid}}")
	pid, err := strconv.Atoi(strings.TrimSpace(r.Stdout))
	if err != nil || pid <= 0 {
		t.Fatalf("engine pid:\n%s", r)
	}
	if lock, err := os.ReadFile(engine.DataRoot + "/daemon.lock"); err == nil && strings.TrimSpace(string(lock)) != strconv.Itoa(pid) {
		t.Fatalf("daemon status says pid %d, the lock file %q", pid, lock)
	}
	return pid
}

func cleanupEngineKilled(t *testing.T, w *cleanupWorld) {
	name := "cu-engine-" + w.network
	runD(t, name, w.flags(t), sleeper...)
	w.waitWired(t, name)
	pid := pidOf(t, name)
	// The engine dies, then the container while no engine watches it.
	testutil.KillAndWait(t, enginePID(t))
	testutil.KillAndWait(t, pid)
	// The next command starts the engine, whose supervisor sweeps.
	engine.MustBerth(t, "ps", "-a")
	w.waitClean(t, "clean after the engine came back")
}

// goneParent is a macvlan network whose parent interface is removed after
// the network was created: attaching a container to it fails.
func goneParent(t *testing.T, network string) {
	t.Helper()
	parent := testLinkPrefix + "mvparent"
	hostLink(t, parent)
	netCreate(t, network, "-d", "macvlan", "-o", "parent="+parent, "--subnet", "10.252.30.0/24")
	sh(t, "ip", "link", "del", parent)
}

func cleanupFailedStart(t *testing.T, w *cleanupWorld) {
	name := "cu-fail-" + w.network
	broken := "cu-macvlan-" + w.network
	goneParent(t, broken)
	forceRemove(t, name)
	args := append(append([]string{"run", "-d", "--name", name}, w.flags(t)...), "--network", broken, image(t))
	r := engine.Berth(t, append(args, sleeper...)...)
	failsWith(t, r, broken)
	w.waitClean(t, "clean after a start that failed on the second network")
	if st := engine.Berth(t, "inspect", "--format", "{{.State.Status}}", name); st.ExitCode == 0 && strings.TrimSpace(st.Stdout) == "running" {
		t.Fatalf("the container runs although its network set-up failed:\n%s", st)
	}
}
