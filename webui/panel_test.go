package webui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"deskline/webui"
)

func TestLoginFlow(t *testing.T) {
	e := newEnv(t, "")
	wantRedirect(t, e.do("GET", "/", ""), "/login")

	pre, token := e.formPage(t, "/login")
	if !pre.HttpOnly || pre.SameSite != http.SameSiteStrictMode {
		t.Errorf("pre-login cookie %+v, want HttpOnly and SameSite=Strict", pre)
	}
	login := func(form url.Values, opts ...reqOpt) *http.Response {
		return e.postForm("/login", form, opts...)
	}
	good := url.Values{"csrf": {token}, "username": {"admin"}, "password": {adminPassword}}

	// Without the form's token, or its cookie, nothing happens.
	noToken := url.Values{"username": {"admin"}, "password": {adminPassword}}
	if res := login(noToken, cookies(pre)); res.StatusCode != http.StatusForbidden || cookie(res, "deskline_session") != nil {
		t.Errorf("login without CSRF token = %d, want 403 and no session", res.StatusCode)
	}
	if res := login(good); res.StatusCode != http.StatusForbidden {
		t.Errorf("login without pre-login cookie = %d, want 403", res.StatusCode)
	}
	wrong := url.Values{"csrf": {token}, "username": {"admin"}, "password": {"not-the-password"}}
	res := login(wrong, cookies(pre))
	if body := readBody(t, res); res.StatusCode != http.StatusForbidden || !strings.Contains(body, "Wrong user name or password") {
		t.Errorf("wrong password = %d %s, want 403 and a message", res.StatusCode, body)
	}

	res = login(good, cookies(pre))
	wantRedirect(t, res, "/")
	sess := cookie(res, "deskline_session")
	if sess == nil {
		t.Fatal("no session cookie")
	}
	if !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode || sess.Secure || sess.Path != "/" {
		t.Errorf("session cookie %+v, want HttpOnly, SameSite=Strict, Path=/, not Secure over plain HTTP", sess)
	}
	if n := len(sess.Value); n < 43 {
		t.Errorf("session id %q has %d characters, want 256 bits", sess.Value, n)
	}

	page := e.do("GET", "/", "", cookies(sess))
	body := readBody(t, page)
	if page.StatusCode != http.StatusOK || !strings.Contains(body, testVersion) || !strings.Contains(body, `action="/logout"`) {
		t.Errorf("status page = %d:\n%s", page.StatusCode, body)
	}
	// Logged in, /login leads home.
	wantRedirect(t, e.do("GET", "/login", "", cookies(sess)), "/")
}

func TestLoginSecureCookieOverTLS(t *testing.T) {
	e := newEnv(t, "")
	res := e.do("GET", "https://box.example/login", "")
	pre := cookie(res, "deskline_preauth")
	token := match(t, csrfField, readBody(t, res))
	res = e.postForm("https://box.example/login", url.Values{"csrf": {token}, "username": {"admin"}, "password": {adminPassword}}, cookies(pre))
	wantRedirect(t, res, "/")
	if !pre.Secure || !cookie(res, "deskline_session").Secure {
		t.Errorf("cookies over TLS not Secure: %+v %+v", pre, cookie(res, "deskline_session"))
	}
}

func TestLoginRotatesSession(t *testing.T) {
	e := newEnv(t, "")
	first, _ := e.login(t, nil)
	second, _ := e.login(t, first)
	if first.Value == second.Value {
		t.Fatal("login kept the session id")
	}
	wantRedirect(t, e.do("GET", "/", "", cookies(first)), "/login")
	wantError(t, e.do("GET", "/api/v1/status", "", cookies(first)), http.StatusUnauthorized)
	// A session id the client made up is never adopted.
	planted := &http.Cookie{Name: "deskline_session", Value: strings.Repeat("A", 43)}
	third, _ := e.login(t, planted)
	if third.Value == planted.Value {
		t.Fatal("login adopted a planted session id")
	}
}

func TestLogout(t *testing.T) {
	e := newEnv(t, "")
	sess, token := e.login(t, nil)

	if res := e.do("GET", "/logout", "", cookies(sess)); res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "POST" {
		t.Errorf("GET /logout = %d Allow %q, want 405 Allow POST", res.StatusCode, res.Header.Get("Allow"))
	}
	if res := e.postForm("/logout", url.Values{}, cookies(sess)); res.StatusCode != http.StatusForbidden {
		t.Errorf("logout without CSRF token = %d, want 403", res.StatusCode)
	}
	if res := e.postForm("/logout", url.Values{"csrf": {"wrong"}}, cookies(sess)); res.StatusCode != http.StatusForbidden {
		t.Errorf("logout with wrong CSRF token = %d, want 403", res.StatusCode)
	}
	wantJSON(t, e.do("GET", "/api/v1/status", "", cookies(sess)), http.StatusOK, nil) // still logged in

	res := e.postForm("/logout", url.Values{"csrf": {token}}, cookies(sess))
	wantRedirect(t, res, "/login")
	if c := cookie(res, "deskline_session"); c == nil || c.MaxAge >= 0 {
		t.Errorf("logout did not clear the cookie: %+v", c)
	}
	wantRedirect(t, e.do("GET", "/", "", cookies(sess)), "/login")
	wantError(t, e.do("GET", "/api/v1/status", "", cookies(sess)), http.StatusUnauthorized)
}

