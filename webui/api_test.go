package webui_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"deskline/webui"
	"deskline/webui/webuitest"
)

func TestAPIExtensions(t *testing.T) {
	e := newEnv(t, "")

	res := e.api("POST", "/api/v1/extensions", `{"number":"201","name":"Reception","password":"sip-secret-201"}`)
	var got webui.Extension
	wantJSON(t, res, http.StatusCreated, &got)
	if loc := res.Header.Get("Location"); loc != "/api/v1/extensions/201" {
		t.Errorf("Location = %q, want /api/v1/extensions/201", loc)
	}
	if want := (webui.Extension{Number: "201", Name: "Reception", SRTP: "optional", Voicemail: true, Class: "national"}); got != want {
		t.Errorf("created %+v, want %+v", got, want)
	}
	wantJSON(t, e.api("POST", "/api/v1/extensions", `{"number":"202","name":"Kitchen","password":"sip-secret-202"}`), http.StatusCreated, nil)

	var list []webui.Extension
	wantJSON(t, e.api("GET", "/api/v1/extensions", ""), http.StatusOK, &list)
	if len(list) != 2 || list[0].Number != "201" || list[1].Number != "202" {
		t.Errorf("list = %+v, want 201 and 202", list)
	}

	wantJSON(t, e.api("GET", "/api/v1/extensions/202", ""), http.StatusOK, &got)
	if got.Name != "Kitchen" {
		t.Errorf("GET 202 = %+v, want Kitchen", got)
	}

	// PUT without a password keeps the old one; the body's number may be left out.
	wantJSON(t, e.api("PUT", "/api/v1/extensions/201", `{"name":"Front desk"}`), http.StatusOK, &got)
	if got.Name != "Front desk" || got.Number != "201" {
		t.Errorf("PUT 201 = %+v, want Front desk", got)
	}
	if pw, _ := e.backend.Password("201"); pw != "sip-secret-201" {
		t.Errorf("password after PUT without one = %q, want the old one", pw)
	}
	// With a matching number and a new password.
	wantJSON(t, e.api("PUT", "/api/v1/extensions/201", `{"number":"201","name":"Front desk","password":"new-sip-secret"}`), http.StatusOK, nil)
	if pw, _ := e.backend.Password("201"); pw != "new-sip-secret" {
		t.Errorf("password after PUT = %q, want new-sip-secret", pw)
	}

	res = e.api("DELETE", "/api/v1/extensions/202", "")
	if res.StatusCode != http.StatusNoContent {
		t.Errorf("DELETE = %d, want 204", res.StatusCode)
	}
	if b := readBody(t, res); b != "" {
		t.Errorf("DELETE body = %q, want none", b)
	}
	wantError(t, e.api("GET", "/api/v1/extensions/202", ""), http.StatusNotFound)
}

func TestAPIBackendErrors(t *testing.T) {
	e := newEnv(t, "")
	wantJSON(t, e.api("POST", "/api/v1/extensions", `{"number":"201","name":"Reception","password":"sip-secret-201"}`), http.StatusCreated, nil)

	tests := []struct {
		name, method, path, body string
		status                   int
		msg                      string // part of the error message
	}{
		{"create duplicate", "POST", "/api/v1/extensions", `{"number":"201","name":"x","password":"sip-secret-201"}`, 409, "201"},
		{"create short password", "POST", "/api/v1/extensions", `{"number":"203","name":"x","password":"short"}`, 422, "password: must be at least 10 characters"},
		{"create bad number", "POST", "/api/v1/extensions", `{"number":"12a","name":"x","password":"sip-secret-201"}`, 422, "number:"},
		{"get missing", "GET", "/api/v1/extensions/999", "", 404, "999"},
		{"put missing", "PUT", "/api/v1/extensions/999", `{"name":"x"}`, 404, "999"},
		{"put number mismatch", "PUT", "/api/v1/extensions/201", `{"number":"202","name":"x"}`, 422, "number:"},
		{"put short password", "PUT", "/api/v1/extensions/201", `{"name":"x","password":"short"}`, 422, "password:"},
		{"delete missing", "DELETE", "/api/v1/extensions/999", "", 404, "999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := wantError(t, e.api(tt.method, tt.path, tt.body), tt.status)
			if !strings.Contains(msg, tt.msg) {
				t.Errorf("error = %q, want it to contain %q", msg, tt.msg)
			}
		})
	}
}

