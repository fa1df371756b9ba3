package appliance

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"deskline/appliance/provision/provisiontest"
	"deskline/webui"
)

// TestPhoneStoreContract: the store keeps provision.Store's contract.
func TestPhoneStoreContract(t *testing.T) {
	db, err := OpenStore(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := openPhoneStore(db)
	if err != nil {
		t.Fatal(err)
	}
	provisiontest.TestStore(t, p.store)
}

// startInternal starts a box on loopback with an admin, so that plain HTTP
// from other hosts is redirected to HTTPS.
func startInternal(t *testing.T) *Appliance {
	t.Helper()
	cfg := DefaultConfig()
	cfg.DataDir, cfg.SIPAddr, cfg.HTTPAddr, cfg.HTTPSAddr, cfg.SIPSAddr = t.TempDir(), "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0", ""
	cfg.RTPMin, cfg.RTPMax = 45000, 45998
	cfg.AdminPassword = "test-admin-password-1"
	a, err := New(cfg, slog.New(slog.DiscardHandler), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestProvisionNotRedirected: a phone on the LAN fetches its file over
// plain HTTP even though the panel sends other hosts to HTTPS; deleting
// the extension removes its phone.
func TestProvisionNotRedirected(t *testing.T) {
	a := startInternal(t)
	ctx := context.Background()
	if _, err := (backend{a}).CreateExtension(ctx, webui.ExtensionInput{Number: "1001", Name: "Alice", Password: "hand-set-pass-1"}); err != nil {
		t.Fatal(err)
	}
	ph, err := phoneAPI{a}.AssignPhone(ctx, webui.PhoneInput{MAC: "805ec0123456", Vendor: "Yealink", Extension: "1001"})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string, auth bool) int {
		req := httptest.NewRequest("GET", "http://192.0.2.10:8080"+path, nil)
		req.RemoteAddr = "192.0.2.7:40000"
		if auth {
			req.SetBasicAuth(ph.Username, ph.Password)
		}
		rec := httptest.NewRecorder()
		a.http.Handler.ServeHTTP(rec, req)
		return rec.Code
	}
	if code := get("/", false); code != http.StatusPermanentRedirect {
		t.Fatalf("panel from another host over HTTP = %d, want 308 (the test proves nothing otherwise)", code)
	}
	if code := get("/provision/805ec0123456.cfg", true); code != http.StatusOK {
		t.Errorf("phone's file from another host over HTTP = %d, want 200", code)
	}
	if err := (backend{a}).DeleteExtension(ctx, "1001"); err != nil {
		t.Fatal(err)
	}
	if list, err := (phoneAPI{a}).ListPhones(ctx); err != nil || len(list) != 0 {
		t.Errorf("phones after deleting their extension: %v, %v", list, err)
	}
}

// TestPhoneHost: phones are told the SIP listen address when it is a
// specific one, else an address of the box's own.
func TestPhoneHost(t *testing.T) {
	a := &Appliance{log: slog.New(slog.DiscardHandler)}
	if h := a.phoneHost(netip.MustParseAddr("192.0.2.5")); h != "192.0.2.5" {
		t.Errorf("phoneHost(192.0.2.5) = %q", h)
	}
	if h := a.phoneHost(netip.MustParseAddr("::ffff:192.0.2.5")); h != "192.0.2.5" {
		t.Errorf("phoneHost(::ffff:192.0.2.5) = %q", h)
	}
	h := a.phoneHost(netip.IPv4Unspecified())
	if ip, err := netip.ParseAddr(h); err != nil || ip.IsUnspecified() || !ip.Is4() {
		t.Errorf("phoneHost(0.0.0.0) = %q, want an IPv4 address of the box", h)
	}
}
