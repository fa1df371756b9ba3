package webui_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"deskline/webui"
	"deskline/webui/webuitest"
)

// outsideEnv is a server with trunks and routing in memory, extensions
// 101 and 102, and admin logged in.
type outsideEnv struct {
	*env
	trunks  *webuitest.MemoryTrunks
	routing *webuitest.MemoryRouting
	sess    *http.Cookie
	csrf    string
}

func newOutsideEnv(t testing.TB) *outsideEnv {
	t.Helper()
	o := &outsideEnv{trunks: webuitest.NewMemoryTrunks()}
	o.routing = webuitest.NewMemoryRouting(o.trunks)
	o.env = newEnvWith(t, webui.Options{Trunks: o.trunks, Routing: o.routing})
	o.routing.Now = o.clock.Now
	for _, x := range []webui.ExtensionInput{{Number: "101", Name: "Reception", Password: "reception-pass-1"}, {Number: "102", Name: "Sales", Password: "sales-password-1"}} {
		if _, err := o.backend.CreateExtension(context.Background(), x); err != nil {
			t.Fatal(err)
		}
	}
	o.sess, o.csrf = o.login(t, nil)
	return o
}

// post submits a form with the session and its CSRF token.
func (o *outsideEnv) post(path string, form url.Values) *http.Response {
	return o.submit(o.sess, path, o.csrf, form)
}

// doc returns the routing part as stored.
func (o *outsideEnv) doc(t *testing.T, part string, v any) {
	t.Helper()
	raw, err := o.routing.Routing(context.Background(), part)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatal(err)
	}
}

func (o *outsideEnv) addTrunk(t testing.TB, name string) {
	t.Helper()
	if _, err := o.trunks.CreateTrunk(context.Background(), webui.Trunk{Name: name, Host: name + ".example"}); err != nil {
		t.Fatal(err)
	}
}

func trunkForm(name string) url.Values {
	return url.Values{"name": {name}, "host": {"sip.provider.example"}, "transport": {"tls"}, "username": {"4420"}, "password": {"provider-secret"},
		"register": {"on"}, "expiry": {"600"}, "sources": {"203.0.113.0/28\n198.51.100.7"}, "codecs": {"PCMA PCMU"},
		"caller_id_mode": {"pai"}, "caller_id": {"0140000000"}, "dtmf": {"inband"}, "max_channels": {"4"}, "keepalive": {"-1"}}
}

// TestNavigationHasOutsideLines: Trunks and Routes are in the navigation
// only when their backends are set.
func TestNavigationHasOutsideLines(t *testing.T) {
	o := newOutsideEnv(t)
	body := o.okPage(t, o.sess, "/trunks")
	mustContain(t, "trunks page", body, `<a href="/trunks" aria-current="page">Trunks</a>`, `<a href="/routes">Routes</a>`)
	body = o.okPage(t, o.sess, "/routes/limits")
	mustContain(t, "limits page", body, `<a href="/routes" aria-current="page">Routes</a>`, `<a href="/routes/limits" aria-current="page">Limits</a>`)

	e := newEnv(t, "")
	sess, _ := e.login(t, nil)
	if body := e.okPage(t, sess, "/"); strings.Contains(body, `href="/trunks"`) || strings.Contains(body, `href="/routes"`) {
		t.Error("navigation links to trunks or routes without their backends")
	}
	for _, p := range []string{"/trunks", "/routes", "/routes/limits"} {
		if code, _ := e.page(t, sess, p); code != http.StatusNotFound {
			t.Errorf("GET %s without the backend = %d, want 404", p, code)
		}
	}
}

