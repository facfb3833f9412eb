package system2_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/berth-project/berth/pkg/testutil"
)

// pruneSetup makes one of each thing system prune looks at, and returns
// the anonymous volume the stopped container left and the ID of the image
// left dangling.
func pruneSetup(t *testing.T, img string) (anon, dangling string) {
	t.Helper()
	engine.MustBerth(t, "network", "create", "sys2-usednet")
	engine.MustBerth(t, "network", "create", "sys2-idlenet")
	engine.MustBerth(t, "volume", "create", "sys2-named-idle")
	// In use: a running container's image, volume and network.
	engine.MustBerth(t, "run", "-d", "--name", "sys2-keep", "--network", "sys2-usednet",
		"-v", "sys2-used:/data", img, "sleep", "300")
	// Unused once the stopped container goes: its anonymous volume (left
	// by rm without -v) and its image.
	engine.LoadImage(t, "sys2/stopped:1", testutil.WithFiles(testutil.File{Path: "stopped", Content: []byte("s")}))
	engine.MustBerth(t, "create", "--name", "sys2-gone", "-v", "/anon", "sys2/stopped:1", "true")
	anon = strings.TrimSpace(engine.MustBerth(t, "inspect", "--format", "{{range .Mounts}}{{.Name}}{{end}}", "sys2-gone").Stdout)
	engine.MustBerth(t, "create", "--name", "sys2-gone2", "-v", "/anon", img, "true")
	engine.MustBerth(t, "rm", "sys2-gone2") // leaves its anonymous volume
	// A dangling image: its name loaded again with other content.
	engine.LoadImage(t, "sys2/dangle:1", testutil.WithFiles(testutil.File{Path: "v", Content: []byte("1")}))
	dangling = strings.TrimSpace(engine.MustBerth(t, "image", "inspect", "--format", "{{.Id}}", "sys2/dangle:1").Stdout)
	engine.LoadImage(t, "sys2/dangle:1", testutil.WithFiles(testutil.File{Path: "v", Content: []byte("2")}))
	return anon, dangling
}

