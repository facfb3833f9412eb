package container

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestSplitCpArg(t *testing.T) {
	for _, tc := range []struct{ in, ctr, path string }{
		{"web:/etc/hosts", "web", "/etc/hosts"},
		{"web:etc", "web", "etc"},
		{"web:", "web", ""},
		{"/abs/path", "", "/abs/path"},
		{"/abs/with:colon", "", "/abs/with:colon"},
		{"./file:name", "", "./file:name"},
		{"../x:y", "", "../x:y"},
		{"relative", "", "relative"},
		{"-", "", "-"},
	} {
		ctr, p := splitCpArg(tc.in)
		if ctr != tc.ctr || p != tc.path {
			t.Errorf("splitCpArg(%q) = %q, %q; want %q, %q", tc.in, ctr, p, tc.ctr, tc.path)
		}
	}
}

func TestContainerPathsKeepTheirAssertions(t *testing.T) {
	for _, tc := range []struct{ in, abs, name string }{
		{"etc", "/etc", "etc"},
		{"/etc/", "/etc/", "etc"},
		{"/etc/.", "/etc/.", "."},
		{"etc/./x/..", "/etc", "etc"},
		{"/", "/", "."},
		{"", "/", "."},
		{".", "/.", "."},
	} {
		abs := containerAbs(tc.in)
		if abs != tc.abs || copyName(abs) != tc.name {
			t.Errorf("%q: abs %q name %q; want %q, %q", tc.in, abs, copyName(abs), tc.abs, tc.name)
		}
	}
}

func TestPlaceCopy(t *testing.T) {
	for _, tc := range []struct {
		name      string
		srcIsDir  bool
		srcName   string
		dst       destInfo
		wantDir   string
		wantName  string
		wantError string
	}{
		{"file into a directory", false, "a.txt", destInfo{"/out", true, true}, "/out", "a.txt", ""},
		{"file over a file", false, "a.txt", destInfo{"/out/b.txt", true, false}, "/out", "b.txt", ""},
		{"file to a new name", false, "a.txt", destInfo{"/out/new", false, false}, "/out", "new", ""},
		{"file to a new directory", false, "a.txt", destInfo{"/out/new/", false, false}, "", "", "no such directory"},
		{"file to new/.", false, "a.txt", destInfo{"/out/new/.", false, false}, "", "", "no such directory"},
		{"directory into a directory", true, "src", destInfo{"/out", true, true}, "/out", "src", ""},
		{"directory contents into a directory", true, ".", destInfo{"/out/.", true, true}, "/out/.", ".", ""},
		{"directory over a file", true, "src", destInfo{"/out/file", true, false}, "", "", "cannot copy directory"},
		{"directory to a new name", true, "src", destInfo{"/out/new", false, false}, "/out", "new", ""},
		{"directory to a new name with a slash", true, "src", destInfo{"/out/new/", false, false}, "/out", "new", ""},
		{"directory contents to a new name", true, ".", destInfo{"/out/new", false, false}, "/out", "new", ""},
	} {
		dir, name, err := placeCopy(tc.srcIsDir, tc.srcName, tc.dst)
		if tc.wantError != "" {
			if err == nil || err.Error() != tc.wantError {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.wantError)
			}
			continue
		}
		if err != nil || dir != tc.wantDir || name != tc.wantName {
			t.Errorf("%s: %q, %q, %v; want %q, %q", tc.name, dir, name, err, tc.wantDir, tc.wantName)
		}
	}
}

func TestLocalDestInfo(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"tofile": "file", "todir": dir, "dangling": "made-up", "loop": "loop"} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		in      string
		want    destInfo
		wantErr string
	}{
		{dir, destInfo{dir, true, true}, ""},
		{file, destInfo{file, true, false}, ""},
		{filepath.Join(dir, "tofile"), destInfo{file, true, false}, ""},
		{filepath.Join(dir, "todir"), destInfo{dir, true, true}, ""},
		{filepath.Join(dir, "dangling"), destInfo{filepath.Join(dir, "made-up"), false, false}, ""},
		{filepath.Join(dir, "new"), destInfo{filepath.Join(dir, "new"), false, false}, ""},
		{filepath.Join(dir, "loop"), destInfo{}, "too many symlinks in " + filepath.Join(dir, "loop")},
		{filepath.Join(dir, "file", "x"), destInfo{}, "lstat " + filepath.Join(file, "x") + ": not a directory"},
		{filepath.Join(dir, "nodir", "x"), destInfo{}, "stat " + filepath.Join(dir, "nodir") + ": no such file or directory"},
	} {
		got, err := localDestInfo(tc.in)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("localDestInfo(%q) error %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("localDestInfo(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestValidateOutputPath(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ in, want string }{
		{filepath.Join(dir, "new"), ""},
		{dir, ""},
		{filepath.Join(dir, "missing", "x"), `invalid output path: directory "` + filepath.Join(dir, "missing") + `" does not exist`},
		{"/dev/null", `invalid output path: "/dev/null" must be a directory or a regular file: got a device`},
	} {
		err := validateOutputPath(tc.in)
		if (tc.want == "" && err != nil) || (tc.want != "" && (err == nil || err.Error() != tc.want)) {
			t.Errorf("validateOutputPath(%q) = %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestCpOptionsValidate(t *testing.T) {
	for _, tc := range []struct{ src, dst, want string }{
		{"", "web:/x", "source can not be empty"},
		{"web:/x", "", "destination can not be empty"},
		{"a", "b", "must specify at least one container source"},
		{"web:/a", "db:/b", "copying between containers is not supported"},
		{"web:/a", ".", ""},
		{"-", "web:/a", ""},
	} {
		o := &CpOptions{Source: tc.src, Destination: tc.dst}
		err := o.Validate()
		if (tc.want == "" && err != nil) || (tc.want != "" && (err == nil || err.Error() != tc.want)) {
			t.Errorf("cp %q %q: %v, want %q", tc.src, tc.dst, err, tc.want)
		}
	}
}

func TestDockerChanges(t *testing.T) {
	raw := []fsChange{
		{'A', "/proc"}, {'A', "/sys"}, {'A', "/dev"}, {'A', "/dev/pts"},
		{'A', "/etc/hosts"}, {'A', "/etc/resolv.conf"},
		{'A', "/run"}, {'A', "/run/secrets"}, {'A', "/run/secrets/token"},
		{'D', "/etc/group"},
		{'A', "/hello"},
		{'A', "/var/lib/app/data"},
		{'A', "/data"}, {'A', "/data/inside-volume"},
		{'C', "/"},
	}
	mounts := []string{"/proc", "/sys", "/dev", "/dev/pts", "/etc/hosts", "/etc/resolv.conf", "/run/secrets/token", "/data"}
	got := dockerChanges(raw, mounts)
	want := []fsChange{
		{'C', "/etc"}, {'D', "/etc/group"}, {'A', "/hello"},
		{'C', "/var"}, {'C', "/var/lib"}, {'C', "/var/lib/app"}, {'A', "/var/lib/app/data"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("dockerChanges:\ngot  %q\nwant %q", got, want)
	}
}