// TestTrunkForms: a trunk is created through the form with every field,
// listed with its live state, edited with the password kept when left
// blank, and refused input is shown next to its field with nothing saved.
func TestTrunkForms(t *testing.T) {
	o := newOutsideEnv(t)
	body := o.okPage(t, o.sess, "/trunks")
	mustContain(t, "empty trunk list", body, "No trunks yet.", `href="/trunks/new"`)
	body = o.okPage(t, o.sess, "/trunks/new")
	for _, f := range []string{"name", "host", "transport", "proxy", "username", "auth_user", "password", "register", "expiry",
		"sources", "codecs", "caller_id_mode", "caller_id", "dtmf", "max_channels", "keepalive"} {
		mustContain(t, "new trunk form", body, `name="`+f+`"`)
	}
	mustContain(t, "new trunk form", body, "Calls the account carries at once", `<option value="inband">`)

	wantRedirect(t, o.post("/trunks/new", trunkForm("voip")), "/trunks?done=trunk-created&what=voip")
	got, err := o.trunks.GetTrunk(context.Background(), "voip")
	if err != nil {
		t.Fatal(err)
	}
	if got.Transport != "tls" || !got.Register || got.Expiry != 600 || len(got.Sources) != 2 || got.Sources[1] != "198.51.100.7" ||
		strings.Join(got.Codecs, ",") != "PCMA,PCMU" || got.CallerIDMode != "pai" || got.DTMF != "inband" || got.MaxChannels != 4 ||
		got.KeepAlive != -1 || got.CallerID != "0140000000" || !got.PasswordSet || o.trunks.Password("voip") != "provider-secret" {
		t.Errorf("stored trunk = %+v", got)
	}

	body = o.okPage(t, o.sess, "/trunks?done=trunk-created&what=voip")
	mustContain(t, "trunk list", body, "Trunk voip created.", `<tr data-trunk="voip">`, `class="status st-down">down</span>`, "not started")
	until := t0.Add(5 * time.Minute)
	o.trunks.SetStatus("voip", webui.TrunkStatus{Up: true, Registered: true, Until: &until, Address: "203.0.113.5:5060", Calls: 3})
	body = o.okPage(t, o.sess, "/trunks")
	mustContain(t, "trunk list, registered", body, `class="status st-available">up</span>`, "203.0.113.5:5060",
		until.Format("2006-01-02 15:04:05"), `3 <span class="hint">of 4</span>`)

	// Edit: the password is never shown; blank keeps it.
	body = o.okPage(t, o.sess, "/trunks/voip")
	if strings.Contains(body, "provider-secret") {
		t.Error("trunk form shows the password")
	}
	mustContain(t, "trunk form", body, "A password is stored. Leave empty to keep it.", `value="sip.provider.example"`,
		`<option value="PCMA PCMU" selected>`, `<option value="pai" selected>`, `<option value="tls" selected>`)
	f := trunkForm("voip")
	f.Set("password", "")
	f.Set("host", "sip2.provider.example")
	wantRedirect(t, o.post("/trunks/voip", f), "/trunks?done=trunk-updated&what=voip")
	if got, _ := o.trunks.GetTrunk(context.Background(), "voip"); got.Host != "sip2.provider.example" || o.trunks.Password("voip") != "provider-secret" {
		t.Errorf("after an edit with a blank password: host %q, password %q", got.Host, o.trunks.Password("voip"))
	}

	// Refusals: from the backend, and a number that is not one.
	for _, c := range []struct{ field, value, path string }{
		{"host", "bad host/x", "/trunks/new"},
		{"caller_id", "+33 1", "/trunks/voip"},
		{"expiry", "five", "/trunks/voip"},
		{"keepalive", "-7", "/trunks/new"},
	} {
		f := trunkForm("other")
		f.Set(c.field, c.value)
		res := o.post(c.path, f)
		body := readBody(t, res)
		if res.StatusCode != http.StatusUnprocessableEntity || fieldErr(body, c.field) == "" {
			t.Errorf("%s=%q on %s: %d, field error %q", c.field, c.value, c.path, res.StatusCode, fieldErr(body, c.field))
		}
		mustContain(t, "refused trunk form", body, `value="`+strings.ReplaceAll(c.value, "+", "&#43;")+`"`)
		if strings.Contains(body, "provider-secret") {
			t.Error("refused trunk form shows the password typed")
		}
	}
	if l, _ := o.trunks.ListTrunks(context.Background()); len(l) != 1 {
		t.Errorf("%d trunks after refusals, want 1", len(l))
	}
	if got, _ := o.trunks.GetTrunk(context.Background(), "voip"); got.Host != "sip2.provider.example" || got.Expiry != 600 {
		t.Errorf("a refused edit changed the trunk: %+v", got)
	}
	res := o.post("/trunks/new", trunkForm("voip"))
	if body := readBody(t, res); res.StatusCode != http.StatusConflict || !strings.Contains(fieldErr(body, "name"), "already exists") {
		t.Errorf("duplicate trunk: %d, name error %q", res.StatusCode, fieldErr(body, "name"))
	}
	if code, _ := o.page(t, o.sess, "/trunks/nope"); code != http.StatusNotFound {
		t.Errorf("GET /trunks/nope = %d, want 404", code)
	}
}

