package provision

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"
)

// TestMain fails the run if goroutines outlive the tests (the HTTP test
// servers must all be closed).
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
