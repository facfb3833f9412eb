package container_test

import "testing"

// TestZZNothingLeftBehind runs last (files run in name order): every test
// removes what it created, also when it fails.
func TestZZNothingLeftBehind(t *testing.T) {
	r := engine.Berth(t, "ps", "-a", "--format", "{{.ID}} {{.Names}} {{.Status}} {{.Command}}")
	if ids := containerIDs(t); len(ids) != 0 {
		t.Fatalf("containers left behind by the tests:\n%s", r.Stdout)
	}
}
