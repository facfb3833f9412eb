package container_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/berth-project/berth/pkg/testutil"
)

// hcHealth is Docker's State.Health as inspect prints it.
type hcHealth struct {
	Status        string
	FailingStreak int
	Log           []struct {
		Start, End time.Time
		ExitCode   int
		Output     string
	}
}

func hcRead(t *testing.T, name string) hcHealth {
	t.Helper()
	var h hcHealth
	out := lcInspect(t, name, "{{json .State.Health}}")
	if err := json.Unmarshal([]byte(out), &h); err != nil {
		return hcHealth{Status: "unreadable: " + out}
	}
	return h
}

func (h hcHealth) String() string {
	b, _ := json.MarshalIndent(h, "", "  ")
	return string(b)
}

// hcWait waits until the container's health is want and cond holds.
func hcWait(t *testing.T, name, want string, cond func(hcHealth) bool) hcHealth {
	t.Helper()
	var h hcHealth
	lcPoll(t, name+" "+want, func() (bool, string) {
		h = hcRead(t, name)
		return h.Status == want && (cond == nil || cond(h)), h.String()
	})
	return h
}

func TestHealthHealthyUnhealthyAndBack(t *testing.T) {
	lcRunD(t, "hc-basic", []string{"--health-cmd", "cat /tmp/ok", "--health-interval", "200ms", "--health-retries", "2"},
		"sh", "-c", "echo fine > /tmp/ok; exec sleep 1000")
	h := hcWait(t, "hc-basic", "healthy", nil)
	last := h.Log[len(h.Log)-1]
	if last.ExitCode != 0 || last.Output != "fine\n" || last.End.Before(last.Start) {
		t.Fatalf("a passing check's result:\n%s", h)
	}
	lcPoll(t, "ps shows the health", func() (bool, string) {
		r := engine.Berth(t, "ps", "--filter", "name=hc-basic", "--format", "{{.Status}}")
		return strings.HasSuffix(strings.TrimSpace(r.Stdout), "(healthy)"), r.String()
	})
	engine.MustBerth(t, "exec", "hc-basic", "rm", "/tmp/ok")
	h = hcWait(t, "hc-basic", "unhealthy", func(h hcHealth) bool { return h.FailingStreak >= 2 })
	last = h.Log[len(h.Log)-1]
	if last.ExitCode != 1 || !strings.Contains(last.Output, "No such file") {
		t.Fatalf("a failing check's result:\n%s", h)
	}
	hcWait(t, "hc-basic", "unhealthy", func(h hcHealth) bool { return len(h.Log) == 5 })
	engine.MustBerth(t, "exec", "hc-basic", "sh", "-c", "echo again > /tmp/ok")
	hcWait(t, "hc-basic", "healthy", func(h hcHealth) bool { return h.FailingStreak == 0 && len(h.Log) == 5 })
}

func TestHealthStartPeriodAndTimeout(t *testing.T) {
	// Within the start period failures do not count (Docker probes every
	// 5 s there while starting); after it, one failure is enough here.
	lcRunD(t, "hc-start", []string{"--health-cmd", "false", "--health-interval", "200ms", "--health-retries", "1",
		"--health-start-period", "7s"}, "sleep", "1000")
	lcRunD(t, "hc-timeout", []string{"--health-cmd", "sleep 5", "--health-interval", "200ms", "--health-timeout", "300ms",
		"--health-retries", "1"}, "sleep", "1000")
	h := hcWait(t, "hc-start", "starting", func(h hcHealth) bool { return len(h.Log) >= 1 })
	if h.FailingStreak != 0 || h.Log[0].ExitCode != 1 {
		t.Fatalf("a failure within the start period must not count:\n%s", h)
	}
	hcWait(t, "hc-start", "unhealthy", func(h hcHealth) bool { return h.FailingStreak == 1 })

	h = hcWait(t, "hc-timeout", "unhealthy", nil)
	last := h.Log[len(h.Log)-1]
	if last.ExitCode != -1 || last.Output != "Health check exceeded timeout (300ms)" {
		t.Fatalf("a check that runs too long:\n%s", h)
	}
	if took := last.End.Sub(last.Start); took > 3*time.Second {
		t.Fatalf("the timed-out check must be killed, it took %s", took)
	}
}

// hcEngineFiles counts the engine's open files and the health checks'
// FIFO directories.
func hcEngineFiles(t *testing.T) (fds, fifos int) {
	t.Helper()
	pid := rsEnginePID(t)
	ents, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/fd")
	if err != nil {
		t.Fatal(err)
	}
	dirs, _ := os.ReadDir(filepath.Join(engine.RunDir, "fifo"))
	return len(ents), len(dirs)
}

// TestHealthRunsInTheEngineAndLeaksNothing checks that the checks go on
// with no CLI running, that many probes leave no open files or FIFOs
// behind, that they stop with the container and start again with it, and
// that removing a checked container leaves none of its files.
func TestHealthRunsInTheEngineAndLeaksNothing(t *testing.T) {
	id := lcRunD(t, "hc-leak", []string{"--health-cmd", "echo probe", "--health-interval", "50ms"}, "sleep", "1000")
	h := hcWait(t, "hc-leak", "healthy", func(h hcHealth) bool { return len(h.Log) == 5 })
	fds, fifos := hcEngineFiles(t)
	first := h.Log[4].Start
	time.Sleep(5 * time.Second) // about a hundred probes, no CLI running
	h = hcRead(t, "hc-leak")
	if h.Status != "healthy" || !h.Log[0].Start.After(first.Add(4*time.Second)) {
		t.Fatalf("the checks must go on in the engine:\n%s", h)
	}
	fds2, fifos2 := hcEngineFiles(t)
	if fds2 > fds+4 || fifos2 > 2 {
		t.Fatalf("the engine's open files went from %d to %d, FIFO dirs from %d to %d", fds, fds2, fifos, fifos2)
	}
	// The check stops with the container ...
	engine.MustBerth(t, "stop", "-t", "0", "hc-leak")
	stopped := hcRead(t, "hc-leak")
	time.Sleep(time.Second)
	if again := hcRead(t, "hc-leak"); again.String() != stopped.String() {
		t.Fatalf("no check may run after stop:\nthen %s\nnow %s", stopped, again)
	}
	// ... and starts again with it.
	engine.MustBerth(t, "start", "hc-leak")
	hcWait(t, "hc-leak", "healthy", func(h hcHealth) bool { return h.Log[len(h.Log)-1].Start.After(stopped.Log[4].Start) })
	engine.MustBerth(t, "rm", "-f", "hc-leak")
	time.Sleep(500 * time.Millisecond)
	if _, err := os.Stat(filepath.Join(engine.DataRoot, "default", "containers", id)); !os.IsNotExist(err) {
		t.Fatalf("rm -f of a checked container must leave no files: %v", err)
	}
}

func TestHealthCheckSurvivesEngineRestart(t *testing.T) {
	lcRunD(t, "hc-engine", []string{"--health-cmd", "true", "--health-interval", "200ms"}, "sleep", "1000")
	hcWait(t, "hc-engine", "healthy", nil)
	testutil.KillAndWait(t, rsEnginePID(t))
	engine.MustBerth(t, "ps")
	began := time.Now()
	hcWait(t, "hc-engine", "healthy", func(h hcHealth) bool { return h.Log[len(h.Log)-1].Start.After(began) })
}
