package storage

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// tempPrefix starts the names of files being written; Backup skips them and
// they are never visible under their final name.
const tempPrefix = ".tmp-"

// cleanRel validates a slash-separated path relative to the files directory
// and returns it in the form os.Root expects.
func cleanRel(rel string) (string, error) {
	p := filepath.FromSlash(rel)
	if rel == "" || !filepath.IsLocal(p) || path.Clean(rel) == "." ||
		strings.HasPrefix(path.Base(rel), tempPrefix) {
		return "", fmt.Errorf("storage: file %q: %w", rel, ErrInvalidPath)
	}
	return filepath.Clean(p), nil
}

// isEscape reports whether os.Root refused a path because it leads outside
// the root through a symbolic link. os does not export that error, so its
// text is matched.
func isEscape(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "escapes from parent")
}

func (db *DB) isClosed() bool {
	db.closeMu.Lock()
	defer db.closeMu.Unlock()
	return db.closed
}

// WriteFile stores the contents of r as the file rel (slash-separated,
// relative to the store's files directory, e.g. "voicemail/1001/0001.wav"),
// creating parent directories. The file appears under its name only complete
// and fsync'd: it is written under a temporary name, synced, renamed over
// any previous file, and the directory is synced. Paths that are absolute,
// contain "..", or would leave the files directory through a symbolic link
// are rejected with ErrInvalidPath.
func (db *DB) WriteFile(rel string, r io.Reader) (err error) {
	p, err := cleanRel(rel)
	if err != nil {
		return err
	}
	if db.isClosed() {
		return fmt.Errorf("storage: write file %q: %w", rel, ErrClosed)
	}
	wrap := func(err error) error {
		if isEscape(err) {
			return fmt.Errorf("storage: write file %q: %w: %v", rel, ErrInvalidPath, err)
		}
		return fmt.Errorf("storage: write file %q: %w", rel, err)
	}
	dir := filepath.Dir(p)
	if err := db.files.MkdirAll(dir, 0o700); err != nil {
		return wrap(err)
	}
	tmp := filepath.Join(dir, tempPrefix+rand.Text()[:12]+"-"+filepath.Base(p))
	f, err := db.files.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return wrap(err)
	}
	defer func() {
		if err != nil {
			f.Close()
			db.files.Remove(tmp)
		}
	}()
	if _, err := io.Copy(f, r); err != nil {
		return fmt.Errorf("storage: write file %q: %w", rel, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("storage: write file %q: %w", rel, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("storage: write file %q: %w", rel, err)
	}
	if err := db.files.Rename(tmp, p); err != nil {
		return wrap(err)
	}
	return syncRootDir(db.files, dir)
}

func syncRootDir(root *os.Root, dir string) error {
	d, err := root.Open(dir)
	if err != nil {
		return fmt.Errorf("storage: sync dir %q: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("storage: sync dir %q: %w", dir, err)
	}
	return nil
}

// OpenFile opens the file rel (see WriteFile) for reading. It returns
// ErrNotFound if there is no such file.
func (db *DB) OpenFile(rel string) (*os.File, error) {
	p, err := cleanRel(rel)
	if err != nil {
		return nil, err
	}
	if db.isClosed() {
		return nil, fmt.Errorf("storage: open file %q: %w", rel, ErrClosed)
	}
	f, err := db.files.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("storage: open file %q: %w", rel, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("storage: open file %q: %w", rel, err)
	}
	return f, nil
}

// RemoveFile deletes the file rel (see WriteFile), or returns ErrNotFound.
func (db *DB) RemoveFile(rel string) error {
	p, err := cleanRel(rel)
	if err != nil {
		return err
	}
	if db.isClosed() {
		return fmt.Errorf("storage: remove file %q: %w", rel, ErrClosed)
	}
	if err := db.files.Remove(p); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("storage: remove file %q: %w", rel, ErrNotFound)
	} else if err != nil {
		return fmt.Errorf("storage: remove file %q: %w", rel, err)
	}
	return syncRootDir(db.files, filepath.Dir(p))
}
