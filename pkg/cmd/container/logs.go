package container

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/containerd/containerd/v2/client"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/logging"
)

// LogsOptions are the flags of `logs`.
type LogsOptions struct {
	// Container is the container's name, ID or ID prefix.
	Container string
	// Follow keeps printing new output until the container stops (-f).
	Follow bool
	// Since and Until bound the entries (RFC 3339, Unix time or a duration).
	Since, Until string
	// Tail is the number of lines from the end, or "all".
	Tail string
	// Timestamps prefixes each line with its time (-t).
	Timestamps bool
	// Details adds the extra attributes of each entry.
	Details bool
}

// readOptions parses the flags into the reader's options.
func (o *LogsOptions) readOptions(now time.Time) (logging.ReadOptions, error) {
	ro := logging.ReadOptions{Follow: o.Follow, Timestamps: o.Timestamps, Details: o.Details, Tail: -1}
	var err error
	if o.Since != "" {
		if ro.Since, err = logging.ParseTime("since", o.Since, now); err != nil {
			return ro, err
		}
	}
	if o.Until != "" {
		if ro.Until, err = logging.ParseTime("until", o.Until, now); err != nil {
			return ro, err
		}
	}
	if o.Tail != "" {
		if ro.Tail, err = logging.ParseTail(o.Tail); err != nil {
			return ro, err
		}
	}
	return ro, nil
}

// Validate checks the flags before the engine is dialled.
func (o *LogsOptions) Validate() error {
	_, err := o.readOptions(time.Now())
	return err
}

// Logs prints a container's logs; with -f it follows them until the
// container stops or the user interrupts.
func Logs(ctx context.Context, c *client.Client, cfg *config.Config, s Streams, o *LogsOptions) error {
	store := containerutil.NewStore(cfg.DataRoot, cfg.Namespace)
	ctr, err := containerutil.Resolve(ctx, c, store, o.Container)
	if err != nil {
		return err
	}
	meta, err := store.LoadMeta(ctr.ID())
	if err != nil {
		return fmt.Errorf("container %s has no berth metadata: %w", o.Container, err)
	}
	lc := logging.Config{Type: meta.HostConfig.LogConfig.Type, Config: meta.HostConfig.LogConfig.Config}
	if err := logging.Readable(lc); err != nil {
		return err
	}
	ro, err := o.readOptions(time.Now())
	if err != nil {
		return err
	}
	stopped := func() bool { return !isRunning(ctx, ctr) }
	if !o.Follow && stopped() && logging.LoggerRunning(cfg.DataRoot, cfg.Namespace, ctr.ID()) {
		// The container has just exited: its logger may still hold back a
		// last line without a newline.
		time.Sleep(logging.FlushDelay)
	}
	err = logging.Read(ctx, cfg.DataRoot, cfg.Namespace, ctr.ID(), ro, s.Out, s.Err, stopped)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// isRunning reports whether the container's task runs (or is paused).
func isRunning(ctx context.Context, ctr client.Container) bool {
	task, err := ctr.Task(ctx, nil)
	if err != nil {
		return false
	}
	st, err := task.Status(ctx)
	if err != nil {
		return false
	}
	return st.Status == client.Running || st.Status == client.Paused || st.Status == client.Pausing
}
