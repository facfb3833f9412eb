package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// runBundle writes a runc bundle config to -o/config.json from -config (the
// config.json of a container the engine ran), so that raw `runc run` runs
// with exactly the spec berth generated: same mounts, namespaces, seccomp
// profile, masked paths and capabilities. Only what ties the spec to its
// original bundle changes: root.path becomes -rootfs (read-write), the
// process becomes [true] without a terminal, linux.cgroupsPath becomes
// -cgroup, and hooks go (berth's containers have none; runc would run them).
// -no-seccomp also drops linux.seccomp, to time the profile's own cost;
// -seccomp-arches keeps the profile but lists only those architectures
// (comma-separated), to time what each architecture of it costs.
func runBundle(args []string) error {
	fs := flag.NewFlagSet("bundle", flag.ExitOnError)
	from := fs.String("config", "", "config.json to start from")
	rootfs := fs.String("rootfs", "", "root filesystem of the bundle")
	out := fs.String("o", "", "bundle directory to write config.json into")
	cgroup := fs.String("cgroup", "", "linux.cgroupsPath of the bundle")
	noSeccomp := fs.Bool("no-seccomp", false, "drop linux.seccomp")
	arches := fs.String("seccomp-arches", "", "comma-separated architectures to keep in linux.seccomp")
	_ = fs.Parse(args)
	if *from == "" || *rootfs == "" || *out == "" || *cgroup == "" {
		return errors.New("-config, -rootfs, -o and -cgroup are required")
	}
	data, err := os.ReadFile(*from)
	if err != nil {
		return err
	}
	var spec map[string]any
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("%s: %w", *from, err)
	}
	abs, err := filepath.Abs(*rootfs)
	if err != nil {
		return err
	}
	spec["root"] = map[string]any{"path": abs}
	proc, ok := spec["process"].(map[string]any)
	if !ok {
		return fmt.Errorf("%s has no process", *from)
	}
	proc["args"] = []string{"true"}
	proc["terminal"] = false
	delete(proc, "consoleSize")
	linux, ok := spec["linux"].(map[string]any)
	if !ok {
		return fmt.Errorf("%s has no linux section", *from)
	}
	linux["cgroupsPath"] = *cgroup
	if *noSeccomp {
		delete(linux, "seccomp")
	}
	if *arches != "" {
		sc, ok := linux["seccomp"].(map[string]any)
		if !ok {
			return fmt.Errorf("%s has no seccomp profile to keep architectures of", *from)
		}
		var keep []any
		for _, a := range strings.Split(*arches, ",") {
			keep = append(keep, a)
		}
		sc["architectures"] = keep
	}
	// A namespace joined by path would tie the bundle to a process of the
	// original container.
	if nss, ok := linux["namespaces"].([]any); ok {
		for _, ns := range nss {
			if m, ok := ns.(map[string]any); ok {
				if p, _ := m["path"].(string); p != "" {
					return fmt.Errorf("%s joins the %v namespace at %s: not a bundle of its own", *from, m["type"], p)
				}
			}
		}
	}
	delete(spec, "hooks")
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	if err := copyFileMounts(spec, *out); err != nil {
		return err
	}
	data, err = json.MarshalIndent(spec, "", "\t")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(*out, "config.json"), data, 0o644)
}

// copyFileMounts copies the files the spec bind-mounts (the container's
// hosts, resolv.conf and hostname, which go with the container) into the
// bundle, and points the mounts at the copies.
func copyFileMounts(spec map[string]any, dir string) error {
	mounts, _ := spec["mounts"].([]any)
	for i, m := range mounts {
		mm, ok := m.(map[string]any)
		if !ok || mm["type"] != "bind" {
			continue
		}
		src, _ := mm["source"].(string)
		fi, err := os.Stat(src)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		data, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, fmt.Sprintf("mount%d-%s", i, filepath.Base(src)))
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return err
		}
		mm["source"] = dst
	}
	return nil
}
