package compose

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

// pollInterval is how often a wait reads the containers' state: health
// checks run every few seconds at best, exits are noticed soon enough.
const pollInterval = 200 * time.Millisecond

// waitDependencies waits until each service s depends on is in the state
// its condition asks for: started (it is, by now), healthy, or exited
// with status 0. Dependencies outside the selection are not waited for.
func (ss *session) waitDependencies(ctx context.Context, p *types.Project, s types.ServiceConfig) error {
	deps := make([]string, 0, len(s.DependsOn))
	for name := range s.DependsOn {
		deps = append(deps, name)
	}
	slices.Sort(deps)
	for _, dep := range deps {
		if _, ok := p.Services[dep]; !ok {
			continue
		}
		switch cond := s.DependsOn[dep].Condition; cond {
		case "", types.ServiceConditionStarted:
		case types.ServiceConditionHealthy, types.ServiceConditionCompletedSuccessfully:
			if err := ss.waitService(ctx, p.Name, dep, cond); err != nil {
				return err
			}
		default:
			return fmt.Errorf("service %q: depends_on %s: unknown condition %q", s.Name, dep, cond)
		}
	}
	return nil
}

// errStillWaiting tells waitService to poll again.
var errStillWaiting = errors.New("waiting")

// waitService waits until every container of service meets cond.
func (ss *session) waitService(ctx context.Context, project, service, cond string) error {
	ctrs, err := ss.list(ctx, filter{project: project, services: []string{service}, oneoff: "False", all: true})
	if err != nil {
		return err
	}
	for _, c := range ctrs {
		ss.progress.event("Container", c.Name, "Waiting")
	}
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for {
		ctrs, err := ss.list(ctx, filter{project: project, services: []string{service}, oneoff: "False", all: true})
		if err != nil {
			return err
		}
		done := true
		for _, c := range ctrs {
			err := meets(c, service, cond)
			if errors.Is(err, errStillWaiting) {
				done = false
				continue
			}
			if err != nil {
				ss.progress.event("Container", c.Name, "Error")
				return err
			}
		}
		if done {
			for _, c := range ctrs {
				ss.progress.event("Container", c.Name, doneWord(cond))
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		}
	}
}

func doneWord(cond string) string {
	if cond == types.ServiceConditionHealthy {
		return "Healthy"
	}
	return "Exited"
}

// meets reports whether c meets cond: nil, errStillWaiting, or why it
// never will, in Docker Compose's words.
func meets(c Ctr, service, cond string) error {
	st := c.State
	switch cond {
	case types.ServiceConditionHealthy:
		hc := c.Healthcheck
		if hc == nil || len(hc.Test) == 0 || hc.Test[0] == "NONE" {
			return fmt.Errorf("dependency failed to start: container %s has no healthcheck configured", c.Name)
		}
		switch {
		case st.Health == nil:
			// The engine has yet to run the first check.
			if !st.Running && st.Status != "created" {
				return fmt.Errorf("dependency failed to start: container %s exited (%d)", c.Name, st.ExitCode)
			}
			return errStillWaiting
		case !st.Running && st.Status != "created":
			return fmt.Errorf("dependency failed to start: container %s exited (%d)", c.Name, st.ExitCode)
		case st.Health.Status == "healthy":
			return nil
		case st.Health.Status == "unhealthy":
			return fmt.Errorf("dependency failed to start: container %s is unhealthy", c.Name)
		}
		return errStillWaiting
	case types.ServiceConditionCompletedSuccessfully:
		if st.Running || st.Status == "created" {
			return errStillWaiting
		}
		if st.ExitCode != 0 {
			return fmt.Errorf("service %q didn't complete successfully: exit %d", service, st.ExitCode)
		}
		return nil
	}
	return nil
}

// waitReady is --wait: it waits until every container of the project
// runs, and is healthy where it has a health check. A container that
// exited fails the wait, unless it exited with 0 and a service waits for
// it to complete.
func (ss *session) waitReady(ctx context.Context, p *types.Project, timeout time.Duration) error {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	completes := map[string]bool{}
	for _, s := range p.Services {
		for dep, d := range s.DependsOn {
			if d.Condition == types.ServiceConditionCompletedSuccessfully {
				completes[dep] = true
			}
		}
	}
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for {
		ctrs, err := ss.list(ctx, filter{project: p.Name, services: p.ServiceNames(), oneoff: "False", all: true})
		if err != nil {
			return waitError(err, timeout)
		}
		ready := true
		for _, c := range ctrs {
			err := readiness(c, completes[c.Service])
			if errors.Is(err, errStillWaiting) {
				ready = false
			} else if err != nil {
				return err
			}
		}
		if ready {
			for _, c := range ctrs {
				ss.progress.event("Container", c.Name, "Healthy")
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return waitError(ctx.Err(), timeout)
		case <-ticker.C:
		}
	}
}

// readiness is --wait's test of one container.
func readiness(c Ctr, completes bool) error {
	st := c.State
	if !st.Running {
		if completes && st.ExitCode == 0 && st.Status == "exited" {
			return nil
		}
		if st.Status == "created" {
			return errStillWaiting
		}
		return fmt.Errorf("container %s exited (%d)", c.Name, st.ExitCode)
	}
	if st.Restarting {
		return errStillWaiting
	}
	if st.Health != nil && st.Health.Status != "" {
		switch st.Health.Status {
		case "healthy":
			return nil
		case "unhealthy":
			return fmt.Errorf("container %s is unhealthy", c.Name)
		}
		return errStillWaiting
	}
	return nil
}

func waitError(err error, timeout time.Duration) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("the services were not ready within --wait-timeout %s", timeout)
	}
	return err
}
