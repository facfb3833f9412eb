package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/cio"
	"github.com/containerd/containerd/v2/pkg/namespaces"

	"github.com/berth-project/berth/pkg/containerutil"
)

// Docker's health check defaults and bounds.
const (
	defaultHealthInterval      = 30 * time.Second
	defaultHealthTimeout       = 30 * time.Second
	defaultHealthStartInterval = 5 * time.Second
	defaultHealthRetries       = 3
	// maxHealthLog is how many results State.Health.Log keeps.
	maxHealthLog = 5
	// maxHealthOutput caps the output kept of one result.
	maxHealthOutput = 4096
)

// Docker's health statuses.
const (
	healthStarting  = "starting"
	healthHealthy   = "healthy"
	healthUnhealthy = "unhealthy"
)

// healthConfig is a container's health check with Docker's defaults applied.
type healthConfig struct {
	cmd           []string
	interval      time.Duration
	timeout       time.Duration
	startPeriod   time.Duration
	startInterval time.Duration
	retries       int
}

// healthConfigOf returns the check to run, or nil for none (no Test, NONE).
func healthConfigOf(h *containerutil.HealthConfig) *healthConfig {
	if h == nil || len(h.Test) == 0 {
		return nil
	}
	var cmd []string
	switch h.Test[0] {
	case "CMD":
		cmd = h.Test[1:]
	case "CMD-SHELL":
		cmd = []string{"/bin/sh", "-c", strings.Join(h.Test[1:], " ")}
	default: // NONE, or nothing Docker knows
		return nil
	}
	if len(cmd) == 0 {
		return nil
	}
	c := &healthConfig{cmd: cmd, interval: h.Interval, timeout: h.Timeout, startPeriod: h.StartPeriod,
		startInterval: h.StartInterval, retries: h.Retries}
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&c.interval, defaultHealthInterval}, {&c.timeout, defaultHealthTimeout}, {&c.startInterval, defaultHealthStartInterval}} {
		if *d.v <= 0 {
			*d.v = d.def
		}
	}
	if c.retries <= 0 {
		c.retries = defaultHealthRetries
	}
	return c
}

// next is the wait before the next probe: the start interval while the
// container is still starting within its start period, else the interval.
func (c *healthConfig) next(started time.Time, status string, now time.Time) time.Duration {
	if status == healthStarting && now.Sub(started) < c.startPeriod {
		return c.startInterval
	}
	return c.interval
}

// applyResult records one probe as Docker does: a success makes the
// container healthy; failures count once past the start period (or once it
// was healthy), and Retries of them in a row make it unhealthy.
func applyResult(h *containerutil.Health, c *healthConfig, started time.Time, r containerutil.HealthResult) {
	h.Log = append(h.Log, r)
	if len(h.Log) > maxHealthLog {
		h.Log = append([]containerutil.HealthResult(nil), h.Log[len(h.Log)-maxHealthLog:]...)
	}
	if r.ExitCode == 0 {
		h.FailingStreak = 0
		h.Status = healthHealthy
		return
	}
	if h.Status == healthStarting && r.Start.Sub(started) < c.startPeriod {
		return
	}
	h.FailingStreak++
	if h.FailingStreak >= c.retries {
		h.Status = healthUnhealthy
	}
}

// healthCheck runs one task's health check until stopped.
type healthCheck struct {
	s       *supervisor
	c       *client.Client
	ns, id  string
	pid     uint32
	cfg     *healthConfig
	started time.Time
	ctx     context.Context
	cancel  context.CancelFunc
}

func newHealthCheck(ctx context.Context, s *supervisor, c *client.Client, ns, id string, pid uint32, cfg *healthConfig, started time.Time) *healthCheck {
	if started.IsZero() {
		started = time.Now().UTC()
	}
	hc := &healthCheck{s: s, c: c, ns: ns, id: id, pid: pid, cfg: cfg, started: started}
	hc.ctx, hc.cancel = context.WithCancel(namespaces.WithNamespace(ctx, ns))
	return hc
}

// stop ends the check; its goroutine finishes a running probe's clean-up
// on its own (the supervisor waits for it when the engine stops).
func (h *healthCheck) stop() { h.cancel() }

