// Package prompt holds what the destructive commands say to the user as
// Docker does: the yes/no question before acting and the report after.
// It lives apart from pkg/opts because it does I/O, and apart from
// pkg/formatter because it is neither a table nor a template.
package prompt

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
)

// Confirm prints the question and waits for a line on in, or for the
// context to end (Ctrl-C while the prompt waits). As in Docker, anything
// but y or Y, end of input included, declines.
func Confirm(ctx context.Context, in io.Reader, out io.Writer, question string) (bool, error) {
	fmt.Fprint(out, question+" [y/N] ")
	answer := make(chan bool, 1)
	// The read runs aside so that a cancelled context need not wait for
	// input that may never come.
	go func() {
		s := bufio.NewScanner(in)
		answer <- s.Scan() && strings.EqualFold(strings.TrimSpace(s.Text()), "y")
	}()
	select {
	case <-ctx.Done():
		fmt.Fprintln(out)
		return false, ctx.Err()
	case ok := <-answer:
		return ok, nil
	}
}

// ConfirmUnlessForced is the question a prune asks before it removes
// anything: unless force, it asks as Confirm does and returns declined when
// the answer is not yes, so that the caller goes on only on a nil error.
func ConfirmUnlessForced(ctx context.Context, in io.Reader, out io.Writer, force bool, question string, declined error) error {
	if force {
		return nil
	}
	ok, err := Confirm(ctx, in, out, question)
	if err != nil {
		return err
	}
	if !ok {
		return declined
	}
	return nil
}

// Deleted prints a prune's list of what it removed under heading
// ("Deleted Images"), followed by a blank line; nothing when lines is
// empty.
func Deleted(out io.Writer, heading string, lines []string) {
	if len(lines) > 0 {
		fmt.Fprintf(out, "%s:\n%s\n\n", heading, strings.Join(lines, "\n"))
	}
}

// Reclaimed prints a prune's last line. size comes formatted, since
// image and container prune round it differently.
func Reclaimed(out io.Writer, size string) {
	fmt.Fprintln(out, "Total reclaimed space:", size)
}
