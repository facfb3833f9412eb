package opts

import (
	"fmt"
	"testing"
)

var testKnown = append([]string{"CAP_NET_ADMIN", "CAP_SYS_ADMIN", "CAP_SYS_RESOURCE"}, DefaultCapabilities...)

func TestEffectiveCapAddDrop(t *testing.T) {
	cases := []struct {
		add, drop []string
		want      string // "add drop"
		err       string
	}{
		{want: "[] []"},
		{add: []string{"net_admin", "CAP_NET_ADMIN"}, drop: []string{"Chown"}, want: "[CAP_NET_ADMIN] [CAP_CHOWN]"},
		{add: []string{"all", "net_admin"}, drop: []string{"chown"}, want: "[ALL] [CAP_CHOWN]"},
		{drop: []string{"chown", "ALL"}, want: "[] [ALL]"},
		{add: []string{"kill"}, drop: []string{"kill", "chown"}, want: "[CAP_KILL] [CAP_CHOWN]"},
		{add: []string{"ALL"}, drop: []string{"ALL"}, want: "[ALL] []"},
		{add: []string{"foo"}, err: `unknown capability: "CAP_FOO"`},
		{drop: []string{"cap_bar"}, err: `unknown capability: "CAP_BAR"`},
	}
	for _, c := range cases {
		add, drop, err := EffectiveCapAddDrop(c.add, c.drop, testKnown)
		got := fmt.Sprintf("%v %v", orEmpty(add), orEmpty(drop))
		checkResult(t, "EffectiveCapAddDrop", fmt.Sprint(c.add, c.drop), got, c.want, err, c.err)
	}
}

func orEmpty(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func TestCapabilities(t *testing.T) {
	all := []string{"CAP_CHOWN", "CAP_KILL", "CAP_NET_ADMIN"}
	cases := []struct {
		add, drop []string
		want      string
	}{
		{want: fmt.Sprint(DefaultCapabilities)},
		{add: []string{"ALL"}, drop: []string{"CAP_KILL"}, want: "[CAP_CHOWN CAP_NET_ADMIN]"},
		{add: []string{"CAP_NET_ADMIN"}, drop: []string{"ALL"}, want: "[CAP_NET_ADMIN]"},
		{drop: []string{"ALL"}, want: "[]"},
		{add: []string{"CAP_NET_ADMIN", "CAP_KILL"}, drop: []string{"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_AUDIT_WRITE"}, want: "[CAP_KILL CAP_NET_ADMIN]"},
	}
	for _, c := range cases {
		got := fmt.Sprint(orEmpty(Capabilities(c.add, c.drop, all)))
		if got != c.want {
			t.Errorf("Capabilities(%v, %v) = %s, want %s", c.add, c.drop, got, c.want)
		}
	}
}
