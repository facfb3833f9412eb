package fsutil

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestLockFileShared(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".lock")
	a, err := LockFileShared(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LockFileShared(path)
	if err != nil {
		t.Fatalf("a second shared holder: %v", err)
	}
	if _, err := TryLockFile(path); !errors.Is(err, ErrLocked) {
		t.Fatalf("exclusive while shared holders: %v", err)
	}
	a.Unlock()
	b.Unlock()
	x, err := TryLockFile(path)
	if err != nil {
		t.Fatalf("exclusive once the shared holders are gone: %v", err)
	}
	x.Unlock()
}