func TestAPIRequestErrors(t *testing.T) {
	e := newEnv(t, "")
	big := `{"number":"201","name":"` + strings.Repeat("x", 70<<10) + `"}`
	tests := []struct {
		name, method, path, body string
		opts                     []reqOpt
		status                   int
		msg                      string
	}{
		{"malformed", "POST", "/api/v1/extensions", `{"number":"201",}`, nil, 400, "malformed JSON at byte 17"},
		{"truncated", "POST", "/api/v1/extensions", `{"number":"201"`, nil, 400, "malformed JSON"},
		{"unknown field", "POST", "/api/v1/extensions", `{"number":"201","colour":"red"}`, nil, 400, `unknown field "colour"`},
		{"trailing data", "POST", "/api/v1/extensions", `{"number":"201"} {"number":"202"}`, nil, 400, "unexpected data after the JSON object at byte 17"},
		{"trailing garbage", "POST", "/api/v1/extensions", `{"number":"201"}x`, nil, 400, "unexpected data"},
		{"wrong type", "POST", "/api/v1/extensions", `{"number":201}`, nil, 400, `field "number": want a JSON string`},
		{"empty", "POST", "/api/v1/extensions", ``, nil, 400, "empty"},
		{"array", "POST", "/api/v1/extensions", `[]`, nil, 400, "must be a JSON object"},
		{"null", "POST", "/api/v1/extensions", `null`, nil, 400, "must be a JSON object"},
		{"too large", "POST", "/api/v1/extensions", big, nil, 413, "larger than 65536 bytes"},
		{"put unknown field", "PUT", "/api/v1/extensions/201", `{"nmae":"x"}`, nil, 400, `unknown field "nmae"`},
		{"not JSON content type", "POST", "/api/v1/extensions", `{"number":"201"}`, []reqOpt{header("Content-Type", "text/plain")}, 415, "application/json"},
		{"no content type", "POST", "/api/v1/extensions", `{"number":"201"}`, []reqOpt{header("Content-Type", "")}, 415, "application/json"},
		{"unknown path", "GET", "/api/v1/trunks", "", nil, 404, "/api/v1/trunks"},
		{"unknown version", "GET", "/api/v2/extensions", "", nil, 404, "no such API endpoint"},
		{"trailing slash", "GET", "/api/v1/extensions/", "", nil, 404, "no such API endpoint"},
		{"cdr bad from", "GET", "/api/v1/cdr?from=yesterday", "", nil, 400, "from: want an RFC 3339 time"},
		{"cdr bad to", "GET", "/api/v1/cdr?to=2025-13-01T00:00:00Z", "", nil, 400, "to:"},
		{"cdr from after to", "GET", "/api/v1/cdr?from=2025-03-02T00:00:00Z&to=2025-03-01T00:00:00Z", "", nil, 400, "from: must be before to"},
		{"cdr limit zero", "GET", "/api/v1/cdr?limit=0", "", nil, 400, "limit:"},
		{"cdr limit huge", "GET", "/api/v1/cdr?limit=100000", "", nil, 400, "limit:"},
		{"cdr limit text", "GET", "/api/v1/cdr?limit=ten", "", nil, 400, "limit:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := wantError(t, e.api(tt.method, tt.path, tt.body, tt.opts...), tt.status)
			if !strings.Contains(msg, tt.msg) {
				t.Errorf("error = %q, want it to contain %q", msg, tt.msg)
			}
		})
	}
	if l, _ := e.backend.ListExtensions(context.Background()); len(l) != 0 {
		t.Errorf("bad requests created extensions: %+v", l)
	}
}

func TestAPIMethodNotAllowed(t *testing.T) {
	e := newEnv(t, "")
	tests := []struct{ method, path, allow string }{
		{"DELETE", "/api/v1/extensions", "GET, POST"},
		{"PUT", "/api/v1/extensions", "GET, POST"},
		{"POST", "/api/v1/extensions/201", "DELETE, GET, PUT"},
		{"PATCH", "/api/v1/extensions/201", "DELETE, GET, PUT"},
		{"POST", "/api/v1/registrations", "GET"},
		{"DELETE", "/api/v1/calls", "GET"},
		{"POST", "/api/v1/cdr", "GET"},
		{"PUT", "/api/v1/status", "GET"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			res := e.api(tt.method, tt.path, "")
			wantError(t, res, http.StatusMethodNotAllowed)
			if got := res.Header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
		})
	}
}

