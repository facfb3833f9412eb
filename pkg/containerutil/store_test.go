package containerutil

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestReserveName(t *testing.T) {
	s := NewStore(t.TempDir(), "default")
	live := map[string]bool{}
	exists := func(id string) (bool, error) { return live[id], nil }

	if err := s.ReserveName("web", "aaa", exists); err != nil {
		t.Fatal(err)
	}
	// aaa is being created by this (live) process: a second claim conflicts.
	err := s.ReserveName("/web", "bbb", exists)
	var conflict *ConflictError
	if !errors.As(err, &conflict) || conflict.ID != "aaa" {
		t.Fatalf("want a conflict with aaa, got %v", err)
	}
	want := `Conflict. The container name "/web" is already in use by container "aaa". You have to remove (or rename) that container to be able to reuse that name.`
	if err.Error() != want {
		t.Fatalf("message %q", err)
	}
	if got := s.NameHolder("web"); got != "aaa" {
		t.Fatalf("holder %q", got)
	}
	// Releasing by someone else does nothing; by the holder it frees the name.
	if err := s.ReleaseName("web", "bbb"); err != nil || s.NameHolder("web") != "aaa" {
		t.Fatalf("release by a non-holder: %v, holder %q", err, s.NameHolder("web"))
	}
	if err := s.ReleaseName("web", "aaa"); err != nil || s.NameHolder("web") != "" {
		t.Fatalf("release by the holder: %v", err)
	}
}

func TestReserveNameTakesOverACrashedClaim(t *testing.T) {
	s := NewStore(t.TempDir(), "default")
	exists := func(string) (bool, error) { return false, nil }
	if err := os.MkdirAll(s.namesDir(), 0o700); err != nil {
		t.Fatal(err)
	}
	// A claim by a process that died before its container existed.
	dead := fmt.Sprintf("ccc\n%d\n", 1<<22+12345)
	if err := os.WriteFile(filepath.Join(s.namesDir(), "db"), []byte(dead), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.ReserveName("db", "ddd", exists); err != nil {
		t.Fatalf("a name held by nothing must be taken over: %v", err)
	}
	if got := s.NameHolder("db"); got != "ddd" {
		t.Fatalf("holder %q", got)
	}
}

func TestValidateName(t *testing.T) {
	for _, ok := range []string{"web", "/web", "a_b.c-d", "x1"} {
		if err := ValidateName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"a", "-x", "bad/name", "sp ace", ""} {
		if err := ValidateName(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestCheckUserLabels(t *testing.T) {
	if err := CheckUserLabels(map[string]string{"app": "x", "com.example/a": "b"}); err != nil {
		t.Fatal(err)
	}
	err := CheckUserLabels(map[string]string{"containerd.io/restart.loguri": "binary:///bin/sh"})
	if err == nil || err.Error() != `label "containerd.io/restart.loguri" is reserved: keys starting with "containerd.io/" are set by berth and the engine only` {
		t.Fatalf("got %v", err)
	}
	got := UserLabels(map[string]string{"app": "x", LabelName: "n", RestartPolicyLabel: "always"})
	if len(got) != 1 || got["app"] != "x" {
		t.Fatalf("UserLabels = %v", got)
	}
}