// TestTrunkDelete: deletion asks for confirmation, is refused with the
// reason shown while a route uses the trunk, and then succeeds.
func TestTrunkDelete(t *testing.T) {
	o := newOutsideEnv(t)
	o.addTrunk(t, "voip")
	if _, err := o.routing.SetRouting(context.Background(), "outbound", json.RawMessage(`{"routes":[{"name":"national","patterns":[{"pattern":"_0ZXXXXXXXX"}],"trunks":["voip"]}]}`)); err != nil {
		t.Fatal(err)
	}
	body := o.okPage(t, o.sess, "/trunks/voip/delete")
	mustContain(t, "delete confirmation", body, "Delete trunk voip?", `action="/trunks/voip/delete"`)
	res := o.post("/trunks/voip/delete", nil)
	body = readBody(t, res)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("deleting a routed trunk = %d, want 422", res.StatusCode)
	}
	mustContain(t, "refused deletion", body, `<p class="error" role="alert">Trunk &#34;voip&#34; is used by the route national.</p>`, "Delete trunk voip?")
	if _, err := o.trunks.GetTrunk(context.Background(), "voip"); err != nil {
		t.Errorf("refused deletion removed the trunk: %v", err)
	}
	if _, err := o.routing.SetRouting(context.Background(), "outbound", json.RawMessage(`{"routes":[]}`)); err != nil {
		t.Fatal(err)
	}
	wantRedirect(t, o.post("/trunks/voip/delete", nil), "/trunks?done=trunk-deleted&what=voip")
	if _, err := o.trunks.GetTrunk(context.Background(), "voip"); err == nil {
		t.Error("trunk still there after deletion")
	}
}

func routeForm(index int, orig, name, patterns string, trunks ...string) url.Values {
	return url.Values{"index": {strconv.Itoa(index)}, "orig": {orig}, "name": {name}, "patterns": {patterns}, "trunk": trunks, "action": {"save"}}
}

