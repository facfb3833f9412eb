package container

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/containerd/console"
)

// defaultDetachKeys is Docker's ctrl-p,ctrl-q.
const defaultDetachKeys = "ctrl-p,ctrl-q"

// parseDetachKeys turns Docker's notation ("ctrl-p,ctrl-q", "a,ctrl-@")
// into the bytes a terminal sends for it.
func parseDetachKeys(spec string) ([]byte, error) {
	if spec == "" {
		spec = defaultDetachKeys
	}
	var keys []byte
	for _, k := range strings.Split(spec, ",") {
		if len(k) == 1 {
			keys = append(keys, k[0])
			continue
		}
		name, ok := strings.CutPrefix(strings.ToLower(k), "ctrl-")
		if !ok || len(name) != 1 {
			return nil, fmt.Errorf("invalid detach keys (%s) provided", spec)
		}
		switch c := name[0]; {
		case c >= 'a' && c <= 'z':
			keys = append(keys, c-'a'+1)
		case c == '@':
			keys = append(keys, 0)
		case c >= '[' && c <= '_':
			keys = append(keys, c-'['+27)
		default:
			return nil, fmt.Errorf("invalid detach keys (%s) provided", spec)
		}
	}
	return keys, nil
}

// detachReader passes its reader's bytes through until the detach keys
// arrive in a row, then fails with errDetached. Bytes that start the
// sequence are held back until it is clear they do not complete it.
type detachReader struct {
	r       io.Reader
	keys    []byte
	matched int
	pending []byte
	// err is errDetached or the reader's error, returned once pending is out.
	err error
}

func (d *detachReader) Read(p []byte) (int, error) {
	if len(d.pending) == 0 && d.err == nil {
		d.fill(len(p))
	}
	n := copy(p, d.pending)
	d.pending = d.pending[n:]
	if len(d.pending) > 0 {
		return n, nil
	}
	err := d.err
	if err != nil && err != errDetached {
		d.err = nil // a later Read asks the reader again, as io.Reader allows
	}
	return n, err
}

// fill reads once from the reader into pending, holding back a started
// sequence and noting the detach or the reader's error in err.
func (d *detachReader) fill(size int) {
	buf := make([]byte, size)
	n, err := d.r.Read(buf)
	for _, b := range buf[:n] {
		if b == d.keys[d.matched] {
			d.matched++
			if d.matched == len(d.keys) {
				d.err = errDetached
				return
			}
			continue
		}
		d.pending = append(d.pending, d.keys[:d.matched]...)
		d.matched = 0
		if b == d.keys[0] {
			d.matched = 1
			continue
		}
		d.pending = append(d.pending, b)
	}
	if err != nil && d.matched > 0 {
		// The input ended within a sequence: what was held back is data.
		d.pending = append(d.pending, d.keys[:d.matched]...)
		d.matched = 0
	}
	d.err = err
}

// copyBuffer copies until src ends; unlike io.Copy it returns errDetached
// after writing what came before the keys.
func copyBuffer(dst io.Writer, src io.Reader) (int64, error) {
	var total int64
	buf := make([]byte, 32*1024)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			w, werr := dst.Write(buf[:n])
			total += int64(w)
			if werr != nil {
				return total, werr
			}
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// rawTerminal puts the caller's terminal, when stdin is one, in raw mode
// and keeps the container's terminal at the window's size through resize.
// It returns the undo.
func rawTerminal(ctx context.Context, resize func(w, h uint32)) func() {
	con, err := console.ConsoleFromFile(os.Stdin)
	if err != nil {
		return func() {}
	}
	if err := con.SetRaw(); err != nil {
		return func() {}
	}
	apply := func() {
		if size, err := con.Size(); err == nil {
			resize(uint32(size.Width), uint32(size.Height))
		}
	}
	apply()
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-winch:
				apply()
			case <-done:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return func() {
		signal.Stop(winch)
		close(done)
		_ = con.Reset()
	}
}