func TestSessionIdleExpiry(t *testing.T) {
	e := newEnv(t, "")
	sess, _ := e.login(t, nil)
	e.clock.Advance(29 * time.Minute)
	if res := e.do("GET", "/", "", cookies(sess)); res.StatusCode != http.StatusOK {
		t.Fatalf("after 29 idle minutes = %d, want 200", res.StatusCode)
	}
	e.clock.Advance(29 * time.Minute) // use renewed the idle timer
	if res := e.do("GET", "/", "", cookies(sess)); res.StatusCode != http.StatusOK {
		t.Fatalf("29 minutes after last use = %d, want 200", res.StatusCode)
	}
	e.clock.Advance(31 * time.Minute)
	wantRedirect(t, e.do("GET", "/", "", cookies(sess)), "/login")
}

func TestLoginThrottled(t *testing.T) {
	e := newEnv(t, "")
	pre, token := e.formPage(t, "/login")
	try := func(pw string) *http.Response {
		return e.postForm("/login", url.Values{"csrf": {token}, "username": {"admin"}, "password": {pw}}, cookies(pre))
	}
	for range 5 {
		if res := try("guess-guess"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("wrong password = %d, want 403", res.StatusCode)
		}
	}
	res := try(adminPassword)
	if body := readBody(t, res); res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Try again in 5 minutes") {
		t.Fatalf("sixth attempt = %d %s, want 429 and a wait", res.StatusCode, body)
	}
	// The API shares the counters.
	wantError(t, e.api("GET", "/api/v1/status", ""), http.StatusTooManyRequests)
	e.clock.Advance(5*time.Minute + time.Second)
	wantRedirect(t, try(adminPassword), "/")
}

func TestStatusPage(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	e.backend.CreateExtension(ctx, webui.ExtensionInput{Number: "201", Name: "Reception <main>", Password: "sip-secret-201"})
	e.backend.CreateExtension(ctx, webui.ExtensionInput{Number: "202", Name: "Kitchen", Password: "sip-secret-202"})
	e.backend.SetRegistrations(webui.Registration{Extension: "201", Expires: t0.Add(time.Hour)})
	e.backend.SetCalls(webui.Call{ID: "c1", Caller: "201", Callee: "0049301234", State: "ringing", Start: t0})
	ans := t0.Add(-time.Hour + 5*time.Second)
	e.backend.AddCDR(webui.CDR{ID: "d1", Caller: "202", Callee: "201", Start: t0.Add(-time.Hour), Answer: &ans, End: ans.Add(75 * time.Second), Duration: 75, Disposition: webui.DispositionAnswered})
	e.backend.Info.Uptime = 26*time.Hour + 3*time.Minute

	sess, _ := e.login(t, nil)
	res := e.do("GET", "/", "", cookies(sess))
	body := readBody(t, res)
	for _, want := range []string{
		testVersion, "1d 2h 03m",
		"Reception &lt;main&gt;", "registered", "Kitchen", "offline",
		"0049301234", "ringing",
		"answered", "1:15",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("status page lacks %q", want)
		}
	}
	if strings.Contains(body, "sip-secret") {
		t.Error("status page shows a SIP password")
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, "")
	for _, res := range []*http.Response{
		e.do("GET", "/login", ""),
		e.do("GET", "/", ""),
		e.do("GET", "/nope", ""),
		e.api("GET", "/api/v1/status", ""),
		e.do("GET", "/api/v1/status", ""),
	} {
		h := res.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", res.Request.URL, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP allows inline code: %q", csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: security headers missing: %v", res.Request.URL, h)
		}
	}
}

func TestPanelMiscPages(t *testing.T) {
	e := newEnv(t, "")
	res := e.do("GET", "/no/such/page", "")
	if body := readBody(t, res); res.StatusCode != http.StatusNotFound || !strings.Contains(body, "Not found") {
		t.Errorf("unknown page = %d", res.StatusCode)
	}
	res = e.do("GET", "/static/style.css", "")
	if ct := res.Header.Get("Content-Type"); res.StatusCode != 200 || !strings.HasPrefix(ct, "text/css") {
		t.Errorf("style.css = %d %q", res.StatusCode, ct)
	}
	if res := e.do("GET", "/static/", ""); res.StatusCode != http.StatusNotFound {
		t.Errorf("static directory listing = %d, want 404", res.StatusCode)
	}
	if res := e.do("DELETE", "/login", ""); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("DELETE /login = %d, want 405", res.StatusCode)
	}
	// Not in first-boot mode, /setup leads away.
	wantRedirect(t, e.do("GET", "/setup", ""), "/")
	// A browser's cross-site form post is refused before anything else.
	res = e.postForm("/login", url.Values{}, header("Sec-Fetch-Site", "cross-site"))
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site login post = %d, want 403", res.StatusCode)
	}
}

