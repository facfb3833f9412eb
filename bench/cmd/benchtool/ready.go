package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"regexp"
	"time"

	"github.com/berth-project/berth/pkg/daemon"
	"github.com/berth-project/berth/pkg/testutil"
)

// bootedRe finds containerd's own account of its start-up in the engine log.
var bootedRe = regexp.MustCompile(`containerd successfully booted in ([0-9.]+)s`)

// runReady measures what pkg/daemon's Start costs from nothing serving to
// serving, with the data root kept and the run dir fresh each round (as after
// a reboot). Each round appends "SECONDS BOOTED" to -o: Start's wall time and
// containerd's own boot time from the log (0 when not found).
func runReady(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ready", flag.ExitOnError)
	dir := fs.String("dir", "", "engine dir (DIR/data, DIR/run)")
	rounds := fs.Int("rounds", 5, "number of starts")
	out := fs.String("o", "", "file to append results to")
	_ = fs.Parse(args)
	if *dir == "" || *out == "" {
		return errors.New("-dir and -o are required")
	}
	e, err := testutil.PrepareEngine(*dir)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(*out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	for range *rounds {
		if err := freshStop(ctx, e.Daemon); err != nil {
			return err
		}
		start := time.Now()
		if err := e.Daemon.Start(ctx); err != nil {
			return err
		}
		took := time.Since(start)
		fmt.Fprintf(f, "%.6f %s\n", took.Seconds(), bootedIn(e.Daemon))
	}
	return freshStop(ctx, e.Daemon)
}

// freshStop stops the engine if it runs and empties its run dir.
func freshStop(ctx context.Context, d *daemon.Daemon) error {
	if err := d.Stop(ctx, 20*time.Second); err != nil && !errors.Is(err, daemon.ErrNotRunning) {
		return err
	}
	return os.RemoveAll(d.RunDir())
}

// bootedIn is the last "successfully booted in" figure of the log, or "0".
// The line comes just before the socket serves, so it may lag a little:
// it is looked for a few times.
func bootedIn(d *daemon.Daemon) string {
	for range 20 {
		data, _ := os.ReadFile(d.LogPath())
		if m := bootedRe.FindAllSubmatch(data, -1); len(m) > 0 {
			return string(m[len(m)-1][1])
		}
		time.Sleep(5 * time.Millisecond)
	}
	return "0"
}
