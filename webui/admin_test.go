package webui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"deskline/webui"
	"deskline/webui/webuitest"
)

// page GETs a panel page with the session and returns its status and body.
func (e *env) page(t testing.TB, sess *http.Cookie, path string) (int, string) {
	t.Helper()
	res := e.do("GET", path, "", cookies(sess))
	return res.StatusCode, readBody(t, res)
}

// okPage GETs a panel page that must answer 200 and returns its body.
func (e *env) okPage(t testing.TB, sess *http.Cookie, path string) string {
	t.Helper()
	code, body := e.page(t, sess, path)
	if code != http.StatusOK {
		t.Fatalf("GET %s = %d, want 200:\n%s", path, code, body)
	}
	return body
}

// withReception is a server with extension 201 and admin logged in.
func withReception(t testing.TB) (e *env, sess *http.Cookie, csrf string) {
	t.Helper()
	e = newEnv(t, "")
	e.backend.CreateExtension(context.Background(), webui.ExtensionInput{Number: "201", Name: "Reception", Password: "sip-secret-201"})
	sess, csrf = e.login(t, nil)
	return e, sess, csrf
}

// submit posts a panel form with the session, adding the CSRF token unless
// csrf is "".
func (e *env) submit(sess *http.Cookie, path, csrf string, form url.Values) *http.Response {
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	if csrf != "" {
		f.Set("csrf", csrf)
	}
	return e.postForm(path, f, cookies(sess))
}

