package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestReopenKeepsData(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if db.Dir() != dir {
		t.Errorf("Dir() = %q, want %q", db.Dir(), dir)
	}
	agents, _ := NewCollection[agent](db, "agents")
	agents.Put("1", agent{ID: "1", Name: "Ann"})
	cdr, _ := NewLog[string](db, "cdr")
	cdr.Append(time.Unix(100, 0), "call")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close() = %v, want nil", err)
	}
	db = openTestIn(t, dir, nil)
	agents, _ = NewCollection[agent](db, "agents")
	if got, err := agents.Get("1"); err != nil || got.Name != "Ann" {
		t.Errorf("after reopen Get = %+v, %v", got, err)
	}
	cdr, _ = NewLog[string](db, "cdr")
	if last, err := cdr.Last(5); err != nil || len(last) != 1 || last[0].Value != "call" {
		t.Errorf("after reopen Last = %+v, %v", last, err)
	}
}

func TestOpenCreatesPrivateDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "data")
	openTestIn(t, dir, nil)
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Errorf("dir mode = %v, want 0700", perm)
	}
	if _, err := os.Stat(filepath.Join(dir, dbFileName)); err != nil {
		t.Errorf("database file: %v", err)
	}
}

func TestClosed(t *testing.T) {
	db, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	agents, _ := NewCollection[agent](db, "agents")
	cdr, _ := NewLog[string](db, "cdr")
	db.Close()
	_, err = agents.Get("1")
	wantErr(t, "Get after Close", err, ErrClosed)
	wantErr(t, "Put after Close", agents.Put("1", agent{}), ErrClosed)
	_, err = cdr.Append(time.Now(), "x")
	wantErr(t, "Append after Close", err, ErrClosed)
	wantErr(t, "WriteFile after Close", db.WriteFile("a", strings.NewReader("x")), ErrClosed)
	wantErr(t, "Backup after Close", db.Backup(new(strings.Builder)), ErrClosed)
	wantErr(t, "Check after Close", db.Check(), ErrClosed)
	checkReopen(t, db.Dir(), nil)
}

func TestOpenLocked(t *testing.T) {
	dir := t.TempDir()
	openTestIn(t, dir, nil)
	start := time.Now()
	_, err := Open(dir, &Options{Timeout: 100 * time.Millisecond})
	wantErr(t, "second Open", err, ErrLocked)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("second Open took %v despite a 100ms timeout", d)
	}
}

func TestMigrations(t *testing.T) {
	dir := t.TempDir()
	var ran []int
	step := func(v int) Migration {
		return Migration{Version: v, Name: "step", Apply: func(tx *Tx) error {
			ran = append(ran, v)
			c, err := CollectionIn[int](tx, "steps")
			if err != nil {
				return err
			}
			return c.Put(string(rune('a'+v)), v)
		}}
	}
	// Given out of order: Open sorts them.
	opts := &Options{Migrations: []Migration{step(2), step(1)}}
	db, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if db.SchemaVersion() != 2 || !reflect.DeepEqual(ran, []int{1, 2}) {
		t.Errorf("after first Open: version %d, ran %v; want 2, [1 2]", db.SchemaVersion(), ran)
	}
	db.Close()

	// Reopening runs nothing; a new migration runs alone.
	ran = nil
	opts = &Options{Migrations: []Migration{step(1), step(2), step(3)}}
	db = openTestIn(t, dir, opts)
	if db.SchemaVersion() != 3 || !reflect.DeepEqual(ran, []int{3}) {
		t.Errorf("after second Open: version %d, ran %v; want 3, [3]", db.SchemaVersion(), ran)
	}
	steps, _ := NewCollection[int](db, "steps")
	if n, _ := steps.Len(); n != 3 {
		t.Errorf("steps written = %d, want 3", n)
	}
}

