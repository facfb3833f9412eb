package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/berth-project/berth/pkg/logging"
)

// buildLogger builds this command as `make` does.
func buildLogger(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "berth-logger")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// shimStart starts the logger exactly as containerd's shim does
// (process.NewBinaryIO): the URI's query as key value arguments, the
// container in the environment, stdout fd 3, stderr fd 4, ready fd 5.
func shimStart(t *testing.T, bin, dataRoot, id string, c logging.Config) (cmd *exec.Cmd, stdout, stderr *os.File) {
	t.Helper()
	u, err := logging.LogURI(bin, dataRoot, "default", id, c)
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	for k, vs := range u.Query() {
		args = append(args, k, vs[0])
	}
	outR, outW, _ := os.Pipe()
	errR, errW, _ := os.Pipe()
	readyR, readyW, _ := os.Pipe()
	cmd = exec.Command(u.Path, args...)
	cmd.Env = []string{"CONTAINER_ID=" + id, "CONTAINER_NAMESPACE=default"}
	cmd.ExtraFiles = []*os.File{outR, errR, readyW}
	var diag bytes.Buffer
	cmd.Stderr = &diag
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	outR.Close()
	errR.Close()
	readyW.Close()
	b := make([]byte, 1)
	if n, _ := readyR.Read(b); n != 1 {
		t.Fatalf("logger not ready; stderr: %s", diag.String())
	}
	readyR.Close()
	return cmd, outW, errW
}

// shimStop closes the pipes and sends SIGTERM, as the shim does when the
// task is deleted, and waits for the logger to exit.
func shimStop(t *testing.T, cmd *exec.Cmd, stdout, stderr *os.File) {
	t.Helper()
	stdout.Close()
	stderr.Close()
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); err != nil && !(ok && ee.Sys().(syscall.WaitStatus).Signal() == syscall.SIGTERM) {
			t.Fatalf("logger exit: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("logger did not exit after SIGTERM")
	}
}

func TestLoggerBinary(t *testing.T) {
	bin := buildLogger(t)
	root := t.TempDir()
	id := "0123456789abcdef"
	cmd, stdout, stderr := shimStart(t, bin, root, id,
		logging.Config{Type: "json-file", Config: map[string]string{"max-size": "64k", "max-file": "3", "compress": "true"}})
	const n = 3000
	for i := range n {
		fmt.Fprintf(stdout, "out %05d %s\n", i, strings.Repeat("-", 60))
		if i%100 == 0 {
			fmt.Fprintf(stderr, "err %05d\n", i)
		}
	}
	rss, peak := vmRSS(t, cmd.Process.Pid, "VmRSS:"), vmRSS(t, cmd.Process.Pid, "VmHWM:")
	t.Logf("berth-logger RSS after %d lines with rotation and compression: %d KiB (peak %d KiB)", n, rss, peak)
	if peak > 12<<10 {
		t.Errorf("logger peak RSS %d KiB, want at most 12 MiB", peak)
	}
	shimStop(t, cmd, stdout, stderr)

	files, _ := filepath.Glob(logging.LogPath(root, "default", id) + "*")
	if len(files) != 3 || !strings.HasSuffix(files[2], ".2.gz") {
		t.Errorf("log files %v", files)
	}
	var out, errb bytes.Buffer
	if err := logging.Read(context.Background(), root, "default", id, logging.ReadOptions{Tail: 5}, &out, &errb, nil); err != nil {
		t.Fatal(err)
	}
	// The two streams are read by separate goroutines, so the last stderr
	// lines may land after the last stdout ones: count both.
	lastOut, lastErr := "out 02999 "+strings.Repeat("-", 60)+"\n", "err 02900\n"
	if (out.Len() > 0 && !strings.HasSuffix(out.String(), lastOut)) || (errb.Len() > 0 && !strings.HasSuffix(errb.String(), lastErr)) ||
		strings.Count(out.String()+errb.String(), "\n") != 5 {
		t.Errorf("tail 5:\nstdout:\n%sstderr:\n%s", out.String(), errb.String())
	}
	// A restarted container's new logger appends to the same log.
	cmd, stdout, stderr = shimStart(t, bin, root, id, logging.Config{})
	fmt.Fprintln(stdout, "after restart")
	shimStop(t, cmd, stdout, stderr)
	out.Reset()
	errb.Reset()
	if err := logging.Read(context.Background(), root, "default", id, logging.ReadOptions{Tail: 2}, &out, &errb, nil); err != nil {
		t.Fatal(err)
	}
	// The line before is the first run's last entry, of either stream.
	if !strings.HasSuffix(out.String(), "after restart\n") || strings.Count(out.String()+errb.String(), "\n") != 2 {
		t.Errorf("after restart:\nstdout:\n%sstderr:\n%s", out.String(), errb.String())
	}
}

// A follower of a running logger's log returns at once after the shim
// stopped the logger (the directory lock is gone), with the last line.
func TestFollowEndsWithLogger(t *testing.T) {
	bin := buildLogger(t)
	root := t.TempDir()
	cmd, stdout, stderr := shimStart(t, bin, root, "c1", logging.Config{})
	var stopped atomic.Bool
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- logging.Read(context.Background(), root, "default", "c1", logging.ReadOptions{Follow: true, Tail: -1},
			&out, &out, stopped.Load)
	}()
	fmt.Fprintln(stdout, "bye")
	shimStop(t, cmd, stdout, stderr)
	stopped.Store(true)
	start := time.Now()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("follower did not end")
	}
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Errorf("follower took %s after the logger exited", d)
	}
	if out.String() != "bye\n" {
		t.Fatalf("%q", out.String())
	}
}

func TestBadArguments(t *testing.T) {
	bin := buildLogger(t)
	cmd := exec.Command(bin, "driver")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit %v", err)
	}
	if string(out) != "berth-logger: arguments must be key value pairs, got 1 arguments\n" {
		t.Fatalf("%q", out)
	}
}

// vmRSS is a process's resident set (field VmRSS:) or its peak (VmHWM:)
// in KiB.
func vmRSS(t *testing.T, pid int, field string) int {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	t.Fatal("no " + field)
	return 0
}
