package container

import (
	"testing"
	"time"

	"github.com/containerd/containerd/v2/client"

	"github.com/berth-project/berth/pkg/containerutil"
)

var stateNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func TestStateOf(t *testing.T) {
	started := stateNow.Add(-5 * time.Minute)
	exited := stateNow.Add(-2 * time.Second)
	ran := containerutil.SavedState{StartedAt: started, FinishedAt: stateNow.Add(-time.Hour), ExitCode: 4}
	always := map[string]string{containerutil.RestartPolicyLabel: "always", containerutil.RestartStatusLabel: "running"}
	onFailure2 := func(count string) map[string]string {
		return map[string]string{containerutil.RestartPolicyLabel: "on-failure:2",
			containerutil.RestartStatusLabel: "running", containerutil.RestartCountLabel: count}
	}
	healthy := &containerutil.Health{Status: "healthy"}
	cases := []struct {
		name   string
		labels map[string]string
		saved  containerutil.SavedState
		task   TaskStatus
		status string
		human  string
		check  func(State) bool
	}{
		{name: "never started", status: StatusCreated, human: "Created",
			check: func(s State) bool { return !s.Running && s.StartedAt.IsZero() && s.Pid == 0 }},
		{name: "running", saved: containerutil.SavedState{StartedAt: started},
			task: TaskStatus{Status: client.Running, Pid: 42}, status: StatusRunning, human: "Up 5 minutes",
			check: func(s State) bool { return s.Running && s.Pid == 42 && s.FinishedAt.IsZero() }},
		{name: "healthy", saved: containerutil.SavedState{StartedAt: started, Health: healthy},
			task: TaskStatus{Status: client.Running, Pid: 42}, status: StatusRunning, human: "Up 5 minutes (healthy)"},
		{name: "health starting", saved: containerutil.SavedState{StartedAt: started, Health: &containerutil.Health{Status: "starting"}},
			task: TaskStatus{Status: client.Running, Pid: 42}, status: StatusRunning, human: "Up 5 minutes (health: starting)"},
		{name: "paused", saved: containerutil.SavedState{StartedAt: stateNow.Add(-2 * time.Second)},
			task: TaskStatus{Status: client.Paused, Pid: 42}, status: StatusPaused, human: "Up 2 seconds (Paused)",
			check: func(s State) bool { return s.Running && s.Paused && s.Pid == 42 }},
		{name: "stopped task", saved: ran, task: TaskStatus{Status: client.Stopped, ExitStatus: 3, ExitedAt: exited},
			status: StatusExited, human: "Exited (3) 2 seconds ago",
			check: func(s State) bool { return !s.Running && s.ExitCode == 3 && s.FinishedAt.Equal(exited) && s.Pid == 0 }},
		{name: "deleted task", saved: ran, status: StatusExited, human: "Exited (4) About an hour ago"},
		{name: "exited, health reported unhealthy", saved: containerutil.SavedState{StartedAt: started, FinishedAt: exited, Health: healthy},
			status: StatusExited, human: "Exited (0) 2 seconds ago",
			check: func(s State) bool { return s.Health.Status == "unhealthy" && healthy.Status == "healthy" }},
		{name: "restarting", labels: always, saved: ran,
			task:   TaskStatus{Status: client.Stopped, ExitStatus: 1, ExitedAt: stateNow.Add(-3 * time.Second)},
			status: StatusRestarting, human: "Restarting (1) 3 seconds ago",
			check: func(s State) bool { return s.Running && s.Restarting && s.Pid == 0 }},
		{name: "always, task deleted", labels: always, saved: ran, status: StatusRestarting, human: "Restarting (4) About an hour ago"},
		{name: "always, stopped by user", saved: ran, status: StatusExited,
			labels: map[string]string{containerutil.RestartPolicyLabel: "always", containerutil.RestartStatusLabel: "stopped"}},
		{name: "always, explicitly stopped", saved: ran, status: StatusExited,
			labels: map[string]string{containerutil.RestartPolicyLabel: "always", containerutil.RestartStatusLabel: "running",
				containerutil.RestartExplicitStop: "true"}},
		{name: "on-failure, retries left", labels: onFailure2("1"), saved: ran,
			task: TaskStatus{Status: client.Stopped, ExitStatus: 1, ExitedAt: exited}, status: StatusRestarting},
		{name: "on-failure, retries spent", labels: onFailure2("2"), saved: ran,
			task: TaskStatus{Status: client.Stopped, ExitStatus: 1, ExitedAt: exited}, status: StatusExited},
		{name: "on-failure, success", labels: onFailure2("0"), saved: ran,
			task: TaskStatus{Status: client.Stopped, ExitStatus: 0, ExitedAt: exited}, status: StatusExited},
		{name: "shim unreachable", saved: ran, task: TaskStatus{Status: client.Unknown}, status: StatusDead, human: "Dead",
			check: func(s State) bool { return s.Dead && !s.Running }},
		{name: "exit unknown", saved: containerutil.SavedState{StartedAt: started}, status: StatusExited, human: ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := stateOf(c.labels, &containerutil.Meta{State: c.saved}, c.task)
			if s.Status != c.status {
				t.Errorf("Status = %q, want %q", s.Status, c.status)
			}
			if c.human != "" || c.name == "exit unknown" {
				if got := s.HumanStatus(stateNow); got != c.human {
					t.Errorf("HumanStatus = %q, want %q", got, c.human)
				}
			}
			if c.check != nil && !c.check(s) {
				t.Errorf("unexpected state %+v", s)
			}
		})
	}
}

func TestHealthStatus(t *testing.T) {
	if got := (State{}).HealthStatus(); got != "none" {
		t.Errorf("no health check: %q", got)
	}
	if got := (State{Health: &containerutil.Health{Status: "unhealthy"}}).HealthStatus(); got != "unhealthy" {
		t.Errorf("unhealthy: %q", got)
	}
}

func TestProcStartTime(t *testing.T) {
	// The test process itself started before now and after boot.
	got, err := procStartTime(1)
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	if got.After(time.Now()) || got.Before(time.Now().Add(-10*365*24*time.Hour)) {
		t.Errorf("start time of pid 1 = %v", got)
	}
}
