package compose

import (
	"context"
	"errors"
	"sync"

	"github.com/berth-project/berth/pkg/cmd/container"
	"github.com/berth-project/berth/pkg/config"
)

// LogsOptions are the flags of `compose logs`.
type LogsOptions struct {
	Services []string
	// Follow keeps printing until the containers stop (-f).
	Follow bool
	// Tail is the number of lines from the end of each log, or "all".
	Tail string
	// Since and Until bound the entries (RFC 3339, Unix time or a duration).
	Since, Until string
	// Timestamps prefixes each line with its time (-t).
	Timestamps bool
	// NoColor and NoLogPrefix print lines without colour, without prefix.
	NoColor     bool
	NoLogPrefix bool
	// Index picks one replica of the service (--index); 0 is all.
	Index int
}

func (o *LogsOptions) logs(id string) *container.LogsOptions {
	return &container.LogsOptions{Container: id, Follow: o.Follow, Tail: o.Tail, Since: o.Since, Until: o.Until, Timestamps: o.Timestamps}
}

// Validate checks the flags before the engine is dialled.
func (o *LogsOptions) Validate() error {
	return o.logs("").Validate()
}

// Logs prints the services' logs, each line prefixed with its container.
// Without Follow, one container after another; with it, as they come.
func Logs(ctx context.Context, cfg *config.Config, s container.Streams, p *Project, o LogsOptions) error {
	ss, ctx, ctrs, err := openServices(ctx, cfg, s, p, o.Services, filter{oneoff: "False", all: true})
	if err != nil {
		return err
	}
	defer ss.close()
	var keep []Ctr
	for _, c := range ctrs {
		// A container that never ran has no log yet.
		if (o.Index == 0 || c.Number == o.Index) && c.State.Status != container.StatusCreated {
			keep = append(keep, c)
		}
	}
	ctrs = keep
	shown := make([]string, len(ctrs))
	for i, c := range ctrs {
		shown[i] = c.shortName(p.Name)
	}
	lp := newLogPrinter(s.Out, shown, !o.NoColor, !o.NoLogPrefix)
	errs := make([]error, len(ctrs))
	one := func(i int, c Ctr) {
		w := lp.writer(i, shown[i])
		errs[i] = container.Logs(ctx, ss.c, cfg, container.Streams{Out: w, Err: w}, o.logs(c.ID))
		w.Flush()
	}
	if !o.Follow {
		for i, c := range ctrs {
			one(i, c)
		}
		return errors.Join(errs...)
	}
	var wg sync.WaitGroup
	for i, c := range ctrs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			one(i, c)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
