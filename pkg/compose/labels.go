package compose

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// Docker Compose's labels, which berth puts on what it creates so that
// `berth ps --filter label=com.docker.compose.project=app` and scripts
// written for Docker find it.
const (
	LabelProject     = "com.docker.compose.project"
	LabelService     = "com.docker.compose.service"
	LabelNumber      = "com.docker.compose.container-number"
	LabelOneoff      = "com.docker.compose.oneoff"
	LabelConfigHash  = "com.docker.compose.config-hash"
	LabelWorkingDir  = "com.docker.compose.project.working_dir"
	LabelConfigFiles = "com.docker.compose.project.config_files"
	LabelEnvFile     = "com.docker.compose.project.environment_file"
	LabelVersion     = "com.docker.compose.version"
	LabelImage       = "com.docker.compose.image"
	LabelDependsOn   = "com.docker.compose.depends_on"
	LabelNetwork     = "com.docker.compose.network"
	LabelVolume      = "com.docker.compose.volume"
)

// ComposeVersion is the Docker Compose version berth's behaviour follows,
// recorded in com.docker.compose.version as Docker Compose records its own.
const ComposeVersion = "2.29.0"

// ContainerName is Docker Compose's name of replica n of a service:
// <project>-<service>-<n>, or the service's container_name.
func ContainerName(project string, s types.ServiceConfig, n int) string {
	if s.ContainerName != "" {
		return s.ContainerName
	}
	return fmt.Sprintf("%s-%s-%d", project, s.Name, n)
}

// oneoffName is the name of a `compose run` container without --name.
func oneoffName(project, service, suffix string) string {
	return fmt.Sprintf("%s-%s-run-%s", project, service, suffix)
}

// NetworkName is the engine's name of a project network: its name:, else
// <project>_<key>.
func NetworkName(p *types.Project, key string) string {
	if n, ok := p.Networks[key]; ok && n.Name != "" {
		return n.Name
	}
	return p.Name + "_" + key
}

// VolumeName is the engine's name of a project volume: its name:, else
// <project>_<key>.
func VolumeName(p *types.Project, key string) string {
	if v, ok := p.Volumes[key]; ok && v.Name != "" {
		return v.Name
	}
	return p.Name + "_" + key
}

// ConfigHash is the hash Docker Compose keeps in com.docker.compose.config-hash:
// a service whose hash changed is recreated by `up`, the others are left
// alone. What only scales or selects the service does not count.
func ConfigHash(s types.ServiceConfig) (string, error) {
	s.Scale = nil
	if s.Deploy != nil {
		d := *s.Deploy
		d.Replicas = nil
		s.Deploy = &d
	}
	s.PullPolicy = ""
	s.Profiles = nil
	// Dependencies order the start; they do not change the container.
	s.DependsOn = nil
	data, err := json.Marshal(s)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// projectLabels are the labels every container of the project carries.
func projectLabels(p *types.Project, envFiles []string) map[string]string {
	l := map[string]string{
		LabelProject:     p.Name,
		LabelWorkingDir:  p.WorkingDir,
		LabelConfigFiles: strings.Join(p.ComposeFiles, ","),
		LabelVersion:     ComposeVersion,
	}
	if len(envFiles) > 0 {
		l[LabelEnvFile] = strings.Join(envFiles, ",")
	}
	return l
}

// serviceLabels are the labels of replica n of service s; imageID is the
// ID of the image it is created from, which `up` compares as it does the hash.
func serviceLabels(p *types.Project, s types.ServiceConfig, n int, oneoff bool, hash, imageID string) map[string]string {
	l := projectLabels(p, nil)
	l[LabelService] = s.Name
	l[LabelNumber] = strconv.Itoa(n)
	l[LabelOneoff] = "False"
	if oneoff {
		l[LabelOneoff] = "True"
	}
	l[LabelConfigHash] = hash
	l[LabelImage] = imageID
	var deps []string
	for name, d := range s.DependsOn {
		deps = append(deps, fmt.Sprintf("%s:%s:%t", name, d.Condition, d.Restart))
	}
	if len(deps) > 0 {
		sortStrings(deps)
		l[LabelDependsOn] = strings.Join(deps, ",")
	}
	return l
}
