package storage

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"go.etcd.io/bbolt"
)

// A backup archive is a gzip-compressed tar holding, in this order:
//
//	deskline.db     a consistent snapshot of the database (Tx.WriteTo)
//	files/<rel>     every file written with WriteFile
//	manifest.json   the Manifest, with a SHA-256 of every other entry
//
// The manifest comes last because it records digests of what precedes it.
// InspectBackup and RestoreBackup also accept an uncompressed tar.
const (
	manifestName  = "manifest.json"
	backupFormat  = 1
	maxManifest   = 16 << 20
	restorePrefix = ".restore-"
)

// Manifest describes a backup archive.
type Manifest struct {
	Format        int            `json:"format"` // 1
	Created       time.Time      `json:"created"`
	SchemaVersion int            `json:"schema_version"`
	Buckets       map[string]int `json:"buckets"` // records per collection or log
	Database      FileSum        `json:"database"`
	Files         []FileSum      `json:"files"` // sorted by Path
}

// FileSum names one archived file with its size and SHA-256 (hex).
type FileSum struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Backup writes a backup archive of the store to w: a snapshot of the
// database taken in one read transaction (writers are not blocked), the files
// directory, and a manifest. Files are read after the snapshot, so a file
// written meanwhile may or may not be included. The read transaction lasts
// until the snapshot is written to w: give a destination that keeps up.
func (db *DB) Backup(w io.Writer) error {
	if db.isClosed() {
		return fmt.Errorf("storage: backup: %w", ErrClosed)
	}
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	m := Manifest{Format: backupFormat, Created: time.Now().UTC().Truncate(time.Second), Files: []FileSum{}}
	err := db.bolt.View(func(btx *bbolt.Tx) error {
		var err error
		if m.SchemaVersion, m.Buckets, err = describe(btx); err != nil {
			return err
		}
		hdr := &tar.Header{Name: dbFileName, Mode: 0o600, Size: btx.Size(), ModTime: m.Created, Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		h := sha256.New()
		n, err := btx.WriteTo(io.MultiWriter(tw, h))
		m.Database = FileSum{Path: dbFileName, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}
		return err
	})
	if err != nil {
		return boltErr("backup", err)
	}
	err = fs.WalkDir(db.files.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() || strings.HasPrefix(d.Name(), tempPrefix) {
			return nil
		}
		sum, err := archiveFile(tw, db.files, p)
		if err != nil {
			return err
		}
		m.Files = append(m.Files, sum)
		return nil
	})
	if err != nil {
		return fmt.Errorf("storage: backup files: %w", err)
	}
	mdata, err := json.MarshalIndent(m, "", "\t")
	if err != nil {
		return fmt.Errorf("storage: backup: %w", err)
	}
	hdr := &tar.Header{Name: manifestName, Mode: 0o600, Size: int64(len(mdata)), ModTime: m.Created, Typeflag: tar.TypeReg}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("storage: backup: %w", err)
	}
	if _, err := tw.Write(mdata); err != nil {
		return fmt.Errorf("storage: backup: %w", err)
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("storage: backup: %w", err)
	}
	if err := gz.Close(); err != nil {
		return fmt.Errorf("storage: backup: %w", err)
	}
	return nil
}

