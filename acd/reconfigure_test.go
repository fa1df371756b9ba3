package acd_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"deskline/acd"
)

func TestReconfigure(t *testing.T) {
	cfg := fourAgents(acd.RoundRobin)
	cfg.Queues[0].JoinWhenEmpty = true
	cfg.Queues = append(cfg.Queues, acd.QueueConfig{Name: "old", Strategy: acd.Linear, JoinWhenEmpty: true})
	r := newRig(t, cfg)
	r.login("501", "502")
	r.serve("c1", time.Minute) // 501; round-robin remembers it
	r.enter("w", "old")

	bad := cfg
	bad.Queues = bad.Queues[:1]
	if _, err := r.e.Reconfigure(bad); !errors.Is(err, acd.ErrRefused) {
		t.Errorf("removing a queue with a caller = %v, want ErrRefused", err)
	}
	bad = cfg
	bad.Agents = bad.Agents[1:]
	bad.Queues = []acd.QueueConfig{{Name: "q", Strategy: acd.RoundRobin}}
	if _, err := r.e.Reconfigure(bad); !errors.Is(err, acd.ErrRefused) {
		t.Errorf("removing a logged-in agent = %v, want ErrRefused", err)
	}
	bad = cfg
	bad.Queues = slices.Clone(cfg.Queues)
	bad.Queues[0].Strategy = "nope"
	if _, err := r.e.Reconfigure(bad); !errors.Is(err, acd.ErrInvalidConfig) {
		t.Errorf("invalid configuration = %v, want ErrInvalidConfig", err)
	}

	r.do(r.e.CallerAbandoned("w"))
	next := acd.Config{
		Agents: append(slices.Clone(cfg.Agents), acd.AgentConfig{ID: "505", Name: "e"}),
		Queues: []acd.QueueConfig{{Name: "q", Strategy: acd.RoundRobin, WrapUp: time.Minute,
			Members: []acd.Member{{Agent: "505"}, {Agent: "501"}, {Agent: "502"}}}},
		PauseReasons: []acd.PauseReason{{Name: "Lunch"}},
	}
	r.do(r.e.Reconfigure(next))
	if got := r.e.Queues(); !slices.Equal(got, []string{"q"}) {
		t.Errorf("queues after reconfigure = %v", got)
	}
	if s := r.status("501"); s != acd.Available {
		t.Errorf("501 is %v after reconfigure, want still available", s)
	}
	// Round-robin memory is a position, kept: after position 0 comes
	// position 1, now 501 (505 is logged out).
	if a := r.serve("c2", time.Minute); a != "501" {
		t.Errorf("after reconfigure served by %s, want 501", a)
	}
	if st, _ := r.e.Agent("501"); st.Status != acd.WrapUp || st.WrapUpLeft != time.Minute {
		t.Errorf("new wrap-up not applied: %v %v", st.Status, st.WrapUpLeft)
	}
	r.do(r.e.Pause("502", "lunch"))
	if st, _ := r.e.QueueStats("q"); st.Offered != 2 || st.Handled != 2 {
		t.Errorf("statistics lost: %+v", st)
	}
}