// fieldErr returns the message shown next to the form field name, or "".
func fieldErr(body, name string) string {
	m := regexp.MustCompile(`<p class="field-error" id="` + name + `-error">([^<]*)</p>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

func mustContain(t testing.TB, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// TestPanelPagesNeedAdminSession: every admin page leads to the login page
// without a session and to setup on first boot; logged in, each renders
// with the navigation bar marking where the user is.
func TestPanelPagesNeedAdminSession(t *testing.T) {
	pages := map[string]string{
		"/": "Status", "/extensions": "Extensions", "/extensions/new": "Extensions", "/calls": "Calls",
		"/recordings": "Recordings", "/cdr": "Call records", "/security": "Security",
	}
	first := newEnv(t, "code-1234")
	e := newEnv(t, "")
	sess, _ := e.login(t, nil)
	for path, current := range pages {
		wantRedirect(t, first.do("GET", path, ""), "/setup")
		wantRedirect(t, e.do("GET", path, ""), "/login")
		wantRedirect(t, e.do("GET", path, "", cookies(&http.Cookie{Name: "deskline_session", Value: "forged"})), "/login")
		code, body := e.page(t, sess, path)
		if code != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", path, code)
			continue
		}
		mustContain(t, path, body, `<nav aria-label="Main">`, `href="/extensions"`, `href="/calls"`, `href="/recordings"`,
			`href="/cdr"`, `href="/security"`, `<script src="/static/panel.js" defer></script>`)
		if !strings.Contains(body, `aria-current="page">`+current+`</a>`) {
			t.Errorf("GET %s does not mark %q as the current page", path, current)
		}
		if res := e.do("PUT", path, "", cookies(sess)); res.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("PUT %s = %d, want 405", path, res.StatusCode)
		}
	}
	// The login page has no navigation.
	if _, body := e.page(t, nil, "/login"); strings.Contains(body, "<nav") {
		t.Error("login page shows the navigation bar")
	}
	res := e.do("GET", "/static/panel.js", "")
	if ct := res.Header.Get("Content-Type"); res.StatusCode != 200 || !strings.HasPrefix(ct, "text/javascript") {
		t.Errorf("panel.js = %d %q", res.StatusCode, ct)
	}
	// Pages that only POST lead back when fetched.
	wantRedirect(t, e.do("GET", "/security/lift", "", cookies(sess)), "/security")
	wantRedirect(t, e.do("GET", "/calls/c1/record", "", cookies(sess)), "/calls")
}

func TestPanelWithoutRecordings(t *testing.T) {
	e := newEnv(t, "")
	srv, err := webui.New(webui.Options{Backend: e.backend, Users: e.users, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	e.backend.SetCalls(webui.Call{ID: "c1", Caller: "201", Callee: "202", State: "answered", Start: t0})
	sess, _ := e.login(t, nil)
	_, body := e.page(t, sess, "/calls")
	if strings.Contains(body, "/recordings") || strings.Contains(body, "Record</button>") {
		t.Error("without a RecordingBackend the panel offers recording")
	}
	if code, _ := e.page(t, sess, "/recordings"); code != http.StatusNotFound {
		t.Errorf("GET /recordings without a RecordingBackend = %d, want 404", code)
	}
}

func TestExtensionCreateForm(t *testing.T) {
	e := newEnv(t, "")
	sess, csrf := e.login(t, nil)
	if body := e.okPage(t, sess, "/extensions"); !strings.Contains(body, "No extensions yet") {
		t.Fatalf("empty list:\n%s", body)
	}
	body := e.okPage(t, sess, "/extensions/new")
	mustContain(t, "new extension form", body, `name="number"`, `name="name"`, `name="password"`, `name="srtp"`,
		`name="supervisor"`, `data-generate="password"`, `name="csrf" value="`+csrf+`"`)

	good := url.Values{"number": {"201"}, "name": {"Reception"}, "password": {"sip-secret-201"}, "srtp": {"required"}, "supervisor": {"on"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for k, v := range good {
			f[k] = v
		}
		f.Set(k, v)
		return f
	}
	// Without the session's token nothing is created.
	for _, token := range []string{"", "forged-token"} {
		res := e.submit(sess, "/extensions/new", token, good)
		if body := readBody(t, res); res.StatusCode != http.StatusForbidden || !strings.Contains(body, "CSRF") {
			t.Errorf("create with CSRF token %q = %d %s, want 403", token, res.StatusCode, body)
		}
	}
	// Nor without a session.
	wantRedirect(t, e.postForm("/extensions/new", with("csrf", csrf)), "/login")
	if _, err := e.backend.GetExtension(context.Background(), "201"); err == nil {
		t.Fatal("a refused form created the extension")
	}

	tests := []struct {
		name, field string
		form        url.Values
		status      int
		msg         string
	}{
		{"short password", "password", with("password", "short"), 422, "Must be at least 10 characters."},
		{"letters in number", "number", with("number", "2a1"), 422, "Must be 1 to 15 digits."},
		{"no number", "number", with("number", " "), 422, "Is required."},
		{"control character in name", "name", with("name", "a\x01b"), 422, "Must not contain control characters."},
		{"unknown SRTP", "srtp", with("srtp", "sometimes"), 422, `Want &#34;optional&#34;`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.submit(sess, "/extensions/new", csrf, tt.form)
			body := readBody(t, res)
			if res.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", res.StatusCode, tt.status)
			}
			if got := fieldErr(body, tt.field); !strings.Contains(got, tt.msg) {
				t.Errorf("message next to %s = %q, want %q; page:\n%s", tt.field, got, tt.msg, body)
			}
			mustContain(t, "refused form", body, `aria-invalid="true" aria-describedby="`+tt.field+`-error"`, "Please correct the field marked below.")
			if tt.field != "name" {
				mustContain(t, "refused form", body, `value="Reception"`) // what was typed stays
			}
			if strings.Contains(body, tt.form.Get("password")) && tt.form.Get("password") != "" {
				t.Error("the refused form shows the password again")
			}
			if l, _ := e.backend.ListExtensions(context.Background()); len(l) != 0 {
				t.Errorf("a refused form stored %+v", l)
			}
		})
	}

	res := e.submit(sess, "/extensions/new", csrf, good)
	wantRedirect(t, res, "/extensions?done=created&what=201")
	got, err := e.backend.GetExtension(context.Background(), "201")
	if err != nil || got.Name != "Reception" || got.SRTP != "required" || !got.Supervisor {
		t.Fatalf("created %+v, %v", got, err)
	}
	if pw, _ := e.backend.Password("201"); pw != "sip-secret-201" {
		t.Errorf("stored password %q", pw)
	}
	// Once more: the number is taken.
	res = e.submit(sess, "/extensions/new", csrf, good)
	body = readBody(t, res)
	if res.StatusCode != http.StatusConflict || fieldErr(body, "number") != "Extension 201 already exists." {
		t.Errorf("duplicate = %d, number error %q", res.StatusCode, fieldErr(body, "number"))
	}

	e.backend.SetRegistrations(webui.Registration{Extension: "201", Source: "192.0.2.40:5062", Transport: "tls", UserAgent: "Yealink SIP-T46U", Expires: t0.Add(time.Hour)})
	_, body = e.page(t, sess, "/extensions?done=created&what=201")
	mustContain(t, "extension list", body, `<p class="notice" role="status">Extension 201 created.</p>`,
		"Reception", "registered", "Yealink SIP-T46U · 192.0.2.40:5062 (tls)", `<span class="tag">required</span>`,
		`<span class="tag">supervisor</span>`, `href="/extensions/201"`, `href="/extensions/201/delete"`)
	if strings.Contains(body, "sip-secret") {
		t.Error("the list shows a SIP password")
	}
}

