package opts

import (
	"fmt"
	"testing"
)

func TestParseCPUs(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		err  string
	}{
		{in: "", want: 0},
		{in: "1", want: 1e9},
		{in: "0.5", want: 5e8},
		{in: "1.25", want: 1.25e9},
		{in: "3/2", want: 1.5e9},
		{in: "-1", want: -1e9},
		{in: "0.0000000001", err: "value is too precise"},
		{in: "1/3", err: "value is too precise"},
		{in: "abc", err: "failed to parse abc as a rational number"},
		{in: "1e400", err: "value 1e400 is out of range"},
	}
	for _, c := range cases {
		got, err := ParseCPUs(c.in)
		checkResult(t, "ParseCPUs", c.in, got, c.want, err, c.err)
	}
}

func TestParseCPUSet(t *testing.T) {
	cases := []struct {
		in   string
		want string
		err  string
	}{
		{in: "", want: "map[]"},
		{in: "0", want: "map[0:true]"},
		{in: "0-2,5", want: "map[0:true 1:true 2:true 5:true]"},
		{in: "0-x", err: "invalid format: 0-x"},
		{in: "3-1", err: "invalid format: 3-1"},
		{in: "1,,2", err: "invalid format: 1,,2"},
		{in: "-1", err: "invalid format: -1"},
	}
	for _, c := range cases {
		got, err := ParseCPUSet(c.in)
		checkResult(t, "ParseCPUSet", c.in, fmt.Sprint(got), c.want, err, c.err)
	}
}
