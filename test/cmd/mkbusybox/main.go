// Command mkbusybox writes an OCI image archive made from the host's
// busybox-static, for `make demo` and for trying berth without a registry.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/berth-project/berth/pkg/testutil"
)

func main() {
	out := flag.String("o", "busybox.tar", "archive to write")
	ref := flag.String("t", "berth.local/busybox:demo", "image name recorded in the archive")
	flag.Parse()
	if err := write(*out, *ref); err != nil {
		fmt.Fprintln(os.Stderr, "mkbusybox:", err)
		os.Exit(1)
	}
}

func write(path, ref string) error {
	img, err := testutil.NewImage()
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := testutil.WriteOCIArchive(f, img, ref); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
