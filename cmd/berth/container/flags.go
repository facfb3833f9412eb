package container

import (
	"github.com/spf13/cobra"

	"github.com/berth-project/berth/pkg/cmd/container"
)

// bindCreateFlags binds the flags `run` and `create` share. Values that may
// hold commas are StringArrays, not StringSlices (-e A=1,2 is one variable).
func bindCreateFlags(cmd *cobra.Command, o *container.CreateOptions) {
	f := cmd.Flags()
	f.StringVar(&o.Name, "name", "", "Assign a name to the container")
	f.StringVar(&o.Pull, "pull", "missing", `Pull image before running ("always", "missing", "never")`)
	f.StringVar(&o.Platform, "platform", "", "Set platform if server is multi-platform capable")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Suppress the pull output")
	f.BoolVarP(&o.Interactive, "interactive", "i", false, "Keep STDIN open even if not attached")
	f.BoolVarP(&o.TTY, "tty", "t", false, "Allocate a pseudo-TTY")
	f.StringArrayVarP(&o.Env, "env", "e", nil, "Set environment variables")
	f.StringArrayVar(&o.EnvFiles, "env-file", nil, "Read in a file of environment variables")
	f.StringArrayVarP(&o.Labels, "label", "l", nil, "Set meta data on a container")
	f.StringArrayVar(&o.LabelFiles, "label-file", nil, "Read in a line delimited file of labels")
	f.StringVarP(&o.Workdir, "workdir", "w", "", "Working directory inside the container")
	f.StringVarP(&o.User, "user", "u", "", "Username or UID (format: <name|uid>[:<group|gid>])")
	f.StringArrayVar(&o.GroupAdd, "group-add", nil, "Add additional groups to join")
	f.StringVar(&o.Entrypoint, "entrypoint", "", "Overwrite the default ENTRYPOINT of the image")
	f.StringVarP(&o.Hostname, "hostname", "h", "", "Container host name")
	f.StringVar(&o.Domainname, "domainname", "", "Container NIS domain name")
	f.StringVar(&o.StopSignal, "stop-signal", "", "Signal to stop the container")
	f.IntVar(&o.StopTimeout, "stop-timeout", -1, "Timeout (in seconds) to stop a container")
	f.StringVar(&o.Restart, "restart", "no", "Restart policy to apply when a container exits")
	f.StringVar(&o.CIDFile, "cidfile", "", "Write the container ID to the file")
	bindMoreCreateFlags(cmd, o)
}