func TestExtensionEditForm(t *testing.T) {
	e, sess, csrf := withReception(t)
	ctx := context.Background()
	body := e.okPage(t, sess, "/extensions/201")
	mustContain(t, "edit form", body, `action="/extensions/201"`, `value="Reception"`, "Leave empty to keep the current password",
		`<option value="optional" selected>`, `href="/extensions/201/delete"`)
	if strings.Contains(body, `name="number"`) || strings.Contains(body, "sip-secret") {
		t.Error("edit form offers the number or shows the password")
	}
	if code, body := e.page(t, sess, "/extensions/999"); code != http.StatusNotFound || !strings.Contains(body, "Extension 999: not found.") {
		t.Errorf("edit of a missing extension = %d:\n%s", code, body)
	}

	change := url.Values{"name": {"Front desk"}, "srtp": {"optional"}, "supervisor": {"on"}, "password": {""}}
	if res := e.submit(sess, "/extensions/201", "", change); res.StatusCode != http.StatusForbidden {
		t.Errorf("edit without CSRF token = %d, want 403", res.StatusCode)
	}
	if got, _ := e.backend.GetExtension(ctx, "201"); got.Name != "Reception" || got.Supervisor {
		t.Fatalf("edit without CSRF token changed %+v", got)
	}

	bad := url.Values{"name": {"Front desk"}, "srtp": {"optional"}, "password": {"short"}}
	res := e.submit(sess, "/extensions/201", csrf, bad)
	body = readBody(t, res)
	if res.StatusCode != 422 || fieldErr(body, "password") != "Must be at least 10 characters." || !strings.Contains(body, `value="Front desk"`) {
		t.Errorf("bad new password = %d, password error %q", res.StatusCode, fieldErr(body, "password"))
	}
	if got, _ := e.backend.GetExtension(ctx, "201"); got.Name != "Reception" {
		t.Fatalf("a refused edit was half-saved: %+v", got)
	}

	// A number in the form does not rename the extension.
	change.Set("number", "555")
	res = e.submit(sess, "/extensions/201", csrf, change)
	wantRedirect(t, res, "/extensions?done=updated&what=201")
	got, _ := e.backend.GetExtension(ctx, "201")
	if got.Name != "Front desk" || !got.Supervisor || got.SRTP != "optional" {
		t.Errorf("after edit %+v", got)
	}
	if pw, _ := e.backend.Password("201"); pw != "sip-secret-201" {
		t.Errorf("an empty password field changed the password to %q", pw)
	}
	// Unticking supervisor and setting a new password.
	res = e.submit(sess, "/extensions/201", csrf, url.Values{"name": {"Front desk"}, "srtp": {"required"}, "password": {"new-sip-secret"}})
	wantRedirect(t, res, "/extensions?done=updated&what=201")
	got, _ = e.backend.GetExtension(ctx, "201")
	if pw, _ := e.backend.Password("201"); got.Supervisor || got.SRTP != "required" || pw != "new-sip-secret" {
		t.Errorf("after second edit %+v, password %q", got, pw)
	}
	if res := e.submit(sess, "/extensions/999", csrf, change); res.StatusCode != http.StatusNotFound {
		t.Errorf("edit of a missing extension = %d, want 404", res.StatusCode)
	}
}

