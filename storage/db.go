package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// File and directory names inside a store's directory.
const (
	dbFileName   = "deskline.db"
	filesDirName = "files"
)

// Names inside the reserved meta bucket.
var (
	metaBucket    = []byte("_meta")
	metaSchemaKey = []byte("schema_version")
)

const (
	metaKindPrefix = "kind:"
	kindCollection = "collection"
	kindLog        = "log"
	defaultTimeout = 2 * time.Second
)

// Options configures Open. The zero value (or a nil *Options) is valid.
type Options struct {
	// Timeout bounds the wait for the database file lock held by another
	// opener. Zero means 2 seconds.
	Timeout time.Duration

	// Migrations bring the stored data up to the code's schema. Open sorts
	// them by Version and applies, in order, each one whose Version is above
	// the stored schema version, each in its own transaction that also
	// records the new version. The highest Version is the code's schema
	// version; a fresh store starts at 0 and runs them all.
	Migrations []Migration

	// Logger receives open, migration and close messages. Nil discards them.
	Logger *slog.Logger
}

// Migration is one step of the schema. Apply runs inside a write transaction;
// an error aborts that migration (nothing of it is kept) and fails Open.
// Apply must not keep tx or values read through it after it returns.
type Migration struct {
	Version int
	Name    string
	Apply   func(tx *Tx) error
}

// DB is an open store: one bbolt file, dir/deskline.db, and a files tree,
// dir/files. Its methods are safe for concurrent use.
type DB struct {
	dir     string
	bolt    *bbolt.DB
	files   *os.Root
	logger  *slog.Logger
	version int

	closeMu sync.Mutex
	closed  bool
}

// Tx is a transaction handed to Update, View and migrations. It is valid only
// until the function it was passed to returns.
type Tx struct {
	tx *bbolt.Tx
}

// Writable reports whether tx may write (it was started by Update or a
// migration).
func (tx *Tx) Writable() bool { return tx.tx.Writable() }

// Buckets returns the names of the collections and logs present in the store,
// sorted.
func (tx *Tx) Buckets() []string {
	var names []string
	_ = tx.tx.ForEach(func(name []byte, _ *bbolt.Bucket) error {
		if name[0] != '_' {
			names = append(names, string(name))
		}
		return nil
	})
	return names
}

// DeleteBucket removes a collection or log and everything in it; it is meant
// for migrations. It returns ErrNotFound if there is no such bucket.
func (tx *Tx) DeleteBucket(name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if !tx.tx.Writable() {
		return fmt.Errorf("storage: delete bucket %q: %w", name, ErrReadOnly)
	}
	if err := tx.tx.DeleteBucket([]byte(name)); err != nil {
		if errors.Is(err, bolterrors.ErrBucketNotFound) {
			return fmt.Errorf("storage: delete bucket %q: %w", name, ErrNotFound)
		}
		return fmt.Errorf("storage: delete bucket %q: %w", name, err)
	}
	if m := tx.tx.Bucket(metaBucket); m != nil {
		if err := m.Delete([]byte(metaKindPrefix + name)); err != nil {
			return fmt.Errorf("storage: delete bucket %q: %w", name, err)
		}
	}
	return nil
}

// Open opens the store in dir, creating dir (mode 0700), the database file and
// the files directory if needed. It refuses a store whose schema version is
// newer than the highest migration (ErrSchemaTooNew), then applies pending
// migrations. A file that is not a healthy bbolt database yields ErrCorrupt;
// a file held by another opener past opts.Timeout yields ErrLocked.
func Open(dir string, opts *Options) (*DB, error) {
	if opts == nil {
		opts = &Options{}
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	migrations, err := sortMigrations(opts.Migrations)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("storage: open: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, filesDirName), 0o700); err != nil {
		return nil, fmt.Errorf("storage: open: %w", err)
	}
	path := filepath.Join(dir, dbFileName)
	if err := preflight(path); err != nil {
		return nil, err
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	bdb, err := openBolt(path, &bbolt.Options{Timeout: timeout})
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(filepath.Join(dir, filesDirName))
	if err != nil {
		bdb.Close()
		return nil, fmt.Errorf("storage: open: %w", err)
	}
	db := &DB{dir: dir, bolt: bdb, files: root, logger: logger}
	if err := db.migrate(migrations); err != nil {
		db.Close()
		return nil, err
	}
	logger.Info("storage: opened", "dir", dir, "schema", db.version)
	return db, nil
}

// openBolt opens a bbolt file, turning the lock timeout into ErrLocked and a
// panic or memory fault from a damaged file into ErrCorrupt.
func openBolt(path string, bopts *bbolt.Options) (bdb *bbolt.DB, err error) {
	// Keep the file bbolt opens so that it, and with it the lock, can be
	// released if bbolt panics half way through opening.
	var file *os.File
	bopts.OpenFile = func(name string, flag int, perm os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag, perm)
		file = f
		return f, err
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if file != nil {
				// The mapping bbolt made cannot be undone from here and
				// stays until the process exits; the lock must not.
				unlockFile(file)
				file.Close()
			}
			bdb, err = nil, fmt.Errorf("storage: open %s: %w: %v", path, ErrCorrupt, r)
		}
	}()
	bdb, err = bbolt.Open(path, 0o600, bopts)
	switch {
	case err == nil:
		return bdb, nil
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, fmt.Errorf("storage: open %s: %w", path, ErrLocked)
	case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrChecksum),
		errors.Is(err, bolterrors.ErrVersionMismatch):
		return nil, fmt.Errorf("storage: open %s: %w: %w", path, ErrCorrupt, err)
	default:
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
}