func TestMigrationFailure(t *testing.T) {
	dir := t.TempDir()
	boom := errors.New("boom")
	opts := &Options{Migrations: []Migration{
		{Version: 1, Name: "ok", Apply: func(tx *Tx) error {
			c, _ := CollectionIn[int](tx, "a")
			return c.Put("k", 1)
		}},
		{Version: 2, Name: "fails", Apply: func(tx *Tx) error {
			c, _ := CollectionIn[int](tx, "b")
			c.Put("k", 2)
			return boom
		}},
	}}
	_, err := Open(dir, opts)
	if !errors.Is(err, boom) {
		t.Fatalf("Open = %v, want boom", err)
	}
	// Version 1 stays applied; version 2 left nothing behind.
	db := openTestIn(t, dir, &Options{Migrations: opts.Migrations[:1]})
	if db.SchemaVersion() != 1 {
		t.Errorf("SchemaVersion = %d, want 1", db.SchemaVersion())
	}
	db.View(func(tx *Tx) error {
		if got := tx.Buckets(); !reflect.DeepEqual(got, []string{"a"}) {
			t.Errorf("Buckets = %v, want [a]", got)
		}
		return nil
	})
}

func TestInvalidMigrations(t *testing.T) {
	nop := func(*Tx) error { return nil }
	for _, ms := range [][]Migration{
		{{Version: 0, Apply: nop}},
		{{Version: 1}},
		{{Version: 1, Apply: nop}, {Version: 1, Apply: nop}},
	} {
		_, err := Open(t.TempDir(), &Options{Migrations: ms})
		wantErr(t, "Open", err, ErrInvalidMigration)
	}
}

func TestSchemaTooNew(t *testing.T) {
	dir := t.TempDir()
	nop := func(*Tx) error { return nil }
	db, err := Open(dir, &Options{Migrations: []Migration{{Version: 1, Apply: nop}, {Version: 2, Apply: nop}}})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(dir, &Options{Migrations: []Migration{{Version: 1, Apply: nop}}})
	wantErr(t, "Open by older code", err, ErrSchemaTooNew)
	_, err = Open(dir, nil)
	wantErr(t, "Open without migrations", err, ErrSchemaTooNew)
	// The refusal changed nothing.
	checkReopen(t, dir, &Options{Migrations: []Migration{{Version: 1, Apply: nop}, {Version: 2, Apply: nop}}})
}

func TestOpenDamagedFile(t *testing.T) {
	// A healthy file with some data to damage.
	src := t.TempDir()
	db, err := Open(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := NewCollection[string](db, "c")
	err = db.Update(func(tx *Tx) error {
		for i := range 2000 {
			if err := c.In(tx).Put(fmt.Sprintf("key%05d", i), strings.Repeat("v", 200)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	good, err := os.ReadFile(filepath.Join(src, dbFileName))
	if err != nil {
		t.Fatal(err)
	}
	if len(good) < 64<<10 {
		t.Fatalf("test file only %d bytes", len(good))
	}

	garbage := make([]byte, len(good))
	for i := range garbage {
		garbage[i] = byte(i*7 + i/13)
	}
	for name, data := range map[string][]byte{
		"garbage":        garbage,
		"short garbage":  []byte("hello, not a database"),
		"one page":       good[:4096],
		"truncated half": good[:len(good)/2],
		"truncated tail": good[:len(good)-4096],
		"meta zeroed":    append(make([]byte, 8192), good[8192:]...),
		"pages garbage":  append(good[:8192:8192], garbage[:len(good)-8192]...),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, dbFileName), data, 0o600); err != nil {
				t.Fatal(err)
			}
			db, err := Open(dir, &Options{Timeout: 200 * time.Millisecond})
			if err == nil {
				// Only a file whose meta still points within it may open;
				// then the check must find any damage without panicking.
				defer db.Close()
				if err := db.Check(); err != nil && !errors.Is(err, ErrCorrupt) {
					t.Errorf("Check = %v, want nil or ErrCorrupt", err)
				}
				return
			}
			wantErr(t, "Open", err, ErrCorrupt)
			t.Logf("Open: %v", err)
			// The failed Open released the file: a restore may replace it.
			release, err := lockFile(filepath.Join(dir, dbFileName))
			if err != nil {
				t.Errorf("file still locked after failed Open: %v", err)
			} else {
				release()
			}
		})
	}
}
