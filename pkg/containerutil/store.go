package containerutil

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/berth-project/berth/pkg/fsutil"
)

// Store is berth's own state for one namespace: <data-root>/<namespace>/.
// Names are files under names/ holding the container ID; a container's files
// (logs, metadata, hosts, resolv.conf) are under containers/<id>/.
type Store struct {
	root     string
	dataRoot string
	ns       string
}

// NewStore returns the store of namespace ns under dataRoot.
func NewStore(dataRoot, ns string) *Store {
	return &Store{root: filepath.Join(dataRoot, ns), dataRoot: dataRoot, ns: ns}
}

// DataRoot and Namespace are the store's.
func (s *Store) DataRoot() string  { return s.dataRoot }
func (s *Store) Namespace() string { return s.ns }

// ContainerDir is where the container's files live.
func (s *Store) ContainerDir(id string) string { return filepath.Join(s.root, "containers", id) }

func (s *Store) namesDir() string { return filepath.Join(s.root, "names") }

// validName is Docker's rule for container names.
var validName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

// ValidateName checks a --name value (a leading "/" is accepted, as Docker does).
func ValidateName(name string) error {
	n := strings.TrimPrefix(name, "/")
	if !validName.MatchString(n) {
		return fmt.Errorf("Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name)
	}
	return nil
}

// ConflictError is a name already held by another container.
type ConflictError struct{ Name, ID string }

func (e *ConflictError) Error() string {
	return fmt.Sprintf("Conflict. The container name \"/%s\" is already in use by container \"%s\". You have to remove (or rename) that container to be able to reuse that name.", e.Name, e.ID)
}

// ReserveName records name as held by id. The check and the claim happen
// under one lock. A holder that is neither a container (exists) nor still
// being created by a live process (the pid in the name file) is left over
// from a crash between the claim and the container: it is taken over, so a
// name is never held by nothing.
func (s *Store) ReserveName(name, id string, exists func(id string) (bool, error)) error {
	name = strings.TrimPrefix(name, "/")
	if err := os.MkdirAll(s.namesDir(), 0o700); err != nil {
		return err
	}
	lock, err := fsutil.LockFile(filepath.Join(s.namesDir(), ".lock"))
	if err != nil {
		return err
	}
	defer lock.Unlock()
	path := filepath.Join(s.namesDir(), name)
	if data, err := os.ReadFile(path); err == nil {
		holder, pid := parseNameFile(data)
		if holder != id {
			ok, err := exists(holder)
			if err != nil {
				return err
			}
			if ok || (pid > 0 && unix.Kill(pid, 0) == nil) {
				return &ConflictError{Name: name, ID: holder}
			}
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return fsutil.WriteFileAtomic(path, []byte(fmt.Sprintf("%s\n%d\n", id, os.Getpid())), 0o600)
}

// ReleaseName frees name if id still holds it.
func (s *Store) ReleaseName(name, id string) error {
	name = strings.TrimPrefix(name, "/")
	if name == "" {
		return nil
	}
	lock, err := fsutil.LockFile(filepath.Join(s.namesDir(), ".lock"))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	defer lock.Unlock()
	path := filepath.Join(s.namesDir(), name)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if holder, _ := parseNameFile(data); holder != id {
		return nil
	}
	return os.Remove(path)
}

// parseNameFile reads "ID\nPID\n"; the pid is that of the command that
// claimed the name, 0 when absent.
func parseNameFile(data []byte) (string, int) {
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return "", 0
	}
	pid := 0
	if len(f) > 1 {
		pid, _ = strconv.Atoi(f[1])
	}
	return f[0], pid
}

// NameHolder returns the ID holding name, or "".
func (s *Store) NameHolder(name string) string {
	data, err := os.ReadFile(filepath.Join(s.namesDir(), strings.TrimPrefix(name, "/")))
	if err != nil {
		return ""
	}
	id, _ := parseNameFile(data)
	return id
}

// metaFile is the container's metadata, Docker's Config and HostConfig plus
// the state the engine does not keep.
const metaFile = "container.json"

// SaveMeta writes the container's metadata atomically.
func (s *Store) SaveMeta(id string, m *Meta) error {
	dir := s.ContainerDir(id)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(filepath.Join(dir, metaFile), data, 0o600)
}

// LoadMeta reads the container's metadata.
func (s *Store) LoadMeta(id string) (*Meta, error) {
	data, err := os.ReadFile(filepath.Join(s.ContainerDir(id), metaFile))
	if err != nil {
		return nil, err
	}
	var m Meta
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("container %s metadata: %w", id, err)
	}
	return &m, nil
}

// UpdateMeta loads, changes and saves the metadata under the container's lock,
// so concurrent commands do not lose each other's changes.
// A removed container stays removed: its directory is not created again
// (os.ErrNotExist), whoever comes late with an update.
func (s *Store) UpdateMeta(id string, fn func(*Meta) error) error {
	dir := s.ContainerDir(id)
	if _, err := os.Stat(filepath.Join(dir, metaFile)); err != nil {
		return err
	}
	lock, err := fsutil.LockFile(filepath.Join(dir, ".lock"))
	if err != nil {
		return err
	}
	defer lock.Unlock()
	m, err := s.LoadMeta(id)
	if err != nil {
		// Removed while this waited for the lock: take back the lock file.
		if errors.Is(err, os.ErrNotExist) {
			_ = os.Remove(filepath.Join(dir, ".lock"))
			_ = os.Remove(dir)
		}
		return err
	}
	if err := fn(m); err != nil {
		return err
	}
	return s.SaveMeta(id, m)
}

// RemoveContainer deletes the container's files.
func (s *Store) RemoveContainer(id string) error {
	return os.RemoveAll(s.ContainerDir(id))
}