func TestFirstBoot(t *testing.T) {
	const code = "7Q4K-92XM"
	e := newEnv(t, code)
	ctx := context.Background()

	if msg := wantError(t, e.api("GET", "/api/v1/status", ""), http.StatusServiceUnavailable); msg != "setup required" {
		t.Errorf("API in first boot: %q, want setup required", msg)
	}
	for _, p := range []string{"/", "/login", "/nope"} {
		wantRedirect(t, e.do("GET", p, ""), "/setup")
	}
	if res := e.do("GET", "/static/style.css", ""); res.StatusCode != 200 {
		t.Errorf("style.css in first boot = %d, want 200", res.StatusCode)
	}

	pre, token := e.formPage(t, "/setup")
	setup := func(code, pw, confirm string, opts ...reqOpt) *http.Response {
		return e.postForm("/setup", url.Values{"csrf": {token}, "code": {code}, "password": {pw}, "confirm": {confirm}},
			append([]reqOpt{cookies(pre)}, opts...)...)
	}
	const pw = "a long admin passphrase"
	tests := []struct {
		name, code, pw, confirm string
		status                  int
		msg                     string
	}{
		{"wrong code", "0000-0000", pw, pw, 403, "Wrong setup code"},
		{"no code", "", pw, pw, 403, "Wrong setup code"},
		{"short password", code, "short", "short", 422, "at least 10 characters"},
		{"passwords differ", code, pw, pw + "x", 422, "differ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := setup(tt.code, tt.pw, tt.confirm, from("192.0.2.50:1"))
			body := readBody(t, res)
			if res.StatusCode != tt.status || !strings.Contains(body, tt.msg) {
				t.Errorf("setup = %d, want %d with %q:\n%s", res.StatusCode, tt.status, tt.msg, body)
			}
			if ok, _ := e.users.HasAdmin(ctx); ok {
				t.Fatal("a refused setup created an administrator")
			}
		})
	}
	if res := e.postForm("/setup", url.Values{"code": {code}, "password": {pw}, "confirm": {pw}}, cookies(pre)); res.StatusCode != 403 {
		t.Errorf("setup without CSRF token = %d, want 403", res.StatusCode)
	}

	res := setup(" "+code+" ", pw, pw)
	wantRedirect(t, res, "/")
	sess := cookie(res, "deskline_session")
	if sess == nil {
		t.Fatal("setup did not log in")
	}
	if page := e.do("GET", "/", "", cookies(sess)); page.StatusCode != http.StatusOK {
		t.Errorf("status page after setup = %d", page.StatusCode)
	}
	u, err := e.users.GetUser(ctx, "admin")
	if err != nil || u.Role != webui.RoleAdmin {
		t.Fatalf("admin after setup = %+v, %v", u, err)
	}
	if !strings.HasPrefix(u.PasswordHash, "$argon2id$v=19$") || strings.Contains(u.PasswordHash, pw) {
		t.Errorf("stored hash %q is not Argon2id", u.PasswordHash)
	}
	if !webui.CheckPassword(u.PasswordHash, pw) {
		t.Error("stored hash does not check")
	}

	// The code is spent: the page and a replay lead away, and nothing changes.
	wantRedirect(t, e.do("GET", "/setup", ""), "/")
	wantRedirect(t, setup(code, "another long passphrase", "another long passphrase"), "/")
	if u2, _ := e.users.GetUser(ctx, "admin"); u2.PasswordHash != u.PasswordHash {
		t.Error("setup code worked twice")
	}
	wantJSON(t, e.do("GET", "/api/v1/status", "", basic("admin", pw)), http.StatusOK, nil)
}

func TestFirstBootWrongCodesThrottled(t *testing.T) {
	const code = "7Q4K-92XM"
	e := newEnv(t, code)
	pre, token := e.formPage(t, "/setup")
	setup := func(c string) *http.Response {
		return e.postForm("/setup", url.Values{"csrf": {token}, "code": {c}, "password": {"a long admin passphrase"}, "confirm": {"a long admin passphrase"}}, cookies(pre))
	}
	for range 5 {
		if res := setup("guess"); res.StatusCode != 403 {
			t.Fatalf("wrong code = %d, want 403", res.StatusCode)
		}
	}
	if res := setup(code); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after five wrong codes = %d, want 429", res.StatusCode)
	}
	e.clock.Advance(5*time.Minute + time.Second)
	wantRedirect(t, setup(code), "/")
}

func TestFirstBootExistingAdmin(t *testing.T) {
	// appliance passed a code although an admin exists: setup ends without
	// touching the account.
	e := newEnv(t, "code-1234")
	e.users.CreateUser(context.Background(), webui.User{Name: "admin", Role: webui.RoleAdmin, PasswordHash: adminHash()})
	pre, token := e.formPage(t, "/setup")
	res := e.postForm("/setup", url.Values{"csrf": {token}, "code": {"code-1234"}, "password": {"a long admin passphrase"}, "confirm": {"a long admin passphrase"}}, cookies(pre))
	wantRedirect(t, res, "/login")
	wantJSON(t, e.api("GET", "/api/v1/status", ""), http.StatusOK, nil)
}