func TestSystemPrune(t *testing.T) {
	img := engine.LoadBusybox(t)
	removeAll(t, []string{"sys2-keep", "sys2-gone", "sys2-gone2"}, []string{"sys2-used", "sys2-named-idle"},
		[]string{"sys2-usednet", "sys2-idlenet"}, []string{"sys2/stopped:1", "sys2/dangle:1"})
	// Leftovers of other tests are not this test's business.
	engine.MustBerth(t, "system", "prune", "-f", "--volumes")
	anon, dangling := pruneSetup(t, img)
	gone := strings.TrimSpace(engine.MustBerth(t, "inspect", "--format", "{{.Id}}", "sys2-gone").Stdout)

	// Declined: nothing changes.
	r := engine.BerthIn(t, strings.NewReader("n\n"), "system", "prune", "--volumes")
	wantPrompt := `WARNING! This will remove:
  - all stopped containers
  - all networks not used by at least one container
  - all anonymous volumes not used by at least one container
  - all dangling images

Are you sure you want to continue? [y/N] `
	if r.ExitCode != 0 || r.Stdout != wantPrompt {
		t.Fatalf("declined prune:\n%s", r)
	}
	if !exists(t, "container", "sys2-gone") || !exists(t, "network", "sys2-idlenet") || !exists(t, "volume", anon) {
		t.Fatal("a declined prune removed something")
	}

	r = engine.BerthIn(t, strings.NewReader("y\n"), "system", "prune", "--volumes")
	anons := anonymousVolumes(t, r.Stdout)
	want := regexp.MustCompile(`(?s)^` + regexp.QuoteMeta(wantPrompt) + "Deleted Containers:\n" + gone + "\n\n" +
		"Deleted Networks:\nsys2-idlenet\n\n" +
		"Deleted Volumes:\n(" + strings.Join(anons, "\n") + ")\n\n" +
		"Deleted Images:\n(untagged: [^\n]+\n)*deleted: " + regexp.QuoteMeta(dangling) + "\n\n" +
		`Total reclaimed space: [0-9.]+[kM]?B\n$`)
	if r.ExitCode != 0 || !want.MatchString(r.Stdout) || len(anons) != 2 || !contains(anons, anon) {
		t.Fatalf("prune output does not match %s:\n%s", want, r)
	}
	for _, kept := range [][2]string{{"container", "sys2-keep"}, {"volume", "sys2-used"}, {"volume", "sys2-named-idle"},
		{"network", "sys2-usednet"}, {"image", img}, {"image", "sys2/stopped:1"}, {"image", "sys2/dangle:1"}} {
		if !exists(t, kept[0], kept[1]) {
			t.Errorf("prune removed the %s %s", kept[0], kept[1])
		}
	}
	for _, removed := range [][2]string{{"container", "sys2-gone"}, {"network", "sys2-idlenet"}, {"volume", anon}, {"image", dangling}} {
		if exists(t, removed[0], removed[1]) {
			t.Errorf("prune kept the %s %s", removed[0], removed[1])
		}
	}

	// -a: every image no container uses, the running container's kept.
	r = engine.MustBerth(t, "system", "prune", "-a", "-f")
	if !strings.Contains(r.Stdout, "Deleted Images:\nuntagged: sys2/stopped:1\n") || strings.Contains(r.Stdout, "Deleted Containers") ||
		strings.Contains(r.Stdout, "Deleted Volumes") {
		t.Errorf("prune -a:\n%s", r)
	}
	if exists(t, "image", "sys2/stopped:1") || exists(t, "image", "sys2/dangle:1") || !exists(t, "image", img) {
		t.Error("prune -a: the unused images go, the running container's stays")
	}
	if !exists(t, "volume", "sys2-named-idle") {
		t.Error("a named volume is not pruned without volume prune -a")
	}
	r = engine.MustBerth(t, "system", "prune", "-f")
	if r.Stdout != "Total reclaimed space: 0B\n" {
		t.Errorf("a second prune:\n%s", r)
	}
}