// archiveFile appends the file p of root (fs.FS form: slash-separated) to tw.
func archiveFile(tw *tar.Writer, root *os.Root, p string) (FileSum, error) {
	f, err := root.Open(filepath.FromSlash(p))
	if err != nil {
		return FileSum{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return FileSum{}, err
	}
	hdr := &tar.Header{Name: filesDirName + "/" + p, Mode: 0o600, Size: fi.Size(), ModTime: fi.ModTime(), Typeflag: tar.TypeReg}
	if err := tw.WriteHeader(hdr); err != nil {
		return FileSum{}, err
	}
	h := sha256.New()
	if _, err := io.CopyN(io.MultiWriter(tw, h), f, fi.Size()); err != nil {
		return FileSum{}, err
	}
	return FileSum{Path: p, Size: fi.Size(), SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// describe returns the schema version and the record count of every
// collection and log.
func describe(btx *bbolt.Tx) (int, map[string]int, error) {
	version := 0
	if m := btx.Bucket(metaBucket); m != nil {
		if v := m.Get(metaSchemaKey); v != nil {
			var err error
			if version, err = decodeVersion(v); err != nil {
				return 0, nil, err
			}
		}
	}
	counts := map[string]int{}
	err := btx.ForEach(func(name []byte, b *bbolt.Bucket) error {
		if name[0] != '_' {
			counts[string(name)] = b.Stats().KeyN
		}
		return nil
	})
	return version, counts, err
}

// InspectBackup reads a whole backup archive and validates it: every entry is
// expected and matches the manifest's size and digest, and the database
// snapshot opens, passes bbolt's consistency check and holds the schema
// version and record counts the manifest states. It returns the manifest.
// The snapshot is unpacked into a temporary file under os.TempDir, removed
// before returning; no store is touched. Failures wrap ErrInvalidBackup.
func InspectBackup(r io.Reader) (Manifest, error) {
	stage, err := os.MkdirTemp("", "deskline-inspect-")
	if err != nil {
		return Manifest{}, fmt.Errorf("storage: inspect backup: %w", err)
	}
	defer os.RemoveAll(stage)
	return unpack(r, stage, false)
}

// RestoreBackup validates the archive read from r as InspectBackup does and,
// only if it is valid, makes dir hold exactly its database and files,
// replacing dir/deskline.db and dir/files; other entries of dir are left
// alone. dir is created if missing. The store in dir must be closed
// (ErrLocked otherwise). The archive is unpacked and fsync'd inside dir first;
// then the files directory and the database are each swapped in by rename.
// A crash between those two renames can leave the backup's files beside the
// previous database; running the restore again repairs that. RestoreBackup
// does not check the schema version against the code: Open does
// (ErrSchemaTooNew), and callers wanting to refuse earlier can inspect first.
func RestoreBackup(r io.Reader, dir string) (err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("storage: restore: %w", err)
	}
	release, err := lockFile(filepath.Join(dir, dbFileName))
	if err != nil {
		return err
	}
	defer release()
	// Leftovers of an interrupted restore are of no use.
	if old, _ := filepath.Glob(filepath.Join(dir, restorePrefix+"*")); len(old) > 0 {
		for _, o := range old {
			os.RemoveAll(o)
		}
	}
	stage, err := os.MkdirTemp(dir, restorePrefix)
	if err != nil {
		return fmt.Errorf("storage: restore: %w", err)
	}
	defer os.RemoveAll(stage)
	if _, err := unpack(r, stage, true); err != nil {
		return err
	}
	if err := syncTree(stage); err != nil {
		return fmt.Errorf("storage: restore: %w", err)
	}
	liveFiles := filepath.Join(dir, filesDirName)
	if err := os.Rename(liveFiles, filepath.Join(stage, "previous-files")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("storage: restore: %w", err)
	}
	if err := os.Rename(filepath.Join(stage, filesDirName), liveFiles); err != nil {
		return fmt.Errorf("storage: restore: %w", err)
	}
	if err := os.Rename(filepath.Join(stage, dbFileName), filepath.Join(dir, dbFileName)); err != nil {
		return fmt.Errorf("storage: restore: %w", err)
	}
	if err := SyncDir(dir); err != nil {
		return fmt.Errorf("storage: restore: %w", err)
	}
	return nil
}

// unpack reads the archive into stage (the database always, the files only
// if keepFiles) and validates it. Every error wraps ErrInvalidBackup except
// failures of the local disk.
func unpack(r io.Reader, stage string, keepFiles bool) (Manifest, error) {
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("storage: backup: %w: %s", ErrInvalidBackup, fmt.Sprintf(format, args...))
	}
	local := func(err error) error { return fmt.Errorf("storage: backup: %w", err) }

	br := bufio.NewReader(r)
	var src io.Reader = br
	var gz *gzip.Reader
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		var err error
		if gz, err = gzip.NewReader(br); err != nil {
			return Manifest{}, invalid("gzip: %v", err)
		}
		src = gz
	}
	var filesRoot *os.Root
	if keepFiles {
		if err := os.Mkdir(filepath.Join(stage, filesDirName), 0o700); err != nil {
			return Manifest{}, local(err)
		}
		var err error
		if filesRoot, err = os.OpenRoot(filepath.Join(stage, filesDirName)); err != nil {
			return Manifest{}, local(err)
		}
		defer filesRoot.Close()
	}

	dbPath := filepath.Join(stage, dbFileName)
	var (
		dbSum      *FileSum
		manifest   *Manifest
		files      = map[string]FileSum{}
		tr         = tar.NewReader(src)
		afterManif bool
	)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Manifest{}, invalid("tar: %v", err)
		}
		if afterManif {
			return Manifest{}, invalid("entry %q after the manifest", hdr.Name)
		}
		if hdr.Typeflag == tar.TypeDir && (hdr.Name == filesDirName+"/" || strings.HasPrefix(hdr.Name, filesDirName+"/")) {
			continue
		}
		if hdr.Typeflag != tar.TypeReg {
			return Manifest{}, invalid("entry %q is not a regular file", hdr.Name)
		}
		switch {
		case hdr.Name == dbFileName:
			if dbSum != nil {
				return Manifest{}, invalid("two databases")
			}
			f, err := os.OpenFile(dbPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return Manifest{}, local(err)
			}
			sum, err := copySum(f, tr, dbFileName)
			if cerr := closeSynced(f); err == nil && cerr != nil {
				return Manifest{}, local(cerr)
			}
			if err != nil {
				return Manifest{}, invalid("database: %v", err)
			}
			dbSum = &sum
		case hdr.Name == manifestName:
			data, err := io.ReadAll(io.LimitReader(tr, maxManifest+1))
			if err != nil {
				return Manifest{}, invalid("manifest: %v", err)
			}
			if len(data) > maxManifest {
				return Manifest{}, invalid("manifest larger than %d bytes", maxManifest)
			}
			manifest = new(Manifest)
			if err := json.Unmarshal(data, manifest); err != nil {
				return Manifest{}, invalid("manifest: %v", err)
			}
			afterManif = true
		case strings.HasPrefix(hdr.Name, filesDirName+"/"):
			rel := strings.TrimPrefix(hdr.Name, filesDirName+"/")
			p, err := cleanRel(rel)
			if err != nil || path.Clean(rel) != rel {
				return Manifest{}, invalid("file entry %q has an unsafe path", hdr.Name)
			}
			if _, dup := files[rel]; dup {
				return Manifest{}, invalid("file %q twice", rel)
			}
			var w io.Writer = io.Discard
			var f *os.File
			if keepFiles {
				if err := filesRoot.MkdirAll(filepath.Dir(p), 0o700); err != nil {
					return Manifest{}, local(err)
				}
				if f, err = filesRoot.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err != nil {
					return Manifest{}, local(err)
				}
				w = f
			}
			sum, err := copySum(w, tr, rel)
			if f != nil {
				if cerr := closeSynced(f); err == nil && cerr != nil {
					return Manifest{}, local(cerr)
				}
			}
			if err != nil {
				return Manifest{}, invalid("file %q: %v", rel, err)
			}
			files[rel] = sum
		default:
			return Manifest{}, invalid("unexpected entry %q", hdr.Name)
		}
	}
	if gz != nil {
		// Read to the end of the gzip stream so its checksum is verified.
		if _, err := io.Copy(io.Discard, gz); err != nil {
			return Manifest{}, invalid("gzip: %v", err)
		}
	}

	switch {
	case manifest == nil:
		return Manifest{}, invalid("no manifest")
	case manifest.Format != backupFormat:
		return Manifest{}, invalid("manifest format %d, want %d", manifest.Format, backupFormat)
	case dbSum == nil:
		return Manifest{}, invalid("no database")
	case *dbSum != manifest.Database:
		return Manifest{}, invalid("database is %d bytes sha256 %s, manifest says %d bytes sha256 %s",
			dbSum.Size, dbSum.SHA256, manifest.Database.Size, manifest.Database.SHA256)
	case len(files) != len(manifest.Files):
		return Manifest{}, invalid("archive has %d files, manifest lists %d", len(files), len(manifest.Files))
	}
	for _, want := range manifest.Files {
		if got, ok := files[want.Path]; !ok || got != want {
			return Manifest{}, invalid("file %q missing or not as the manifest describes", want.Path)
		}
	}
	if err := checkSnapshot(dbPath, manifest); err != nil {
		return Manifest{}, invalid("%v", err)
	}
	return *manifest, nil
}