// TestOutboundRouteForms: routes are added, edited, reordered and
// deleted through their forms, each saving the whole document; problems
// appear next to the route and field they name, warnings after saving.
func TestOutboundRouteForms(t *testing.T) {
	o := newOutsideEnv(t)
	body := o.okPage(t, o.sess, "/routes")
	mustContain(t, "routes without trunks", body, "There are no trunks yet", `id="out0"`, "Add a route")
	o.addTrunk(t, "voip")
	o.addTrunk(t, "backup")

	f := routeForm(0, "", "national", "_0ZXXXXXXXX strip=1 prepend=+33\n9 prefix=0", "voip", "backup")
	f.Set("class", "national")
	f.Set("caller_id", "+33140000000")
	f.Set("tc", "on")
	f.Set("tc_weekly", "mon-fri 08:00-18:00\nsat 09:00-12:00")
	f.Set("tc_holidays", "2026-12-25, 2027-01-01")
	f.Set("tc_zone", "Europe/Paris")
	wantRedirect(t, o.post("/routes", f), "/routes?done=routes-saved&what=outbound")
	var doc webui.OutboundRoutes
	o.doc(t, "outbound", &doc)
	want := webui.OutboundRoute{Name: "national", Patterns: []webui.DialPattern{{Pattern: "_0ZXXXXXXXX", Strip: 1, Prepend: "+33"}, {Pattern: "9", Prefix: "0"}},
		Trunks: []string{"voip", "backup"}, CallerID: "+33140000000", Class: "national",
		TimeCondition: &webui.TimeCondition{TimeZone: "Europe/Paris", Weekly: []webui.TimeInterval{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, From: "08:00", To: "18:00"}, {Days: []string{"sat"}, From: "09:00", To: "12:00"}},
			Holidays: []string{"2026-12-25", "2027-01-01"}}}
	if g, w := mustJSON(t, doc.Routes), mustJSON(t, []webui.OutboundRoute{want}); g != w {
		t.Errorf("stored routes\n got %s\nwant %s", g, w)
	}
	body = o.okPage(t, o.sess, "/routes")
	mustContain(t, "routes page", body, `<span class="order">1</span> national`, "_0ZXXXXXXXX strip=1 prepend=&#43;33\n9 prefix=0",
		`<option value="voip" selected>voip</option>`, `<option value="backup" selected>backup</option>`, "mon-fri 08:00-18:00\nsat 09:00-12:00",
		`<option value="national" selected>national</option>`, `value="Europe/Paris"`, `name="tc" checked`)

	// A second route whose pattern the first already catches: saved, with
	// the warning next to its patterns.
	res := o.post("/routes", routeForm(1, "", "catch-all", "_00.\n_00.", "voip"))
	body = readBody(t, res)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("shadowed route = %d, want 200 with the warning:\n%s", res.StatusCode, body)
	}
	mustContain(t, "saved with a warning", body, "Routing (outbound) saved", "Saved, with 1 warning:",
		`<p class="field-warning" id="out1-patterns-warning">Line 2: never used: outbound[1].patterns[0] catches every number`)
	o.doc(t, "outbound", &doc)
	if len(doc.Routes) != 2 {
		t.Fatalf("%d routes after adding one with a warning", len(doc.Routes))
	}

	// Errors: nothing is saved, each shows at its route and field.
	res = o.post("/routes", routeForm(1, "catch-all", "national", "_0ZX\n_08?", "voip", "gone"))
	body = readBody(t, res)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad route = %d, want 422", res.StatusCode)
	}
	if got := fieldErr(body, "out1-patterns"); !strings.HasPrefix(got, "Line 2: ") {
		t.Errorf("pattern error at route 2 = %q, want one about line 2", got)
	}
	if got := fieldErr(body, "out1-name"); !strings.Contains(got, "already has the name") {
		t.Errorf("name error at route 2 = %q", got)
	}
	if got := fieldErr(body, "out1-trunks"); !strings.HasPrefix(got, "Trunk 2: ") {
		t.Errorf("trunk error at route 2 = %q", got)
	}
	mustContain(t, "refused route", body, "_0ZX\n_08?", `aria-describedby="out1-patterns-error"`, `<option value="gone" selected>gone (missing)</option>`)
	if fieldErr(body, "out0-patterns") != "" {
		t.Error("route 1 shows an error that is about route 2")
	}
	o.doc(t, "outbound", &doc)
	if doc.Routes[1].Name != "catch-all" {
		t.Errorf("a refused edit was saved: %+v", doc.Routes[1])
	}
	// Caught before the backend: a strip that is not a number.
	res = o.post("/routes", routeForm(1, "catch-all", "catch-all", "_0ZXXXXXXXX strip=x", "voip"))
	if body := readBody(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fieldErr(body, "out1-patterns"), "strip=") {
		t.Errorf("strip=x: %d, %q", res.StatusCode, fieldErr(body, "out1-patterns"))
	}

	// Order and deletion.
	move := func(action string, index int, orig string) *http.Response {
		return o.post("/routes", url.Values{"index": {strconv.Itoa(index)}, "orig": {orig}, "action": {action}})
	}
	if res := move("up", 1, "catch-all"); res.StatusCode != http.StatusOK { // saved, still with its warning
		t.Errorf("moving up = %d, want 200", res.StatusCode)
	}
	o.doc(t, "outbound", &doc)
	if doc.Routes[0].Name != "catch-all" || doc.Routes[1].Name != "national" {
		t.Errorf("after moving up: %s, %s", doc.Routes[0].Name, doc.Routes[1].Name)
	}
	if res := move("down", 1, "catch-all"); res.StatusCode != http.StatusConflict {
		t.Errorf("a move naming a route that is elsewhere now = %d, want 409", res.StatusCode)
	}
	wantRedirect(t, move("delete", 0, "catch-all"), "/routes?done=routes-saved&what=outbound") // and the warning with it
	o.doc(t, "outbound", &doc)
	if len(doc.Routes) != 1 || doc.Routes[0].Name != "national" {
		t.Errorf("after deletion: %+v", doc.Routes)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// refusingRouting refuses every document with its problems.
type refusingRouting struct {
	*webuitest.MemoryRouting
	problems []webui.RoutingProblem
}

func (r *refusingRouting) SetRouting(ctx context.Context, part string, doc json.RawMessage) ([]webui.RoutingProblem, error) {
	return nil, &webui.RoutingErrors{Problems: r.problems}
}

// TestRoutingProblemsShownAtTheirField: each problem the backend names by
// path appears next to that route's field; one about no route is shown
// above the page.
func TestRoutingProblemsShownAtTheirField(t *testing.T) {
	r := &refusingRouting{MemoryRouting: webuitest.NewMemoryRouting(nil)}
	r.problems = []webui.RoutingProblem{
		{Path: "outbound[1].patterns[0].pattern", Severity: "error", Message: `"_0Q" at position 2: not a pattern letter`},
		{Path: "outbound[1].time_condition.weekly[0].from", Severity: "error", Message: `"8h" is not a time`},
		{Path: "outbound[1].class", Severity: "error", Message: `"gold" is not a class`},
		{Path: "outbound", Severity: "error", Message: "not a valid document"},
	}
	e := newEnvWith(t, webui.Options{Routing: r})
	sess, csrf := e.login(t, nil)
	f := routeForm(0, "", "first", "_0Q", "t")
	f.Set("class", "gold")
	res := e.submit(sess, "/routes", csrf, f)
	body := readBody(t, res)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("refused = %d, want 422", res.StatusCode)
	}
	mustContain(t, "route form without a trunk backend", body, `<select name="trunk"`, "— choose a trunk —")
	// The page has only the new route (index 0); problems about index 1
	// name no route shown, so they go above the page.
	mustContain(t, "refused page", body, "Outbound route 2, patterns, line 1: &#34;_0Q&#34; at position 2", "outbound: Not a valid document.")

	r.problems[0].Path, r.problems[1].Path, r.problems[2].Path = "outbound[0].patterns[0].pattern", "outbound[0].time_condition.weekly[0].from", "outbound[0].class"
	res = e.submit(sess, "/routes", csrf, f)
	body = readBody(t, res)
	for field, want := range map[string]string{
		"out0-patterns":       `Line 1: &#34;_0Q&#34; at position 2: not a pattern letter.`,
		"out0-time_condition": `Weekly times, line 1: &#34;8h&#34; is not a time.`,
		"out0-class":          `&#34;gold&#34; is not a class.`,
	} {
		if got := fieldErr(body, field); got != want {
			t.Errorf("error at %s = %q, want %q", field, got, want)
		}
	}
	mustContain(t, "refused page", body, `aria-describedby="out0-class-error"`, `outbound: Not a valid document.`)
}

