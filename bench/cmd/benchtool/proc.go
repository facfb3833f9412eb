package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The memory figures of the benchmarks come from /proc: VmRSS and RssAnon
// from status (what `ps` shows, shared file pages counted in full in each
// process) and Pss from smaps_rollup (shared pages divided among the
// processes that map them: what one more container really adds).

// procMem is one process's memory in KiB.
type procMem struct {
	RSS, Anon, PSS int64
}

func readProcMem(pid int) (procMem, error) {
	var m procMem
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return m, err
	}
	m.RSS = statusField(st, "VmRSS:")
	m.Anon = statusField(st, "RssAnon:")
	if sm, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid)); err == nil {
		m.PSS = statusField(sm, "Pss:")
	}
	return m, nil
}

// statusField is the number after key in a /proc key-value file, or -1.
func statusField(data []byte, key string) int64 {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, key); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				if n, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					return n
				}
			}
		}
	}
	return -1
}

func cmdline(pid int) []string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || len(data) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(data), "\x00"), "\x00")
}

func environ(pid int) map[string]string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	if err != nil {
		return nil
	}
	env := map[string]string{}
	for _, kv := range strings.Split(string(data), "\x00") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return env
}

func ppid(pid int) int {
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	return int(statusField(st, "PPid:"))
}

func pids() []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		if n, err := strconv.Atoi(e.Name()); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// flagValue is the argument after name in argv ("" when absent).
func flagValue(argv []string, name string) string {
	for i := 0; i+1 < len(argv); i++ {
		if argv[i] == name {
			return argv[i+1]
		}
	}
	return ""
}

// shimProc is a runc shim serving one container of the engine measured, and
// the berth-logger it started for that container (pid 0 when none).
type shimProc struct {
	NS, ID          string
	Shim, Logger    int
	ShimM, LoggerM  procMem
	LoggerByEnviron bool
}

// runProcmem prints, for every shim of the engine listening on -address
// (the shim's own -address argument, so the shims of other engines on the
// machine never count), one line:
//
//	NS ID SHIM_PID SHIM_RSS SHIM_ANON SHIM_PSS LOGGER_PID LOGGER_RSS LOGGER_ANON LOGGER_PSS
//
// in KiB. A berth-logger belongs to a container when its environment holds
// that container's CONTAINER_ID and CONTAINER_NAMESPACE (what containerd's
// binary log driver sets); it must also be a child of that container's shim.
// -ids limits the output to the given container IDs (comma-separated) and
// fails when one of them has no shim.
func runProcmem(args []string) error {
	fs := flag.NewFlagSet("procmem", flag.ExitOnError)
	address := fs.String("address", "", "the engine's containerd socket")
	idList := fs.String("ids", "", "container IDs to report (comma-separated); all when empty")
	_ = fs.Parse(args)
	if *address == "" {
		return errors.New("-address is required")
	}
	want := map[string]bool{}
	for _, id := range strings.Split(*idList, ",") {
		if id != "" {
			want[id] = true
		}
	}
	all := pids()
	shims := map[string]*shimProc{} // ns/id
	byPid := map[int]*shimProc{}
	for _, pid := range all {
		argv := cmdline(pid)
		if len(argv) == 0 || filepath.Base(argv[0]) != "containerd-shim-runc-v2" {
			continue
		}
		id := flagValue(argv, "-id")
		if id == "" || flagValue(argv, "-address") != *address {
			continue
		}
		if len(want) > 0 && !want[id] {
			continue
		}
		s := &shimProc{NS: flagValue(argv, "-namespace"), ID: id, Shim: pid}
		key := s.NS + "/" + id
		if old, ok := shims[key]; ok {
			return fmt.Errorf("two shims for %s: pids %d and %d", key, old.Shim, pid)
		}
		shims[key] = s
		byPid[pid] = s
	}
	for _, pid := range all {
		argv := cmdline(pid)
		if len(argv) == 0 || filepath.Base(argv[0]) != "berth-logger" {
			continue
		}
		env := environ(pid)
		s, ok := shims[env["CONTAINER_NAMESPACE"]+"/"+env["CONTAINER_ID"]]
		if !ok {
			continue
		}
		if parent := ppid(pid); byPid[parent] != s {
			return fmt.Errorf("berth-logger %d of %s/%s is a child of %d, not of its shim %d", pid, s.NS, s.ID, parent, s.Shim)
		}
		if s.Logger != 0 {
			return fmt.Errorf("two berth-loggers for %s/%s: pids %d and %d", s.NS, s.ID, s.Logger, pid)
		}
		s.Logger = pid
	}
	for id := range want {
		found := false
		for _, s := range shims {
			found = found || s.ID == id
		}
		if !found {
			return fmt.Errorf("container %s has no shim serving %s", id, *address)
		}
	}
	keys := make([]string, 0, len(shims))
	for k := range shims {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s := shims[k]
		var err error
		if s.ShimM, err = readProcMem(s.Shim); err != nil {
			return fmt.Errorf("shim of %s: %w", k, err)
		}
		if s.Logger != 0 {
			if s.LoggerM, err = readProcMem(s.Logger); err != nil {
				return fmt.Errorf("logger of %s: %w", k, err)
			}
		}
		fmt.Printf("%s %s %d %d %d %d %d %d %d %d\n", s.NS, s.ID, s.Shim, s.ShimM.RSS, s.ShimM.Anon, s.ShimM.PSS,
			s.Logger, s.LoggerM.RSS, s.LoggerM.Anon, s.LoggerM.PSS)
	}
	return nil
}

