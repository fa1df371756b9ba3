package webui_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"deskline/webui"
	"deskline/webui/webuitest"
)

// stubACD answers the few ACDBackend methods these tests call; any other
// would panic on the nil embedded interface.
type stubACD struct {
	webui.ACDBackend
	from, to time.Time
	paused   string // the reason PauseAgent got
	unpaused string // the agent UnpauseAgent got
}

func (s *stubACD) QueueLog(_ context.Context, from, to time.Time) ([]string, error) {
	s.from, s.to = from, to
	return []string{"1763884800|c1|sales|NONE|ENTERQUEUE||5551234", "1763884805|c1|sales|201|CONNECT|5|c1|2"}, nil
}

func (s *stubACD) PauseAgent(_ context.Context, id string, in webui.AgentPause) (webui.AgentState, error) {
	s.paused = in.Reason
	return webui.AgentState{ID: id, Status: "paused", Reason: in.Reason}, nil
}

func (s *stubACD) UnpauseAgent(_ context.Context, id string) (webui.AgentState, error) {
	s.unpaused = id
	return webui.AgentState{ID: id, Status: "available"}, nil
}

func (s *stubACD) UpdateAgent(_ context.Context, id string, in webui.AgentInput) (webui.Agent, error) {
	return webui.Agent{ID: in.ID, Name: in.Name}, nil
}

func newACDEnv(t testing.TB, acd webui.ACDBackend) *env {
	t.Helper()
	return newEnvWith(t, webui.Options{ACD: acd})
}

// newEnvWith is a server with the user "admin" and the optional backends
// of o (its Backend, Users and Now are the env's).
func newEnvWith(t testing.TB, o webui.Options) *env {
	t.Helper()
	e := &env{backend: webuitest.NewMemoryBackend(), clock: webuitest.NewClock(t0)}
	e.users = webuitest.NewMemoryUserStore(webui.User{Name: "admin", Role: webui.RoleAdmin, PasswordHash: adminHash()})
	o.Backend, o.Users, o.Now = e.backend, e.users, e.clock.Now
	srv, err := webui.New(o)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	return e
}

func TestACDEndpointsOnlyWithBackend(t *testing.T) {
	e := newEnv(t, "")
	for _, p := range []string{"/api/v1/agents", "/api/v1/queues", "/api/v1/queue-log", "/api/v1/pause-reasons"} {
		if res := e.api("GET", p, ""); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s without an ACD backend = %d, want 404", p, res.StatusCode)
		}
	}
}

func TestQueueLogIsPlainQueueLogLines(t *testing.T) {
	stub := &stubACD{}
	e := newACDEnv(t, stub)
	res := e.api("GET", "/api/v1/queue-log?from=2025-11-23T08:00:00Z&to=1763900000", "")
	body := readBody(t, res)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /queue-log = %d %s %q", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	if want := "1763884800|c1|sales|NONE|ENTERQUEUE||5551234\n1763884805|c1|sales|201|CONNECT|5|c1|2\n"; body != want {
		t.Errorf("body %q, want %q", body, want)
	}
	if !stub.from.Equal(time.Date(2025, 11, 23, 8, 0, 0, 0, time.UTC)) || !stub.to.Equal(time.Unix(1763900000, 0)) {
		t.Errorf("backend asked from %v to %v", stub.from, stub.to)
	}
	for _, q := range []string{"?from=yesterday", "?to=12x", "?from=1763900000&to=1763800000"} {
		if res := e.api("GET", "/api/v1/queue-log"+q, ""); res.StatusCode != http.StatusBadRequest {
			t.Errorf("GET /queue-log%s = %d, want 400", q, res.StatusCode)
		}
	}
}

func TestAgentActionBodies(t *testing.T) {
	stub := &stubACD{}
	e := newACDEnv(t, stub)
	if res := e.api("POST", "/api/v1/agents/201/pause", `{"reason":"Lunch"}`); res.StatusCode != 200 || stub.paused != "Lunch" {
		t.Errorf("pause = %d, backend got %q", res.StatusCode, stub.paused)
	}
	if res := e.api("POST", "/api/v1/agents/201/unpause", ""); res.StatusCode != 200 || stub.unpaused != "201" {
		t.Errorf("unpause without a body = %d", res.StatusCode)
	}
	if res := e.api("POST", "/api/v1/agents/201/pause", `{"reason":"Lunch","x":1}`); res.StatusCode != http.StatusBadRequest {
		t.Errorf("pause with an unknown field = %d, want 400", res.StatusCode)
	}
	if res := e.api("GET", "/api/v1/agents/201/pause", ""); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET on an action = %d, want 405", res.StatusCode)
	}
	res := e.api("PUT", "/api/v1/agents/201", `{"id":"202","name":"X"}`)
	if body := readBody(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "id: must match") {
		t.Errorf("PUT with another id = %d %s", res.StatusCode, body)
	}
	res = e.api("PUT", "/api/v1/agents/201", `{"name":"X"}`)
	if body := readBody(t, res); res.StatusCode != 200 || !strings.Contains(body, `"id":"201"`) {
		t.Errorf("PUT without id = %d %s, want the path's id filled in", res.StatusCode, body)
	}
}
