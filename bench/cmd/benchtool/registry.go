package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/opencontainers/go-digest"
	"golang.org/x/sys/unix"

	"github.com/berth-project/berth/pkg/testutil"
)

// runRegistry starts a plain-HTTP registry on loopback, pushes the large
// image and the small ones to it, prints "HOST DIGEST SECONDS" on one line
// (DIGEST is the large image's, "-" without one) and serves until SIGTERM or
// SIGINT. It also ends when the script that started it dies, however it dies
// (even by SIGKILL, when its trap cannot run): it asks the kernel for SIGTERM
// when its parent exits.
func runRegistry(ctx context.Context, args []string) error {
	ppid := os.Getppid()
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGTERM), 0, 0, 0); err != nil {
		return fmt.Errorf("asking for a signal when the parent exits: %w", err)
	}
	if os.Getppid() != ppid {
		return errors.New("the script that started the registry has exited")
	}
	fs := flag.NewFlagSet("registry", flag.ExitOnError)
	mb := fs.Int("mb", 300, "size of the large image's data in MiB; 0 pushes no large image")
	files := fs.Int("files", 2000, "number of files the large image's data is spread over")
	ref := fs.String("ref", "bench/large:latest", "repository:tag of the large image")
	small := fs.Int("small", 0, "number of small busybox images pushed as bench/small:0..N-1")
	_ = fs.Parse(args)

	reg, err := testutil.StartRegistry(ctx, testutil.RegistryPlain)
	if err != nil {
		return err
	}
	defer reg.Close()
	start := time.Now()
	var large digest.Digest = "-"
	if *mb > 0 {
		if large, err = testutil.GenerateLargeImage(ctx, reg, *ref, *mb, *files); err != nil {
			return fmt.Errorf("pushing the large image: %w", err)
		}
	}
	for i := range *small {
		// A label per image gives each its own config, so its own image ID:
		// `images` lists N images, not N names of one.
		img, err := testutil.NewImage(testutil.WithLabels(map[string]string{"bench.index": strconv.Itoa(i)}))
		if err != nil {
			return err
		}
		if _, err := testutil.PushImage(ctx, reg, fmt.Sprintf("bench/small:%d", i), img); err != nil {
			return fmt.Errorf("pushing small image %d: %w", i, err)
		}
	}
	fmt.Printf("%s %s %.2f\n", reg.Host, large, time.Since(start).Seconds())
	<-ctx.Done()
	return nil
}