func TestAPIReadEndpoints(t *testing.T) {
	e := newEnv(t, "")
	e.backend.Info = webui.Status{Uptime: 90*time.Minute + 5*time.Second, SIPAddr: "0.0.0.0:5060", HTTPAddr: "0.0.0.0:8080"}
	wantJSON(t, e.api("POST", "/api/v1/extensions", `{"number":"201","name":"Reception","password":"sip-secret-201"}`), http.StatusCreated, nil)
	wantJSON(t, e.api("POST", "/api/v1/extensions", `{"number":"202","name":"Kitchen","password":"sip-secret-202"}`), http.StatusCreated, nil)
	live := webui.Registration{Extension: "201", Contact: "sip:201@192.0.2.10:5062", Source: "192.0.2.10:5062", Transport: "udp", UserAgent: "baresip", Expires: t0.Add(time.Hour)}
	stale := webui.Registration{Extension: "202", Contact: "sip:202@192.0.2.11", Expires: t0.Add(-time.Second)}
	e.backend.SetRegistrations(live, stale)
	ans := t0.Add(-time.Minute)
	e.backend.SetCalls(webui.Call{ID: "c1", Caller: "201", Callee: "202", State: "answered", Start: t0.Add(-2 * time.Minute), Answer: &ans})
	for i := range 5 {
		start := t0.Add(-time.Duration(5-i) * time.Hour)
		e.backend.AddCDR(webui.CDR{ID: fmt.Sprint("d", i), Caller: "201", Callee: "202", Start: start, End: start.Add(time.Minute), Disposition: webui.DispositionNoAnswer})
	}

	var regs []webui.Registration
	wantJSON(t, e.api("GET", "/api/v1/registrations", ""), http.StatusOK, &regs)
	if len(regs) != 1 || regs[0] != live {
		t.Errorf("registrations = %+v, want only %+v", regs, live)
	}

	var exts []webui.Extension
	wantJSON(t, e.api("GET", "/api/v1/extensions", ""), http.StatusOK, &exts)
	if !exts[0].Registered || exts[1].Registered {
		t.Errorf("registered flags = %+v, want 201 only", exts)
	}

	var calls []webui.Call
	wantJSON(t, e.api("GET", "/api/v1/calls", ""), http.StatusOK, &calls)
	if len(calls) != 1 || calls[0].ID != "c1" || calls[0].Answer == nil || !calls[0].Answer.Equal(ans) {
		t.Errorf("calls = %+v, want c1 answered at %v", calls, ans)
	}

	ids := func(q string) []string {
		t.Helper()
		var cdrs []webui.CDR
		wantJSON(t, e.api("GET", "/api/v1/cdr"+q, ""), http.StatusOK, &cdrs)
		var out []string
		for _, c := range cdrs {
			out = append(out, c.ID)
		}
		return out
	}
	if got, want := ids(""), []string{"d4", "d3", "d2", "d1", "d0"}; !slices.Equal(got, want) {
		t.Errorf("cdr = %v, want %v", got, want)
	}
	if got, want := ids("?limit=2"), []string{"d4", "d3"}; !slices.Equal(got, want) {
		t.Errorf("cdr?limit=2 = %v, want %v", got, want)
	}
	q := "?from=" + t0.Add(-4*time.Hour).Format(time.RFC3339) + "&to=" + t0.Add(-2*time.Hour).Format(time.RFC3339)
	if got, want := ids(q), []string{"d2", "d1"}; !slices.Equal(got, want) {
		t.Errorf("cdr%s = %v, want %v", q, got, want)
	}

	var st map[string]any
	wantJSON(t, e.api("GET", "/api/v1/status", ""), http.StatusOK, &st)
	want := map[string]any{"version": testVersion, "uptime_seconds": 5405.0, "extensions": 2.0, "registrations": 1.0,
		"active_calls": 1.0, "sip_addr": "0.0.0.0:5060", "http_addr": "0.0.0.0:8080"}
	for k, v := range want {
		if st[k] != v {
			t.Errorf("status[%q] = %v, want %v", k, st[k], v)
		}
	}
	var typed webui.Status
	wantJSON(t, e.api("GET", "/api/v1/status", ""), http.StatusOK, &typed)
	if typed.Uptime != 90*time.Minute+5*time.Second || typed.Version != testVersion {
		t.Errorf("decoded Status = %+v, want uptime 1h30m5s", typed)
	}
}

