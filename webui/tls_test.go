package webui_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"deskline/webui"
)

// fakeTLS accepts any certificate whose key is "KEY".
type fakeTLS struct {
	mu    sync.Mutex
	cur   webui.TLSCertificate
	actor string
}

func (f *fakeTLS) TLSCertificate(ctx context.Context) (webui.TLSCertificate, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cur, nil
}

func (f *fakeTLS) ReplaceTLSCertificate(ctx context.Context, in webui.TLSInput) (webui.TLSCertificate, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if in.Key != "KEY" {
		return webui.TLSCertificate{}, fmt.Errorf("%w: key: does not belong to the certificate", webui.ErrInvalid)
	}
	f.actor, _ = webui.ActorFrom(ctx)
	f.cur = webui.TLSCertificate{Subject: "CN=" + in.Cert, Fingerprint: "AA:BB", NotAfter: t0.Add(time.Hour)}
	return f.cur, nil
}

func newTLSEnv(t *testing.T, setupCode string) (*env, *fakeTLS) {
	t.Helper()
	e := newEnv(t, setupCode)
	f := &fakeTLS{cur: webui.TLSCertificate{Subject: "CN=box", Fingerprint: "01:23:45", Generated: true}}
	srv, err := webui.New(webui.Options{Backend: e.backend, Users: e.users, SetupCode: setupCode, Now: e.clock.Now, TLS: f, HTTPSPort: "8443"})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	return e, f
}

// TestAPITLS: GET describes the certificate; PUT replaces it, as the
// authenticated user, and a rejected one answers 422 naming the problem.
func TestAPITLS(t *testing.T) {
	e, f := newTLSEnv(t, "")
	var c webui.TLSCertificate
	wantJSON(t, e.api("GET", "/api/v1/tls", "", from("127.0.0.1:5000")), 200, &c)
	if c.Fingerprint != "01:23:45" || !c.Generated {
		t.Errorf("GET = %+v", c)
	}
	msg := wantError(t, e.api("PUT", "/api/v1/tls", `{"cert":"pbx","key":"other"}`, from("127.0.0.1:5000")), 422)
	if !strings.Contains(msg, "does not belong") {
		t.Errorf("error %q does not name the problem", msg)
	}
	wantError(t, e.api("PUT", "/api/v1/tls", `{"certificate":"pbx"}`, from("127.0.0.1:5000")), 400)
	wantJSON(t, e.api("PUT", "/api/v1/tls", `{"cert":"pbx","key":"KEY"}`, from("127.0.0.1:5000")), 200, &c)
	if c.Subject != "CN=pbx" || c.Generated || f.actor != "admin" {
		t.Errorf("PUT = %+v by %q", c, f.actor)
	}
	wantError(t, e.do("PUT", "/api/v1/tls", `{"cert":"x","key":"KEY"}`, jsonBody(), from("127.0.0.1:5000")), 401)
	var st struct {
		TLSFingerprint string `json:"tls_fingerprint"`
	}
	wantJSON(t, e.api("GET", "/api/v1/status", "", from("127.0.0.1:5000")), 200, &st)
	if st.TLSFingerprint != "AA:BB" {
		t.Errorf("status fingerprint %q", st.TLSFingerprint)
	}
}

// TestStatusPageShowsFingerprint: the installer can compare it with the
// browser's warning.
func TestStatusPageShowsFingerprint(t *testing.T) {
	e, _ := newTLSEnv(t, "")
	loop := func(r *http.Request) { r.RemoteAddr = "127.0.0.1:5000" }
	pre, token := e.formPageWith(t, "/login", loop)
	res := e.postForm("/login", map[string][]string{"csrf": {token}, "username": {"admin"}, "password": {adminPassword}}, cookies(pre), loop)
	page := readBody(t, e.do("GET", "/", "", cookies(cookie(res, "deskline_session")), loop))
	if !strings.Contains(page, "01:23:45") {
		t.Errorf("status page lacks the fingerprint:\n%s", page)
	}
}

func (e *env) formPageWith(t *testing.T, path string, opts ...reqOpt) (*http.Cookie, string) {
	res := e.do(http.MethodGet, path, "", opts...)
	return cookie(res, "deskline_preauth"), match(t, csrfField, readBody(t, res))
}

// TestRedirectToHTTPS: once an admin exists, plain HTTP from another host
// is sent to the HTTPS port (308, same path and query); loopback clients,
// TLS requests and the first-boot setup page are served as they are.
func TestRedirectToHTTPS(t *testing.T) {
	e, _ := newTLSEnv(t, "")
	res := e.do("GET", "http://pbx.example.com:8080/api/v1/status?x=1", "", from("192.0.2.9:4000"))
	if res.StatusCode != http.StatusPermanentRedirect || res.Header.Get("Location") != "https://pbx.example.com:8443/api/v1/status?x=1" {
		t.Errorf("plain HTTP from the LAN: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	res = e.do("POST", "http://[2001:db8::1]/login", "", from("[2001:db8::9]:4000"))
	if res.StatusCode != http.StatusPermanentRedirect || res.Header.Get("Location") != "https://[2001:db8::1]:8443/login" {
		t.Errorf("IPv6 host: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res := e.do("GET", "/login", "", from("127.0.0.1:4000")); res.StatusCode != 200 {
		t.Errorf("loopback over HTTP: %d, want 200", res.StatusCode)
	}
	if res := e.do("GET", "/login", "", from("[::1]:4000")); res.StatusCode != 200 {
		t.Errorf("IPv6 loopback over HTTP: %d, want 200", res.StatusCode)
	}
	res = e.do("GET", "https://pbx.example.com:8443/login", "", from("192.0.2.9:4000"), func(r *http.Request) { r.TLS = &tls.ConnectionState{} })
	if res.StatusCode != 200 {
		t.Errorf("over TLS: %d, want 200", res.StatusCode)
	}
	if c := cookie(res, "deskline_preauth"); c == nil || !c.Secure {
		t.Errorf("cookie over TLS is not Secure: %+v", c)
	}

	first, _ := newTLSEnv(t, "ABCD-EFGH-JKLM")
	if res := first.do("GET", "/setup", "", from("192.0.2.9:4000")); res.StatusCode != 200 {
		t.Errorf("setup page before setup: %d, want 200 over HTTP", res.StatusCode)
	}
}
