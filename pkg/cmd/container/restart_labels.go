package container

import (
	"fmt"

	"github.com/berth-project/berth/pkg/containerutil"
)

// restartLabels are the restart monitor's labels for a policy. Docker's
// "no" is no label at all: for the monitor an empty policy means "always".
func restartLabels(p containerutil.RestartPolicy) map[string]string {
	switch p.Name {
	case "", "no":
		return nil
	case "on-failure":
		if p.MaximumRetryCount > 0 {
			return map[string]string{containerutil.RestartPolicyLabel: fmt.Sprintf("on-failure:%d", p.MaximumRetryCount)}
		}
	}
	return map[string]string{containerutil.RestartPolicyLabel: p.Name}
}
