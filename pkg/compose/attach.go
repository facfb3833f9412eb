package compose

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-project/berth/pkg/cmd/container"
	"github.com/berth-project/berth/pkg/containerutil"
)

// exitEvent is a container that stopped while attached.
type exitEvent struct {
	ctr  Ctr
	code int
}

// attachedServices are the services whose output up shows: those named on
// the command line (not their dependencies), else all, but not those with
// attach: false.
func attachedServices(p *types.Project, named []string) []string {
	var out []string
	for _, s := range serviceList(p) {
		if len(named) > 0 && !slices.Contains(named, s.Name) {
			continue
		}
		if s.Attach == nil || *s.Attach {
			out = append(out, s.Name)
		}
	}
	return out
}

// attach prints the containers' output, prefixed, until they have all
// exited; with AbortOnContainerExit, until the first exits, and then it
// stops the others. Interrupted, it stops them all. The exit status is
// ExitCodeFrom's service's, or the first exited container's when aborting.
func (ss *session) attach(ctx context.Context, p *types.Project, started map[string]time.Time, o UpOptions) error {
	services := attachedServices(p, o.Services)
	if len(services) == 0 {
		return nil
	}
	ctrs, err := ss.list(ctx, filter{project: p.Name, services: services, oneoff: "False", all: true})
	if err != nil || len(ctrs) == 0 {
		return err
	}
	var shown []string
	for _, c := range ctrs {
		shown = append(shown, c.shortName(p.Name))
	}
	lp := newLogPrinter(ss.s.Out, shown, !o.NoColor, !o.NoLogPrefix)
	fmt.Fprintf(ss.s.Out, "Attaching to %s\n", strings.Join(shown, ", "))
	// The followers outlive an interrupt: the output of the containers as
	// they stop is still shown.
	fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	f := &followers{exits: make(chan exitEvent, len(ctrs))}
	// A container up started shows its output from that start on; one that
	// was running already, from now on.
	now := time.Now()
	for i, c := range ctrs {
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			since, ok := started[c.ID]
			if !ok {
				since = now
			}
			f.exits <- ss.follow(fctx, lp, i, c, shown[i], since)
		}()
	}
	return ss.await(ctx, fctx, p.Name, ctrs, f, o)
}

// followers are the goroutines that follow the attached containers.
type followers struct {
	wg    sync.WaitGroup
	exits chan exitEvent
}

// finish waits for the followers, which end as their containers stop;
// bounded in case one cannot read its log any more.
func (f *followers) finish() {
	done := make(chan struct{})
	go func() { f.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
	}
}

// await handles the attached containers' exits and the user's interrupt
// (ctx); fctx outlives the interrupt, for stopping.
func (ss *session) await(ctx, fctx context.Context, project string, ctrs []Ctr, f *followers, o UpOptions) error {
	stopOpts := &container.StopOptions{Timeout: o.Timeout, TimeoutSet: o.TimeoutSet}
	code := 0
	for remaining := len(ctrs); remaining > 0; remaining-- {
		select {
		case <-ctx.Done():
			fmt.Fprintln(ss.s.Err, "Gracefully stopping... (press Ctrl+C again to force)")
			ss.stopGracefully(fctx, ctrs, stopOpts)
			f.finish()
			return ctx.Err()
		case e := <-f.exits:
			if e.ctr.Service == o.ExitCodeFrom {
				code = e.code
			}
			if !o.AbortOnContainerExit {
				continue
			}
			fmt.Fprintln(ss.s.Out, "Aborting on container exit...")
			_ = ss.stopAll(fctx, ctrs, stopOpts)
			f.finish()
			if o.ExitCodeFrom == "" {
				code = e.code
			} else if e.ctr.Service != o.ExitCodeFrom {
				code = ss.exitCodeOf(fctx, project, o.ExitCodeFrom)
			}
			return exitStatus(code)
		}
	}
	return exitStatus(code)
}

