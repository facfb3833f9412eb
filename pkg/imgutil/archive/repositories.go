package archive

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path"

	"github.com/distribution/reference"
)

// AddRepositories copies the tar stream r to w and appends the legacy
// `repositories` file that `docker save` writes beside manifest.json:
// {"repo": {"tag": "<top layer id>"}}. containerd's exporter writes the
// OCI layout and manifest.json but not this file, which old loaders read.
func AddRepositories(r io.Reader, w io.Writer) error {
	tr, tw := tar.NewReader(r), tar.NewWriter(w)
	var mfsts []dockerManifest
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		var body io.Reader = tr
		if path.Clean(hdr.Name) == "manifest.json" {
			b, err := io.ReadAll(tr)
			if err != nil {
				return err
			}
			if err := json.Unmarshal(b, &mfsts); err != nil {
				return fmt.Errorf("exported manifest.json: %w", err)
			}
			body = bytes.NewReader(b)
		}
		if _, err := io.Copy(tw, body); err != nil {
			return err
		}
	}
	repos := repositories(mfsts)
	if len(repos) > 0 {
		b, err := json.Marshal(repos)
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: "repositories", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(b))}); err != nil {
			return err
		}
		if _, err := tw.Write(b); err != nil {
			return err
		}
	}
	return tw.Close()
}

// repositories maps each tagged image of manifest.json to its top layer.
func repositories(mfsts []dockerManifest) map[string]map[string]string {
	repos := map[string]map[string]string{}
	for _, m := range mfsts {
		if len(m.Layers) == 0 {
			continue
		}
		top := path.Base(m.Layers[len(m.Layers)-1])
		for _, rt := range m.RepoTags {
			n, err := reference.ParseNormalizedNamed(rt)
			if err != nil {
				continue
			}
			t, ok := n.(reference.Tagged)
			if !ok {
				continue
			}
			repo := reference.FamiliarName(n)
			if repos[repo] == nil {
				repos[repo] = map[string]string{}
			}
			repos[repo][t.Tag()] = top
		}
	}
	return repos
}
