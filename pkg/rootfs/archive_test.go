package rootfs

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// tarEntries reads an archive into name -> description ("file:content",
// "dir", "link:target", "hard:target").
func tarEntries(t *testing.T, b []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		switch hdr.Typeflag {
		case tar.TypeReg:
			body, _ := io.ReadAll(tr)
			out[hdr.Name] = "file:" + string(body)
		case tar.TypeDir:
			out[hdr.Name] = "dir"
		case tar.TypeSymlink:
			out[hdr.Name] = "link:" + hdr.Linkname
		case tar.TypeLink:
			out[hdr.Name] = "hard:" + hdr.Linkname
		default:
			out[hdr.Name] = "other"
		}
	}
}

func archive(t *testing.T, r *Root, p, name string) []byte {
	t.Helper()
	n, err := r.Resolve(p, false)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	var buf bytes.Buffer
	a := NewArchiver(&buf)
	if err := a.Add(n, name); err != nil {
		t.Fatal(err)
	}
	must(t, a.Close())
	return buf.Bytes()
}

func TestArchiveKeepsLinksAsLinks(t *testing.T) {
	root := escapeTree(t)
	must(t, os.Link(filepath.Join(root, "inroot"), filepath.Join(root, "dir", "hard")))
	got := tarEntries(t, archive(t, openRoot(t, root), "/", "."))
	want := map[string]string{
		"./": "dir", "./abs": "link:/", "./up": "link:../../..", "./hostetc": "link:/etc",
		"./inroot": "hard:./dir/hard", "./dir/": "dir", "./dir/file": "file:file", "./dir/hard": "file:in root",
		"./dir/sub/": "dir", "./dir/rel": "link:../inroot",
	}
	for name, desc := range want {
		if got[name] != desc {
			t.Errorf("entry %s = %q, want %q", name, got[name], desc)
		}
	}
	for name, desc := range got {
		if strings.Contains(desc, "host secret") {
			t.Errorf("entry %s holds the host's secret", name)
		}
	}
}

func TestArchiveNamesTheTopEntry(t *testing.T) {
	r := openRoot(t, escapeTree(t))
	got := tarEntries(t, archive(t, r, "/dir", "renamed"))
	if got["renamed/"] != "dir" || got["renamed/file"] != "file:file" {
		t.Errorf("entries %v, want renamed/ and renamed/file", keys(got))
	}
	got = tarEntries(t, archive(t, r, "/inroot", "f"))
	if len(got) != 1 || got["f"] != "file:in root" {
		t.Errorf("entries %v, want f only", got)
	}
}

// TestArchiveRaceWithSwappedDirectory swaps a directory for a link to the
// host's files as fast as it can while archives of it are written: no
// archive may ever hold a host file.
func TestArchiveRaceWithSwappedDirectory(t *testing.T) {
	host := t.TempDir()
	must(t, os.WriteFile(filepath.Join(host, "secret"), []byte("host secret"), 0o600))
	root := filepath.Join(host, "root")
	data := filepath.Join(root, "data")
	must(t, os.MkdirAll(filepath.Join(data, "d"), 0o755))
	for i := 0; i < 50; i++ {
		must(t, os.WriteFile(filepath.Join(data, "d", "f"+string(rune('a'+i%26))+string(rune('a'+i/26))), bytes.Repeat([]byte("x"), 4096), 0o644))
	}
	r := openRoot(t, root)
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		d, moved, link := filepath.Join(data, "d"), filepath.Join(data, "d.moved"), filepath.Join(data, "d.link")
		_ = os.Symlink(host, link)
		for !stop.Load() {
			_ = os.Rename(d, moved)
			_ = os.Rename(link, d)
			_ = os.Rename(d, link)
			_ = os.Rename(moved, d)
		}
	}()
	deadline := time.Now().Add(2 * time.Second)
	runs := 0
	for time.Now().Before(deadline) {
		runs++
		for _, p := range []string{"/data", "/data/d", "/data/d/"} {
			n, err := r.Resolve(p, false)
			if err != nil {
				continue
			}
			var buf bytes.Buffer
			a := NewArchiver(&buf)
			_ = a.Add(n, "x")
			_ = a.Close()
			n.Close()
			if bytes.Contains(buf.Bytes(), []byte("host secret")) {
				stop.Store(true)
				wg.Wait()
				t.Fatalf("an archive of %s holds the host's secret", p)
			}
		}
	}
	stop.Store(true)
	wg.Wait()
	t.Logf("%d rounds", runs)
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