// exitStatus is the command's status for a container's exit code.
func exitStatus(code int) error {
	if code == 0 {
		return nil
	}
	return &container.ExitError{Status: code}
}

// follow prints one container's output until it stops for good (a
// restart policy may start it again: its output is followed on) and
// returns its exit.
func (ss *session) follow(ctx context.Context, lp *logPrinter, i int, c Ctr, name string, since time.Time) exitEvent {
	w := lp.writer(i, name)
	lo := &container.LogsOptions{Container: c.ID, Follow: true, Since: since.UTC().Format(time.RFC3339Nano)}
	for {
		err := container.Logs(ctx, ss.c, ss.cfg, container.Streams{Out: w, Err: w}, lo)
		w.Flush()
		if err != nil && ctx.Err() == nil {
			// A log driver berth cannot read back (none, syslog): the exit
			// is still reported.
			lp.event(i, name, "cannot show the output: "+err.Error())
			return ss.waitFor(ctx, lp, i, c, name)
		}
		st, serr := ss.state(ctx, c.ID)
		if serr != nil {
			return exitEvent{ctr: c, code: st.ExitCode}
		}
		if ctx.Err() == nil && (st.Restarting || st.Running) {
			if st.Restarting {
				lp.event(i, name, fmt.Sprintf("exited with code %d", st.ExitCode))
				if st, serr = ss.waitRestarted(ctx, c.ID); serr != nil || !st.Running {
					return exitEvent{ctr: c, code: st.ExitCode}
				}
			}
			lo.Since = st.StartedAt.UTC().Format(time.RFC3339Nano)
			continue
		}
		lp.event(i, name, fmt.Sprintf("exited with code %d", st.ExitCode))
		return exitEvent{ctr: c, code: st.ExitCode}
	}
}

// waitFor waits for a container whose output cannot be shown to exit.
func (ss *session) waitFor(ctx context.Context, lp *logPrinter, i int, c Ctr, name string) exitEvent {
	ctr, err := ss.load(ctx, c.ID)
	if err != nil {
		return exitEvent{ctr: c}
	}
	code, err := container.WaitExit(ctx, ss.c, ss.cfg, ctr)
	if err == nil {
		lp.event(i, name, fmt.Sprintf("exited with code %d", code))
	}
	return exitEvent{ctr: c, code: code}
}

// state reads a container's Docker state.
func (ss *session) state(ctx context.Context, id string) (container.State, error) {
	ctr, err := ss.load(ctx, id)
	if err != nil {
		return container.State{}, err
	}
	return container.ContainerState(ctx, ss.c, containerutil.NewStore(ss.cfg.DataRoot, ss.cfg.Namespace), ctr)
}

// waitRestarted waits while the restart monitor has yet to start the
// container again.
func (ss *session) waitRestarted(ctx context.Context, id string) (container.State, error) {
	for {
		st, err := ss.state(ctx, id)
		if err != nil || !st.Restarting {
			return st, err
		}
		select {
		case <-ctx.Done():
			return st, ctx.Err()
		case <-time.After(pollInterval):
		}
	}
}

// exitCodeOf is the exit code of the first container of service.
func (ss *session) exitCodeOf(ctx context.Context, project, service string) int {
	ctrs, err := ss.list(ctx, filter{project: project, services: []string{service}, oneoff: "False", all: true})
	if err != nil || len(ctrs) == 0 {
		return 0
	}
	return ctrs[0].State.ExitCode
}

// stopGracefully stops the containers; a second interrupt kills them.
func (ss *session) stopGracefully(ctx context.Context, ctrs []Ctr, o *container.StopOptions) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	done := make(chan struct{})
	go func() {
		ss.stopAll(ctx, ctrs, o)
		close(done)
	}()
	select {
	case <-done:
	case <-sigs:
		ss.killAll(ctx, ctrs)
		<-done
	}
}