func TestExtensionDeleteConfirmation(t *testing.T) {
	e, sess, csrf := withReception(t)
	ctx := context.Background()
	// Asking shows a confirmation and deletes nothing.
	body := e.okPage(t, sess, "/extensions/201/delete")
	mustContain(t, "confirmation", body, "Delete extension 201?", "Reception", `action="/extensions/201/delete"`,
		`<button type="submit" class="danger">Delete extension 201</button>`, `href="/extensions/201">Cancel`)
	if _, err := e.backend.GetExtension(ctx, "201"); err != nil {
		t.Fatal("showing the confirmation deleted the extension")
	}
	for _, token := range []string{"", "forged"} {
		if res := e.submit(sess, "/extensions/201/delete", token, nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("delete with token %q = %d, want 403", token, res.StatusCode)
		}
	}
	if _, err := e.backend.GetExtension(ctx, "201"); err != nil {
		t.Fatal("delete without CSRF token deleted the extension")
	}
	wantRedirect(t, e.submit(sess, "/extensions/201/delete", csrf, nil), "/extensions?done=deleted&what=201")
	if _, err := e.backend.GetExtension(ctx, "201"); err == nil {
		t.Fatal("the extension is still there")
	}
	if code, _ := e.page(t, sess, "/extensions/201/delete"); code != http.StatusNotFound {
		t.Errorf("confirmation for a deleted extension = %d, want 404", code)
	}
	if res := e.submit(sess, "/extensions/201/delete", csrf, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("second delete = %d, want 404", res.StatusCode)
	}
}

