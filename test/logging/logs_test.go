package logging_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestLogsStreamsApart(t *testing.T) {
	img := loadBusybox(t)
	runDetached(t, "apart", img, "sh", "-c", `echo out1; echo err1 >&2; sleep 0.1; echo out2; printf "no newline"`)
	waitExit(t, "apart", 0)
	r := engine.MustBerth(t, "logs", "apart")
	if r.Stdout != "out1\nout2\nno newline" || r.Stderr != "err1\n" {
		t.Fatalf("logs:\n%s", r)
	}
	r = engine.MustBerth(t, "logs", "--tail", "2", "apart")
	if r.Stdout != "out2\nno newline" || r.Stderr != "" {
		t.Fatalf("logs --tail 2:\n%s", r)
	}
	r = engine.MustBerth(t, "logs", "-t", "apart")
	ts := `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z `
	if !regexp.MustCompile(`^` + ts + `out1\n` + ts + `out2\n` + ts + `no newline$`).MatchString(r.Stdout) {
		t.Fatalf("logs -t:\n%s", r)
	}
	r = engine.MustBerth(t, "logs", "--since", "1h", "--until", "2000-01-01", "apart")
	if r.Stdout != "" || r.Stderr != "" {
		t.Fatalf("until before the container existed:\n%s", r)
	}
	r = engine.Berth(t, "logs", "--since", "yesterday", "apart")
	if r.ExitCode == 0 || !strings.Contains(r.Stderr, `invalid value for "since": failed to parse value as time or duration: "yesterday"`) {
		t.Fatalf("bad --since:\n%s", r)
	}
}

// A 1 MiB line is stored in 16 KiB pieces and shown whole.
func TestLogsLongLine(t *testing.T) {
	img := loadBusybox(t)
	runDetached(t, "longline", img, "sh", "-c", `dd if=/dev/zero bs=1024 count=1024 2>/dev/null | tr '\0' a; echo; echo after`)
	waitExit(t, "longline", 0)
	r := engine.MustBerth(t, "logs", "longline")
	if r.Stdout != strings.Repeat("a", 1<<20)+"\nafter\n" {
		t.Fatalf("logs: %d bytes of stdout, stderr %q", len(r.Stdout), r.Stderr)
	}
	r = engine.MustBerth(t, "logs", "--tail", "2", "longline")
	if len(r.Stdout) != 1<<20+7 {
		t.Fatalf("--tail 2 counts the long line as one: %d bytes", len(r.Stdout))
	}
}

// `logs -f` follows a log that rotates every few dozen lines to the
// container's exit, with every line once and in order.
func TestLogsFollowAcrossRotation(t *testing.T) {
	img := loadBusybox(t)
	const n = 1500
	script := fmt.Sprintf(`i=0; while [ $i -lt %d ]; do echo line $i; i=$((i+1)); busybox usleep 1000; done; echo done >&2`, n)
	id := runDetached(t, "rotating", "--log-opt", "max-size=2k", "--log-opt", "max-file=3", img, "sh", "-c", script)
	r := engine.MustBerth(t, "logs", "-f", "rotating")
	lines := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
	for i, l := range lines {
		if l != fmt.Sprintf("line %d", i) {
			t.Fatalf("line %d is %q (of %d lines)", i, l, len(lines))
		}
	}
	if len(lines) != n || r.Stderr != "done\n" {
		t.Fatalf("%d lines, stderr %q", len(lines), r.Stderr)
	}
	// What is left on disk is capped: three files of about 2 kB.
	files, _ := filepath.Glob(filepath.Join(engine.DataRoot, "default", "containers", id, id+"-json.log*"))
	if len(files) != 3 {
		t.Fatalf("log files %v", files)
	}
	for _, f := range files {
		if fi, err := os.Stat(f); err != nil || fi.Size() > 2000+200 {
			t.Errorf("%s: %v bytes, %v", f, fi.Size(), err)
		}
	}
}

// Logs survive restarts of the container: each start appends.
func TestLogsSurviveRestart(t *testing.T) {
	img := loadBusybox(t)
	runDetached(t, "restarted", img, "sh", "-c", "echo run")
	waitExit(t, "restarted", 0)
	engine.MustBerth(t, "start", "restarted")
	waitExit(t, "restarted", 0)
	engine.MustBerth(t, "restart", "restarted")
	waitExit(t, "restarted", 0)
	if r := engine.MustBerth(t, "logs", "restarted"); r.Stdout != "run\nrun\nrun\n" {
		t.Fatalf("logs after restarts:\n%s", r)
	}
}

func TestLogsErrors(t *testing.T) {
	img := loadBusybox(t)
	runDetached(t, "removed", img, "true")
	engine.MustBerth(t, "rm", "-f", "removed")
	r := engine.Berth(t, "logs", "removed")
	if r.ExitCode == 0 || !strings.Contains(r.Stderr, "No such container: removed") {
		t.Fatalf("logs of a removed container:\n%s", r)
	}

	for _, tc := range []struct {
		args []string
		err  string
	}{
		{[]string{"--log-opt", "max-sise=1m"}, "unknown log opt 'max-sise' for json-file log driver"},
		{[]string{"--log-opt", "max-size=ten"}, "invalid log opt max-size=ten: invalid size: 'ten'"},
		{[]string{"--log-driver", "fluentd"}, "logger: no log driver named 'fluentd' is registered"},
		{[]string{"--log-driver", "journald"}, "journald logging driver is not available"},
		{[]string{"--log-driver", "syslog"}, "syslog logging driver: this host has no syslog socket at /dev/log"},
	} {
		args := append(append([]string{"run", "--rm", "--name", "badlog"}, tc.args...), img, "true")
		r := engine.Berth(t, args...)
		if r.ExitCode != 125 || !strings.Contains(r.Stderr, tc.err) {
			t.Errorf("want exit 125 and %q:\n%s", tc.err, r)
		}
	}
	if r := engine.MustBerth(t, "ps", "-a", "-q", "--filter", "name=badlog"); r.Stdout != "" {
		t.Fatalf("refused runs left containers:\n%s", r)
	}
}

// The none driver runs no logger, and `logs` says it cannot read.
func TestLogsNoneDriver(t *testing.T) {
	img := loadBusybox(t)
	runDetached(t, "nolog", "--log-driver", "none", img, "echo", "hidden")
	r := engine.Berth(t, "logs", "nolog")
	if r.ExitCode == 0 || r.Stderr != "berth: configured logging driver does not support reading\n" {
		t.Fatalf("logs with --log-driver none:\n%s", r)
	}
}

// The logger is a small process: measured while its container writes.
func TestLoggerMemory(t *testing.T) {
	img := loadBusybox(t)
	id := runDetached(t, "chatty", img, "sh", "-c", "while true; do echo hello from a chatty container; busybox usleep 1000; done")
	logger := processOf(t, "berth-logger", id)
	shim := processOf(t, "containerd-shim-runc-v2", id)
	engine.MustBerth(t, "logs", "--tail", "1", "chatty")
	lk, sk := rssKiB(t, logger), rssKiB(t, shim)
	t.Logf("per-container memory: logger %d KiB + shim %d KiB = %.1f MiB", lk, sk, float64(lk+sk)/1024)
	if lk > 8<<10 {
		t.Errorf("logger RSS %d KiB, want at most 8 MiB", lk)
	}
}
