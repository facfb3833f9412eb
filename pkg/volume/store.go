// Package volume is berth's local volume store: each volume is a directory
// <data root>/<namespace>/volumes/<name>/ holding the data (_data) and the
// volume's metadata (volume.json), written atomically under the store's
// lock. Which containers use a volume is not stored: it is read from the
// containers' own metadata (see Users), so it cannot drift from them.
package volume

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	units "github.com/docker/go-units"

	"github.com/berth-project/berth/pkg/fsutil"
	"github.com/berth-project/berth/pkg/opts"
)

const (
	// DriverLocal is the only volume driver berth has.
	DriverLocal = "local"
	// AnonymousLabel marks a volume made for a container without a name,
	// as Docker 23+ does; `volume prune` without -a removes only those.
	AnonymousLabel = "com.docker.volume.anonymous"

	dataDir  = "_data"
	metaFile = "volume.json"
)

// Volume is one volume's metadata.
type Volume struct {
	Name      string
	Driver    string
	CreatedAt time.Time
	// Labels and Options are nil for a volume a container made, {} for
	// one `volume create` made without any, as Docker shows them.
	Labels  map[string]string
	Options map[string]string
	// Mountpoint is the data directory; it is not stored but derived.
	Mountpoint string `json:"-"`
}

// Anonymous reports a volume made for a container without a name.
func (v *Volume) Anonymous() bool {
	_, ok := v.Labels[AnonymousLabel]
	return ok
}

// NotFoundError is a volume that does not exist.
type NotFoundError struct{ Name string }

func (e *NotFoundError) Error() string { return fmt.Sprintf("get %s: no such volume", e.Name) }

// Store is the volumes of one namespace.
type Store struct{ root string }

// NewStore returns the volume store of namespace ns under dataRoot.
func NewStore(dataRoot, ns string) *Store {
	return &Store{root: filepath.Join(dataRoot, ns, "volumes")}
}

// Root is the directory holding the volumes.
func (s *Store) Root() string { return s.root }

func (s *Store) dir(name string) string { return filepath.Join(s.root, name) }

// DataPath is the directory a volume's data lives in.
func (s *Store) DataPath(name string) string { return filepath.Join(s.root, name, dataDir) }

// lock serialises the changes to the store's directories.
func (s *Store) lock() (*fsutil.Lock, error) {
	if err := os.MkdirAll(s.root, 0o711); err != nil {
		return nil, err
	}
	return fsutil.LockFile(filepath.Join(s.root, ".lock"))
}

// CreateOptions are what a new volume gets.
type CreateOptions struct {
	// Driver is the volume driver; "" is local.
	Driver  string
	Labels  map[string]string
	Options map[string]string
}

// Create makes the volume name, or returns it when it exists already
// (created false), as Docker's local driver does: the options of an
// existing volume are not changed.
func (s *Store) Create(name string, o CreateOptions) (v *Volume, created bool, err error) {
	if err := CheckDriver(name, o.Driver); err != nil {
		return nil, false, err
	}
	if err := opts.ValidateVolumeName(name); err != nil {
		return nil, false, fmt.Errorf("create %s: %w", name, err)
	}
	if err := ValidateOptions(o.Options); err != nil {
		return nil, false, fmt.Errorf("create %s: %w", name, err)
	}
	lock, err := s.lock()
	if err != nil {
		return nil, false, err
	}
	defer lock.Unlock()
	if v, err := s.Get(name); err == nil {
		return v, false, nil
	}
	v = &Volume{Name: name, Driver: DriverLocal, CreatedAt: time.Now().Truncate(time.Second), Labels: o.Labels, Options: o.Options}
	// _data first, the metadata last: a volume without metadata is not
	// listed, and is completed by the next create of its name.
	if err := os.MkdirAll(s.DataPath(name), 0o755); err != nil {
		return nil, false, fmt.Errorf("create %s: %w", name, err)
	}
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, false, err
	}
	if err := fsutil.WriteFileAtomic(filepath.Join(s.dir(name), metaFile), data, 0o600); err != nil {
		_ = os.RemoveAll(s.dir(name))
		return nil, false, fmt.Errorf("create %s: %w", name, err)
	}
	v.Mountpoint = s.DataPath(name)
	return v, true, nil
}

