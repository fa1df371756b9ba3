package webui_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"deskline/acd"
	"deskline/webui"
	"deskline/webui/webuitest"
)

// withCentre is a server over the contact centre of contactCentre with
// admin logged in.
func withCentre(t *testing.T, backend webui.ACDBackend) (e *env, sess *http.Cookie, csrf string) {
	t.Helper()
	e = newACDEnv(t, backend)
	sess, csrf = e.login(t, nil)
	return e, sess, csrf
}

func centre(t *testing.T) *webuitest.MemoryACD {
	t.Helper()
	m := webuitest.NewMemoryACD()
	m.Now = func() time.Time { return t0 }
	contactCentre(t, m, t0)
	return m
}

// TestDashboardPage: the dashboard is in the navigation and renders the
// live picture on the server: the overview sums the queues, each queue
// has a card, each agent a row with status, time in status and call.
func TestDashboardPage(t *testing.T) {
	e, sess, _ := withCentre(t, centre(t))
	e.clock.Advance(0)
	body := e.okPage(t, sess, "/dashboard")
	mustContain(t, "dashboard", body,
		`<a href="/dashboard" aria-current="page">Dashboard</a>`,
		`data-ov="waiting">2<`,
		`data-ov="handled">70 <small>89%</small>`, // 51+19 of 79 ended
		`data-ov="abandoned">7 <small>9%</small>`,
		`data-ov="paused">1<`,
		`<article class="qcard" data-queue="sales">`, `<article class="qcard" data-queue="support">`,
		`<tr data-agent="202">`, "On a call", "49 30 555 0142", "Bob Keller",
		`Lunch</span> <span class="tag">forced</span>`,
		`<li>Meeting</li>`, `src="/static/panel.js"`)
	for _, p := range []string{"/agents", "/queues", "/pause-reasons"} {
		mustContain(t, "navigation", body, `<a href="`+p+`">`)
	}
	mustContain(t, "dashboard of a backend with daily counters", body, "Counts are today's, since midnight")

	// A backend without daily counters: the counts run from the start.
	e2, sess2, _ := withCentre(t, struct{ webui.ACDBackend }{centre(t)})
	mustContain(t, "dashboard without daily counters", e2.okPage(t, sess2, "/dashboard"), "Counts run since the box started")

	// Without a contact centre there is neither the page nor the links.
	plain := newEnv(t, "")
	psess, _ := plain.login(t, nil)
	if code, _ := plain.page(t, psess, "/dashboard"); code != http.StatusNotFound {
		t.Errorf("GET /dashboard without ACD = %d, want 404", code)
	}
	if body := plain.okPage(t, psess, "/"); strings.Contains(body, `href="/dashboard"`) {
		t.Error("navigation links to the dashboard without ACD")
	}
	if res := plain.api("GET", "/api/v1/events", ""); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /api/v1/events without ACD = %d, want 404", res.StatusCode)
	}
}

// TestDashboardNeedsSession: like every panel page.
func TestDashboardNeedsSession(t *testing.T) {
	e := newACDEnv(t, centre(t))
	wantRedirect(t, e.do("GET", "/dashboard", ""), "/login")
}

