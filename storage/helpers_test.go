package storage

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"
)

// TestMain fails the run if goroutines outlive the tests (batch timers and
// check goroutines must all have finished).
func TestMain(m *testing.M) {
	before := runtime.NumGoroutine()
	code := m.Run()
	if code == 0 {
		deadline := time.Now().Add(2 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<16)
			fmt.Fprintf(os.Stderr, "%d goroutines leaked (%d before):\n%s\n", n-before, before, buf[:runtime.Stack(buf, true)])
			code = 1
		}
	}
	os.Exit(code)
}

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
