package system2_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/berth-project/berth/pkg/testutil"
)

// TestDfFollowsWhatIsMade checks that each kind's figures move as Docker's
// do when a volume, a container and an image are made and removed.
func TestDfFollowsWhatIsMade(t *testing.T) {
	img := engine.LoadBusybox(t)
	removeAll(t, []string{"sys2-df"}, []string{"sys2-dfvol"}, nil, []string{"sys2/df:big"})
	before := df(t)
	if b := before["Build Cache"]; b != (dfLine{"Build Cache", "0", "0", "0B", "0B"}) {
		t.Errorf("build cache: %+v", b)
	}

	engine.MustBerth(t, "volume", "create", "sys2-dfvol")
	engine.MustBerth(t, "run", "--name", "sys2-df", "-v", "sys2-dfvol:/data", img,
		"sh", "-c", "head -c 300000 /dev/zero > /data/f && head -c 200000 /dev/zero > /big")
	mid := df(t)
	vb, vm := before["Local Volumes"], mid["Local Volumes"]
	if count(t, vm.TotalCount) != count(t, vb.TotalCount)+1 || count(t, vm.Active) != count(t, vb.Active)+1 {
		t.Errorf("volumes: before %+v, after %+v", vb, vm)
	}
	if got := bytesOf(t, vm.Size) - bytesOf(t, vb.Size); got != 300000 {
		t.Errorf("volumes grew by %d bytes, want the 300000 written: %+v", got, vm)
	}
	if bytesOf(t, vm.Reclaimable) != bytesOf(t, vb.Reclaimable) {
		t.Errorf("a volume in use counted as reclaimable: %+v", vm)
	}
	cb, cm := before["Containers"], mid["Containers"]
	if count(t, cm.TotalCount) != count(t, cb.TotalCount)+1 || cm.Active != cb.Active {
		t.Errorf("containers: before %+v, after %+v", cb, cm)
	}
	if grew := bytesOf(t, cm.Reclaimable) - bytesOf(t, cb.Reclaimable); grew < 200000 {
		t.Errorf("a stopped container's 200kB layer is not reclaimable: %+v -> %+v", cb, cm)
	}
	if count(t, mid["Images"].Active) < 1 {
		t.Errorf("the container's image is not active: %+v", mid["Images"])
	}

	// A second image shares the busybox layer: only its own layer adds.
	engine.LoadImage(t, "sys2/df:big", testutil.WithFiles(testutil.File{Path: "blob", Content: noise(500000)}))
	after := df(t)
	ib, ia := mid["Images"], after["Images"]
	if count(t, ia.TotalCount) != count(t, ib.TotalCount)+1 {
		t.Errorf("images: before %+v, after %+v", ib, ia)
	}
	if grew := bytesOf(t, ia.Size) - bytesOf(t, ib.Size); grew < 500000 || grew > 700000 {
		t.Errorf("images grew by %d bytes for a 500kB layer on a shared base: %+v -> %+v", grew, ib, ia)
	}
	if grew := bytesOf(t, ia.Reclaimable) - bytesOf(t, ib.Reclaimable); grew < 500000 {
		t.Errorf("an unused image is not reclaimable: %+v -> %+v", ib, ia)
	}

	checkDfVerbose(t)

	engine.MustBerth(t, "rm", "sys2-df")
	last := df(t)["Local Volumes"]
	if count(t, last.Active) != count(t, vb.Active) || bytesOf(t, last.Reclaimable)-bytesOf(t, vb.Reclaimable) != 300000 {
		t.Errorf("an unused volume's data is reclaimable: %+v -> %+v", vb, last)
	}
}

func count(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatalf("count %q: %v", s, err)
	}
	return n
}

// noise is n bytes that do not compress away.
func noise(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// checkDfVerbose reads what TestDfFollowsWhatIsMade made in `df -v`.
func checkDfVerbose(t *testing.T) {
	t.Helper()
	r := engine.MustBerth(t, "system", "df", "-v")
	for _, re := range []string{
		`(?m)^Images space usage:\n\nREPOSITORY +TAG +IMAGE ID +CREATED +SIZE +SHARED SIZE +UNIQUE SIZE +CONTAINERS$`,
		`(?m)^sys2/df +big +[0-9a-f]{12} +.+ ago +\S+ +\S+ +\S+ +0$`,
		`(?m)^Containers space usage:\n\nCONTAINER ID +IMAGE +COMMAND +LOCAL VOLUMES +SIZE +CREATED +STATUS +NAMES$`,
		`(?m)^[0-9a-f]{12} +berth.local/busybox:test +"sh -c 'head[^"]*" +1 +\S+ +.+ ago +Exited \(0\) .+ sys2-df$`,
		`(?m)^Local Volumes space usage:\n\nVOLUME NAME +LINKS +SIZE$`,
		`(?m)^sys2-dfvol +1 +300kB$`,
		`(?m)^Build cache usage: 0B\n\nCACHE ID +CACHE TYPE +SIZE +CREATED +LAST USED +USAGE +SHARED$`,
	} {
		if !regexp.MustCompile(re).MatchString(r.Stdout) {
			t.Errorf("df -v does not match %s:\n%s", re, r.Stdout)
		}
	}
	r = engine.MustBerth(t, "system", "df", "-v", "--format", "json")
	var rep struct {
		Images     []map[string]string
		Containers []map[string]string
		Volumes    []map[string]string
		BuildCache []any
	}
	if err := json.Unmarshal([]byte(r.Stdout), &rep); err != nil || rep.BuildCache == nil {
		t.Fatalf("df -v --format json: %v\n%s", err, r.Stdout)
	}
	found := false
	for _, i := range rep.Images {
		if i["Repository"] == "sys2/df" {
			found = true
			// Full IDs outside tables; the busybox layer is shared.
			if len(i["ID"]) != 71 || i["SharedSize"] == "0B" || i["Containers"] != "0" {
				t.Errorf("image entry %v", i)
			}
		}
	}
	if !found {
		t.Errorf("no sys2/df in %v", rep.Images)
	}
	ok := false
	for _, v := range rep.Volumes {
		ok = ok || (v["Name"] == "sys2-dfvol" && v["Links"] == "1" && v["Size"] == "300kB" && v["Driver"] == "local")
	}
	if !ok {
		t.Errorf("volumes %v", rep.Volumes)
	}
	r = engine.MustBerth(t, "system", "df", "--format", "{{.Type}}={{.TotalCount}}")
	if lines := strings.Split(strings.TrimSpace(r.Stdout), "\n"); len(lines) != 4 || !strings.HasPrefix(lines[0], "Images=") ||
		lines[3] != "Build Cache=0" {
		t.Errorf("df --format template:\n%s", r.Stdout)
	}
}