func TestAPIEmptyListsAreArrays(t *testing.T) {
	e := newEnv(t, "")
	for _, p := range []string{"/api/v1/extensions", "/api/v1/registrations", "/api/v1/calls", "/api/v1/cdr"} {
		if body := wantJSON(t, e.api("GET", p, ""), http.StatusOK, nil); strings.TrimSpace(body) != "[]" {
			t.Errorf("GET %s = %s, want []", p, body)
		}
	}
}

// failingBackend fails every call with an internal error.
type failingBackend struct{ webui.Backend }

var errDisk = errors.New("bolt: disk on fire at /perm/deskline/db")

func (failingBackend) ListExtensions(context.Context) ([]webui.Extension, error) { return nil, errDisk }
func (failingBackend) Status(context.Context) (webui.Status, error)              { return webui.Status{}, errDisk }

func TestAPIInternalErrorIsGeneric(t *testing.T) {
	srv, err := webui.New(webui.Options{
		Backend: failingBackend{},
		Users:   webuitest.NewMemoryUserStore(webui.User{Name: "admin", Role: webui.RoleAdmin, PasswordHash: adminHash()}),
	})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{srv: srv}
	for _, p := range []string{"/api/v1/extensions", "/api/v1/status"} {
		msg := wantError(t, e.api("GET", p, ""), http.StatusInternalServerError)
		if msg != "internal error" {
			t.Errorf("GET %s error = %q, want a generic message", p, msg)
		}
	}
	res := e.do("GET", "/", "", cookies(nil))
	wantRedirect(t, res, "/login")
}

func TestAPIBasicAuth(t *testing.T) {
	e := newEnv(t, "")
	e.users.CreateUser(context.Background(), webui.User{Name: "carol", Role: webui.RoleAgent, PasswordHash: adminHash()})

	wantJSON(t, e.api("GET", "/api/v1/status", ""), http.StatusOK, nil)

	tests := []struct {
		name   string
		opts   []reqOpt
		status int
	}{
		{"none", nil, 401},
		{"wrong password", []reqOpt{basic("admin", "nope-nope-nope")}, 401},
		{"unknown user", []reqOpt{basic("mallory", adminPassword)}, 401},
		{"not basic", []reqOpt{header("Authorization", "Bearer abc")}, 401},
		{"not an admin", []reqOpt{basic("carol", adminPassword)}, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.do("GET", "/api/v1/status", "", append(tt.opts, from(fmt.Sprintf("198.51.100.%d:4000", len(tt.name))))...)
			wantError(t, res, tt.status)
			if tt.status == 401 {
				if got := res.Header.Get("WWW-Authenticate"); got != `Basic realm="Deskline"` {
					t.Errorf("WWW-Authenticate = %q", got)
				}
			}
		})
	}
}

func TestAPIThrottlePerAccount(t *testing.T) {
	e := newEnv(t, "")
	// Five failures from five addresses block the account everywhere.
	for i := range 5 {
		wantError(t, e.do("GET", "/api/v1/status", "", basic("admin", "wrong-guess"), from(fmt.Sprintf("203.0.113.%d:1", i))), 401)
	}
	res := e.do("GET", "/api/v1/status", "", asAdmin(), from("192.0.2.200:1"))
	wantError(t, res, http.StatusTooManyRequests)
	if ra := res.Header.Get("Retry-After"); ra != "300" {
		t.Errorf("Retry-After = %q, want 300", ra)
	}
	e.clock.Advance(4 * time.Minute)
	wantError(t, e.do("GET", "/api/v1/status", "", asAdmin()), http.StatusTooManyRequests)
	e.clock.Advance(time.Minute + time.Second)
	wantJSON(t, e.do("GET", "/api/v1/status", "", asAdmin()), http.StatusOK, nil)
}

