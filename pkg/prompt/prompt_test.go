package prompt

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestConfirm(t *testing.T) {
	cases := map[string]bool{"y\n": true, "Y\n": true, " y \n": true, "y": true, "yes\n": false, "n\n": false, "\n": false, "": false}
	for in, want := range cases {
		var out bytes.Buffer
		got, err := Confirm(context.Background(), strings.NewReader(in), &out, "Sure?")
		if err != nil || got != want {
			t.Errorf("%q: got %v, %v; want %v", in, got, err, want)
		}
		if out.String() != "Sure? [y/N] " {
			t.Errorf("%q: printed %q", in, out.String())
		}
	}
}

func TestConfirmCancelled(t *testing.T) {
	r, w := io.Pipe()
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	ok, err := Confirm(ctx, r, &out, "Sure?")
	if ok || !errors.Is(err, context.Canceled) || out.String() != "Sure? [y/N] \n" {
		t.Errorf("got %v, %v, %q", ok, err, out.String())
	}
}

func TestReport(t *testing.T) {
	var out bytes.Buffer
	Deleted(&out, "Deleted Images", nil)
	Reclaimed(&out, "0B")
	Deleted(&out, "Deleted Containers", []string{"a", "b"})
	Reclaimed(&out, "1.5kB")
	want := "Total reclaimed space: 0B\nDeleted Containers:\na\nb\n\nTotal reclaimed space: 1.5kB\n"
	if out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

func TestConfirmUnlessForced(t *testing.T) {
	declined := errors.New("prune has been cancelled")
	cases := []struct {
		name, in string
		force    bool
		err      error
		asked    bool
	}{
		{"forced", "", true, nil, false},
		{"yes", "y\n", false, nil, true},
		{"no", "n\n", false, declined, true},
		{"end of input", "", false, declined, true},
	}
	for _, tc := range cases {
		var out bytes.Buffer
		err := ConfirmUnlessForced(context.Background(), strings.NewReader(tc.in), &out, tc.force, "Sure?", declined)
		if err != tc.err {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.err)
		}
		if asked := out.String() == "Sure? [y/N] "; asked != tc.asked || !asked && out.Len() > 0 {
			t.Errorf("%s: printed %q", tc.name, out.String())
		}
	}
}