// preflight checks, before bbolt maps the file, that an existing database file
// has a valid meta page and is not shorter than that meta page says. bbolt
// would otherwise read past the end of the mapping of a truncated file and
// crash the process with a fault that cannot be recovered everywhere.
func preflight(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("storage: open %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("storage: open %s: %w", path, err)
	}
	size := fi.Size()
	if size == 0 {
		return nil // bbolt initialises an empty file
	}
	corrupt := func(why string) error {
		return fmt.Errorf("storage: open %s: %w: %s", path, ErrCorrupt, why)
	}
	m0, ok0 := readMeta(f, 0)
	if !ok0 {
		// The page size is unknown; look for the second meta page at every
		// size bbolt could have used.
		for ps := int64(1024); ps <= 1<<16 && ps+metaEnd <= size; ps <<= 1 {
			if m, ok := readMeta(f, ps); ok && int64(m.pageSize) == ps {
				m0, ok0 = m, true
				break
			}
		}
		if !ok0 {
			return corrupt("no valid meta page (not a bbolt file?)")
		}
	}
	ps := int64(m0.pageSize)
	if size < 2*ps {
		return corrupt(fmt.Sprintf("file is %d bytes, shorter than its two meta pages", size))
	}
	best := m0
	if m1, ok := readMeta(f, ps); ok && m1.txid > best.txid {
		best = m1
	}
	if need := int64(best.pgid) * ps; size < need {
		return corrupt(fmt.Sprintf("file is %d bytes, truncated below %d", size, need))
	}
	return nil
}

// meta mirrors the fields of a bbolt meta page that preflight needs. The
// layout is bbolt's file format version 2, in the machine's byte order.
type meta struct {
	pageSize uint32
	pgid     uint64
	txid     uint64
}

const (
	pageHeaderSize = 16
	metaChecksumAt = 56 // offset of the checksum inside the meta struct
	metaEnd        = pageHeaderSize + metaChecksumAt + 8
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
)

func readMeta(r io.ReaderAt, off int64) (meta, bool) {
	var buf [metaEnd]byte
	if _, err := r.ReadAt(buf[:], off); err != nil {
		return meta{}, false
	}
	b := buf[pageHeaderSize:]
	ne := binary.NativeEndian
	if ne.Uint32(b[0:]) != boltMagic || ne.Uint32(b[4:]) != boltVersion {
		return meta{}, false
	}
	if ne.Uint64(b[metaChecksumAt:]) != fnv64a(b[:metaChecksumAt]) {
		return meta{}, false
	}
	m := meta{pageSize: ne.Uint32(b[8:]), pgid: ne.Uint64(b[40:]), txid: ne.Uint64(b[48:])}
	if m.pageSize < 512 || m.pageSize&(m.pageSize-1) != 0 {
		return meta{}, false
	}
	return m, true
}

