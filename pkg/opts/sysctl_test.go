package opts

import (
	"fmt"
	"testing"
)

func TestParseSysctl(t *testing.T) {
	cases := []struct {
		in   string
		want string
		err  string
	}{
		{in: "net.ipv4.ip_forward=1", want: "net.ipv4.ip_forward 1"},
		{in: "kernel.shmmax=65536", want: "kernel.shmmax 65536"},
		{in: "fs.mqueue.msg_max=20", want: "fs.mqueue.msg_max 20"},
		{in: "net.x=1=2", want: "net.x 1=2"},
		{in: "foo", err: "sysctl 'foo' is not allowed"},
		{in: "kernel.shmmax", err: "sysctl 'kernel.shmmax' is not allowed"},
		{in: "kernel.hostname=x", err: "sysctl 'kernel.hostname=x' is not allowed"},
		{in: "vm.swappiness=1", err: "sysctl 'vm.swappiness=1' is not allowed"},
	}
	for _, c := range cases {
		k, v, err := ParseSysctl(c.in)
		checkResult(t, "ParseSysctl", c.in, k+" "+v, c.want, err, c.err)
	}
	if !IsIPCSysctl("kernel.sem") || !IsIPCSysctl("fs.mqueue.msg_max") || IsIPCSysctl("net.core.somaxconn") {
		t.Error("IsIPCSysctl misclassifies")
	}
	var vals []string
	v := NewSysctls(&vals)
	if v.String() != "map[]" || v.Type() != "map" {
		t.Errorf("empty value prints %q (%s)", v.String(), v.Type())
	}
	_ = v.Set("net.a=1")
	_ = v.Set("net.a=2")
	if got := fmt.Sprint(v.String()); got != "map[net.a:2]" {
		t.Errorf("String() = %q", got)
	}
}
