package opts

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// Tmpfs is one parsed --tmpfs: where it is mounted and its mount options.
type Tmpfs struct {
	Destination string
	Options     []string
}

// tmpfsFlags are the mount flags a --tmpfs may carry.
var tmpfsFlags = map[string]bool{
	"defaults": true, "rw": true, "ro": true, "exec": true, "noexec": true, "suid": true, "nosuid": true,
	"dev": true, "nodev": true, "atime": true, "noatime": true, "diratime": true, "nodiratime": true,
	"relatime": true, "norelatime": true, "strictatime": true, "nostrictatime": true, "sync": true,
	"async": true, "dirsync": true, "mand": true, "nomand": true,
	"private": true, "rprivate": true, "shared": true, "rshared": true, "slave": true, "rslave": true,
}

// tmpfsData are the tmpfs options that take a value, as docker allows them.
var tmpfsData = map[string]bool{"size": true, "mode": true, "uid": true, "gid": true,
	"nr_inodes": true, "nr_blocks": true, "mpol": true}

// ParseTmpfs parses --tmpfs PATH[:OPTIONS] as docker does: PATH must be
// absolute and not "/", OPTIONS are comma-separated mount options.
func ParseTmpfs(s string) (Tmpfs, error) {
	dest, options, _ := strings.Cut(s, ":")
	if path.Clean(dest) == "/" {
		return Tmpfs{}, errors.New("invalid specification: destination can't be '/'")
	}
	if !path.IsAbs(dest) {
		return Tmpfs{}, fmt.Errorf("invalid mount path: '%s' mount path must be absolute", dest)
	}
	t := Tmpfs{Destination: path.Clean(dest)}
	if options == "" {
		return t, nil
	}
	for _, o := range strings.Split(options, ",") {
		if err := checkTmpfsOption(o); err != nil {
			return Tmpfs{}, err
		}
		t.Options = append(t.Options, o)
	}
	return t, nil
}

func checkTmpfsOption(o string) error {
	if tmpfsFlags[o] {
		return nil
	}
	k, v, ok := strings.Cut(o, "=")
	if !ok || !tmpfsData[k] {
		// Docker prints the option split at "=", as a list.
		return fmt.Errorf("invalid tmpfs option %q", strings.SplitN(o, "=", 2))
	}
	switch k {
	case "size":
		if !validTmpfsSize(v) {
			return fmt.Errorf("invalid tmpfs option %q: the size is a number of bytes with an optional k, m or g suffix, or a percentage of memory", o)
		}
	case "mode":
		if _, err := strconv.ParseUint(v, 8, 32); err != nil {
			return fmt.Errorf("invalid tmpfs option %q: the mode is an octal number", o)
		}
	case "uid", "gid":
		if _, err := strconv.ParseUint(v, 10, 32); err != nil {
			return fmt.Errorf("invalid tmpfs option %q: expected a number", o)
		}
	case "nr_inodes", "nr_blocks":
		if !validTmpfsSize(v) {
			return fmt.Errorf("invalid tmpfs option %q: expected a number with an optional k, m or g suffix", o)
		}
	}
	return nil
}

// validTmpfsSize accepts what the kernel's tmpfs takes for size=: digits
// with an optional k, m, g (either case) or %.
func validTmpfsSize(v string) bool {
	n := strings.TrimRight(v, "kKmMgG%")
	if len(v)-len(n) > 1 || n == "" {
		return false
	}
	_, err := strconv.ParseUint(n, 10, 64)
	return err == nil
}

// ParseTmpfsList parses every --tmpfs; a later one for the same path wins,
// as in docker's map.
func ParseTmpfsList(values []string) ([]Tmpfs, error) {
	var out []Tmpfs
	index := map[string]int{}
	for _, v := range values {
		t, err := ParseTmpfs(v)
		if err != nil {
			return nil, err
		}
		if i, ok := index[t.Destination]; ok {
			out[i] = t
			continue
		}
		index[t.Destination] = len(out)
		out = append(out, t)
	}
	return out, nil
}
