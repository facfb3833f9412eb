package netutil

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"

	"github.com/berth-project/berth/pkg/opts"
)

// Host ports picked for `-p 80` come from docker's ephemeral range.
const (
	ephemeralFirst = 32768
	ephemeralLast  = 60999
)

// PortInUseError names a host port that cannot be published.
type PortInUseError struct {
	HostIP string
	Port   int
	Proto  string
	Holder string // a container's name, or "" for another program
}

func (e *PortInUseError) Error() string {
	ip := e.HostIP
	if ip == "" {
		ip = "0.0.0.0"
	}
	addr := net.JoinHostPort(ip, strconv.Itoa(e.Port))
	if e.Holder != "" {
		return fmt.Sprintf("Bind for %s/%s failed: port is already allocated (by container %s)", addr, e.Proto, e.Holder)
	}
	return fmt.Sprintf("Bind for %s/%s failed: port is already in use by another program on the host", addr, e.Proto)
}

// claims are the ports held by live endpoints.
type claims []struct {
	PortMap
	holder string
}

func (c claims) holder(ip string, port int, proto string) (string, bool) {
	for _, x := range c {
		if x.HostPort == port && x.Proto == proto && (x.HostIP == ip || x.HostIP == "" || ip == "" ||
			net.ParseIP(x.HostIP).IsUnspecified() || net.ParseIP(ip).IsUnspecified()) {
			return x.holder, true
		}
	}
	return "", false
}

// liveClaims collects the ports of every live endpoint but id's; dead
// endpoints found on the way are torn down. Called with the lock held.
func liveClaims(ctx context.Context, p Paths, id string) (claims, error) {
	eps, err := Endpoints(p)
	if err != nil {
		return nil, err
	}
	var c claims
	for _, e := range eps {
		if e.ID == id {
			continue
		}
		if !e.Alive() {
			teardown(ctx, p, e, true)
			continue
		}
		for _, pm := range e.Ports {
			c = append(c, struct {
				PortMap
				holder string
			}{pm, e.Name})
		}
	}
	return c, nil
}

// claimPorts turns the plan's bindings into ports to publish: a host port
// left out or given as a range is chosen here, and every port is checked
// against other containers' and against the host's sockets.
func claimPorts(ctx context.Context, p Paths, id string, bindings []opts.PortBinding) ([]PortMap, error) {
	if len(bindings) == 0 {
		return nil, nil
	}
	c, err := liveClaims(ctx, p, id)
	if err != nil {
		return nil, err
	}
	var out []PortMap
	for _, b := range bindings {
		pm := PortMap{HostIP: b.HostIP, ContainerPort: int(b.ContainerPort), Proto: b.Proto}
		if pm.Proto == "" {
			pm.Proto = "tcp"
		}
		first, last := int(b.HostPort), int(b.HostPortEnd)
		if last < first {
			last = first
		}
		if first == 0 {
			first, last = ephemeralFirst, ephemeralLast
		}
		port, err := pickPort(c, pm.HostIP, pm.Proto, first, last, b.HostPort == 0)
		if err != nil {
			return nil, err
		}
		pm.HostPort = port
		c = append(c, struct {
			PortMap
			holder string
		}{pm, "itself"})
		out = append(out, pm)
	}
	return out, nil
}

// pickPort returns the first usable port of first..last (from a random
// start when shuffle), or the error for the only or last one tried.
func pickPort(c claims, ip, proto string, first, last int, shuffle bool) (int, error) {
	n := last - first + 1
	start := 0
	if shuffle {
		start = rand.IntN(n)
	}
	var lastErr error
	for i := 0; i < n; i++ {
		port := first + (start+i)%n
		if holder, taken := c.holder(ip, port, proto); taken {
			lastErr = &PortInUseError{HostIP: ip, Port: port, Proto: proto, Holder: holder}
			continue
		}
		if !bindable(ip, port, proto) {
			lastErr = &PortInUseError{HostIP: ip, Port: port, Proto: proto}
			continue
		}
		return port, nil
	}
	if n > 1 && lastErr != nil {
		return 0, fmt.Errorf("no free host port in %d-%d/%s: %w", first, last, proto, lastErr)
	}
	return 0, lastErr
}

// bindable tries the host socket a published port stands for: a program
// listening there would never see its traffic again.
func bindable(ip string, port int, proto string) bool {
	addr := net.JoinHostPort(ip, strconv.Itoa(port))
	switch proto {
	case "udp":
		l, err := net.ListenPacket("udp", addr)
		if err != nil {
			return false
		}
		l.Close()
	case "tcp":
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return false
		}
		l.Close()
	}
	return true
}

// CheckPorts reports the first fixed host port of bindings that another
// container or program holds, for a check before a container is created.
func CheckPorts(ctx context.Context, p Paths, bindings []opts.PortBinding) error {
	var fixed []opts.PortBinding
	for _, b := range bindings {
		if b.HostPort != 0 && b.HostPortEnd <= b.HostPort {
			fixed = append(fixed, b)
		}
	}
	if len(fixed) == 0 {
		return nil
	}
	lock, err := p.Lock()
	if err != nil {
		return err
	}
	defer lock.Unlock()
	_, err = claimPorts(ctx, p, "", fixed)
	return err
}
