package storage_test

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-project/berth/pkg/testutil"
)

func TestDiff(t *testing.T) {
	ctr := running(t, "--tmpfs", "/scratch")
	exec(t, ctr, `echo new > /hello && echo changed >> /etc/passwd && rm /etc/group && mkdir -p /var/lib/app &&
touch /var/lib/app/db && rm -r /root && touch /scratch/not-listed`)
	want := "C /etc\nD /etc/group\nC /etc/passwd\nA /hello\nD /root\nA /var\nA /var/lib\nA /var/lib/app\nA /var/lib/app/db\n"
	expect(t, berth(t, "diff", ctr), 0, want, "")
	mustBerth(t, "stop", "-t", "0", ctr)
	expect(t, berth(t, "container", "diff", ctr), 0, want, "")

	fresh := ctrName(t) + "-fresh"
	mustBerth(t, "create", "--name", fresh, busybox(t), "true")
	t.Cleanup(func() { berth(t, "rm", "-f", fresh) })
	expect(t, berth(t, "diff", fresh), 0, "", "")
	expect(t, berth(t, "diff", "nosuch"), 125, "", "berth: No such container: nosuch\n")
}

func TestExportThenImport(t *testing.T) {
	ctr := running(t, "--tmpfs", "/scratch")
	exec(t, ctr, "echo exported > /hello && rm /etc/group && touch /scratch/not-exported")

	r := berth(t, "export", ctr)
	if r.ExitCode != 0 {
		t.Fatalf("export:\n%s", r)
	}
	names := tarEntryNames(t, []byte(r.Stdout))
	for _, want := range []string{"bin/", "bin/busybox", "bin/sh", "hello", "etc/passwd", "tmp/", "scratch/"} {
		if !names[want] {
			t.Errorf("the export lacks %q", want)
		}
	}
	for _, unwanted := range []string{"etc/group", "scratch/not-exported", "./", "/"} {
		if names[unwanted] {
			t.Errorf("the export holds %q", unwanted)
		}
	}

	// export -o, then import the file with changes and a name.
	file := filepath.Join(t.TempDir(), "fs.tar")
	expect(t, berth(t, "container", "export", "-o", file, ctr), 0, "", "")
	ref := "berth-test/import:file"
	cleanupImages(t, ref)
	id := mustImageID(t, "import", "-c", `CMD ["cat", "/hello"]`, "-c", "ENV IMPORTED=1", file, ref)
	expect(t, berth(t, "run", "--rm", ref), 0, "exported\n", "")
	expect(t, berth(t, "run", "--rm", ref, "sh", "-c", "echo $IMPORTED; test -e /etc/group || echo no group"), 0, "1\nno group\n", "")
	expect(t, berth(t, "history", "--format", "{{.ID}}|{{.CreatedBy}}|{{.Comment}}", ref), 0,
		strings.TrimPrefix(id, "sha256:")[:12]+"||Imported from -\n", "")

	// From stdin, compressed, with a message, under `image import`.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(r.Stdout))
	zw.Close()
	ref2 := "berth-test/import:stdin"
	cleanupImages(t, ref2)
	r = berthIn(t, &gz, "image", "import", "-m", "from a pipe", "-", ref2)
	if r.ExitCode != 0 || !imageIDLine.MatchString(r.Stdout) {
		t.Fatalf("import -:\n%s", r)
	}
	expect(t, berth(t, "history", "--format", "{{.Comment}}", ref2), 0, "from a pipe\n", "")
	expect(t, berth(t, "run", "--rm", ref2, "cat", "/hello"), 0, "exported\n", "")
}

func TestImportFromURL(t *testing.T) {
	ctr := stopped(t, "echo from-url > /hello")
	r := berth(t, "export", ctr)
	if r.ExitCode != 0 {
		t.Fatalf("export:\n%s", r)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != "/fs.tar" {
			http.NotFound(w, req)
			return
		}
		w.Write([]byte(r.Stdout))
	}))
	defer srv.Close()
	ref := "berth-test/import:url"
	cleanupImages(t, ref)
	mustImageID(t, "import", srv.URL+"/fs.tar", ref)
	expect(t, berth(t, "run", "--rm", ref, "cat", "/hello"), 0, "from-url\n", "")
	expect(t, berth(t, "history", "--format", "{{.Comment}}", ref), 0, "Imported from "+srv.URL+"/fs.tar\n", "")
	expect(t, berth(t, "import", srv.URL+"/missing.tar"), 125, "", "berth: downloading "+srv.URL+"/missing.tar: 404 Not Found\n")
}

func TestImportRefusesBadArchives(t *testing.T) {
	busybox(t)
	before := mustBerth(t, "images", "-a", "-q", "--no-trunc").Stdout
	dir := t.TempDir()
	var corrupt bytes.Buffer
	if err := testutil.WriteEvilArchive(&corrupt, testutil.EvilCorrupt); err != nil {
		t.Fatal(err)
	}
	good := tarOf(t, map[string]string{"a/": "", "a/file": strings.Repeat("x", 4096)})
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"corrupt", corrupt.Bytes(), "berth: invalid archive: not a tar archive (archive/tar: invalid tar header)\n"},
		{"truncated", good[:1536+1000], "berth: invalid archive: entry \"a/file\" is truncated\n"},
		{"empty", nil, "berth: invalid archive: the archive is empty\n"},
		{"escaping", tarOf(t, map[string]string{"../" + testutil.EvilMarker: "evil"}),
			"berth: invalid archive: entry \"../berth-evil\" escapes the archive\n"},
	} {
		file := filepath.Join(dir, tc.name+".tar")
		if err := os.WriteFile(file, tc.data, 0o644); err != nil {
			t.Fatal(err)
		}
		expect(t, berth(t, "import", file, "berth-test/import:"+tc.name), 125, "", tc.want)
		expect(t, berthIn(t, bytes.NewReader(tc.data), "import", "-", "berth-test/import:"+tc.name), 125, "", tc.want)
	}
	expect(t, berth(t, "import", "-c", "RUN x", filepath.Join(dir, "corrupt.tar")), 125, "", "berth: run is not a valid change command\n")
	expect(t, berth(t, "import", filepath.Join(dir, "nope.tar")), 125, "", "berth: open "+filepath.Join(dir, "nope.tar")+": no such file or directory\n")
	if after := mustBerth(t, "images", "-a", "-q", "--no-trunc").Stdout; after != before {
		t.Errorf("a refused import changed the images:\n%s\nwas\n%s", after, before)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), testutil.EvilMarker)); err == nil {
		t.Errorf("the escaping entry was written")
	}
	// Nothing of the refused archives is left in the engine's spool.
	if entries, _ := os.ReadDir(filepath.Join(engine.DataRoot, "tmp")); len(entries) > 0 {
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), "load-") {
				t.Errorf("spool file %s left behind", e.Name())
			}
		}
	}
}

func TestExportRefusals(t *testing.T) {
	expect(t, berth(t, "export", "nosuch"), 125, "", "berth: No such container: nosuch\n")
	ctr := stopped(t, "true")
	missing := filepath.Join(t.TempDir(), "missing", "out.tar")
	expect(t, berth(t, "export", "-o", missing, ctr), 125, "",
		"berth: invalid output path: directory \""+filepath.Dir(missing)+"\" does not exist\n")
}
