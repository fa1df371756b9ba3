package appliance_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestContactCentreAPI configures agents, queues and pause reasons through
// /api/v1 as a supervisor's script would, acts on an agent, reads the queue
// log as a reporting tool would, and restarts the box.
func TestContactCentreAPI(t *testing.T) {
	dir := t.TempDir()
	b := startBox(t, dir, "")
	b.addExtension(t, "1001", "Alice", "alice-secret-9f3k")

	steps := []struct {
		method, path string
		body         any
		code         int
		contains     string
	}{
		{"POST", "/agents", `{"id":"201","name":"Ann","extension":"1001","pin":"4321"}`, 201, `"has_pin":true`},
		{"POST", "/agents", `{"id":"202","name":"Ben","type":"external","external":"+4930123456"}`, 201, `"type":"external"`},
		{"POST", "/agents", `{"id":"2x","name":"Bad"}`, 422, "id: must be digits"},
		{"POST", "/agents", `{"id":"203","name":"Bad","pin":"12"}`, 422, "pin: "},
		{"POST", "/agents", `{"id":"201","name":"Again"}`, 409, "201"},
		{"POST", "/queues", `{"name":"sales","number":"1001","strategy":"ring-all"}`, 422, "number: 1001 is an extension"},
		{"POST", "/queues", `{"name":"sales","number":"600","strategy":"fastest"}`, 422, "strategy: unknown strategy"},
		{"POST", "/queues", `{"name":"sales","number":"600","strategy":"ring-all","members":[{"agent":"999"}]}`, 422, "members[0].agent"},
		{"POST", "/queues", `{"name":"sales","number":"600","strategy":"ring-all","wrap_up":-1}`, 422, "wrap_up: must not be negative"},
		{"POST", "/queues", `{"name":"sales","number":"600","strategy":"ring-all","ring_timeout":20,"members":[{"agent":"201"},{"agent":"202","penalty":2}]}`, 201, `"ring_timeout":20`},
		{"POST", "/extensions", `{"number":"600","name":"Clash","password":"clash-secret-81k"}`, 422, `number: 600 is the number of queue \"sales\"`},
		{"POST", "/pause-reasons", `{"name":"Lunch"}`, 201, "Lunch"},
		{"POST", "/pause-reasons", `{"name":"lunch"}`, 409, "Lunch"},
		{"PUT", "/pause-reasons/lunch", `{"name":"Lunch break"}`, 200, "Lunch break"},
		{"GET", "/pause-reasons", nil, 200, `[{"name":"Lunch break"}]`},
		{"PUT", "/acd-settings", `{"fair_across_queues":true,"auto_pause_reason":"Missed"}`, 200, `"fair_across_queues":true`},
		{"GET", "/agents/201", nil, 200, `"extension":"1001"`},
		{"GET", "/agents/299", nil, 404, "299"},
		{"PUT", "/agents/201", `{"id":"209","name":"X"}`, 422, "id: must match"},
		{"GET", "/queues/sales", nil, 200, `"members":[{"agent":"201","penalty":0},{"agent":"202","penalty":2}]`},
		{"GET", "/agents/201/state", nil, 200, `"status":"logged-out"`},
		{"POST", "/agents/201/pause", `{"reason":"Lunch break"}`, 422, "refused"},
		{"POST", "/agents/201/login", `{"paused":true,"reason":"lunch break"}`, 200, `"status":"paused"`},
		{"GET", "/agents/201/state", nil, 200, `"reason":"Lunch break","pending_pause":false,"forced":true`},
		{"GET", "/queues/sales/stats", nil, 200, `"logged_in":1,"available":0,"ringing":0,"on_call":0,"wrap_up":0,"paused":1`},
		{"GET", "/queues/nope/stats", nil, 404, "nope"},
		{"POST", "/agents/202/login", nil, 200, `"status":"available"`},
		{"POST", "/agents/202/logout", nil, 200, `"status":"logged-out"`},
		{"POST", "/agents/202/unpause", nil, 422, "refused"},
		{"GET", "/agents", nil, 200, `"id":"202"`},
	}
	for _, s := range steps {
		code, body := b.api(t, s.method, s.path, s.body)
		if code != s.code || !strings.Contains(string(body), s.contains) {
			t.Errorf("%s %s %v = %d %s, want %d containing %s", s.method, s.path, s.body, code, body, s.code, s.contains)
		}
	}
	code, body := b.api(t, "GET", "/agents", nil)
	if code != 200 || strings.Contains(string(body), "4321") || strings.Contains(string(body), "pin_hash") {
		t.Errorf("agents list shows the PIN: %s", body)
	}

	// The queue log, as Asterisk's queue_log lines.
	line := regexp.MustCompile(`^\d{10}\|[^|]+\|[^|]+\|[^|]+\|[A-Z]+(\|[^|]*)*$`)
	log := queueLog(t, b, "")
	for _, want := range []string{"|NONE|sales|201|AGENTLOGIN|1001", "|NONE|sales|201|PAUSE|Lunch break", "|NONE|sales|202|AGENTLOGOFF||0"} {
		if !slices.ContainsFunc(log, func(l string) bool { return strings.HasSuffix(l, want) }) {
			t.Errorf("queue log %q lacks a line ending %q", log, want)
		}
	}
	for _, l := range log {
		if !line.MatchString(l) {
			t.Errorf("queue log line %q is not in queue_log format", l)
		}
	}
	if l := queueLog(t, b, "?from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z"); len(l) != 0 {
		t.Errorf("queue log of a day long ago = %q", l)
	}
	if code, _ := b.api(t, "GET", "/queue-log?from=yesterday", nil); code != 400 {
		t.Errorf("queue log with a bad from = %d, want 400", code)
	}

	// Every change is in the audit log.
	code, body = b.api(t, "GET", "/audit?limit=100", nil)
	for _, action := range []string{"agent-created", "queue-created", "pause-reason-created", "pause-reason-updated",
		"acd-settings-updated", "agent-login", "agent-logout"} {
		if code != 200 || !strings.Contains(string(body), `"action":"`+action+`"`) {
			t.Errorf("audit log lacks %s", action)
		}
	}

	// A restart keeps the configuration and agent 201 logged in, paused.
	b.stop(t)
	b = startBox(t, dir, "")
	if code, body := b.api(t, "GET", "/agents/201/state", nil); code != 200 ||
		!strings.Contains(string(body), `"status":"paused","since"`) || !strings.Contains(string(body), `"reason":"Lunch break"`) {
		t.Errorf("after a restart 201 is %d %s, want paused for Lunch break", code, body)
	}
	if after := queueLog(t, b, ""); !slices.Equal(after, log) {
		t.Errorf("the restart changed the queue log:\n%q\n%q", log, after)
	}
	if code, body := b.api(t, "GET", "/acd-settings", nil); code != 200 || !strings.Contains(string(body), `"auto_pause_reason":"Missed"`) {
		t.Errorf("settings after a restart: %d %s", code, body)
	}
	if code, body := b.api(t, "POST", "/agents/201/unpause", nil); code != 200 || !strings.Contains(string(body), `"status":"available"`) {
		t.Errorf("unpause = %d %s", code, body)
	}
	// Deleting: the logged-in agent leaves the queue; the queue goes.
	if code, body := b.api(t, "DELETE", "/agents/201", nil); code != 204 {
		t.Errorf("DELETE agent = %d %s", code, body)
	}
	if code, body := b.api(t, "GET", "/queues/sales", nil); code != 200 || strings.Contains(string(body), `"201"`) {
		t.Errorf("sales after deleting 201: %d %s", code, body)
	}
	for _, p := range []string{"/queues/sales", "/pause-reasons/LUNCH%20BREAK"} {
		if code, body := b.api(t, "DELETE", p, nil); code != 204 {
			t.Errorf("DELETE %s = %d %s", p, code, body)
		}
	}
	if code, body := b.api(t, "POST", "/extensions", `{"number":"600","name":"Now free","password":"free-secret-81kq"}`); code != 201 {
		t.Errorf("extension 600 after deleting the queue = %d %s", code, body)
	}
}

func queueLog(t *testing.T, b *box, query string) []string {
	t.Helper()
	code, body := b.api(t, "GET", "/queue-log"+query, nil)
	if code != 200 {
		t.Fatalf("GET /queue-log%s = %d %s", query, code, body)
	}
	var lines []string
	if s := strings.TrimSuffix(string(body), "\n"); s != "" {
		lines = strings.Split(s, "\n")
	}
	var e struct{ Error string }
	if json.Unmarshal(body, &e) == nil {
		t.Fatalf("queue log is JSON: %s", body)
	}
	return lines
}
