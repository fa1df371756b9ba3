package storage

import "errors"

// Errors returned by this package. They are always wrapped with context (a
// "storage:" prefix, the collection, log or path involved), so test for them
// with [errors.Is].
var (
	// ErrNotFound is returned when a key, a log record or a file does not
	// exist.
	ErrNotFound = errors.New("not found")

	// ErrExists is returned by Create when the key is already present.
	ErrExists = errors.New("already exists")

	// ErrCorrupt is returned when stored bytes cannot be read back: a value
	// that does not decode into its type, a database file that is truncated or
	// not a bbolt file, or a failed consistency check.
	ErrCorrupt = errors.New("corrupt data")

	// ErrSchemaTooNew is returned by Open when the store records a schema
	// version higher than the newest migration the code knows.
	ErrSchemaTooNew = errors.New("schema version newer than this code")

	// ErrInvalidMigration is returned by Open when Options.Migrations has a
	// version below 1, a repeated version or a nil Apply.
	ErrInvalidMigration = errors.New("invalid migration")

	// ErrInvalidPath is returned when a file path is empty, absolute, would
	// leave the files directory (through ".." or a symbolic link), or names a
	// file starting with ".tmp-" (reserved for files being written).
	ErrInvalidPath = errors.New("invalid path")

	// ErrInvalidName is returned for a collection or log name that is empty,
	// reserved (leading underscore) or uses characters outside
	// [A-Za-z0-9._-], or longer than 64 bytes.
	ErrInvalidName = errors.New("invalid name")

	// ErrInvalidKey is returned for an empty or oversized key, and for a log
	// time outside the range of int64 Unix nanoseconds (years 1678–2262).
	ErrInvalidKey = errors.New("invalid key")

	// ErrWrongKind is returned when a name already used for a collection is
	// opened as a log, or the reverse.
	ErrWrongKind = errors.New("name used by another kind")

	// ErrReadOnly is returned when a write is attempted inside View.
	ErrReadOnly = errors.New("read-only transaction")

	// ErrClosed is returned by any operation on a closed DB.
	ErrClosed = errors.New("store closed")

	// ErrLocked is returned by Open when another holder keeps the database
	// file locked past Options.Timeout, and by RestoreBackup when the target
	// store is open.
	ErrLocked = errors.New("store in use")

	// ErrInvalidBackup is returned by InspectBackup and RestoreBackup when the
	// archive is malformed, incomplete, or disagrees with its manifest.
	ErrInvalidBackup = errors.New("invalid backup")
)
