package testutil

import (
	"testing"
	"time"
)

// Poll waits until cond holds, checking every 100 ms; after limit it fails
// the test with what and cond's last description of the state.
func Poll(t testing.TB, what string, limit time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within %s; last state:\n%s", what, limit, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
