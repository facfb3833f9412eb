package archive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"testing"

	"github.com/berth-project/berth/pkg/testutil"
)

func TestValidateRootfs(t *testing.T) {
	good := writeTar(t, []tarEntry{
		{name: "bin/", typ: tar.TypeDir},
		reg("bin/busybox", []byte("elf")),
		{name: "bin/sh", typ: tar.TypeSymlink, link: "/bin/busybox"},
		{name: "bin/ash", typ: tar.TypeLink, link: "bin/busybox"},
		{name: "etc", typ: tar.TypeSymlink, link: "../../../../etc"},
		reg("/abs/name", []byte("x")),
		{name: "dev/null", typ: tar.TypeChar},
		reg("a/../b", nil),
	})
	info, err := ValidateRootfs(bytes.NewReader(good))
	if err != nil {
		t.Fatalf("a sound filesystem archive was refused: %v", err)
	}
	if info.Entries != 8 || info.Size != int64(len(good)) {
		t.Errorf("info = %+v", info)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(good)
	zw.Close()
	if _, err := ValidateRootfs(&gz); err != nil {
		t.Errorf("the gzip-compressed archive was refused: %v", err)
	}
}

func TestValidateRootfsRefuses(t *testing.T) {
	var corrupt bytes.Buffer
	if err := testutil.WriteEvilArchive(&corrupt, testutil.EvilCorrupt); err != nil {
		t.Fatal(err)
	}
	whole := writeTar(t, []tarEntry{reg("first", []byte("1")), reg("big", bytes.Repeat([]byte("x"), 4096))})
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty input", nil, "invalid archive: the archive is empty"},
		{"tar without entries", writeTar(t, nil), "invalid archive: the archive is empty"},
		{"random bytes", corrupt.Bytes(), "invalid archive: not a tar archive (archive/tar: invalid tar header)"},
		{"truncated", whole[:1024+512+1000], `invalid archive: entry "big" is truncated`},
		{"dot-dot entry", writeTar(t, []tarEntry{reg("../evil", nil)}), `invalid archive: entry "../evil" escapes the archive`},
		{"dot-dot below a directory", writeTar(t, []tarEntry{reg("a/../../evil", nil)}), `invalid archive: entry "a/../../evil" escapes the archive`},
		{"absolute dot-dot", writeTar(t, []tarEntry{reg("/../evil", nil)}), `invalid archive: entry "/../evil" escapes the archive`},
		{"escaping hard link", writeTar(t, []tarEntry{{name: "h", typ: tar.TypeLink, link: "../../etc/shadow"}}),
			`invalid archive: link "h" points outside the archive (to "../../etc/shadow")`},
	} {
		_, err := ValidateRootfs(bytes.NewReader(tc.data))
		if err == nil || err.Error() != tc.want || !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}
