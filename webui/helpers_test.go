package webui_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"deskline/webui"
	"deskline/webui/webuitest"
)

const (
	adminPassword = "correct horse battery"
	testVersion   = "v0.1.0-test"
)

var t0 = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// adminHash is computed once: Argon2 is deliberately slow.
var adminHash = sync.OnceValue(func() string {
	h, err := webui.HashPassword(adminPassword)
	if err != nil {
		panic(err)
	}
	return h
})

// env is a Server over in-memory fakes with a settable clock.
type env struct {
	srv     *webui.Server
	backend *webuitest.MemoryBackend
	recs    *webuitest.MemoryRecordings
	users   *webuitest.MemoryUserStore
	clock   *webuitest.Clock

	amu    sync.Mutex
	audits []webui.AuditRecord // what the server reported through Options.Audit
}

func (e *env) audited() []webui.AuditRecord {
	e.amu.Lock()
	defer e.amu.Unlock()
	return append([]webui.AuditRecord(nil), e.audits...)
}

// newEnv returns a server with the user "admin" (adminPassword), or, if
// setupCode is not empty, one in first-boot mode with no users.
func newEnv(t testing.TB, setupCode string) *env {
	t.Helper()
	e := &env{
		backend: webuitest.NewMemoryBackend(),
		clock:   webuitest.NewClock(t0),
	}
	e.backend.Now = e.clock.Now
	e.recs = webuitest.NewMemoryRecordings(e.backend)
	if setupCode == "" {
		e.users = webuitest.NewMemoryUserStore(webui.User{Name: "admin", Role: webui.RoleAdmin, PasswordHash: adminHash()})
	} else {
		e.users = webuitest.NewMemoryUserStore()
	}
	srv, err := webui.New(webui.Options{
		Backend:    e.backend,
		Recordings: e.recs,
		Users:      e.users,
		SetupCode:  setupCode,
		Version:    testVersion,
		Now:        e.clock.Now,
		Audit: func(r webui.AuditRecord) {
			e.amu.Lock()
			e.audits = append(e.audits, r)
			e.amu.Unlock()
		},
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.srv = srv
	return e
}

// reqOpt changes a request before it is served.
type reqOpt func(*http.Request)

func basic(user, pw string) reqOpt { return func(r *http.Request) { r.SetBasicAuth(user, pw) } }
func asAdmin() reqOpt              { return basic("admin", adminPassword) }
func header(k, v string) reqOpt    { return func(r *http.Request) { r.Header.Set(k, v) } }
func jsonBody() reqOpt             { return header("Content-Type", "application/json") }
func from(addr string) reqOpt      { return func(r *http.Request) { r.RemoteAddr = addr } }
func cookies(cs ...*http.Cookie) reqOpt {
	return func(r *http.Request) {
		for _, c := range cs {
			if c != nil {
				r.AddCookie(c)
			}
		}
	}
}

// do serves one request in process.
func (e *env) do(method, target, body string, opts ...reqOpt) *http.Response {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, target, rd)
	for _, o := range opts {
		o(r)
	}
	w := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(w, r)
	return w.Result()
}

// api sends JSON with admin's Basic credentials.
func (e *env) api(method, target, body string, opts ...reqOpt) *http.Response {
	return e.do(method, target, body, append([]reqOpt{asAdmin(), jsonBody()}, opts...)...)
}

// postForm posts a form.
func (e *env) postForm(target string, form url.Values, opts ...reqOpt) *http.Response {
	return e.do(http.MethodPost, target, form.Encode(),
		append([]reqOpt{header("Content-Type", "application/x-www-form-urlencoded")}, opts...)...)
}

func readBody(t testing.TB, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// wantJSON checks status and content type and decodes the body into v
// (unless v is nil); it returns the raw body.
func wantJSON(t testing.TB, res *http.Response, status int, v any) string {
	t.Helper()
	body := readBody(t, res)
	if res.StatusCode != status {
		t.Fatalf("status = %d, want %d; body %s", res.StatusCode, status, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type = %q, want application/json", ct)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(body), v); err != nil {
			t.Fatalf("decoding %s: %v", body, err)
		}
	}
	return body
}

// wantError checks an API error response and returns its message.
func wantError(t testing.TB, res *http.Response, status int) string {
	t.Helper()
	var e struct{ Error string }
	body := wantJSON(t, res, status, &e)
	if e.Error == "" {
		t.Fatalf("error body %s has no error message", body)
	}
	return e.Error
}

func wantRedirect(t testing.TB, res *http.Response, to string) {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != to {
		t.Fatalf("got %d to %q, want 303 to %q", res.StatusCode, res.Header.Get("Location"), to)
	}
}

func cookie(res *http.Response, name string) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

var (
	csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	csrfMeta  = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)
)

func match(t testing.TB, re *regexp.Regexp, body string) string {
	t.Helper()
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %v in page:\n%s", re, body)
	}
	return m[1]
}

// formPage GETs a form page and returns its pre-login cookie and CSRF token.
func (e *env) formPage(t testing.TB, path string) (*http.Cookie, string) {
	t.Helper()
	res := e.do(http.MethodGet, path, "")
	body := readBody(t, res)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d, want 200", path, res.StatusCode)
	}
	pre := cookie(res, "deskline_preauth")
	if pre == nil {
		t.Fatalf("GET %s set no pre-login cookie", path)
	}
	return pre, match(t, csrfField, body)
}

// login logs admin in through the form, sending old (if any), and returns
// the session cookie and the session's CSRF token.
func (e *env) login(t testing.TB, old *http.Cookie) (*http.Cookie, string) {
	t.Helper()
	pre, token := e.formPage(t, "/login")
	res := e.postForm("/login", url.Values{"csrf": {token}, "username": {"admin"}, "password": {adminPassword}}, cookies(pre, old))
	wantRedirect(t, res, "/")
	sess := cookie(res, "deskline_session")
	if sess == nil {
		t.Fatal("login set no session cookie")
	}
	page := e.do(http.MethodGet, "/", "", cookies(sess))
	body := readBody(t, page)
	if page.StatusCode != http.StatusOK {
		t.Fatalf("GET / after login = %d, want 200", page.StatusCode)
	}
	return sess, match(t, csrfMeta, body)
}
