package importcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const module = "github.com/berth-project/berth"

// banned are the imports no package under pkg/ may have: the CLI framework,
// and the CLI wiring itself, which would bring the framework in through the
// back door.
var banned = []string{
	"github.com/spf13/cobra",
	"github.com/spf13/pflag",
	module + "/cmd",
}

// pkgInfo is what `go list -json` says of one package.
type pkgInfo struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
	Error        *struct{ Err string }
}

// violations names each package under pkg/ that imports a banned package,
// one line per import.
func violations(pkgs []pkgInfo) []string {
	var out []string
	for _, p := range pkgs {
		if !strings.HasPrefix(p.ImportPath, module+"/pkg/") {
			continue
		}
		for _, set := range []struct {
			where   string
			imports []string
		}{{"", p.Imports}, {" (in its tests)", append(p.TestImports, p.XTestImports...)}} {
			for _, imp := range set.imports {
				for _, b := range banned {
					if imp == b || strings.HasPrefix(imp, b+"/") {
						out = append(out, fmt.Sprintf("%s imports %s%s", p.ImportPath, imp, set.where))
					}
				}
			}
		}
	}
	return out
}

func TestViolations(t *testing.T) {
	pkgs := []pkgInfo{
		{ImportPath: module + "/pkg/cmd/image", Imports: []string{"context", "github.com/spf13/cobra", "github.com/spf13/cobra-extra"}},
		{ImportPath: module + "/pkg/opts", Imports: []string{"github.com/spf13/pflag"}, XTestImports: []string{module + "/cmd/berth/cli"}},
		{ImportPath: module + "/pkg/formatter", Imports: []string{"text/template"}},
		// cmd/ is where cobra belongs.
		{ImportPath: module + "/cmd/berth/image", Imports: []string{"github.com/spf13/cobra"}},
	}
	want := []string{
		module + "/pkg/cmd/image imports github.com/spf13/cobra",
		module + "/pkg/opts imports github.com/spf13/pflag",
		module + "/pkg/opts imports " + module + "/cmd/berth/cli (in its tests)",
	}
	if got := violations(pkgs); !reflect.DeepEqual(got, want) {
		t.Fatalf("violations() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestPkgDoesNotImportCobra keeps STYLE rule 1: pkg/ never imports cobra or
// pflag, not even in tests.
func TestPkgDoesNotImportCobra(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list the imports: %v", err)
	}
	cmd := exec.Command(goBin, "list", "-e", "-json=ImportPath,Imports,TestImports,XTestImports,Error", module+"/pkg/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkgInfo
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkgInfo
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decoding go list output: %v", err)
		}
		if p.Error != nil {
			t.Errorf("go list: %s: %s", p.ImportPath, p.Error.Err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 5 {
		t.Fatalf("go list found only %d packages under pkg/; is this the berth module?", len(pkgs))
	}
	for _, v := range violations(pkgs) {
		t.Errorf("%s: packages under pkg/ must not import the CLI framework or cmd/ (STYLE rule 1); bind flags in cmd/berth", v)
	}
	readSources(t, filepath.Join("..", ".."))
}

// readSources reads every directory and Go file below dir, which is pkg/. go list reads them in another process, which the test cache
// does not see: reading them here makes any change to pkg/ run the test
// again instead of replaying a cached pass.
func readSources(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".go" {
			return err
		}
		_, err = os.ReadFile(path)
		return err
	})
	if err != nil {
		t.Fatalf("reading the sources under pkg/: %v", err)
	}
}
