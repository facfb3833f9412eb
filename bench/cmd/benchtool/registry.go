package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/berth-project/berth/pkg/testutil"
)

// runRegistry starts a plain-HTTP registry on loopback, pushes the large
// image to it, prints "HOST DIGEST SECONDS" on one line and serves until
// stdin is closed or a signal arrives. Tying its life to stdin means a bench
// script that dies, however it dies, takes the registry with it.
func runRegistry(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("registry", flag.ExitOnError)
	mb := fs.Int("mb", 300, "size of the large image's data in MiB")
	files := fs.Int("files", 2000, "number of files the data is spread over")
	ref := fs.String("ref", "bench/large:latest", "repository:tag of the large image")
	_ = fs.Parse(args)

	reg, err := testutil.StartRegistry(ctx, testutil.RegistryPlain)
	if err != nil {
		return err
	}
	defer reg.Close()
	start := time.Now()
	dgst, err := testutil.GenerateLargeImage(ctx, reg, *ref, *mb, *files)
	if err != nil {
		return fmt.Errorf("pushing the large image: %w", err)
	}
	fmt.Printf("%s %s %.2f\n", reg.Host, dgst, time.Since(start).Seconds())

	eof := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(eof)
	}()
	select {
	case <-eof:
	case <-ctx.Done():
	}
	return nil
}
