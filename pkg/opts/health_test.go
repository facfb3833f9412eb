package opts

import (
	"fmt"
	"testing"
	"time"
)

func TestHealthFlags(t *testing.T) {
	cases := []struct {
		in   HealthFlags
		want string
		err  string
	}{
		{in: HealthFlags{}, want: "<nil>"},
		{in: HealthFlags{None: true}, want: "&{[NONE] 0s 0s 0s 0s 0}"},
		{in: HealthFlags{Cmd: "true", Interval: time.Second, Retries: 2}, want: "&{[CMD-SHELL true] 1s 0s 0s 0s 2}"},
		{in: HealthFlags{Timeout: 3 * time.Second}, want: "&{[] 0s 3s 0s 0s 0}"},
		{in: HealthFlags{None: true, Cmd: "true"}, err: "--no-healthcheck conflicts with --health-* options"},
		{in: HealthFlags{Interval: -time.Second}, err: "--health-interval cannot be negative"},
		{in: HealthFlags{Timeout: -time.Second}, err: "--health-timeout cannot be negative"},
		{in: HealthFlags{StartPeriod: -time.Second}, err: "--health-start-period cannot be negative"},
		{in: HealthFlags{Retries: -1}, err: "--health-retries cannot be negative"},
		{in: HealthFlags{Interval: time.Microsecond}, err: "Interval in Healthcheck cannot be less than 1ms"},
		{in: HealthFlags{Timeout: time.Microsecond}, err: "Timeout in Healthcheck cannot be less than 1ms"},
	}
	for _, c := range cases {
		h, err := c.in.Healthcheck()
		got := fmt.Sprint(h)
		if h != nil {
			got = fmt.Sprintf("&%v", *h)
		}
		checkResult(t, "Healthcheck", fmt.Sprintf("%+v", c.in), got, c.want, err, c.err)
	}
}

func TestMergeHealthcheck(t *testing.T) {
	image := &Healthcheck{Test: []string{"CMD", "true"}, Interval: time.Minute, Timeout: time.Second, Retries: 5}
	cases := []struct {
		own, image *Healthcheck
		want       string
	}{
		{nil, nil, "<nil>"},
		{nil, image, "&{[CMD true] 1m0s 1s 0s 0s 5}"},
		{&Healthcheck{Interval: time.Second}, image, "&{[CMD true] 1s 1s 0s 0s 5}"},
		{&Healthcheck{Test: []string{"CMD-SHELL", "x"}, Retries: 1}, image, "&{[CMD-SHELL x] 1m0s 1s 0s 0s 1}"},
		{&Healthcheck{Test: []string{"NONE"}}, image, "&{[NONE] 1m0s 1s 0s 0s 5}"},
		{&Healthcheck{Test: []string{"CMD-SHELL", "x"}}, nil, "&{[CMD-SHELL x] 0s 0s 0s 0s 0}"},
	}
	for _, c := range cases {
		h := MergeHealthcheck(c.own, c.image)
		got := fmt.Sprint(h)
		if h != nil {
			got = fmt.Sprintf("&%v", *h)
		}
		if got != c.want {
			t.Errorf("MergeHealthcheck(%v, %v) = %s, want %s", c.own, c.image, got, c.want)
		}
	}
	if image.Interval != time.Minute {
		t.Error("MergeHealthcheck changed the image's check")
	}
}
