package container

import (
	"errors"
	"fmt"
	"strings"

	"github.com/berth-project/berth/pkg/containerutil"
	"github.com/berth-project/berth/pkg/opts"
	"github.com/berth-project/berth/pkg/referenceutil"
)

// Validate checks the flags before the engine is dialled, so bad input
// fails fast and changes nothing.
func (o *CreateOptions) Validate() error {
	switch o.Pull {
	case "missing", "always", "never":
	default:
		return fmt.Errorf("invalid --pull %q: must be missing, always or never", o.Pull)
	}
	if _, err := referenceutil.Normalize(o.Image); err != nil {
		return err
	}
	if _, err := opts.ParseRestartPolicy(o.Restart); err != nil {
		return err
	}
	if o.Name != "" {
		if err := containerutil.ValidateName(o.Name); err != nil {
			return err
		}
	}
	return o.validateFlags()
}

// Validate checks run's own flags on top of create's.
func (o *RunOptions) Validate(stdinIsTerminal bool) error {
	if err := o.CreateOptions.Validate(); err != nil {
		return err
	}
	if err := o.validateDetachKeys(); err != nil {
		return err
	}
	if o.TTY && o.Interactive && !stdinIsTerminal && !o.Detach {
		return errors.New("the input device is not a TTY")
	}
	if len(o.Attach) > 0 && o.Detach {
		return errors.New("conflicting options: cannot specify both --attach and --detach")
	}
	for _, a := range o.Attach {
		switch strings.ToLower(a) {
		case "stdin", "stdout", "stderr":
		default:
			return fmt.Errorf("invalid argument %q for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR", a)
		}
	}
	if o.Rm && o.Restart != "" && o.Restart != "no" {
		return errors.New("conflicting options: --restart and --rm")
	}
	return nil
}