// TestAgentForms: an admin creates an agent in a queue, is told inline
// what is wrong with a bad PIN (nothing saved), edits the agent (the PIN
// stays unless a new one is typed) and moves it between queues.
func TestAgentForms(t *testing.T) {
	m := centre(t)
	e, sess, csrf := withCentre(t, m)
	ctx := context.Background()
	body := e.okPage(t, sess, "/agents")
	mustContain(t, "agents list", body, `<a href="/agents/201">201</a>`, "Alice Martin", "extension 101",
		`0049301234567 <span class="tag">external</span>`, `<a href="/queues/support">support</a>`, "On a call")
	body = e.okPage(t, sess, "/agents/new")
	mustContain(t, "new agent form", body, `name="id"`, `name="pin"`, `name="type" value="external"`, `name="queues" value="sales"`)

	form := url.Values{"id": {"205"}, "name": {"Erin Roth"}, "type": {"extension"}, "extension": {"105"}, "pin": {"12"}, "queues": {"support"}}
	res := e.submit(sess, "/agents/new", csrf, form)
	body = readBody(t, res)
	if res.StatusCode != http.StatusUnprocessableEntity || fieldErr(body, "pin") != "Must be 4 to 8 digits." {
		t.Fatalf("bad PIN: %d, message %q", res.StatusCode, fieldErr(body, "pin"))
	}
	mustContain(t, "refused agent form", body, `value="Erin Roth"`, `value="support" checked`)
	if _, err := m.GetAgent(ctx, "205"); err == nil {
		t.Fatal("a refused form created agent 205")
	}
	if q, _ := m.GetQueue(ctx, "support"); len(q.Members) != 2 {
		t.Fatalf("a refused form changed support's members: %+v", q.Members)
	}

	form.Set("pin", "2468")
	wantRedirect(t, e.submit(sess, "/agents/new", csrf, form), "/agents?done=agent-created&what=205")
	if m.PIN("205") != "2468" {
		t.Errorf("PIN of 205 = %q, want 2468", m.PIN("205"))
	}
	if q, _ := m.GetQueue(ctx, "support"); !slices.Contains(q.Members, webui.QueueMember{Agent: "205"}) {
		t.Errorf("support's members = %+v, want 205 among them", q.Members)
	}
	if body := e.okPage(t, sess, "/agents?done=agent-created&what=205"); !strings.Contains(body, "Agent 205 created.") {
		t.Error("no notice after creating")
	}

	// Edit: a new name, sales instead of support, the PIN left empty.
	body = e.okPage(t, sess, "/agents/205")
	mustContain(t, "edit form", body, `value="Erin Roth"`, `value="support" checked`, "A PIN is set. Leave empty to keep it.")
	wantRedirect(t, e.submit(sess, "/agents/205", csrf, url.Values{"name": {"Erin Roth-Li"}, "type": {"extension"}, "extension": {"105"}, "queues": {"sales"}, "wrap_up": {"30"}}),
		"/agents?done=agent-updated&what=205")
	a, _ := m.GetAgent(ctx, "205")
	if a.Name != "Erin Roth-Li" || a.WrapUp == nil || *a.WrapUp != 30 || m.PIN("205") != "2468" {
		t.Errorf("after edit: %+v (PIN %q), want the new name, wrap-up 30 and the old PIN", a, m.PIN("205"))
	}
	sales, _ := m.GetQueue(ctx, "sales")
	support, _ := m.GetQueue(ctx, "support")
	if !slices.Contains(sales.Members, webui.QueueMember{Agent: "205"}) || slices.ContainsFunc(support.Members, func(x webui.QueueMember) bool { return x.Agent == "205" }) {
		t.Errorf("members after the move: sales %+v, support %+v", sales.Members, support.Members)
	}

	// A wrap-up that is not a number is caught before anything is saved.
	res = e.submit(sess, "/agents/205", csrf, url.Values{"name": {"X"}, "type": {"extension"}, "extension": {"105"}, "wrap_up": {"half a minute"}})
	if body := readBody(t, res); res.StatusCode != 422 || !strings.Contains(fieldErr(body, "wrap_up"), "whole number") {
		t.Errorf("bad wrap-up: %d %q", res.StatusCode, fieldErr(body, "wrap_up"))
	}
	if a, _ := m.GetAgent(ctx, "205"); a.Name != "Erin Roth-Li" {
		t.Errorf("refused edit saved the name %q", a.Name)
	}

	// Delete through the confirmation.
	mustContain(t, "delete page", e.okPage(t, sess, "/agents/205/delete"), "Delete agent 205?")
	wantRedirect(t, e.submit(sess, "/agents/205/delete", csrf, nil), "/agents?done=agent-deleted&what=205")
	if _, err := m.GetAgent(ctx, "205"); !errors.Is(err, webui.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
	if code, _ := e.page(t, sess, "/agents/205"); code != http.StatusNotFound {
		t.Errorf("GET /agents/205 after delete = %d, want 404", code)
	}
}

// queueRefuser refuses every queue update, as a backend might refuse one
// of several changes.
type queueRefuser struct{ *webuitest.MemoryACD }

func (queueRefuser) UpdateQueue(ctx context.Context, name string, in webui.Queue) (webui.Queue, error) {
	return webui.Queue{}, errors.New("disk full")
}

// TestAgentFormNothingHalfSaved: when joining a queue fails, the agent
// just created is removed again and the form says why.
func TestAgentFormNothingHalfSaved(t *testing.T) {
	m := centre(t)
	e, sess, csrf := withCentre(t, queueRefuser{m})
	res := e.submit(sess, "/agents/new", csrf, url.Values{"id": {"206"}, "type": {"extension"}, "extension": {"106"}, "queues": {"sales"}})
	body := readBody(t, res)
	if res.StatusCode != 422 || !strings.Contains(fieldErr(body, "queues"), "Queue sales refused the change") {
		t.Fatalf("status %d, message %q", res.StatusCode, fieldErr(body, "queues"))
	}
	if _, err := m.GetAgent(context.Background(), "206"); err == nil {
		t.Error("agent 206 was left behind")
	}
}

// TestQueueForms: a new queue's form starts from sensible defaults; a
// number field with text is refused inline with nothing saved; saving
// stores every field and the members with their penalties.
func TestQueueForms(t *testing.T) {
	m := centre(t)
	e, sess, csrf := withCentre(t, m)
	ctx := context.Background()
	mustContain(t, "queues list", e.okPage(t, sess, "/queues"), `<a href="/queues/sales">sales</a>`, "ring-all", "300 s")
	body := e.okPage(t, sess, "/queues/new")
	mustContain(t, "new queue form", body, `name="ring_timeout" inputmode="numeric" autocomplete="off" value="15"`,
		`name="service_level" inputmode="numeric" autocomplete="off" value="20"`, `<option value="longest-idle" selected>`,
		`name="join_when_empty" checked`, "How long one agent&#39;s phone rings", `name="member" value="204"`)

	form := url.Values{"name": {"billing"}, "number": {"602"}, "strategy": {"round-robin"}, "ring_timeout": {"twenty"},
		"service_level": {"30"}, "max_wait": {"120"}, "timeout_dest": {"200"}, "member": {"201", "204"}, "penalty-204": {"2"}, "ring_in_use": {"on"}}
	res := e.submit(sess, "/queues/new", csrf, form)
	body = readBody(t, res)
	if res.StatusCode != 422 || fieldErr(body, "ring_timeout") != "Must be a whole number." {
		t.Fatalf("bad ring timeout: %d %q", res.StatusCode, fieldErr(body, "ring_timeout"))
	}
	mustContain(t, "refused queue form", body, `value="twenty"`, `value="billing"`, `name="member" value="204" checked`, `name="penalty-204" inputmode="numeric" value="2"`)
	if _, err := m.GetQueue(ctx, "billing"); err == nil {
		t.Fatal("a refused form created the queue")
	}

	form.Set("strategy", "fastest")
	form.Set("ring_timeout", "20")
	res = e.submit(sess, "/queues/new", csrf, form)
	if body := readBody(t, res); res.StatusCode != 422 || !strings.Contains(fieldErr(body, "strategy"), "Unknown strategy") {
		t.Fatalf("unknown strategy: %d %q", res.StatusCode, fieldErr(body, "strategy"))
	}

	form.Set("strategy", "round-robin")
	wantRedirect(t, e.submit(sess, "/queues/new", csrf, form), "/queues?done=queue-created&what=billing")
	q, err := m.GetQueue(ctx, "billing")
	want := webui.Queue{Name: "billing", Number: "602", Strategy: "round-robin", RingTimeout: 20, ServiceLevel: 30, MaxWait: 120, TimeoutDest: "200",
		RingInUse: true, Members: []webui.QueueMember{{Agent: "201"}, {Agent: "204", Penalty: 2}}}
	if err != nil || q.Number != want.Number || q.Strategy != want.Strategy || q.RingTimeout != 20 || q.ServiceLevel != 30 ||
		q.MaxWait != 120 || q.TimeoutDest != "200" || !q.RingInUse || q.JoinWhenEmpty || !slices.Equal(q.Members, want.Members) {
		t.Errorf("stored %+v, %v; want %+v", q, err, want)
	}

	// A duplicate name is refused next to the name.
	res = e.submit(sess, "/queues/new", csrf, form)
	if body := readBody(t, res); res.StatusCode != http.StatusConflict || !strings.Contains(fieldErr(body, "name"), "already exists") {
		t.Errorf("duplicate: %d %q", res.StatusCode, fieldErr(body, "name"))
	}

	// Editing keeps the tiers the form does not show.
	m.UpdateQueue(ctx, "billing", func() webui.Queue { q.Tiers = []webui.QueueTier{{After: 30, MaxPenalty: 2}}; return q }())
	form.Set("weight", "3")
	wantRedirect(t, e.submit(sess, "/queues/billing", csrf, form), "/queues?done=queue-updated&what=billing")
	if q, _ := m.GetQueue(ctx, "billing"); q.Weight != 3 || len(q.Tiers) != 1 {
		t.Errorf("after edit: weight %d, tiers %+v; want 3 and the old tier", q.Weight, q.Tiers)
	}
	wantRedirect(t, e.submit(sess, "/queues/billing/delete", csrf, nil), "/queues?done=queue-deleted&what=billing")
	if _, err := m.GetQueue(ctx, "billing"); !errors.Is(err, webui.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
}

// TestPauseReasonsPage: add, refuse a duplicate inline, rename, delete.
func TestPauseReasonsPage(t *testing.T) {
	m := centre(t)
	e, sess, csrf := withCentre(t, m)
	ctx := context.Background()
	mustContain(t, "pause reasons", e.okPage(t, sess, "/pause-reasons"), `value="Lunch"`, `value="Training"`)
	wantRedirect(t, e.submit(sess, "/pause-reasons", csrf, url.Values{"action": {"add"}, "name": {"Coaching"}}), "/pause-reasons?done=reason-created&what=Coaching")
	res := e.submit(sess, "/pause-reasons", csrf, url.Values{"action": {"add"}, "name": {"lunch"}})
	body := readBody(t, res)
	if res.StatusCode != http.StatusConflict || !strings.Contains(fieldErr(body, "name"), "already exists") {
		t.Errorf("duplicate reason: %d %q", res.StatusCode, fieldErr(body, "name"))
	}
	mustContain(t, "refused add", body, `value="lunch"`)
	wantRedirect(t, e.submit(sess, "/pause-reasons", csrf, url.Values{"action": {"rename"}, "old": {"Coaching"}, "name": {"Coaching session"}}),
		"/pause-reasons?done=reason-updated&what=Coaching+session")
	wantRedirect(t, e.submit(sess, "/pause-reasons", csrf, url.Values{"action": {"delete"}, "old": {"Training"}}), "/pause-reasons?done=reason-deleted&what=Training")
	l, _ := m.ListPauseReasons(ctx)
	if want := []webui.PauseReason{{"Lunch"}, {"Meeting"}, {"Coaching session"}}; !slices.Equal(l, want) {
		t.Errorf("pause reasons = %v, want %v", l, want)
	}
	if res := e.submit(sess, "/pause-reasons", "", url.Values{"action": {"delete"}, "old": {"Lunch"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("delete without CSRF token = %d, want 403", res.StatusCode)
	}
}

// TestQueueStrategiesAreTheACDs: the queue form offers exactly the ACD's
// built-in strategies, and the memory backend accepts the same.
func TestQueueStrategiesAreTheACDs(t *testing.T) {
	e, sess, _ := withCentre(t, centre(t))
	body := e.okPage(t, sess, "/queues/new")
	for _, s := range acd.BuiltinStrategies() {
		mustContain(t, "strategy select", body, `<option value="`+s+`"`)
	}
	if got := strings.Count(body, "<option value="); got != len(acd.BuiltinStrategies()) {
		t.Errorf("%d strategies offered, want %d", got, len(acd.BuiltinStrategies()))
	}
	if !slices.Equal(webuitest.Strategies, acd.BuiltinStrategies()) {
		t.Errorf("webuitest.Strategies = %v, want %v", webuitest.Strategies, acd.BuiltinStrategies())
	}
}
