package webuitest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"deskline/webui"
	"deskline/webui/webuitest"
)

// TestMemoryACDSupervisorActions walks an agent through a shift as a
// supervisor would drive it, checking the state and the queue counts a
// dashboard shows after each step, and the refusals of steps that make no
// sense in the state the agent is in.
func TestMemoryACDSupervisorActions(t *testing.T) {
	ctx := context.Background()
	clock := webuitest.NewClock(time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC))
	m := webuitest.NewMemoryACD()
	m.Now = clock.Now
	m.CreatePauseReason(ctx, webui.PauseReason{Name: "Lunch"})
	if _, err := m.CreateAgent(ctx, webui.AgentInput{ID: "201", Extension: "101"}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.CreateQueue(ctx, webui.Queue{Name: "sales", Strategy: "ring-all", Members: []webui.QueueMember{{Agent: "201"}}}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name    string
		act     func() (webui.AgentState, error)
		status  string
		wantErr bool
	}{
		{"pause while logged out", func() (webui.AgentState, error) { return m.PauseAgent(ctx, "201", webui.AgentPause{}) }, "", true},
		{"log in", func() (webui.AgentState, error) { return m.LoginAgent(ctx, "201", webui.AgentLogin{}) }, "available", false},
		{"pause for an unknown reason", func() (webui.AgentState, error) { return m.PauseAgent(ctx, "201", webui.AgentPause{Reason: "Nap"}) }, "", true},
		{"pause for lunch", func() (webui.AgentState, error) { return m.PauseAgent(ctx, "201", webui.AgentPause{Reason: "lunch"}) }, "paused", false},
		{"end wrap-up while paused", func() (webui.AgentState, error) { return m.EndWrapUp(ctx, "201") }, "", true},
		{"unpause", func() (webui.AgentState, error) { return m.UnpauseAgent(ctx, "201") }, "available", false},
		{"log out", func() (webui.AgentState, error) { return m.LogoutAgent(ctx, "201", webui.AgentLogout{}) }, "logged-out", false},
	}
	for _, s := range steps {
		clock.Advance(time.Minute)
		st, err := s.act()
		if s.wantErr {
			if !errors.Is(err, webui.ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", s.name, err)
			}
			continue
		}
		if err != nil || st.Status != s.status || !st.Since.Equal(clock.Now()) {
			t.Errorf("%s: %+v, %v; want %s since now", s.name, st, err, s.status)
		}
	}

	// A call on the box: a pause asked for meanwhile waits for wrap-up's end.
	m.LoginAgent(ctx, "201", webui.AgentLogin{})
	m.SetAgentState(webui.AgentState{ID: "201", Status: "on-call", Call: "555", Queues: []string{"sales"}})
	if st, _ := m.PauseAgent(ctx, "201", webui.AgentPause{Reason: "Lunch"}); st.Status != "on-call" || !st.PendingPause {
		t.Errorf("pause during a call: %+v, want on-call with the pause pending", st)
	}
	if qs, _ := m.QueueStats(ctx, "sales"); qs.LoggedIn != 1 || qs.OnCall != 1 {
		t.Errorf("queue stats during the call: %+v", qs)
	}
	m.SetAgentState(webui.AgentState{ID: "201", Status: "wrap-up", PendingPause: true, Reason: "Lunch", Queues: []string{"sales"}})
	clock.Advance(10 * time.Second)
	if st, _ := m.AgentState(ctx, "201"); st.InStatus != 10 {
		t.Errorf("time in wrap-up = %v s, want 10", st.InStatus)
	}
	if st, _ := m.EndWrapUp(ctx, "201"); st.Status != "paused" || st.Reason != "Lunch" || !st.Forced {
		t.Errorf("end of wrap-up with a pause pending: %+v, want paused for Lunch", st)
	}

	if err := m.DeleteAgent(ctx, "201"); err != nil {
		t.Fatal(err)
	}
	if q, _ := m.GetQueue(ctx, "sales"); len(q.Members) != 0 {
		t.Errorf("deleted agent still a member: %+v", q.Members)
	}
}

// TestMemoryACDValidation: input the box refuses names the field at fault.
func TestMemoryACDValidation(t *testing.T) {
	ctx := context.Background()
	m := webuitest.NewMemoryACD()
	for _, c := range []struct {
		in    webui.AgentInput
		field string
	}{
		{webui.AgentInput{ID: "", Extension: "101"}, "id"},
		{webui.AgentInput{ID: "2a", Extension: "101"}, "id"},
		{webui.AgentInput{ID: "201"}, "extension"},
		{webui.AgentInput{ID: "201", Type: "external"}, "external"},
		{webui.AgentInput{ID: "201", Type: "robot", Extension: "101"}, "type"},
		{webui.AgentInput{ID: "201", Extension: "101", PIN: "12"}, "pin"},
	} {
		_, err := m.CreateAgent(ctx, c.in)
		var fe *webui.FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("CreateAgent(%+v) = %v, want a FieldError on %s", c.in, err, c.field)
		}
	}
	for _, c := range []struct {
		in    webui.Queue
		field string
	}{
		{webui.Queue{Strategy: "ring-all"}, "name"},
		{webui.Queue{Name: "q", Strategy: "fastest"}, "strategy"},
		{webui.Queue{Name: "q", Strategy: "ring-all", RingTimeout: -1}, "ring_timeout"},
		{webui.Queue{Name: "q", Strategy: "ring-all", Members: []webui.QueueMember{{Agent: "999"}}}, "members"},
	} {
		_, err := m.CreateQueue(ctx, c.in)
		var fe *webui.FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("CreateQueue(%+v) = %v, want a FieldError on %s", c.in, err, c.field)
		}
	}
	if l, _ := m.ListAgents(ctx); len(l) != 0 {
		t.Errorf("refused input stored %+v", l)
	}
}