// CheckDriver refuses a volume driver other than local ("" is local), with
// Docker's message for a plugin it does not have.
func CheckDriver(name, driver string) error {
	if driver != "" && driver != DriverLocal {
		op := "create"
		if name != "" {
			op += " " + name
		}
		return fmt.Errorf("%s: error looking up volume plugin %s: plugin %q not found", op, driver, driver)
	}
	return nil
}

// NewName is a random volume name, 64 hex digits as Docker's.
func NewName() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// CreateAnonymous makes a volume with a random name and the anonymous label.
func (s *Store) CreateAnonymous(driver string) (*Volume, error) {
	name, err := NewName()
	if err != nil {
		return nil, err
	}
	v, _, err := s.Create(name, CreateOptions{Driver: driver, Labels: map[string]string{AnonymousLabel: ""}})
	return v, err
}

// Get returns the volume name, or a *NotFoundError.
func (s *Store) Get(name string) (*Volume, error) {
	if opts.ValidateVolumeName(name) != nil {
		return nil, &NotFoundError{Name: name}
	}
	data, err := os.ReadFile(filepath.Join(s.dir(name), metaFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, &NotFoundError{Name: name}
	}
	if err != nil {
		return nil, err
	}
	var v Volume
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("volume %s metadata: %w", name, err)
	}
	v.Mountpoint = s.DataPath(name)
	return &v, nil
}

// List returns every volume, by name.
func (s *Store) List() ([]*Volume, error) {
	entries, err := os.ReadDir(s.root)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*Volume
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		v, err := s.Get(e.Name())
		var nf *NotFoundError
		if errors.As(err, &nf) {
			continue // half-made by a crash, or removed meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Delete removes a volume and its data without asking whether a container
// uses it: callers hold the users lock and have checked (see Remove).
// The metadata goes first, so a crash half-way leaves no listed volume
// without its data.
func (s *Store) Delete(name string) error {
	if _, err := s.Get(name); err != nil {
		return err
	}
	lock, err := s.lock()
	if err != nil {
		return err
	}
	defer lock.Unlock()
	if err := os.Remove(filepath.Join(s.dir(name), metaFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	if err := os.RemoveAll(s.dir(name)); err != nil {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	return nil
}

// Size is the apparent size of the files in the volume, each hard-linked
// file counted once, as Docker's `system df` and prune count it.
func (s *Store) Size(name string) int64 {
	var size int64
	seen := map[uint64]bool{}
	_ = filepath.WalkDir(s.DataPath(name), func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Nlink > 1 {
			if seen[st.Ino] {
				return nil
			}
			seen[st.Ino] = true
		}
		size += fi.Size()
		return nil
	})
	return size
}

// localOptions are the options of the local driver; o and device need
// type, type needs device, as in Docker.
var localOptions = []string{"type", "o", "device", "size"}

// ValidateOptions checks the local driver's options (-o) with Docker's
// messages.
func ValidateOptions(o map[string]string) error {
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		known := false
		for _, l := range localOptions {
			known = known || k == l
		}
		if !known {
			return fmt.Errorf("invalid option: %q", k)
		}
	}
	if v, ok := o["size"]; ok {
		size, err := units.RAMInBytes(v)
		if err != nil {
			return err
		}
		if size > 0 {
			return errors.New("quota size requested but no quota support")
		}
	}
	for _, req := range []struct{ opt, needs string }{
		{"device", "type"}, {"type", "device"}, {"o", "device"}, {"o", "type"},
	} {
		if _, ok := o[req.opt]; !ok {
			continue
		}
		if _, ok := o[req.needs]; !ok {
			return fmt.Errorf("missing required option: %q", req.needs)
		}
	}
	return nil
}
