package storage

import (
	"errors"
	"testing"
)

// openTest opens a store in a fresh temporary directory. When the test ends it
// closes the store, reopens it with the same options and runs Check, so every
// test also proves it left a consistent, reopenable file behind.
func openTest(t testing.TB, opts *Options) *DB {
	t.Helper()
	return openTestIn(t, t.TempDir(), opts)
}

func openTestIn(t testing.TB, dir string, opts *Options) *DB {
	t.Helper()
	db, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open(%q) = %v", dir, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
		checkReopen(t, dir, opts)
	})
	return db
}

func checkReopen(t testing.TB, dir string, opts *Options) {
	t.Helper()
	db, err := Open(dir, opts)
	if err != nil {
		t.Errorf("reopen %s: %v", dir, err)
		return
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Errorf("Check() after reopen = %v", err)
	}
}

func wantErr(t testing.TB, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s = %v, want %v", what, err, want)
	}
}

type agent struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Queue string   `json:"queue,omitempty"`
	Tags  []string `json:"tags,omitempty"`
}