// anonymousVolumes are the 64-hex names of a prune report's volumes.
func anonymousVolumes(t *testing.T, out string) []string {
	t.Helper()
	_, section, _ := strings.Cut(out, "Deleted Volumes:\n")
	section, _, _ = strings.Cut(section, "\n\n")
	return regexp.MustCompile(`(?m)^[0-9a-f]{64}$`).FindAllString(section, -1)
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

func TestSystemPruneFilters(t *testing.T) {
	img := engine.LoadBusybox(t)
	removeAll(t, []string{"sys2-lab", "sys2-nolab"}, nil, []string{"sys2-labnet"}, nil)
	engine.MustBerth(t, "create", "--name", "sys2-lab", "-l", "sys2=prune", img, "true")
	engine.MustBerth(t, "create", "--name", "sys2-nolab", img, "true")
	engine.MustBerth(t, "network", "create", "--label", "sys2=prune", "sys2-labnet")
	r := engine.BerthIn(t, strings.NewReader("y\n"), "system", "prune", "--filter", "label=sys2=prune")
	if !strings.Contains(r.Stdout, "\n  Items to be pruned will be filtered with:\n  - label=sys2=prune\n\nAre you sure") ||
		!strings.Contains(r.Stdout, "Deleted Networks:\nsys2-labnet\n") {
		t.Fatalf("prune --filter label:\n%s", r)
	}
	if exists(t, "container", "sys2-lab") || !exists(t, "container", "sys2-nolab") {
		t.Error("label=: only the labelled container goes")
	}
	// until=: nothing made in the last hour goes.
	r = engine.MustBerth(t, "system", "prune", "-f", "--filter", "until=1h")
	if !exists(t, "container", "sys2-nolab") || strings.Contains(r.Stdout, "Deleted Containers") {
		t.Errorf("until=1h removed a new container:\n%s", r)
	}
	for _, bad := range []struct {
		args []string
		err  string
	}{
		{[]string{"--filter", "dangling=true"}, "berth: invalid filter 'dangling'\n"},
		{[]string{"--filter", "until=soon"}, "berth: failed to parse value as time or duration: \"soon\"\n"},
		{[]string{"--volumes", "--filter", "until=1h"}, "berth: invalid filter 'until': volumes cannot be filtered by age; prune without --volumes, then run `berth volume prune`\n"},
	} {
		r := engine.Berth(t, append([]string{"system", "prune", "-f"}, bad.args...)...)
		if r.ExitCode != 125 || r.Stderr != bad.err || r.Stdout != "" {
			t.Errorf("bad input %v:\n%s", bad.args, r)
		}
	}
	if !exists(t, "container", "sys2-nolab") {
		t.Error("refused input removed something")
	}
}

// TestSystemPruneWhileCreating runs prunes while containers are being
// made. The containers carry a label the prunes' filter excludes, so that
// the prunes may not take them; their anonymous volumes have no such label
// and are taken as soon as no container uses them. A create holds the
// volumes it makes from before it makes its container until the
// container's metadata names them, so no prune may take one in between:
// every container ends up with its volumes, the image's content in them.
func TestSystemPruneWhileCreating(t *testing.T) {
	img := engine.LoadBusybox(t)
	const n = 12
	var names []string
	for i := 0; i < n; i++ {
		names = append(names, fmt.Sprintf("sys2-race%d", i))
	}
	removeAll(t, names, nil, nil, nil)
	t.Cleanup(func() { engine.Berth(t, "volume", "prune", "-f") })
	stop := make(chan struct{})
	var wg sync.WaitGroup
	prunes := 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			r := engine.Berth(t, "system", "prune", "-f", "--volumes", "--filter", "label!=sys2-race")
			if r.ExitCode != 0 {
				t.Errorf("prune failed:\n%s", r)
				return
			}
			if strings.Contains(r.Stdout, "Deleted Containers") {
				t.Errorf("a prune took a container its filter excludes:\n%s", r)
			}
			prunes++
		}
	}()
	var creates sync.WaitGroup
	for i, name := range names {
		creates.Add(1)
		go func() {
			defer creates.Done()
			// An anonymous volume, and one that create fills with the
			// image's /bin.
			r := engine.Berth(t, "create", "--name", name, "-l", "sys2-race=1", "-v", "/anon", "-v", "/bin", img, "true")
			if r.ExitCode != 0 {
				t.Errorf("create failed while prunes ran:\n%s", r)
			}
		}()
		if i%2 == 1 {
			creates.Wait()
		}
	}
	creates.Wait()
	close(stop)
	wg.Wait()
	if prunes == 0 {
		t.Fatal("no prune ran during the creates")
	}
	t.Logf("%d prunes ran during %d creates", prunes, n)
	for _, name := range names {
		r := engine.MustBerth(t, "inspect", "--format", "{{range .Mounts}}{{.Name}}={{.Source}} {{end}}", name)
		mounts := strings.Fields(r.Stdout)
		if len(mounts) != 2 {
			t.Errorf("%s: mounts %q", name, mounts)
			continue
		}
		for _, m := range mounts {
			vol, src, _ := strings.Cut(m, "=")
			if !exists(t, "volume", vol) {
				t.Errorf("%s: its volume %s was pruned", name, vol)
			}
			if _, err := os.Stat(src); err != nil {
				t.Errorf("%s: the data of its volume %s: %v", name, vol, err)
			}
		}
		bin := strings.TrimSpace(engine.MustBerth(t, "inspect", "--format", `{{range .Mounts}}{{if eq .Destination "/bin"}}{{.Source}}{{end}}{{end}}`, name).Stdout)
		if _, err := os.Stat(filepath.Join(bin, "busybox")); err != nil {
			t.Errorf("%s: the image's /bin is not in its volume: %v", name, err)
		}
	}
	engine.MustBerth(t, append([]string{"rm", "-v"}, names...)...)
}