func fnv64a(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

func sortMigrations(in []Migration) ([]Migration, error) {
	ms := slices.Clone(in)
	slices.SortStableFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	for i, m := range ms {
		switch {
		case m.Version < 1:
			return nil, fmt.Errorf("storage: migration %q: %w: version %d below 1", m.Name, ErrInvalidMigration, m.Version)
		case m.Apply == nil:
			return nil, fmt.Errorf("storage: migration %d %q: %w: nil Apply", m.Version, m.Name, ErrInvalidMigration)
		case i > 0 && ms[i-1].Version == m.Version:
			return nil, fmt.Errorf("storage: migration %d: %w: version repeated", m.Version, ErrInvalidMigration)
		}
	}
	return ms, nil
}

// migrate records the schema version of a new store, refuses a newer one and
// applies pending migrations, one transaction each.
func (db *DB) migrate(ms []Migration) error {
	codeVersion := 0
	if len(ms) > 0 {
		codeVersion = ms[len(ms)-1].Version
	}
	var stored int
	err := db.bolt.Update(func(btx *bbolt.Tx) error {
		m, err := btx.CreateBucketIfNotExists(metaBucket)
		if err != nil {
			return err
		}
		v := m.Get(metaSchemaKey)
		if v == nil {
			return m.Put(metaSchemaKey, binary.BigEndian.AppendUint64(nil, 0))
		}
		stored, err = decodeVersion(v)
		return err
	})
	if err != nil {
		return fmt.Errorf("storage: read schema version: %w", err)
	}
	if stored > codeVersion {
		return fmt.Errorf("storage: store %s has schema %d, code knows %d: %w", db.dir, stored, codeVersion, ErrSchemaTooNew)
	}
	db.version = stored
	for _, m := range ms {
		if m.Version <= stored {
			continue
		}
		db.logger.Info("storage: migrating", "version", m.Version, "name", m.Name)
		err := db.bolt.Update(func(btx *bbolt.Tx) error {
			if err := m.Apply(&Tx{tx: btx}); err != nil {
				return err
			}
			return btx.Bucket(metaBucket).Put(metaSchemaKey, binary.BigEndian.AppendUint64(nil, uint64(m.Version)))
		})
		if err != nil {
			return fmt.Errorf("storage: migration %d %q: %w", m.Version, m.Name, err)
		}
		db.version = m.Version
	}
	return nil
}

func decodeVersion(v []byte) (int, error) {
	if len(v) != 8 || binary.BigEndian.Uint64(v) > 1<<31 {
		return 0, fmt.Errorf("schema version %x: %w", v, ErrCorrupt)
	}
	return int(binary.BigEndian.Uint64(v)), nil
}

// Close closes the database and the files directory. It waits for running
// transactions; later calls, including appends still waiting to be batched,
// fail with ErrClosed. Calling Close again returns nil.
func (db *DB) Close() error {
	db.closeMu.Lock()
	defer db.closeMu.Unlock()
	if db.closed {
		return nil
	}
	db.closed = true
	err := db.bolt.Close()
	if ferr := db.files.Close(); err == nil {
		err = ferr
	}
	if err != nil {
		return fmt.Errorf("storage: close: %w", err)
	}
	db.logger.Info("storage: closed", "dir", db.dir)
	return nil
}

// SchemaVersion returns the schema version of the store after Open's
// migrations.
func (db *DB) SchemaVersion() int { return db.version }

// Dir returns the directory the store was opened in.
func (db *DB) Dir() string { return db.dir }

// Update runs fn in a write transaction and commits it, fsync'd, before
// returning. If fn returns an error (returned unchanged) or panics, nothing
// is written. Write transactions run one at a time. fn must not start
// another transaction (db.Update, db.View, or a Collection or Log method not
// reached through In): that can deadlock.
func (db *DB) Update(fn func(tx *Tx) error) error {
	var fnErr error
	err := db.bolt.Update(func(btx *bbolt.Tx) error {
		fnErr = fn(&Tx{tx: btx})
		return fnErr
	})
	if err != nil && (fnErr == nil || err != fnErr) {
		return boltErr("update", err)
	}
	return err
}

// View runs fn in a read-only transaction that sees a consistent snapshot.
// fn's error is returned unchanged. fn must not start another transaction
// (see Update): a write while a read is open can deadlock when the file needs
// to grow.
func (db *DB) View(fn func(tx *Tx) error) error {
	var fnErr error
	err := db.bolt.View(func(btx *bbolt.Tx) error {
		fnErr = fn(&Tx{tx: btx})
		return fnErr
	})
	if err != nil && (fnErr == nil || err != fnErr) {
		return boltErr("view", err)
	}
	return err
}

// boltErr wraps an error from bbolt itself, mapping a closed database to
// ErrClosed.
func boltErr(op string, err error) error {
	if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
		return fmt.Errorf("storage: %s: %w", op, ErrClosed)
	}
	return fmt.Errorf("storage: %s: %w", op, err)
}

// Check runs bbolt's consistency check over the whole file and returns an
// error wrapping ErrCorrupt that lists what it found. It holds the write
// lock while it runs (writes wait), which is what makes it safe alongside
// concurrent use.
func (db *DB) Check() error {
	btx, err := db.bolt.Begin(true)
	if err != nil {
		return boltErr("check", err)
	}
	defer btx.Rollback()
	return checkTx(btx, db.dir)
}

func checkTx(btx *bbolt.Tx, what string) error {
	var errs []error
	for err := range btx.Check() {
		if len(errs) < 10 {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("storage: check %s: %w: %w", what, ErrCorrupt, errors.Join(errs...))
	}
	return nil
}
