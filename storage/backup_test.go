package storage

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var backupMigrations = []Migration{{Version: 1, Name: "init", Apply: func(tx *Tx) error {
	_, err := CollectionIn[agent](tx, "agents")
	return err
}}}

// fillStore writes a little of everything to db.
func fillStore(t *testing.T, db *DB, tag string) {
	t.Helper()
	agents, _ := NewCollection[agent](db, "agents")
	cdr, _ := NewLog[call](db, "cdr")
	for i := range 3 {
		if err := agents.Put(tag+string(rune('a'+i)), agent{ID: tag, Name: tag}); err != nil {
			t.Fatal(err)
		}
		if _, err := cdr.Append(time.Unix(int64(1000+i), 0), call{From: tag, N: i}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.WriteFile("voicemail/1001/"+tag+".wav", strings.NewReader("audio "+tag)); err != nil {
		t.Fatal(err)
	}
	if err := db.WriteFile("prompts/welcome.wav", strings.NewReader(strings.Repeat("w", 100_000))); err != nil {
		t.Fatal(err)
	}
}

func backupOf(t *testing.T, db *DB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := db.Backup(&buf); err != nil {
		t.Fatalf("Backup = %v", err)
	}
	return buf.Bytes()
}

// snapshotDir returns every regular file under dir (relative path → content),
// to prove a failed restore changed nothing.
func snapshotDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if rel, _ := filepath.Rel(dir, p); rel != "." {
				out[rel+"/"] = ""
			}
			return nil
		}
		b, _ := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = string(b)
		return nil
	})
	return out
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	opts := &Options{Migrations: backupMigrations}
	src := openTest(t, opts)
	fillStore(t, src, "src")
	archive := backupOf(t, src)

	m, err := InspectBackup(bytes.NewReader(archive))
	if err != nil {
		t.Fatalf("InspectBackup = %v", err)
	}
	if m.SchemaVersion != 1 || m.Format != 1 || time.Since(m.Created) > time.Minute {
		t.Errorf("manifest = %+v", m)
	}
	if want := map[string]int{"agents": 3, "cdr": 3}; !reflect.DeepEqual(m.Buckets, want) {
		t.Errorf("manifest buckets = %v, want %v", m.Buckets, want)
	}
	var paths []string
	for _, f := range m.Files {
		paths = append(paths, f.Path)
	}
	if want := []string{"prompts/welcome.wav", "voicemail/1001/src.wav"}; !reflect.DeepEqual(paths, want) {
		t.Errorf("manifest files = %v, want %v", paths, want)
	}

	// Into a fresh directory.
	fresh := filepath.Join(t.TempDir(), "restored")
	if err := RestoreBackup(bytes.NewReader(archive), fresh); err != nil {
		t.Fatalf("RestoreBackup(fresh) = %v", err)
	}
	checkRestored(t, fresh, opts, "src")

	// Over an existing, closed store: its data and files are replaced, other
	// entries of the directory are kept.
	other := t.TempDir()
	db, err := Open(other, opts)
	if err != nil {
		t.Fatal(err)
	}
	fillStore(t, db, "old")
	db.Close()
	os.WriteFile(filepath.Join(other, "keep.txt"), []byte("mine"), 0o600)
	if err := RestoreBackup(bytes.NewReader(archive), other); err != nil {
		t.Fatalf("RestoreBackup(existing) = %v", err)
	}
	checkRestored(t, other, opts, "src")
	if b, err := os.ReadFile(filepath.Join(other, "keep.txt")); string(b) != "mine" {
		t.Errorf("unrelated file after restore: %q, %v", b, err)
	}
	if left, _ := filepath.Glob(filepath.Join(other, restorePrefix+"*")); len(left) != 0 {
		t.Errorf("restore left %v behind", left)
	}
}

func checkRestored(t *testing.T, dir string, opts *Options, tag string) {
	t.Helper()
	db := openTestIn(t, dir, opts)
	if err := db.Check(); err != nil {
		t.Errorf("Check = %v", err)
	}
	agents, _ := NewCollection[agent](db, "agents")
	keys, _ := agents.Keys()
	if want := []string{tag + "a", tag + "b", tag + "c"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("restored keys = %v, want %v", keys, want)
	}
	cdr, _ := NewLog[call](db, "cdr")
	if n, _ := cdr.Len(); n != 3 {
		t.Errorf("restored cdr has %d records, want 3", n)
	}
	if got := readAll(t, db, "voicemail/1001/"+tag+".wav"); got != "audio "+tag {
		t.Errorf("restored voicemail = %q", got)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, filesDirName, "voicemail", "1001"))
	if len(entries) != 1 {
		t.Errorf("restored voicemail dir has %d files, want exactly the backup's 1", len(entries))
	}
	if got := readAll(t, db, "prompts/welcome.wav"); len(got) != 100_000 {
		t.Errorf("restored prompt has %d bytes", len(got))
	}
}

func TestRestoreIntoOpenStore(t *testing.T) {
	src := openTest(t, nil)
	fillStore(t, src, "src")
	archive := backupOf(t, src)
	target := openTest(t, nil)
	before := snapshotDir(t, target.Dir())
	err := RestoreBackup(bytes.NewReader(archive), target.Dir())
	wantErr(t, "RestoreBackup(open store)", err, ErrLocked)
	if after := snapshotDir(t, target.Dir()); !reflect.DeepEqual(before, after) {
		t.Error("failed restore changed the target directory")
	}
}

type entry struct {
	hdr  tar.Header
	data []byte
}

