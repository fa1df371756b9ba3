package provision

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// checkGoroutines fails t if, when it ends, more goroutines run than when
// it started (an HTTP test server left open, a request still in flight).
// Tests in this package do not run in parallel, so the count is t's own.
func checkGoroutines(t testing.TB) {
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		for range 200 {
			if runtime.NumGoroutine() <= before {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines outlived the test:\n%s", runtime.NumGoroutine()-before, buf[:runtime.Stack(buf, true)])
	})
}

// fakeClock is a clock tests move by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time          { return c.t }
func (c *fakeClock) Advance(d time.Duration) { c.t = c.t.Add(d) }

// directory is an AccountFunc over a fixed set of extensions.
type directory map[string]Account

func (d directory) lookup(ext string) (Account, error) {
	a, ok := d[ext]
	if !ok {
		return Account{}, fmt.Errorf("no extension %s", ext)
	}
	return a, nil
}

var testAccounts = directory{
	"201": {DisplayName: "Ada Lovelace", Password: "s3cret-201"},
	"202": {DisplayName: "Bob", Password: "s3cret-202"},
	"203": {DisplayName: "Carol", Password: "s3cret-203"},
	"204": {DisplayName: "", Password: "s3cret-204"},
}

const (
	macYealink     = "80:5e:c0:12:34:56"
	macGrandstream = "00-0B-82-AB-CD-EF"
	macPolycom     = "0004f2a1b2c3"
	enrolUser      = "site"
	enrolPass      = "enrol-0123456789abcdef"
)

// deterministic returns a reader of bytes 0, 1, 2, ... for reproducible
// credentials in golden files.
func deterministic() *bytes.Reader {
	b := make([]byte, 4096)
	for i := range b {
		b[i] = byte(i)
	}
	return bytes.NewReader(b)
}

func testSettings() Settings {
	return Settings{
		Server:       "pbx.example.test",
		TimeZone:     "Europe/Berlin",
		ProvisionURL: "https://pbx.example.test:8443/provision/",
	}
}

// newTestService returns a service over a MemStore with a fake clock and
// deterministic credentials, and the three test phones assigned.
func newTestService(t testing.TB, opts Options) (*Service, *fakeClock) {
	t.Helper()
	if _, fuzzing := t.(*testing.F); !fuzzing { // the fuzz engine runs goroutines of its own
		checkGoroutines(t)
	}
	clk := &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	if opts.Store == nil {
		opts.Store = NewMemStore()
	}
	if opts.Accounts == nil {
		opts.Accounts = testAccounts.lookup
	}
	if opts.Settings.Server == "" {
		opts.Settings = testSettings()
	}
	opts.Now = clk.Now
	if opts.Rand == nil {
		opts.Rand = deterministic()
	}
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	for _, a := range []struct {
		mac string
		v   Vendor
		ext string
		blf []string
	}{
		{macYealink, Yealink, "201", []string{"202", "203"}},
		{macGrandstream, Grandstream, "202", []string{"201"}},
		{macPolycom, Polycom, "203", []string{"201", "202", "204"}},
	} {
		if _, err := s.Assign(a.mac, a.v, "desk", a.ext, a.blf); err != nil {
			t.Fatalf("Assign(%s): %v", a.mac, err)
		}
	}
	return s, clk
}
