package storage

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readAll(t *testing.T, db *DB, rel string) string {
	t.Helper()
	f, err := db.OpenFile(rel)
	if err != nil {
		t.Fatalf("OpenFile(%q) = %v", rel, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteFile(t *testing.T) {
	db := openTest(t, nil)
	if err := db.WriteFile("voicemail/1001/0001.wav", strings.NewReader("RIFF one")); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, db, "voicemail/1001/0001.wav"); got != "RIFF one" {
		t.Errorf("content = %q", got)
	}
	if err := db.WriteFile("voicemail/1001/0001.wav", strings.NewReader("RIFF two")); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, db, "voicemail/1001/0001.wav"); got != "RIFF two" {
		t.Errorf("content after overwrite = %q", got)
	}
	_, err := db.OpenFile("voicemail/1001/none.wav")
	wantErr(t, "OpenFile(missing)", err, ErrNotFound)
	if err := db.RemoveFile("voicemail/1001/0001.wav"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "RemoveFile(again)", db.RemoveFile("voicemail/1001/0001.wav"), ErrNotFound)
}

// failingReader yields some bytes, then an error, like an upload cut short.
type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n > 0 {
		n := min(r.n, len(p))
		for i := range n {
			p[i] = 'x'
		}
		r.n -= n
		return n, nil
	}
	return 0, errors.New("connection reset")
}

func TestWriteFileAtomic(t *testing.T) {
	db := openTest(t, nil)
	db.WriteFile("prompts/welcome.wav", strings.NewReader("old"))
	err := db.WriteFile("prompts/welcome.wav", &failingReader{n: 100_000})
	if err == nil {
		t.Fatal("WriteFile from a failing reader succeeded")
	}
	if got := readAll(t, db, "prompts/welcome.wav"); got != "old" {
		t.Errorf("after failed write, content = %q, want the old file", got)
	}
	entries, _ := os.ReadDir(filepath.Join(db.Dir(), filesDirName, "prompts"))
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("prompts dir holds %v, want only welcome.wav (no temp files left)", names)
	}
	if err := db.WriteFile("prompts/new.wav", &failingReader{n: 10}); err == nil {
		t.Fatal("WriteFile from a failing reader succeeded")
	}
	_, err = db.OpenFile("prompts/new.wav")
	wantErr(t, "OpenFile of a failed new file", err, ErrNotFound)
}

func TestWriteFilePathEscape(t *testing.T) {
	db := openTest(t, nil)
	outside := t.TempDir()
	for _, rel := range []string{
		"", ".", "/etc/passwd", "../x", "a/../../x", "voicemail/../../deskline.db",
		"..", "a/.tmp-x",
	} {
		wantErr(t, "WriteFile("+rel+")", db.WriteFile(rel, strings.NewReader("x")), ErrInvalidPath)
		_, err := db.OpenFile(rel)
		wantErr(t, "OpenFile("+rel+")", err, ErrInvalidPath)
	}
	// A symbolic link inside the files directory must not lead outside.
	if err := os.Symlink(outside, filepath.Join(db.Dir(), filesDirName, "link")); err != nil {
		t.Fatal("creating a symlink for the escape check:", err)
	}
	wantErr(t, "WriteFile through symlink", db.WriteFile("link/x", strings.NewReader("x")), ErrInvalidPath)
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("WriteFile wrote outside the store: %v", entries)
	}
	os.Remove(filepath.Join(db.Dir(), filesDirName, "link"))
	// Paths that only look odd are fine.
	if err := db.WriteFile("a/b..c/d", strings.NewReader("x")); err != nil {
		t.Errorf("WriteFile(a/b..c/d) = %v", err)
	}
}