func readEntries(t *testing.T, archive []byte) []entry {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var es []entry
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return es
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		es = append(es, entry{*h, b})
	}
}

// writeEntries writes an uncompressed tar, which InspectBackup accepts too.
func writeEntries(t *testing.T, es []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range es {
		h := e.hdr
		h.Size = int64(len(e.data))
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		tw.Write(e.data)
	}
	tw.Close()
	return buf.Bytes()
}

func editManifest(t *testing.T, es []entry, fn func(m *Manifest)) {
	for i := range es {
		if es[i].hdr.Name == manifestName {
			var m Manifest
			json.Unmarshal(es[i].data, &m)
			fn(&m)
			es[i].data, _ = json.Marshal(m)
		}
	}
}

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func TestBackupRejectsDamage(t *testing.T) {
	src := openTest(t, nil)
	fillStore(t, src, "src")
	good := backupOf(t, src)

	// A plain tar of the same entries is accepted: the mutations below are
	// then the only reason for a rejection.
	if _, err := InspectBackup(bytes.NewReader(writeEntries(t, readEntries(t, good)))); err != nil {
		t.Fatalf("InspectBackup(plain tar) = %v", err)
	}

	mutate := func(fn func(es []entry) []entry) []byte {
		return writeEntries(t, fn(readEntries(t, good)))
	}
	find := func(es []entry, name string) int {
		for i, e := range es {
			if e.hdr.Name == name {
				return i
			}
		}
		t.Fatalf("no entry %s", name)
		return -1
	}
	cases := map[string][]byte{
		"empty":          {},
		"not an archive": []byte("hello world, this is not a tar file at all........"),
		"truncated gzip": good[:len(good)/2],
		"gzip byte flipped": func() []byte {
			b := bytes.Clone(good)
			b[len(b)/2] ^= 0xff
			return b
		}(),
		"no manifest": mutate(func(es []entry) []entry { return es[:len(es)-1] }),
		"no database": mutate(func(es []entry) []entry { return es[1:] }),
		"file dropped": mutate(func(es []entry) []entry {
			i := find(es, "files/prompts/welcome.wav")
			return append(es[:i], es[i+1:]...)
		}),
		"file altered": mutate(func(es []entry) []entry {
			es[find(es, "files/prompts/welcome.wav")].data[10] = 'X'
			return es
		}),
		"database altered": mutate(func(es []entry) []entry {
			es[find(es, dbFileName)].data[5000] ^= 0xff
			return es
		}),
		"database damaged, digest updated": mutate(func(es []entry) []entry {
			db := es[find(es, dbFileName)].data
			for i := 2 * 4096; i < len(db); i++ {
				db[i] ^= 0x5a
			}
			editManifest(t, es, func(m *Manifest) { m.Database.SHA256 = sum(db) })
			return es
		}),
		"database truncated, digest updated": mutate(func(es []entry) []entry {
			i := find(es, dbFileName)
			es[i].data = es[i].data[:3*4096]
			editManifest(t, es, func(m *Manifest) { m.Database.SHA256, m.Database.Size = sum(es[i].data), 3*4096 })
			return es
		}),
		"count mismatch": mutate(func(es []entry) []entry {
			editManifest(t, es, func(m *Manifest) { m.Buckets["agents"]++ })
			return es
		}),
		"schema mismatch": mutate(func(es []entry) []entry {
			editManifest(t, es, func(m *Manifest) { m.SchemaVersion = 7 })
			return es
		}),
		"unknown format": mutate(func(es []entry) []entry {
			editManifest(t, es, func(m *Manifest) { m.Format = 2 })
			return es
		}),
		"extra entry": mutate(func(es []entry) []entry {
			return append([]entry{{tar.Header{Name: "etc/passwd", Typeflag: tar.TypeReg, Mode: 0o600}, []byte("x")}}, es...)
		}),
		"escaping file": mutate(func(es []entry) []entry {
			return append([]entry{{tar.Header{Name: "files/../../evil", Typeflag: tar.TypeReg, Mode: 0o600}, []byte("x")}}, es...)
		}),
		"symlink entry": mutate(func(es []entry) []entry {
			return append([]entry{{tar.Header{Name: "files/link", Typeflag: tar.TypeSymlink, Linkname: "/etc"}, nil}}, es...)
		}),
		"duplicate file": mutate(func(es []entry) []entry {
			return append([]entry{es[find(es, "files/prompts/welcome.wav")]}, es...)
		}),
		"entry after manifest": mutate(func(es []entry) []entry {
			return append(es, es[find(es, "files/prompts/welcome.wav")])
		}),
	}

	// The restore target: a closed store with its own data.
	target := t.TempDir()
	db, err := Open(target, nil)
	if err != nil {
		t.Fatal(err)
	}
	fillStore(t, db, "old")
	db.Close()
	before := snapshotDir(t, target)

	for name, archive := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := InspectBackup(bytes.NewReader(archive))
			wantErr(t, "InspectBackup", err, ErrInvalidBackup)
			t.Logf("InspectBackup: %v", err)
			err = RestoreBackup(bytes.NewReader(archive), target)
			wantErr(t, "RestoreBackup", err, ErrInvalidBackup)
			if after := snapshotDir(t, target); !reflect.DeepEqual(before, after) {
				t.Error("failed restore changed the target directory")
			}
		})
	}
	checkReopen(t, target, nil)
	if _, err := os.Stat(filepath.Join(filepath.Dir(target), "evil")); err == nil {
		t.Error("escaping entry was written")
	}
}