func TestAPIThrottlePerSource(t *testing.T) {
	e := newEnv(t, "")
	attacker := from("203.0.113.9:5555")
	for i := range 5 {
		wantError(t, e.do("GET", "/api/v1/status", "", basic(fmt.Sprint("user", i), "guess"), attacker), 401)
	}
	// The address is blocked, even with right credentials …
	wantError(t, e.do("GET", "/api/v1/status", "", asAdmin(), attacker), http.StatusTooManyRequests)
	// … but admin elsewhere is not.
	wantJSON(t, e.do("GET", "/api/v1/status", "", asAdmin(), from("192.0.2.7:1")), http.StatusOK, nil)
}

func TestAPICookieAuthNeedsCSRF(t *testing.T) {
	e := newEnv(t, "")
	sess, token := e.login(t, nil)
	create := func(opts ...reqOpt) *http.Response {
		return e.do("POST", "/api/v1/extensions", `{"number":"201","name":"Reception","password":"sip-secret-201"}`,
			append([]reqOpt{jsonBody(), cookies(sess)}, opts...)...)
	}

	wantJSON(t, e.do("GET", "/api/v1/extensions", "", cookies(sess)), http.StatusOK, nil)
	wantError(t, create(), http.StatusForbidden)
	wantError(t, create(header("X-CSRF-Token", "not-the-token")), http.StatusForbidden)
	wantError(t, e.do("DELETE", "/api/v1/extensions/201", "", cookies(sess)), http.StatusForbidden)
	wantJSON(t, create(header("X-CSRF-Token", token)), http.StatusCreated, nil)
	wantError(t, e.do("PUT", "/api/v1/extensions/201", `{"name":"x"}`, jsonBody(), cookies(sess)), http.StatusForbidden)
	if res := e.do("DELETE", "/api/v1/extensions/201", "", cookies(sess), header("X-CSRF-Token", token)); res.StatusCode != 204 {
		t.Errorf("DELETE with token = %d, want 204", res.StatusCode)
	}

	// A made-up session cookie is no authentication.
	bogus := &http.Cookie{Name: "deskline_session", Value: "AAAA"}
	wantError(t, e.do("GET", "/api/v1/extensions", "", cookies(bogus)), http.StatusUnauthorized)
}

func TestAPICrossOriginRefused(t *testing.T) {
	e := newEnv(t, "")
	res := e.api("POST", "/api/v1/extensions", `{"number":"201","name":"x","password":"sip-secret-201"}`,
		header("Sec-Fetch-Site", "cross-site"))
	wantError(t, res, http.StatusForbidden)
	res = e.api("DELETE", "/api/v1/extensions/201", "", header("Origin", "https://evil.example"))
	wantError(t, res, http.StatusForbidden)
}

// TestNoPasswordInResponses drives every endpoint that returns extensions or
// users and checks that no password, hash or password field leaks.
func TestNoPasswordInResponses(t *testing.T) {
	e := newEnv(t, "")
	const sipPW, sipPW2 = "sip-secret-9f3k", "sip-secret-2x8q"
	e.backend.SetRegistrations(webui.Registration{Extension: "201", Expires: t0.Add(time.Hour)})
	var bodies []string
	add := func(res *http.Response) { bodies = append(bodies, readBody(t, res)) }
	add(e.api("POST", "/api/v1/extensions", `{"number":"201","name":"Reception","password":"`+sipPW+`"}`))
	add(e.api("POST", "/api/v1/extensions", `{"number":"201","name":"Reception","password":"`+sipPW+`"}`)) // conflict
	add(e.api("PUT", "/api/v1/extensions/201", `{"name":"Desk","password":"`+sipPW2+`"}`))
	add(e.api("PUT", "/api/v1/extensions/201", `{"name":"Desk","password":"short"}`))
	for _, p := range []string{"/api/v1/extensions", "/api/v1/extensions/201", "/api/v1/registrations", "/api/v1/calls", "/api/v1/cdr", "/api/v1/status"} {
		add(e.api("GET", p, ""))
	}
	add(e.do("GET", "/api/v1/status", "", basic("admin", "wrong-password")))
	for _, b := range bodies {
		for _, secret := range []string{sipPW, sipPW2, "short", adminPassword, adminHash(), "argon2", `"password":`, "password_hash"} {
			if strings.Contains(b, secret) {
				t.Errorf("response %s contains %q", b, secret)
			}
		}
	}
}