// enginePID is the pid in DIR/data/daemon.lock, checked to be an engine
// serving DIR/data.
func enginePID(dir string) (int, error) {
	data, err := os.ReadFile(filepath.Join(dir, "data", "daemon.lock"))
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("daemon.lock holds %q, not a pid", data)
	}
	if got := flagValue(cmdline(pid), "--data-root"); got != filepath.Join(dir, "data") {
		return 0, fmt.Errorf("pid %d from daemon.lock is not the engine of %s (its --data-root is %q)", pid, dir, got)
	}
	return pid, nil
}

// runEngstat prints one line about the engine of -dir:
//
//	PID RSS_KIB ANON_KIB PSS_KIB FDS THREADS GOROUTINES
//
// GOROUTINES (-1 without -goroutines) comes from containerd's own stack
// dump: SIGUSR1 makes the engine write every goroutine's stack to its log
// and to TMPDIR/containerd.PID.stacks.log, and go on serving. The memory is
// read before the signal, since the dump allocates; the dump file is
// removed afterwards.
func runEngstat(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("engstat", flag.ExitOnError)
	dir := fs.String("dir", "", "engine dir (DIR/data, DIR/run)")
	goroutines := fs.Bool("goroutines", false, "count goroutines from a SIGUSR1 stack dump")
	_ = fs.Parse(args)
	if *dir == "" {
		return errors.New("-dir is required")
	}
	pid, err := enginePID(*dir)
	if err != nil {
		return err
	}
	m, err := readProcMem(pid)
	if err != nil {
		return err
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return err
	}
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return err
	}
	threads := statusField(st, "Threads:")
	g := -1
	if *goroutines {
		if g, err = countGoroutines(ctx, *dir, pid); err != nil {
			return err
		}
	}
	fmt.Printf("%d %d %d %d %d %d %d\n", pid, m.RSS, m.Anon, m.PSS, len(fds), threads, g)
	return nil
}

const dumpDone = "goroutine stack dump written to "

func countGoroutines(ctx context.Context, dir string, pid int) (int, error) {
	logPath := filepath.Join(dir, "run", "daemon.log")
	tmp := environ(pid)["TMPDIR"]
	if tmp == "" {
		tmp = "/tmp"
	}
	dump := filepath.Join(tmp, fmt.Sprintf("containerd.%d.stacks.log", pid))
	before := countIn(logPath, dumpDone+dump)
	if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
		return 0, err
	}
	defer os.Remove(dump)
	deadline := time.Now().Add(10 * time.Second)
	for countIn(logPath, dumpDone+dump) <= before {
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("the engine (pid %d) wrote no stack dump within 10 s of SIGUSR1 (see %s)", pid, logPath)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	data, err := os.ReadFile(dump)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "goroutine ") && strings.HasSuffix(line, ":") {
			n++
		}
	}
	return n, nil
}

func countIn(path, s string) int {
	data, _ := os.ReadFile(path)
	return bytes.Count(data, []byte(s))
}
