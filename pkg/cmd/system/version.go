package system

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"text/tabwriter"

	"github.com/berth-project/berth/pkg/clientutil"
	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/formatter"
	"github.com/berth-project/berth/pkg/version"
)

// VersionOptions are the flags of `version`.
type VersionOptions struct {
	// Format is a Go template or "json".
	Format string
}

// ClientVersion is the client half of `version`, in Docker's field names.
type ClientVersion struct {
	Version   string
	GitCommit string
	GoVersion string
	Os        string
	Arch      string
}

// Component is one part of the server.
type Component struct {
	Name    string
	Version string
	Details map[string]string `json:",omitempty"`
}

// ServerVersion is the engine half of `version`.
type ServerVersion struct {
	Version    string
	Components []Component
}

// VersionInfo is what `version --format` sees.
type VersionInfo struct {
	Client ClientVersion
	Server *ServerVersion
}

// Version prints client and engine versions. An engine that cannot be reached
// still leaves the client half printed, and the error returned.
func Version(ctx context.Context, cfg *config.Config, w io.Writer, o VersionOptions) error {
	info := VersionInfo{Client: ClientVersion{
		Version: version.Version, GitCommit: version.GitCommit, GoVersion: version.GoVersion,
		Os: runtime.GOOS, Arch: runtime.GOARCH,
	}}
	srv, serr := serverVersion(ctx, cfg)
	info.Server = srv
	if o.Format != "" {
		if err := formatter.Object(w, o.Format, info); err != nil {
			return err
		}
		return serr
	}
	tw := tabwriter.NewWriter(w, 0, 8, 1, ' ', 0)
	defer tw.Flush()
	w = tw
	c := info.Client
	fmt.Fprintf(w, "Client:\n Version:\t%s\n Git commit:\t%s\n Go version:\t%s\n OS/Arch:\t%s/%s\n",
		c.Version, c.GitCommit, c.GoVersion, c.Os, c.Arch)
	if srv != nil {
		fmt.Fprintf(w, "\nServer:\n")
		for _, comp := range srv.Components {
			fmt.Fprintf(w, " %s:\n  Version:\t%s\n", comp.Name, comp.Version)
			for _, k := range []string{"GitCommit", "Address"} {
				if v := comp.Details[k]; v != "" {
					fmt.Fprintf(w, "  %s:\t%s\n", k, v)
				}
			}
		}
	}
	return serr
}

func serverVersion(ctx context.Context, cfg *config.Config) (*ServerVersion, error) {
	c, ctx, err := clientutil.New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	v, err := c.Version(ctx)
	if err != nil {
		return nil, fmt.Errorf("asking the engine for its version: %w", err)
	}
	lib := config.LibexecDir()
	srv := &ServerVersion{Version: version.Version}
	if cfg.Embedded() {
		srv.Components = append(srv.Components, Component{Name: "berth engine", Version: version.Version,
			Details: map[string]string{"Address": cfg.EngineAddress(), "GitCommit": version.GitCommit}})
	} else {
		srv.Version = v.Version
	}
	srv.Components = append(srv.Components,
		Component{Name: "containerd", Version: v.Version, Details: map[string]string{"GitCommit": v.Revision}},
		Component{Name: "runc", Version: version.Runc(filepath.Join(lib, "runc"))},
		Component{Name: "CNI plugins", Version: version.CNIPluginsVersion},
	)
	return srv, nil
}