// TestInboundRouteForms: an inbound route with a destination chosen from
// the extensions, the default destination, and a destination problem
// shown next to the route's destination.
func TestInboundRouteForms(t *testing.T) {
	o := newOutsideEnv(t)
	body := o.okPage(t, o.sess, "/routes/inbound")
	mustContain(t, "inbound page", body, `<datalist id="targets-extension"><option value="101">101 Reception</option><option value="102">102 Sales</option></datalist>`, `list="targets-extension"`,
		`name="did"`, `name="kind"`, `name="default_kind"`, `<option value="hangup" selected>Hang up</option>`)
	f := url.Values{"index": {"0"}, "action": {"save"}, "name": {"main"}, "did": {"0140000000"}, "caller_id": {""}, "kind": {"extension"}, "target": {"101"},
		"tc": {"on"}, "tc_weekly": {"mon-fri 08:00-18:00"}}
	wantRedirect(t, o.post("/routes/inbound", f), "/routes/inbound?done=routes-saved&what=inbound")
	wantRedirect(t, o.post("/routes/inbound", url.Values{"action": {"default"}, "default_kind": {"voicemail"}, "default_target": {"101"}}), "/routes/inbound?done=routes-saved&what=inbound")
	var doc webui.InboundRoutes
	o.doc(t, "inbound", &doc)
	if len(doc.Routes) != 1 || doc.Routes[0].DID != "0140000000" || doc.Routes[0].Destination != (webui.Destination{Kind: "extension", Target: "101"}) ||
		doc.Routes[0].TimeCondition == nil || doc.Default != (webui.Destination{Kind: "voicemail", Target: "101"}) {
		t.Errorf("stored inbound = %+v", doc)
	}
	body = o.okPage(t, o.sess, "/routes/inbound")
	mustContain(t, "inbound page", body, `value="0140000000"`, `<option value="extension" selected>Extension</option>`, `<option value="voicemail" selected>Voicemail of</option>`)

	res := o.post("/routes/inbound", url.Values{"index": {"1"}, "action": {"save"}, "did": {"_0141XXXXXX"}, "kind": {"queue"}})
	body = readBody(t, res)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fieldErr(body, "in1-destination"), "needs a target") {
		t.Errorf("queue without a target: %d, %q", res.StatusCode, fieldErr(body, "in1-destination"))
	}
	res = o.post("/routes/inbound", url.Values{"action": {"default"}, "default_kind": {"bogus"}})
	if body := readBody(t, res); !strings.Contains(fieldErr(body, "default-destination"), "bogus") {
		t.Errorf("bad default: %q", fieldErr(body, "default-destination"))
	}
	res = o.post("/routes/inbound", url.Values{"index": {"1"}, "action": {"save"}, "did": {"1"}, "kind": {"hangup"}, "tc": {"on"}, "tc_weekly": {"someday 8-9"}})
	if body := readBody(t, res); !strings.Contains(fieldErr(body, "in1-time_condition"), "someday") {
		t.Errorf("bad weekly line: %q", fieldErr(body, "in1-time_condition"))
	}
	wantRedirect(t, o.post("/routes/inbound", url.Values{"index": {"0"}, "orig": {"0140000000|"}, "action": {"delete"}}), "/routes/inbound?done=routes-saved&what=inbound")
	o.doc(t, "inbound", &doc)
	if len(doc.Routes) != 0 || doc.Default.Kind != "voicemail" {
		t.Errorf("after deleting the route: %+v", doc)
	}
}