// TestPanelChangesAudited: changes made in the panel reach the backend with
// the logged-in user and address, and so are audited as the API's are.
func TestPanelChangesAudited(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	sess, csrf := e.login(t, nil)
	e.backend.SetBans(webui.Ban{Addr: "198.51.100.9", Since: t0, Until: t0.Add(time.Hour), Reason: "failed logins", Offences: 1})
	e.backend.SetCalls(webui.Call{ID: "c1", Caller: "201", Callee: "202", State: "answered", Start: t0})

	steps := []struct{ path, form string }{
		{"/extensions/new", "number=201&name=A&password=sip-secret-201"},
		{"/extensions/201", "name=B&srtp=required&supervisor=on"},
		{"/calls/c1/record", "action=start"},
		{"/calls/c1/record", "action=stop"},
		{"/security/lift", "addr=198.51.100.9"},
		{"/extensions/201/delete", ""},
	}
	for _, s := range steps {
		form, _ := url.ParseQuery(s.form)
		if res := e.submit(sess, s.path, csrf, form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST %s %s = %d %s", s.path, s.form, res.StatusCode, readBody(t, res))
		}
	}
	// The same first change through the API, from elsewhere.
	wantJSON(t, e.api("POST", "/api/v1/extensions", `{"number":"301","name":"A","password":"sip-secret-301"}`, from("203.0.113.5:1234")), 201, nil)

	recs, _ := e.backend.Audit(ctx, 100)
	var got []string
	for i := len(recs) - 1; i >= 0; i-- {
		r := recs[i]
		got = append(got, fmt.Sprintf("%s %s %s %s", r.Actor, r.Source, r.Action, r.Object))
	}
	want := []string{
		"admin 192.0.2.1 extension-created extension 201",
		"admin 192.0.2.1 extension-updated extension 201",
		"admin 192.0.2.1 recording-started call c1",
		"admin 192.0.2.1 recording-stopped call c1",
		"admin 192.0.2.1 ban-lifted 198.51.100.9",
		"admin 192.0.2.1 extension-deleted extension 201",
		"admin 203.0.113.5 extension-created extension 301",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// And the security page shows them, newest first.
	_, body := e.page(t, sess, "/security")
	if i, j := strings.Index(body, "extension-deleted"), strings.Index(body, "ban-lifted"); i < 0 || j < 0 || i > j {
		t.Errorf("security page does not list the changes newest first")
	}
}

func TestCallsPage(t *testing.T) {
	e := newEnv(t, "")
	sess, csrf := e.login(t, nil)
	code, body := e.page(t, sess, "/calls")
	if code != 200 || !strings.Contains(body, "No calls right now.") || !strings.Contains(body, `id="calls"`) {
		t.Fatalf("no calls = %d:\n%s", code, body)
	}
	e.backend.SetCalls(
		webui.Call{ID: "c1", Caller: "201", Callee: "0049301234", State: "answered", Start: t0.Add(-83 * time.Second)},
		webui.Call{ID: "c/2", Caller: "202", Callee: "203", State: "ringing", Start: t0.Add(-2 * time.Hour)},
	)
	_, body = e.page(t, sess, "/calls")
	mustContain(t, "calls page", body, "0049301234", "answered", "ringing", "(1:23)", "(2:00:00)",
		`action="/calls/c1/record"`, `action="/calls/c%2F2/record"`, `data-record`, `data-now="2025-03-14T09:26:53Z"`,
		`name="action" value="start"`, `name="action" value="stop"`, `<time datetime="2025-03-14T09:25:30Z">09:25:30</time>`)

	if res := e.submit(sess, "/calls/c1/record", "", url.Values{"action": {"start"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("record without CSRF token = %d, want 403", res.StatusCode)
	}
	if res := e.submit(sess, "/calls/c1/record", csrf, url.Values{"action": {"stop"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("stop before start = %d, want 404 (the refused start must not have started)", res.StatusCode)
	}
	wantRedirect(t, e.submit(sess, "/calls/c1/record", csrf, url.Values{"action": {"start"}}), "/calls?done=rec-started&what=c1")
	res := e.submit(sess, "/calls/c1/record", csrf, url.Values{"action": {"start"}})
	if body := readBody(t, res); res.StatusCode != http.StatusConflict || !strings.Contains(body, `<p class="error" role="alert">Call c1 is being recorded: already exists.</p>`) {
		t.Errorf("second start = %d:\n%s", res.StatusCode, body)
	}
	if res := e.submit(sess, "/calls/c9/record", csrf, url.Values{"action": {"start"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("record a call that ended = %d, want 404", res.StatusCode)
	}
	if res := e.submit(sess, "/calls/c1/record", csrf, url.Values{"action": {"pause"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown action = %d, want 400", res.StatusCode)
	}
	e.clock.Advance(90 * time.Second)
	wantRedirect(t, e.submit(sess, "/calls/c1/record", csrf, url.Values{"action": {"stop"}}), "/calls?done=rec-stopped&what=c1")
	_, body = e.page(t, sess, "/calls?done=rec-stopped&what=c1")
	mustContain(t, "calls page after stop", body, "Recording of call c1 stopped")

	// The live list is the API's, with the session cookie.
	var calls []webui.Call
	wantJSON(t, e.do("GET", "/api/v1/calls", "", cookies(sess)), 200, &calls)
	if len(calls) != 2 {
		t.Errorf("GET /api/v1/calls with the session = %+v", calls)
	}
}

func TestRecordingsPage(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	sess, _ := e.login(t, nil)
	if _, body := e.page(t, sess, "/recordings"); !strings.Contains(body, "No recordings yet") {
		t.Error("empty recordings page says nothing")
	}
	e.backend.SetCalls(webui.Call{ID: "c1", Caller: "201", Callee: "202", State: "answered", Start: t0})
	e.recs.StartRecording(ctx, "c1")
	e.clock.Advance(75 * time.Second)
	rec, err := e.recs.StopRecording(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	code, body := e.page(t, sess, "/recordings")
	if code != 200 {
		t.Fatalf("recordings page = %d", code)
	}
	src := "/api/v1/recordings/" + rec.Name
	mustContain(t, "recordings page", body, "2025-03-14 09:28:08", ">c1<", "1:15", "2.4 MB",
		`<audio controls preload="none" src="`+src+`"`, `href="`+src+`" download="c1.wav"`)

	// The player and the link work with the session cookie alone.
	res := e.do("GET", src, "", cookies(sess))
	wav := readBody(t, res)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "audio/wav" || int64(len(wav)) != rec.Size || !strings.HasPrefix(wav, "RIFF") {
		t.Errorf("GET %s = %d %q, %d bytes", src, res.StatusCode, res.Header.Get("Content-Type"), len(wav))
	}
	// The page's policy lets the player fetch it.
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "media-src 'self'") {
		t.Errorf("CSP %q does not allow the player", csp)
	}
}

func TestCDRPage(t *testing.T) {
	e := newEnv(t, "")
	sess, _ := e.login(t, nil)
	day := time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)
	for i := range 120 { // one call an hour for five days, from March 10
		start := day.Add(time.Duration(i) * time.Hour)
		ans := start.Add(4 * time.Second)
		e.backend.AddCDR(webui.CDR{ID: fmt.Sprint(i), Caller: "201", Dialled: "*43", Callee: "", Start: start, Answer: &ans,
			End: ans.Add(65 * time.Second), Duration: 65, Disposition: webui.DispositionAnswered, Cause: 200, HangupBy: "caller"})
	}
	rows := func(body string) int { return strings.Count(body, `<td data-label="Start">`) }

	code, body := e.page(t, sess, "/cdr")
	if code != 200 || rows(body) != 100 {
		t.Fatalf("call records = %d with %d rows, want the last 100", code, rows(body))
	}
	mustContain(t, "call records", body, "2025-03-14 23:00:00", "*43", "the box", "answered", "1:05", "caller",
		`<th>Dialled</th>`, `<th>Hung up by</th>`)
	if strings.Contains(body, "2025-03-10 19:00:00") {
		t.Error("call records list more than the last 100")
	}

	// One day, both ends included.
	_, body = e.page(t, sess, "/cdr?from=2025-03-11&to=2025-03-11")
	if rows(body) != 24 || !strings.Contains(body, "2025-03-11 00:00:00") || !strings.Contains(body, "2025-03-11 23:00:00") {
		t.Errorf("March 11 shows %d rows, want 24", rows(body))
	}
	mustContain(t, "filtered page", body, `value="2025-03-11"`, `href="/cdr">All</a>`)
	if _, body = e.page(t, sess, "/cdr?from=2025-04-01"); rows(body) != 0 || !strings.Contains(body, "No finished calls in the chosen days") {
		t.Errorf("future days show %d rows", rows(body))
	}

	for _, tt := range []struct{ query, field, msg string }{
		{"from=yesterday", "from", "Want a date such as 2025-01-31."},
		{"to=2025-02-30", "to", "Want a date such as 2025-01-31."},
		{"from=2025-03-12&to=2025-03-11", "to", "Must not be before the first day."},
	} {
		code, body := e.page(t, sess, "/cdr?"+tt.query)
		if code != http.StatusBadRequest || fieldErr(body, tt.field) != tt.msg {
			t.Errorf("%s = %d, %s error %q, want 400 %q", tt.query, code, tt.field, fieldErr(body, tt.field), tt.msg)
		}
	}
}

func TestSecurityPage(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	sess, csrf := e.login(t, nil)
	_, body := e.page(t, sess, "/security")
	mustContain(t, "empty security page", body, "No address is banned.")

	e.backend.SetBans(
		webui.Ban{Addr: "198.51.100.9", Since: t0.Add(-time.Minute), Until: t0.Add(time.Hour), Reason: "5 failed registrations", Offences: 2},
		webui.Ban{Addr: "2001:db8::7", Since: t0.Add(-time.Minute), Until: t0.Add(time.Hour), Reason: "scanner", Offences: 1},
	)
	for i := range 60 {
		e.backend.AddAudit(webui.AuditRecord{Time: t0.Add(time.Duration(i) * time.Second), Actor: "admin", Source: "192.0.2.1", Action: fmt.Sprintf("action-%02d", i), Object: "extension 201", Detail: `name "<b>"`})
	}
	e.backend.AddAudit(webui.AuditRecord{Time: t0.Add(time.Hour), Actor: "system", Action: "ban", Object: "198.51.100.9"})
	auditRows := func(body string) int { return strings.Count(body, `<td data-label="Who">`) }

	_, body = e.page(t, sess, "/security")
	mustContain(t, "security page", body, "198.51.100.9", "2001:db8::7", "5 failed registrations", "2025-03-14 10:26:53",
		`name="addr" value="2001:db8::7"`, "action-59", "the box", `name &#34;&lt;b&gt;&#34;`, `<option selected>100</option>`)
	if auditRows(body) != 61 {
		t.Errorf("audit rows = %d, want 61", auditRows(body))
	}
	if strings.Index(body, ">ban<") > strings.Index(body, "action-59") {
		t.Error("audit log not newest first")
	}
	code, body := e.page(t, sess, "/security?limit=50")
	if code != 200 || auditRows(body) != 50 || !strings.Contains(body, `<option selected>50</option>`) || strings.Contains(body, "action-10") {
		t.Errorf("limit=50: %d, %d rows", code, auditRows(body))
	}
	code, body = e.page(t, sess, "/security?limit=7")
	if code != http.StatusBadRequest || fieldErr(body, "limit") != "Choose one of the numbers offered." || auditRows(body) != 61 {
		t.Errorf("limit=7: %d, error %q, %d rows", code, fieldErr(body, "limit"), auditRows(body))
	}

	if res := e.submit(sess, "/security/lift", "", url.Values{"addr": {"198.51.100.9"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("lift without CSRF token = %d, want 403", res.StatusCode)
	}
	if l, _ := e.backend.Bans(ctx); len(l) != 2 {
		t.Fatal("lift without CSRF token lifted the ban")
	}
	wantRedirect(t, e.submit(sess, "/security/lift", csrf, url.Values{"addr": {"2001:db8::7"}}), "/security?done=lifted&what=2001%3Adb8%3A%3A7")
	_, body = e.page(t, sess, "/security?done=lifted&what=2001%3Adb8%3A%3A7")
	mustContain(t, "after lift", body, "The ban on 2001:db8::7 is lifted.")
	if strings.Contains(body, `value="2001:db8::7"`) {
		t.Error("the lifted ban is still listed")
	}
	res := e.submit(sess, "/security/lift", csrf, url.Values{"addr": {"2001:db8::7"}})
	if body := readBody(t, res); res.StatusCode != http.StatusNotFound || !strings.Contains(body, "No ban on 2001:db8::7.") {
		t.Errorf("lift again = %d:\n%s", res.StatusCode, body)
	}
	res = e.submit(sess, "/security/lift", csrf, url.Values{"addr": {"not-an-address"}})
	if body := readBody(t, res); res.StatusCode != 422 || !strings.Contains(body, "is not an IP address") {
		t.Errorf("lift of a non-address = %d:\n%s", res.StatusCode, body)
	}
}

func TestMemoryRecordingsConformance(t *testing.T) {
	b := webuitest.NewMemoryBackend()
	r := webuitest.NewMemoryRecordings(b)
	ctx := context.Background()
	if err := r.StartRecording(ctx, "x"); err == nil {
		t.Error("recording a call that does not exist")
	}
	if _, _, err := r.OpenRecording(ctx, "x.wav"); err == nil {
		t.Error("opened a recording that does not exist")
	}
}
