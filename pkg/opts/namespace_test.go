package opts

import "testing"

func TestNamespaceModes(t *testing.T) {
	cases := []struct {
		check func(string) error
		in    string
		err   string
	}{
		{ValidateIPCMode, "", ""},
		{ValidateIPCMode, "none", ""},
		{ValidateIPCMode, "private", ""},
		{ValidateIPCMode, "shareable", ""},
		{ValidateIPCMode, "host", ""},
		{ValidateIPCMode, "container:web", ""},
		{ValidateIPCMode, "container:", "invalid IPC mode: container:"},
		{ValidateIPCMode, "foo", "invalid IPC mode: foo"},
		{ValidatePIDMode, "host", ""},
		{ValidatePIDMode, "container:web", ""},
		{ValidatePIDMode, "container:", "--pid: invalid PID mode"},
		{ValidatePIDMode, "private", "--pid: invalid PID mode"},
		{ValidateUTSMode, "host", ""},
		{ValidateUTSMode, "foo", "--uts: invalid UTS mode"},
		{ValidateCgroupnsMode, "host", ""},
		{ValidateCgroupnsMode, "private", ""},
		{ValidateCgroupnsMode, "foo", "--cgroupns: invalid CGROUP mode"},
	}
	for _, c := range cases {
		err := c.check(c.in)
		checkResult(t, "mode", c.in, 0, 0, err, c.err)
	}
	if ContainerMode("container:web") != "web" || ContainerMode("host") != "" {
		t.Error("ContainerMode")
	}
}
