// Package compose turns a Compose project, loaded and validated by
// compose-go, into berth's own operations: networks through pkg/netutil and
// containers through pkg/cmd/container, named and labelled as Docker
// Compose names and labels them, so that scripts written for `docker
// compose` find what berth made.
package compose

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/consts"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// ProjectOptions are the flags every compose command shares.
type ProjectOptions struct {
	// Files are the -f values, merged in order; "-" is stdin. Without any,
	// COMPOSE_FILE, else compose.yaml (and the other names Docker accepts)
	// in the working directory or the nearest directory above it.
	Files []string
	// ProjectName is -p; without it COMPOSE_PROJECT_NAME, the files' name:,
	// else the project directory's name.
	ProjectName string
	// ProjectDir is --project-directory; without it the first file's
	// directory.
	ProjectDir string
	// EnvFiles are the --env-file values; without any, the project
	// directory's .env when there is one.
	EnvFiles []string
	// Profiles are the --profile values; without any, COMPOSE_PROFILES.
	Profiles []string
}

// Project is a loaded Compose project.
type Project struct {
	*types.Project
	// Ignored are the keys the project uses that berth does not implement,
	// one entry per key with the places it appears.
	Ignored []IgnoredKey
	// sources are the project's files as YAML trees, for error locations.
	sources *sources
}

// ErrNoConfig is Docker's answer when no compose file is found.
var ErrNoConfig = errors.New("no configuration file provided: not found")

// Load reads, merges, interpolates and validates the project as `docker
// compose` does. Errors name the file and line where one can be found.
func Load(ctx context.Context, o ProjectOptions) (*Project, error) {
	popts, err := cli.NewProjectOptions(o.Files,
		cli.WithWorkingDirectory(o.ProjectDir),
		cli.WithOsEnv,
		cli.WithConfigFileEnv,
		cli.WithDefaultConfigPath,
		cli.WithEnvFiles(o.EnvFiles...),
		cli.WithDotEnv,
		cli.WithName(o.ProjectName),
	)
	if err != nil {
		return nil, err
	}
	if len(popts.ConfigPaths) == 0 {
		return nil, ErrNoConfig
	}
	wd, err := popts.GetWorkingDir()
	if err != nil {
		return nil, err
	}
	// The files are read once, here (stdin can be read only once), and
	// parsed for the checks compose-go does not make and for the lines of
	// its errors.
	details, err := popts.ReadConfigFiles(ctx, wd, popts)
	if err != nil {
		return nil, err
	}
	src, err := parseSources(details.ConfigFiles)
	if err != nil {
		return nil, err
	}
	if err := src.checkPaths(details.WorkingDir); err != nil {
		return nil, err
	}
	var found []loader.UnsupportedAttribute
	project, err := loader.LoadWithContext(ctx, types.ConfigDetails{
		ConfigFiles: details.ConfigFiles,
		WorkingDir:  details.WorkingDir,
		Environment: popts.Environment,
	},
		withName(popts, details.WorkingDir),
		loader.WithProfiles(profiles(o.Profiles, popts.Environment)),
		loader.WithUnsupportedAttributesCheck(ignoredPatterns(), func(a []loader.UnsupportedAttribute) { found = a }),
	)
	if err != nil {
		return nil, src.explain(err)
	}
	for _, f := range details.ConfigFiles {
		project.ComposeFiles = append(project.ComposeFiles, f.Filename)
	}
	p := &Project{Project: project, sources: src}
	p.Ignored = ignoredKeys(found, project)
	return p, nil
}

// withName gives the loader the project name in Docker's order: -p, then
// COMPOSE_PROJECT_NAME (both explicit), else the directory's name, which a
// name: in the files replaces.
func withName(popts *cli.ProjectOptions, workingDir string) func(*loader.Options) {
	return func(lo *loader.Options) {
		switch {
		case popts.Name != "":
			lo.SetProjectName(popts.Name, true)
		case popts.Environment[consts.ComposeProjectName] != "":
			lo.SetProjectName(popts.Environment[consts.ComposeProjectName], true)
		default:
			lo.SetProjectName(loader.NormalizeProjectName(filepath.Base(workingDir)), false)
		}
	}
}

// profiles are the --profile values, else COMPOSE_PROFILES's.
func profiles(flags []string, env types.Mapping) []string {
	if len(flags) > 0 {
		return flags
	}
	var out []string
	for _, p := range strings.Split(env[consts.ComposeProfiles], ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Select returns the project reduced to the named services (all enabled
// ones when none is named) and, unless noDeps, what they depend on. A
// service named on the command line is enabled even when its profile is
// not, as Docker does.
func (p *Project) Select(names []string, noDeps bool) (*Project, error) {
	for _, n := range names {
		if _, ok := p.Services[n]; ok {
			continue
		}
		if _, ok := p.DisabledServices[n]; !ok {
			return nil, fmt.Errorf("no such service: %s", n)
		}
	}
	enabled, err := p.WithServicesEnabled(names...)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return &Project{Project: enabled, Ignored: p.Ignored, sources: p.sources}, nil
	}
	opt := types.IncludeDependencies
	if noDeps {
		opt = types.IgnoreDependencies
	}
	sel, err := enabled.WithSelectedServices(names, opt)
	if err != nil {
		return nil, err
	}
	return &Project{Project: sel, Ignored: p.Ignored, sources: p.sources}, nil
}

// ServiceNamesSorted lists the enabled services by name.
func (p *Project) ServiceNamesSorted() []string {
	names := p.ServiceNames()
	slices.Sort(names)
	return names
}
