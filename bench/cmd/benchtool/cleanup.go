package main

import (
	"context"
	"errors"
	"os"

	"github.com/berth-project/berth/pkg/testutil"
)

// runCleanup stops the engines under the given dirs and removes everything
// they left (shims, containers, mounts, files), as the integration tests do.
// It finishes even after Ctrl-C: it is what runs because of one.
func runCleanup(ctx context.Context, dirs []string) error {
	var errs []error
	for _, dir := range dirs {
		if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
			continue
		}
		e, err := testutil.PrepareEngine(dir)
		if err == nil {
			err = e.Close(context.WithoutCancel(ctx))
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