// TestBlacklistForms: rules are added and removed, and the outbound block
// list saved; a bad pattern is shown with its line.
func TestBlacklistForms(t *testing.T) {
	o := newOutsideEnv(t)
	body := o.okPage(t, o.sess, "/routes/blacklist")
	mustContain(t, "blacklist page", body, "No caller is refused.", `name="outbound_block"`)
	wantRedirect(t, o.post("/routes/blacklist", url.Values{"action": {"add"}, "number": {"anonymous"}, "action_kind": {"reject"}, "code": {"486"}, "comment": {"no hidden numbers"}}),
		"/routes/blacklist?done=routes-saved&what=blacklist")
	wantRedirect(t, o.post("/routes/blacklist", url.Values{"action": {"add"}, "number": {"_0612XXXXXX"}, "action_kind": {"redirect"}, "kind": {"extension"}, "target": {"102"}}),
		"/routes/blacklist?done=routes-saved&what=blacklist")
	wantRedirect(t, o.post("/routes/blacklist", url.Values{"action": {"outbound"}, "outbound_block": {"_0899.\n_00881."}}), "/routes/blacklist?done=routes-saved&what=blacklist")
	var doc webui.Blacklist
	o.doc(t, "blacklist", &doc)
	if g := mustJSON(t, doc); g != `{"blacklist":[{"number":"anonymous","action":"reject","code":486,"comment":"no hidden numbers"},{"number":"_0612XXXXXX","action":"redirect","destination":{"kind":"extension","target":"102"}}],"outbound_block":["_0899.","_00881."]}` {
		t.Errorf("stored blacklist = %s", g)
	}
	body = o.okPage(t, o.sess, "/routes/blacklist")
	mustContain(t, "blacklist page", body, "<code>anonymous</code>", "refused (486)", "sent to extension 102", "no hidden numbers", "_0899.\n_00881.")

	res := o.post("/routes/blacklist", url.Values{"action": {"add"}, "number": {"123"}, "action_kind": {"reject"}, "code": {"200"}})
	if body := readBody(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fieldErr(body, "bl-code"), "400 to 699") {
		t.Errorf("code 200: %d, %q", res.StatusCode, fieldErr(body, "bl-code"))
	}
	res = o.post("/routes/blacklist", url.Values{"action": {"outbound"}, "outbound_block": {"_0899.\n_09?"}})
	if body := readBody(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.HasPrefix(fieldErr(body, "outbound_block"), "Line 2: ") {
		t.Errorf("bad block pattern: %d, %q", res.StatusCode, fieldErr(body, "outbound_block"))
	}
	wantRedirect(t, o.post("/routes/blacklist", url.Values{"action": {"delete"}, "index": {"0"}, "orig": {"anonymous"}}), "/routes/blacklist?done=routes-saved&what=blacklist")
	o.doc(t, "blacklist", &doc)
	if len(doc.Blacklist) != 1 || doc.Blacklist[0].Number != "_0612XXXXXX" || len(doc.OutboundBlock) != 2 {
		t.Errorf("after removing a rule: %+v", doc)
	}
}

// TestLimitsForm: limits are saved (per-trunk channels and allowed hours
// too), bad values are shown at their field, and a suspension is lifted.
func TestLimitsForm(t *testing.T) {
	o := newOutsideEnv(t)
	o.addTrunk(t, "voip")
	o.routing.Suspend("102", "11 outside calls within 60 s")
	body := o.okPage(t, o.sess, "/routes/limits")
	mustContain(t, "limits page", body, `<td data-label="Extension" class="num"><strong>102</strong></td>`, "11 outside calls within 60 s",
		`name="channels_voip"`, `name="burst_calls"`, `<span class="count">1</span>`)
	wantRedirect(t, o.post("/routes/limits", url.Values{"extension_concurrent": {"3"}, "burst_calls": {"-1"}, "channels_voip": {"4"},
		"tc": {"on"}, "tc_weekly": {"mon-sat 07:00-20:00"}}), "/routes/limits?done=routes-saved&what=limits")
	var l webui.RoutingLimits
	o.doc(t, "limits", &l)
	if l.ExtensionConcurrent != 3 || l.BurstCalls != -1 || l.TrunkChannels["voip"] != 4 || l.Hours == nil || len(l.Hours.Weekly[0].Days) != 6 {
		t.Errorf("stored limits = %+v", l)
	}
	body = o.okPage(t, o.sess, "/routes/limits")
	mustContain(t, "limits page", body, `name="extension_concurrent" inputmode="numeric" autocomplete="off" value="3"`, `name="channels_voip" inputmode="numeric" autocomplete="off" value="4"`, "mon-sat 07:00-20:00")

	res := o.post("/routes/limits", url.Values{"tc": {"on"}, "tc_weekly": {"mon 8-18:00"}})
	if body := readBody(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.HasPrefix(fieldErr(body, "limits-hours"), "Weekly times, line 1: ") {
		t.Errorf("bad allowed hours: %d, %q", res.StatusCode, fieldErr(body, "limits-hours"))
	}
	for field, value := range map[string]string{"trunk_per_hour": "-5", "burst_seconds": "ten"} {
		res := o.post("/routes/limits", url.Values{field: {value}})
		if body := readBody(t, res); res.StatusCode != http.StatusUnprocessableEntity || fieldErr(body, field) == "" {
			t.Errorf("%s=%s: %d, %q", field, value, res.StatusCode, fieldErr(body, field))
		}
	}
	o.doc(t, "limits", &l)
	if l.ExtensionConcurrent != 3 {
		t.Errorf("a refused form changed the limits: %+v", l)
	}

	wantRedirect(t, o.post("/routes/limits", url.Values{"action": {"lift"}, "extension": {"102"}}), "/routes/limits?done=suspension-lifted&what=102")
	if s, _ := o.routing.Suspended(context.Background()); len(s) != 0 {
		t.Errorf("still suspended: %+v", s)
	}
	body = o.okPage(t, o.sess, "/routes/limits?done=suspension-lifted&what=102")
	mustContain(t, "limits page after lifting", body, "Extension 102 may call outside again.", "No extension is suspended.")
	if res := o.post("/routes/limits", url.Values{"action": {"lift"}, "extension": {"102"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("lifting a suspension that is not there = %d, want 404", res.StatusCode)
	}
}

// TestExtensionOutsideSettings: the extension form shows and saves the
// class of outside calls and the caller ID; the list shows them.
func TestExtensionOutsideSettings(t *testing.T) {
	o := newOutsideEnv(t)
	body := o.okPage(t, o.sess, "/extensions/101")
	mustContain(t, "extension form", body, `name="class"`, `<option value="national" selected>`, `name="caller_id"`)
	wantRedirect(t, o.post("/extensions/101", url.Values{"name": {"Reception"}, "srtp": {"optional"}, "class": {"international"}, "caller_id": {"+33140000012"}}),
		"/extensions?done=updated&what=101")
	x, _ := o.backend.GetExtension(context.Background(), "101")
	if x.Class != "international" || x.CallerID != "+33140000012" {
		t.Errorf("stored extension = %+v", x)
	}
	body = o.okPage(t, o.sess, "/extensions")
	mustContain(t, "extension list", body, `<td data-label="Outside calls">international<span class="phone">as &#43;33140000012</span></td>`)
	res := o.post("/extensions/101", url.Values{"name": {"Reception"}, "class": {"international"}, "caller_id": {"01 40"}})
	if body := readBody(t, res); res.StatusCode != http.StatusUnprocessableEntity || fieldErr(body, "caller_id") == "" {
		t.Errorf("bad caller ID: %d, %q", res.StatusCode, fieldErr(body, "caller_id"))
	}
	wantRedirect(t, o.post("/extensions/new", url.Values{"number": {"103"}, "password": {"a-long-password"}, "class": {"internal"}}), "/extensions?done=created&what=103")
	if x, _ := o.backend.GetExtension(context.Background(), "103"); x.Class != "internal" {
		t.Errorf("new extension's class = %q", x.Class)
	}
}

// TestOutsideFormsNeedCSRF: every form of these pages is refused (403)
// without the session's CSRF token, and changes nothing.
func TestOutsideFormsNeedCSRF(t *testing.T) {
	o := newOutsideEnv(t)
	o.addTrunk(t, "voip")
	o.routing.Suspend("102", "burst")
	for _, c := range []struct {
		path string
		form url.Values
	}{
		{"/trunks/new", trunkForm("other")},
		{"/trunks/voip", trunkForm("voip")},
		{"/trunks/voip/delete", nil},
		{"/routes", routeForm(0, "", "r", "1", "voip")},
		{"/routes/inbound", url.Values{"index": {"0"}, "action": {"save"}, "did": {"1"}, "kind": {"hangup"}}},
		{"/routes/inbound", url.Values{"action": {"default"}, "default_kind": {"extension"}, "default_target": {"101"}}},
		{"/routes/blacklist", url.Values{"action": {"add"}, "number": {"1"}, "action_kind": {"reject"}}},
		{"/routes/blacklist", url.Values{"action": {"outbound"}, "outbound_block": {"1"}}},
		{"/routes/limits", url.Values{"extension_concurrent": {"5"}}},
		{"/routes/limits", url.Values{"action": {"lift"}, "extension": {"102"}}},
		{"/extensions/101", url.Values{"name": {"x"}, "class": {"premium"}}},
	} {
		for _, token := range []string{"", "wrong-token"} {
			if res := o.submit(o.sess, c.path, token, c.form); res.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s %v with CSRF token %q = %d, want 403", c.path, c.form, token, res.StatusCode)
			}
		}
	}
	if l, _ := o.trunks.ListTrunks(context.Background()); len(l) != 1 || l[0].Host != "voip.example" {
		t.Errorf("trunks changed: %+v", l)
	}
	for part, want := range map[string]string{"outbound": `{"routes":[]}`, "inbound": `{"routes":[],"default":{"kind":"hangup"}}`,
		"blacklist": `{"blacklist":[],"outbound_block":[]}`, "limits": `{}`} {
		if raw, _ := o.routing.Routing(context.Background(), part); string(raw) != want {
			t.Errorf("routing %s changed: %s", part, raw)
		}
	}
	if s, _ := o.routing.Suspended(context.Background()); len(s) != 1 {
		t.Error("suspension lifted without a CSRF token")
	}
	if x, _ := o.backend.GetExtension(context.Background(), "101"); x.Class != "national" {
		t.Errorf("extension changed: %+v", x)
	}
}

// FuzzOutsideForms posts arbitrary forms to the trunk and routing pages:
// none may answer 5xx, and a refusal says why on the page. Seeds are in
// testdata/fuzz/FuzzOutsideForms.
func FuzzOutsideForms(f *testing.F) {
	f.Add(uint8(0), "name=voip&host=sip.example&expiry=300&keepalive=-1&codecs=PCMA+PCMU")
	f.Add(uint8(1), "index=0&action=save&name=n&patterns=_0ZX.+strip%3D1%0A9+prefix%3D0&trunk=voip&tc=on&tc_weekly=mon-fri+08:00-18:00")
	f.Add(uint8(1), "index=0&orig=&action=down")
	f.Add(uint8(2), "index=0&action=save&did=_01XX&kind=queue&target=&tc=on&tc_weekly=xx")
	f.Add(uint8(3), "action=add&number=anonymous&action_kind=redirect&kind=ivr&target=main&code=99999999999999999999")
	f.Add(uint8(4), "extension_concurrent=-2&channels_voip=x&tc=on&tc_holidays=2026-13-40")
	o := newOutsideEnv(f)
	o.addTrunk(f, "voip")
	paths := []string{"/trunks/new", "/routes", "/routes/inbound", "/routes/blacklist", "/routes/limits", "/trunks/voip"}
	f.Fuzz(func(t *testing.T, which uint8, form string) {
		path := paths[int(which)%len(paths)]
		res := o.do(http.MethodPost, path, form+"&csrf="+url.QueryEscape(o.csrf), cookies(o.sess), header("Content-Type", "application/x-www-form-urlencoded"))
		body := readBody(t, res)
		switch res.StatusCode {
		case http.StatusOK, http.StatusSeeOther:
		case http.StatusConflict, http.StatusUnprocessableEntity, http.StatusNotFound:
			if !strings.Contains(body, `class="error"`) {
				t.Fatalf("POST %s %q refused without a message:\n%s", path, form, body)
			}
		case http.StatusBadRequest, http.StatusForbidden: // no form at all; a form whose csrf field came twice
		default:
			t.Fatalf("POST %s %q: status %d\n%s", path, form, res.StatusCode, body)
		}
		// Keep the trunk the other forms refer to.
		if _, err := o.trunks.GetTrunk(context.Background(), "voip"); err != nil {
			o.addTrunk(t, "voip")
		}
	})
}

// TestInboundTargetsFromContactCentre: queues are offered as inbound
// destinations when the contact centre is there.
func TestInboundTargetsFromContactCentre(t *testing.T) {
	acd := webuitest.NewMemoryACD()
	if _, err := acd.CreateQueue(context.Background(), webui.Queue{Name: "sales", Number: "600", Strategy: "ring-all"}); err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, webui.Options{ACD: acd, Routing: webuitest.NewMemoryRouting(nil)})
	sess, _ := e.login(t, nil)
	body := e.okPage(t, sess, "/routes/inbound")
	mustContain(t, "inbound page", body, `<option value="sales">queue sales</option>`)
}
