package container

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// lookupEnv is berth's own environment, for "-e NAME"; a variable so that
// tests can replace it.
var lookupEnv = os.LookupEnv

// readKVFiles reads --env-file / --label-file lines: KEY=VALUE or KEY,
// skipping blank lines and # comments, as docker does.
func readKVFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", p, err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := strings.TrimLeft(sc.Text(), " \t")
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			out = append(out, line)
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", p, err)
		}
	}
	return out, nil
}