func (h *healthCheck) run() {
	ctx := h.ctx
	defer h.cancel()
	status := healthStarting
	if err := h.s.updateMeta(h.ns, h.id, func(m *containerutil.Meta) error {
		// As Docker: a new run starts again, keeping the log of earlier ones.
		if m.State.Health == nil {
			m.State.Health = &containerutil.Health{}
		}
		m.State.Health.Status, m.State.Health.FailingStreak = healthStarting, 0
		return nil
	}); err != nil {
		return
	}
	for {
		timer := time.NewTimer(h.cfg.next(h.started, status, time.Now()))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		res, ok := h.probe(ctx)
		if ctx.Err() != nil {
			return
		}
		if !ok {
			continue
		}
		_ = h.s.updateMeta(h.ns, h.id, func(m *containerutil.Meta) error {
			if m.State.Health == nil {
				m.State.Health = &containerutil.Health{Status: healthStarting}
			}
			applyResult(m.State.Health, h.cfg, h.started, res)
			status = m.State.Health.Status
			return nil
		})
	}
}

// probe runs the check once in the container. ok is false when there was
// nothing to check (the task is paused or gone).
func (h *healthCheck) probe(ctx context.Context) (res containerutil.HealthResult, ok bool) {
	ctr, err := h.c.LoadContainer(ctx, h.id)
	if err != nil {
		return res, false
	}
	task, err := ctr.Task(ctx, nil)
	if err != nil {
		return res, false
	}
	if st, err := task.Status(ctx); err != nil || st.Status != client.Running || task.Pid() != h.pid {
		return res, false
	}
	spec, err := ctr.Spec(ctx)
	if err != nil || spec.Process == nil {
		return res, false
	}
	pspec := *spec.Process
	pspec.Args, pspec.Terminal = h.cfg.cmd, false
	out := &cappedBuffer{max: maxHealthOutput}
	res.Start = time.Now().UTC()
	finish := func(code int, output string) (containerutil.HealthResult, bool) {
		res.End, res.ExitCode, res.Output = time.Now().UTC(), code, output
		return res, true
	}
	ioc := cio.NewCreator(cio.WithStreams(nil, out, out), cio.WithFIFODir(h.s.fifoDir))
	p, err := task.Exec(ctx, execID(), &pspec, ioc)
	if err != nil {
		return finish(-1, err.Error())
	}
	// Clean-up must happen also when the check was stopped meanwhile.
	cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	exitC, err := p.Wait(ctx)
	if err != nil {
		_, _ = p.Delete(cleanup)
		return finish(-1, err.Error())
	}
	if err := p.Start(ctx); err != nil {
		_, _ = p.Delete(cleanup)
		return finish(-1, err.Error())
	}
	timer := time.NewTimer(h.cfg.timeout)
	defer timer.Stop()
	select {
	case es := <-exitC:
		code, _, err := es.Result()
		waitIO(p, 2*time.Second)
		_, _ = p.Delete(cleanup)
		if err != nil {
			return finish(-1, err.Error())
		}
		return finish(int(code), out.String())
	case <-timer.C:
		_, _ = p.Delete(cleanup, client.WithProcessKill)
		return finish(-1, fmt.Sprintf("Health check exceeded timeout (%v)", h.cfg.timeout))
	case <-ctx.Done():
		_, _ = p.Delete(cleanup, client.WithProcessKill)
		return res, false
	}
}

// waitIO lets the copy of a finished process's output complete, but not
// forever: a background process of the check may hold its stdout open.
func waitIO(p client.Process, limit time.Duration) {
	done := make(chan struct{})
	go func() {
		p.IO().Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(limit):
		// Delete cancels the copy, which ends the goroutine above.
	}
}

func execID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "health-" + hex.EncodeToString(b)
}

// cappedBuffer keeps the first max bytes written to it, as Docker keeps a
// check's output; stdout and stderr write to it concurrently.
type cappedBuffer struct {
	mu        sync.Mutex
	buf       []byte
	max       int
	truncated bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	room := b.max - len(b.buf)
	if len(p) > room {
		b.truncated = true
		b.buf = append(b.buf, p[:max(room, 0)]...)
		return len(p), nil
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *cappedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.truncated {
		return string(b.buf) + "..."
	}
	return string(b.buf)
}
