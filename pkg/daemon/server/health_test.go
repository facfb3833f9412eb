package server

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/berth-project/berth/pkg/containerutil"
)

func TestHealthConfigOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   *containerutil.HealthConfig
		want *healthConfig
	}{
		{"none at all", nil, nil},
		{"empty test", &containerutil.HealthConfig{}, nil},
		{"NONE", &containerutil.HealthConfig{Test: []string{"NONE"}}, nil},
		{"CMD without a command", &containerutil.HealthConfig{Test: []string{"CMD"}}, nil},
		{"defaults", &containerutil.HealthConfig{Test: []string{"CMD-SHELL", "test -f /ok"}},
			&healthConfig{cmd: []string{"/bin/sh", "-c", "test -f /ok"}, interval: 30 * time.Second,
				timeout: 30 * time.Second, startInterval: 5 * time.Second, retries: 3}},
		{"own values", &containerutil.HealthConfig{Test: []string{"CMD", "true", "x"}, Interval: time.Second,
			Timeout: 2 * time.Second, StartPeriod: 3 * time.Second, StartInterval: 100 * time.Millisecond, Retries: 1},
			&healthConfig{cmd: []string{"true", "x"}, interval: time.Second, timeout: 2 * time.Second,
				startPeriod: 3 * time.Second, startInterval: 100 * time.Millisecond, retries: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := healthConfigOf(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("healthConfigOf(%+v) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}

func TestHealthNext(t *testing.T) {
	c := &healthConfig{interval: 10 * time.Second, startInterval: time.Second, startPeriod: 30 * time.Second}
	started := time.Unix(1000, 0)
	for _, tc := range []struct {
		status string
		after  time.Duration
		want   time.Duration
	}{
		{healthStarting, 5 * time.Second, time.Second},
		{healthStarting, 31 * time.Second, 10 * time.Second},
		{healthHealthy, 5 * time.Second, 10 * time.Second},
		{healthUnhealthy, 5 * time.Second, 10 * time.Second},
	} {
		if got := c.next(started, tc.status, started.Add(tc.after)); got != tc.want {
			t.Errorf("next(%s after %s) = %s, want %s", tc.status, tc.after, got, tc.want)
		}
	}
}

// TestApplyResult walks a check through Docker's states: failures in the
// start period do not count, a success makes it healthy, Retries failures
// in a row unhealthy, and the log keeps the last five results.
func TestApplyResult(t *testing.T) {
	c := &healthConfig{retries: 2, startPeriod: 10 * time.Second}
	started := time.Unix(1000, 0)
	h := &containerutil.Health{Status: healthStarting}
	step := func(after time.Duration, code int, wantStatus string, wantStreak int) {
		t.Helper()
		applyResult(h, c, started, containerutil.HealthResult{Start: started.Add(after), ExitCode: code})
		if h.Status != wantStatus || h.FailingStreak != wantStreak {
			t.Fatalf("after exit %d at +%s: status %s streak %d, want %s %d", code, after, h.Status, h.FailingStreak, wantStatus, wantStreak)
		}
	}
	step(time.Second, 1, healthStarting, 0)
	step(2*time.Second, 1, healthStarting, 0)
	step(11*time.Second, 1, healthStarting, 1)
	step(12*time.Second, 0, healthHealthy, 0)
	step(13*time.Second, 1, healthHealthy, 1)
	step(14*time.Second, 1, healthUnhealthy, 2)
	step(15*time.Second, 1, healthUnhealthy, 3)
	step(16*time.Second, 0, healthHealthy, 0)
	if len(h.Log) != maxHealthLog || !h.Log[0].Start.Equal(started.Add(12*time.Second)) {
		t.Fatalf("log keeps the last %d results, got %d starting at %s", maxHealthLog, len(h.Log), h.Log[0].Start)
	}
	// A healthy container's failures count within the start period too.
	h2 := &containerutil.Health{Status: healthHealthy}
	applyResult(h2, c, started, containerutil.HealthResult{Start: started.Add(time.Second), ExitCode: 1})
	if h2.FailingStreak != 1 {
		t.Fatalf("a healthy container's failure in the start period must count, streak %d", h2.FailingStreak)
	}
}

func TestCappedBuffer(t *testing.T) {
	b := &cappedBuffer{max: 8}
	for _, s := range []string{"abc", "defgh", "ijk"} {
		if n, err := b.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	if got := b.String(); got != "abcdefgh..." {
		t.Fatalf("String() = %q", got)
	}
	small := &cappedBuffer{max: maxHealthOutput}
	_, _ = small.Write([]byte(strings.Repeat("x", 10)))
	if small.String() != strings.Repeat("x", 10) {
		t.Fatalf("short output must be kept whole: %q", small.String())
	}
}