func TestAPIBans(t *testing.T) {
	e := newEnv(t, "")
	ban := webui.Ban{Addr: "203.0.113.9", Since: t0.Add(-time.Minute), Until: t0.Add(29 * time.Minute), Reason: "failed authentication", Offences: 1}
	over := webui.Ban{Addr: "203.0.113.10", Since: t0.Add(-time.Hour), Until: t0.Add(-time.Second), Offences: 1}
	e.backend.SetBans(ban, over)
	var list []webui.Ban
	wantJSON(t, e.api("GET", "/api/v1/bans", ""), http.StatusOK, &list)
	if len(list) != 1 || list[0] != ban {
		t.Fatalf("bans = %+v, want only %+v", list, ban)
	}
	wantError(t, e.api("DELETE", "/api/v1/bans/not-an-ip", ""), http.StatusUnprocessableEntity)
	wantError(t, e.api("DELETE", "/api/v1/bans/198.51.100.1", ""), http.StatusNotFound)
	if res := e.api("DELETE", "/api/v1/bans/203.0.113.9", ""); res.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE ban = %d", res.StatusCode)
	}
	wantJSON(t, e.api("GET", "/api/v1/bans", ""), http.StatusOK, &list)
	if len(list) != 0 {
		t.Errorf("bans after lifting = %+v", list)
	}
	wantError(t, e.api("POST", "/api/v1/bans", "{}", jsonBody()), http.StatusMethodNotAllowed)
}

// actorBackend records who each CreateExtension call says it serves.
type actorBackend struct {
	*webuitest.MemoryBackend
	user, source string
}

func (b *actorBackend) CreateExtension(ctx context.Context, in webui.ExtensionInput) (webui.Extension, error) {
	b.user, b.source = webui.ActorFrom(ctx)
	return b.MemoryBackend.CreateExtension(ctx, in)
}

// TestAudit: logins, failed logins and logouts reach Options.Audit with who
// and from where; Backend methods learn the caller from the context; the
// audit log is served newest first.
func TestAudit(t *testing.T) {
	e := newEnv(t, "")
	sess, csrf := e.login(t, nil)
	wantError(t, e.api("GET", "/api/v1/extensions", "", basic("admin", "wrong-password-1"), from("198.51.100.7:4000")), http.StatusUnauthorized)
	res := e.postForm("/logout", url.Values{"csrf": {csrf}}, cookies(sess))
	wantRedirect(t, res, "/login")
	var got []string
	for _, r := range e.audited() {
		got = append(got, r.Actor+" "+r.Action+" "+r.Source)
	}
	want := []string{"admin login 192.0.2.1", "admin login-failed 198.51.100.7", "admin logout 192.0.2.1"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("audit records = %q, want %q", got, want)
	}

	ab := &actorBackend{MemoryBackend: webuitest.NewMemoryBackend()}
	srv, err := webui.New(webui.Options{Backend: ab, Users: e.users})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/api/v1/extensions", strings.NewReader(`{"number":"201","name":"R","password":"sip-secret-201"}`))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth("admin", adminPassword)
	req.RemoteAddr = "203.0.113.5:1234"
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated || ab.user != "admin" || ab.source != "203.0.113.5" {
		t.Errorf("CreateExtension saw actor %q from %q (status %d), want admin from 203.0.113.5", ab.user, ab.source, rec.Code)
	}

	e.backend.AddAudit(webui.AuditRecord{Action: "first"}, webui.AuditRecord{Action: "second"})
	var list []webui.AuditRecord
	wantJSON(t, e.api("GET", "/api/v1/audit?limit=1", ""), http.StatusOK, &list)
	if len(list) != 1 || list[0].Action != "second" {
		t.Errorf("GET /audit?limit=1 = %+v, want the newest", list)
	}
	wantError(t, e.api("GET", "/api/v1/audit?limit=0", ""), http.StatusBadRequest)
}

func TestAPIBackup(t *testing.T) {
	e := newEnv(t, "")
	res := e.api("GET", "/api/v1/backup", "")
	body := readBody(t, res)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/gzip" ||
		res.Header.Get("Content-Disposition") != `attachment; filename=deskline-backup.tar.gz` || body != "memory-backup" {
		t.Errorf("GET /backup = %d %q %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"), body)
	}
	wantError(t, e.do("GET", "/api/v1/backup", ""), http.StatusUnauthorized)
}
