package opts

import "testing"

func TestParseDevice(t *testing.T) {
	cases := []struct {
		in   string
		want Device
		err  string
	}{
		{in: "/dev/fuse", want: Device{"/dev/fuse", "/dev/fuse", "rwm"}},
		{in: "/dev/fuse:/dev/f", want: Device{"/dev/fuse", "/dev/f", "rwm"}},
		{in: "/dev/fuse:r", want: Device{"/dev/fuse", "/dev/fuse", "r"}},
		{in: "/dev/fuse:/dev/f:rw", want: Device{"/dev/fuse", "/dev/f", "rw"}},
		{in: "/dev/fuse:/dev/x/../f:mw", want: Device{"/dev/fuse", "/dev/f", "mw"}},
		{in: "rel:/a", want: Device{"rel", "/a", "rwm"}},
		{in: "", err: "bad format for path: "},
		{in: ":/a", err: "bad format for path: :/a"},
		{in: "a:b:c:d", err: "bad format for path: a:b:c:d"},
		{in: "/dev/null:/a:rwz", err: "bad mode specified: rwz"},
		{in: "/dev/null:/a:rr", err: "bad mode specified: rr"},
		{in: "/dev/null:a", err: "a is not an absolute path"},
		{in: "null", err: "null is not an absolute path"},
	}
	for _, c := range cases {
		got, err := ParseDevice(c.in)
		checkResult(t, "ParseDevice", c.in, got, c.want, err, c.err)
	}
}
