package volume_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestBadMountsLeaveNothing runs each bad volume flag with run and with
// create: exit 125, Docker's message, and nothing made: no container, no
// volume, no host directory, and the name is free again.
func TestBadMountsLeaveNothing(t *testing.T) {
	img := volImage(t)
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	const chars = `includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`
	plain := func(msg string) string { return "berth: " + msg + "\n" }
	flag := func(cmd, msg string) string { return "berth: " + msg + "\nSee 'berth " + cmd + " --help'.\n" }
	cases := []struct {
		args []string
		want func(cmd string) string
	}{
		// A relative bind source is a volume name, and not a valid one.
		{[]string{"-v", "data/sub:/x", "-v", "bad-a:/y"}, func(string) string { return plain(`create data/sub: "data/sub" ` + chars) }},
		{[]string{"--mount", "type=volume,src=..,dst=/x"}, func(string) string { return plain(`create ..: ".." ` + chars) }},
		{[]string{"--mount", "src=a/../b,dst=/x"}, func(string) string { return plain(`create a/../b: "a/../b" ` + chars) }},
		{[]string{"--mount", "type=bind,src=rel,dst=/x"}, func(string) string {
			return plain(`invalid mount config for type "bind": invalid mount path: 'rel' mount path must be absolute`)
		}},
		{[]string{"--mount", "type=bind,src=/tmp,dst=/x,foo=bar"}, func(c string) string {
			return flag(c, `invalid argument "type=bind,src=/tmp,dst=/x,foo=bar" for "--mount" flag: unexpected key 'foo' in 'foo=bar'`)
		}},
		{[]string{"--mount", "type=bind,src=/tmp"}, func(c string) string {
			return flag(c, `invalid argument "type=bind,src=/tmp" for "--mount" flag: target is required`)
		}},
		{[]string{"--mount", "type=nfs,src=/tmp,dst=/x"}, func(string) string { return plain(`invalid mount config for type "nfs": mount type unknown`) }},
		{[]string{"-v", "bad-b:/y", "--mount", "type=bind,src=" + missing + ",dst=/x"}, func(string) string {
			return plain(`invalid mount config for type "bind": bind source path does not exist: ` + missing)
		}},
		{[]string{"-v", "/a:/x:rw,ro"}, func(string) string { return plain("invalid mode: rw,ro") }},
		{[]string{"-v", "/a::ro"}, func(string) string { return plain("invalid spec: /a::ro: empty section between colons") }},
		{[]string{"-v", "/a:/b:ro:z"}, func(string) string { return plain("invalid spec: /a:/b:ro:z: too many colons") }},
		{[]string{"-v", "/a:ro"}, func(string) string { return plain("invalid volume specification: '/a:ro'") }},
		{[]string{"-v", "bad-c:/"}, func(string) string {
			return plain(`invalid volume specification: 'bad-c:/': invalid mount config for type "volume": invalid specification: destination can't be '/'`)
		}},
		{[]string{"-v", "bad-d:/x", "-v", "/tmp:/x"}, func(string) string { return plain("Duplicate mount point: /x") }},
		{[]string{"--tmpfs", "/x", "--mount", "type=tmpfs,dst=/x/"}, func(string) string { return plain("Duplicate mount point: /x") }},
		{[]string{"--volumes-from", "no-such-ctr", "-v", "bad-e:/y"}, func(string) string { return plain("No such container: no-such-ctr") }},
		{[]string{"--volumes-from", "x:rshared"}, func(string) string { return plain("invalid mode: rshared") }},
		{[]string{"--volume-driver", "nfs", "-v", "bad-f:/y"}, func(string) string {
			return plain(`create bad-f: error looking up volume plugin nfs: plugin "nfs" not found`)
		}},
		// The image's VOLUME needs a volume too.
		{[]string{"--volume-driver", "nfs"}, func(string) string {
			return plain(`create: error looking up volume plugin nfs: plugin "nfs" not found`)
		}},
		// Fails after the volumes are made: they are taken back.
		{[]string{"-v", "bad-g:/y", "-v", missing + ":/m", "--mount", "type=volume,src=bad-h,dst=/x,volume-opt=type=none,volume-opt=device=" + missing + "-dev,volume-opt=o=bind"},
			func(string) string {
				mp := filepath.Join(engine.DataRoot, "default", "volumes", "bad-h", "_data")
				return plain("error while mounting volume '" + mp + "': failed to mount local volume: mount " + missing + "-dev:" + mp + ", flags: 0x1000: no such file or directory")
			}},
		{[]string{"--mount", "src=bad-i,dst=/x,volume-subpath=sub"}, func(string) string { return plain("--mount volume-subpath is not supported yet") }},
	}
	beforeCtrs, beforeVols := containers(t), volumes(t)
	for _, c := range cases {
		for _, cmd := range []string{"run", "create"} {
			args := append(append([]string{cmd, "--name", "bad-mount"}, c.args...), img, "true")
			if cmd == "run" {
				args = append([]string{"run", "--rm"}, args[1:]...)
			}
			r := engine.Berth(t, args...)
			if want := c.want(cmd); r.ExitCode != 125 || r.Stderr != want || r.Stdout != "" {
				t.Errorf("%s %v:\nwant exit 125 and %q\n%s", cmd, c.args, want, r)
			}
			if got := added(beforeCtrs, containers(t)); len(got) != 0 {
				t.Fatalf("%s %v left containers %v", cmd, c.args, got)
			}
			if got := added(beforeVols, volumes(t)); len(got) != 0 {
				t.Fatalf("%s %v left volumes %v", cmd, c.args, got)
			}
			if _, err := os.Stat(missing); err == nil {
				t.Fatalf("%s %v left the host directory %s", cmd, c.args, missing)
			}
		}
	}
	// The name was never held for long, and relative sources with ".." are
	// host paths.
	cmd := engine.Cmd("run", "--rm", "--name", "bad-mount", "-v", "../rel-up:/x", img, "true")
	cmd.Dir = filepath.Join(dir, "sub")
	if err := os.Mkdir(cmd.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("-v ../rel-up:/x: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "rel-up")); err != nil {
		t.Fatalf("-v ../rel-up did not bind %s/rel-up: %v", dir, err)
	}
	if got := added(beforeVols, volumes(t)); !slices.Equal(got, nil) {
		t.Fatalf("volumes made: %v", got)
	}
	if strings.Contains(strings.Join(volumes(t), " "), "bad-") {
		t.Fatal("a bad- volume is left")
	}
}