// checkSnapshot opens an unpacked database read-only, checks it and compares
// it with the manifest.
func checkSnapshot(dbPath string, m *Manifest) error {
	if err := preflight(dbPath); err != nil {
		return err
	}
	bdb, err := openBolt(dbPath, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return err
	}
	defer bdb.Close()
	return bdb.View(func(btx *bbolt.Tx) error {
		if err := checkTx(btx, "backup database"); err != nil {
			return err
		}
		version, counts, err := describe(btx)
		if err != nil {
			return err
		}
		if version != m.SchemaVersion {
			return fmt.Errorf("database schema %d, manifest says %d", version, m.SchemaVersion)
		}
		if len(counts) != len(m.Buckets) {
			return fmt.Errorf("database has %d buckets, manifest lists %d", len(counts), len(m.Buckets))
		}
		for name, n := range m.Buckets {
			if got, ok := counts[name]; !ok || got != n {
				return fmt.Errorf("bucket %q has %d records, manifest says %d", name, got, n)
			}
		}
		return nil
	})
}

// copySum copies r to w and returns the size and digest of what passed.
func copySum(w io.Writer, r io.Reader, name string) (FileSum, error) {
	var h hash.Hash = sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), r)
	return FileSum{Path: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, err
}

func closeSynced(f *os.File) error {
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncTree fsyncs every directory under root (files were synced as written).
func syncTree(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		return SyncDir(p)
	})
}

// SyncDir fsyncs a directory, so that files created, renamed or removed in
// it survive a power cut.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Counts returns the number of records in each collection and log, as a
// backup's manifest lists them, for comparing the store with an archive.
func (db *DB) Counts() (map[string]int, error) {
	var counts map[string]int
	err := db.bolt.View(func(btx *bbolt.Tx) error {
		var err error
		_, counts, err = describe(btx)
		return err
	})
	return counts, err
}
