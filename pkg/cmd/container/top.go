package container

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/containerd/containerd/v2/client"

	"github.com/berth-project/berth/pkg/config"
)

// TopOptions are the arguments of `top`.
type TopOptions struct {
	// Container is the name or ID.
	Container string
	// PsArgs are the options for ps(1); Docker's default is -ef.
	PsArgs []string
}

// Top lists the container's processes as `docker top` does: the host's ps
// with the given options, reduced to the container's processes.
func Top(ctx context.Context, cfg *config.Config, s Streams, o *TopOptions) error {
	return forEach(ctx, cfg, s.Out, []string{o.Container}, false, func(ctx context.Context, t *target) error {
		task, st, err := loadTask(ctx, t.ctr)
		if err != nil {
			return err
		}
		if !isLive(st) {
			return notRunningError(t.ctr.ID())
		}
		procs, err := task.Pids(ctx)
		if err != nil {
			return err
		}
		titles, rows, err := psTable(ctx, o.PsArgs, procs)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(s.Out, 20, 1, 3, ' ', 0)
		fmt.Fprintln(w, strings.Join(titles, "\t"))
		for _, r := range rows {
			fmt.Fprintln(w, strings.Join(r, "\t"))
		}
		return w.Flush()
	})
}

// psTable runs ps and keeps the rows of the given processes. Options such
// as f do not mix with -q, so without -q ps lists all and the rows are
// picked here either way.
func psTable(ctx context.Context, args []string, procs []client.ProcessInfo) ([]string, [][]string, error) {
	if len(args) == 0 {
		args = []string{"-ef"}
	}
	pids := make(map[int]bool, len(procs))
	list := make([]string, 0, len(procs))
	for _, p := range procs {
		pids[int(p.Pid)] = true
		list = append(list, strconv.Itoa(int(p.Pid)))
	}
	out, err := exec.CommandContext(ctx, "ps", append(append([]string{}, args...), "-q", strings.Join(list, ","))...).Output()
	if err != nil {
		out, err = exec.CommandContext(ctx, "ps", args...).Output()
	}
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if line, _, _ := bytes.Cut(ee.Stderr, []byte("\n")); len(line) > 0 {
				err = errors.New(string(line))
			}
		}
		return nil, nil, fmt.Errorf("ps: %w", err)
	}
	return parsePS(string(out), pids)
}

// parsePS splits ps output into titles and the rows of pids. The last
// column (the command) keeps its spaces; thread lines (PID "-", with ps -m)
// follow their process.
func parsePS(out string, pids map[int]bool) ([]string, [][]string, error) {
	lines := strings.Split(out, "\n")
	titles := strings.Fields(lines[0])
	col := -1
	for i, t := range titles {
		if t == "PID" {
			col = i
			break
		}
	}
	if col < 0 {
		return nil, nil, errors.New("Couldn't find PID field in ps output")
	}
	var rows [][]string
	keep := false
	for _, line := range lines[1:] {
		f := strings.Fields(line)
		if len(f) <= col {
			continue
		}
		if f[col] == "-" {
			if keep {
				rows = append(rows, fitColumns(f, len(titles)))
			}
			continue
		}
		pid, err := strconv.Atoi(f[col])
		if err != nil {
			return nil, nil, fmt.Errorf("unexpected pid '%s': %w", f[col], err)
		}
		keep = pids[pid]
		if keep {
			rows = append(rows, fitColumns(f, len(titles)))
		}
	}
	return titles, rows, nil
}

// fitColumns joins the fields beyond the titles into the last column.
func fitColumns(f []string, n int) []string {
	if len(f) <= n {
		return f
	}
	row := append([]string{}, f[:n-1]...)
	return append(row, strings.Join(f[n-1:], " "))
}
