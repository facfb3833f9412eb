package network_test

import (
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
)

// parallel runs one berth command per argument list at once and returns
// the failures, each with its output. (t.Fatal is only for the test's own
// goroutine, so the commands run through exec directly.)
func parallel(argLists [][]string) []string {
	var (
		mu       sync.Mutex
		failures []string
		wg       sync.WaitGroup
	)
	for _, args := range argLists {
		wg.Add(1)
		go func(args []string) {
			defer wg.Done()
			out, err := engine.Cmd(args...).CombinedOutput()
			if err != nil {
				mu.Lock()
				failures = append(failures, fmt.Sprintf("berth %s: %v\n%s", strings.Join(args, " "), err, out))
				mu.Unlock()
			}
		}(args)
	}
	wg.Wait()
	return failures
}

func TestLoadTenAtOnce(t *testing.T) {
	netCreate(t, "load-ten", "--subnet", "10.252.50.0/24")
	img := image(t)
	var cmds [][]string
	ports := map[string]int{}
	for i := 0; i < 10; i++ {
		name := fmt.Sprintf("load-ten-%d", i)
		ports[name] = freePort(t)
		forceRemove(t, name)
		cmds = append(cmds, append([]string{"run", "-d", "--name", name, "--network", "load-ten",
			"-p", fmt.Sprintf("%d:80", ports[name]), img}, httpd(name)...))
	}
	if f := parallel(cmds); len(f) > 0 {
		t.Fatalf("%d of 10 runs failed:\n%s", len(f), strings.Join(f, "\n"))
	}
	subnet := netip.MustParsePrefix("10.252.50.0/24")
	seen := map[string]string{}
	for name, port := range ports {
		ip := ipOn(t, name, "load-ten")
		a, err := netip.ParseAddr(ip)
		if err != nil || !subnet.Contains(a) {
			t.Fatalf("%s: address %q is not in %s", name, ip, subnet)
		}
		if other, dup := seen[ip]; dup {
			t.Fatalf("%s and %s share the address %s", name, other, ip)
		}
		seen[ip] = name
		waitHTTP(t, fmt.Sprintf("http://127.0.0.1:%d/", port), name)
	}
	if s := snapshot(t); s.Elements["ports4"] < 10 {
		t.Fatalf("ten published ports, %s", s)
	}
}

func TestLoadChurnLeavesNothing(t *testing.T) {
	const total, batch = 200, 20
	netCreate(t, "load-churn")
	runD(t, "load-churn-peer", []string{"--network", "load-churn"}, sleeper...)
	img := image(t)
	base := settled(t)
	baseHosts := hostsLines(t, "load-churn-peer")
	for first := 0; first < total; first += batch {
		var runs [][]string
		names := []string{"rm", "-f"}
		for i := first; i < first+batch; i++ {
			name := fmt.Sprintf("load-churn-%d", i)
			names = append(names, name)
			runs = append(runs, []string{"run", "-d", "--name", name, "--network", "load-churn", "-p", "80", img, "sleep", "1000"})
		}
		forceRemove(t, names[2:]...)
		if f := parallel(runs); len(f) > 0 {
			t.Fatalf("batch at %d: %d of %d runs failed:\n%s", first, len(f), batch, strings.Join(f, "\n"))
		}
		if first == 0 {
			// The first batch is wired, each container once.
			want := base
			for i := 0; i < batch; i++ {
				want = want.plus("ports4")
			}
			waitState(t, "the first batch wired", want, "load-churn-peer", baseHosts+batch)
		}
		engine.MustBerth(t, names...)
	}
	waitState(t, fmt.Sprintf("clean after %d containers came and went", total), base, "load-churn-peer", baseHosts)
}

func TestLoadSamePortAtOnce(t *testing.T) {
	img := image(t)
	hp := freePort(t)
	// A container on the default network first, for the base to have it
	// and berth's table.
	runD(t, "load-peer", nil, sleeper...)
	base := settled(t)
	var cmds [][]string
	for i := 0; i < 4; i++ {
		name := fmt.Sprintf("load-same-%d", i)
		forceRemove(t, name)
		cmds = append(cmds, append([]string{"run", "-d", "--name", name, "-p", fmt.Sprintf("%d:80", hp), img}, httpd(name)...))
	}
	failures := parallel(cmds)
	if len(failures) != 3 {
		t.Fatalf("four containers asked for host port %d at once: want one to get it, %d failed:\n%s", hp, len(failures), strings.Join(failures, "\n"))
	}
	for _, f := range failures {
		if !strings.Contains(f, fmt.Sprint(hp)) {
			t.Errorf("the refusal must name the port %d:\n%s", hp, f)
		}
	}
	waitState(t, "one container wired with the port", base.plus("ports4"), "", 0)
	body, err := httpGet(fmt.Sprintf("http://127.0.0.1:%d/", hp))
	if err != nil || !strings.HasPrefix(body, "load-same-") {
		t.Fatalf("the port answers with %q, %v", body, err)
	}
	var running []string
	for _, n := range strings.Fields(engine.MustBerth(t, "ps", "--format", "{{.Names}}").Stdout) {
		if strings.HasPrefix(n, "load-same-") {
			running = append(running, n)
		}
	}
	if len(running) != 1 || running[0] != body {
		t.Fatalf("want only %s, which answers on the port, running: %q", body, running)
	}
}
