package acd_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"deskline/acd"
	"deskline/acd/acdtest"
)

type rig struct {
	t    *testing.T
	e    *acd.Engine
	clk  *acdtest.Clock
	must func(acd.Output, error) acd.Output
	log  []acd.QueueLogEvent
	outs []acd.Output
}

func newRig(t *testing.T, cfg acd.Config) *rig {
	t.Helper()
	clk := acdtest.NewClock(time.Time{})
	e, err := acd.New(cfg, acd.Opts{Clock: clk, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return &rig{t: t, e: e, clk: clk, must: acdtest.Must(t)}
}

// do checks err and records out.
func (r *rig) do(out acd.Output, err error) acd.Output {
	r.t.Helper()
	out = r.must(out, err)
	r.log = append(r.log, out.Log...)
	r.outs = append(r.outs, out)
	return out
}

func (r *rig) tick(d time.Duration) acd.Output {
	r.clk.Advance(d)
	out := r.e.Tick()
	r.log = append(r.log, out.Log...)
	r.outs = append(r.outs, out)
	return out
}

func (r *rig) enter(call, queue string) []acd.AgentID {
	r.t.Helper()
	return acdtest.Rings(r.do(r.e.CallerEntered(acd.Caller{Call: acd.CallID(call), Queue: queue, CallerID: "555" + call})))
}

func (r *rig) login(ids ...acd.AgentID) {
	r.t.Helper()
	for _, id := range ids {
		r.do(r.e.Login(id, "SIP/"+string(id)))
	}
}

func (r *rig) status(id acd.AgentID) acd.Status {
	st, ok := r.e.Agent(id)
	if !ok {
		r.t.Fatalf("no agent %s", id)
	}
	return st.Status
}

func (r *rig) events() []string {
	var out []string
	for _, l := range r.log {
		out = append(out, l.Event)
	}
	return out
}

func eventsOf(out acd.Output) []string {
	var evs []string
	for _, l := range out.Log {
		evs = append(evs, l.Event)
	}
	return evs
}

func ids(s ...string) []acd.AgentID {
	out := make([]acd.AgentID, len(s))
	for i, x := range s {
		out[i] = acd.AgentID(x)
	}
	return out
}

func fourAgents(strategy string) acd.Config {
	return acd.Config{
		Agents: []acd.AgentConfig{
			{ID: "501", Name: "a", Skills: map[string]int{"fr": 2}},
			{ID: "502", Name: "b"},
			{ID: "503", Name: "c", Skills: map[string]int{"fr": 8}},
			{ID: "504", Name: "d", Skills: map[string]int{"fr": 5}},
		},
		Queues: []acd.QueueConfig{{Name: "q", Strategy: strategy,
			Members: []acd.Member{{Agent: "501"}, {Agent: "502"}, {Agent: "503"}, {Agent: "504"}}}},
	}
}

// serve answers call with whoever rings, talks for talk and hangs up.
func (r *rig) serve(call string, talk time.Duration) acd.AgentID {
	r.t.Helper()
	got := r.enter(call, "q")
	if len(got) == 0 {
		r.t.Fatalf("caller %s: nobody rang", call)
	}
	r.do(r.e.AgentAnswered(acd.CallID(call), got[0]))
	r.clk.Advance(talk)
	r.do(r.e.CallEnded(acd.CallID(call), acd.ByCaller))
	return got[0]
}

// TestStrategyScenarios says, per strategy, which agent gets which caller.
func TestStrategyScenarios(t *testing.T) {
	t.Run(acd.RingAll, func(t *testing.T) {
		r := newRig(t, fourAgents(acd.RingAll))
		r.login(ids("501", "502", "503", "504")...)
		if got := r.enter("c1", "q"); !slices.Equal(got, ids("501", "502", "503", "504")) {
			t.Fatalf("ring-all rang %v, want all four", got)
		}
		out := r.do(r.e.AgentAnswered("c1", "503"))
		var stopped []acd.AgentID
		for _, a := range out.Actions {
			if a.Kind == acd.StopRinging {
				stopped = append(stopped, a.Agent)
			}
		}
		if !slices.Equal(stopped, ids("501", "502", "504")) {
			t.Errorf("after 503 answered, stopped %v, want the three others", stopped)
		}
		if got := r.enter("c2", "q"); !slices.Equal(got, ids("501", "502", "504")) {
			t.Errorf("second caller rang %v, want the three free agents", got)
		}
	})
	t.Run(acd.Linear, func(t *testing.T) {
		r := newRig(t, fourAgents(acd.Linear))
		r.login(ids("504", "503", "502", "501")...)
		for i := range 3 {
			if got := r.serve(fmt.Sprint("c", i), time.Minute); got != "501" {
				t.Fatalf("caller %d went to %s, want 501 (top of the list)", i, got)
			}
		}
		r.enter("c9", "q")
		if got := r.enter("c10", "q"); !slices.Equal(got, ids("502")) {
			t.Errorf("with 501 ringing, next caller rang %v, want [502]", got)
		}
	})
	t.Run(acd.RoundRobin, func(t *testing.T) {
		r := newRig(t, fourAgents(acd.RoundRobin))
		r.login(ids("501", "502", "503", "504")...)
		var got []acd.AgentID
		for i := range 6 {
			got = append(got, r.serve(fmt.Sprint("c", i), time.Minute))
		}
		if want := ids("501", "502", "503", "504", "501", "502"); !slices.Equal(got, want) {
			t.Errorf("round-robin served %v, want %v", got, want)
		}
		// Memory survives an agent's absence: 503 paused, so 504 after 502.
		r.do(r.e.Pause("503", ""))
		if a := r.serve("c6", time.Minute); a != "504" {
			t.Errorf("with 503 paused, after 502 came %s, want 504", a)
		}
	})
	t.Run(acd.LongestIdle, func(t *testing.T) {
		r := newRig(t, fourAgents(acd.LongestIdle))
		for _, id := range ids("503", "501", "504", "502") {
			r.login(id)
			r.clk.Advance(time.Second)
		}
		if a := r.serve("c1", time.Minute); a != "503" {
			t.Fatalf("first caller went to %s, want 503 (logged in first)", a)
		}
		if a := r.serve("c2", time.Minute); a != "501" {
			t.Fatalf("second caller went to %s, want 501", a)
		}
		r.clk.Advance(time.Minute)
		if got := r.enter("c3", "q"); !slices.Equal(got, ids("504")) {
			t.Fatalf("third caller rang %v, want [504]", got)
		}
	})
	t.Run(acd.FewestCalls, func(t *testing.T) {
		r := newRig(t, fourAgents(acd.FewestCalls))
		r.login(ids("501", "502", "503", "504")...)
		var got []acd.AgentID
		for i := range 5 {
			got = append(got, r.serve(fmt.Sprint("c", i), time.Minute))
		}
		if want := ids("501", "502", "503", "504", "501"); !slices.Equal(got, want) {
			t.Errorf("fewest-calls served %v, want %v", got, want)
		}
		r.do(r.e.Pause("502", ""))
		if a := r.serve("c5", time.Minute); a != "503" {
			t.Errorf("with 502 paused went to %s, want 503 (one call; 501 has two)", a)
		}
	})
	t.Run(acd.LeastTalkTime, func(t *testing.T) {
		r := newRig(t, fourAgents(acd.LeastTalkTime))
		r.login(ids("501", "502", "503", "504")...)
		talks := []time.Duration{60 * time.Second, 10 * time.Second, 30 * time.Second, 5 * time.Second}
		for i, d := range talks {
			if a, want := r.serve(fmt.Sprint("c", i), d), ids("501", "502", "503", "504")[i]; a != want {
				t.Fatalf("caller %d went to %s, want %s (no talk time yet)", i, a, want)
			}
		}
		var got []acd.AgentID
		for i := range 3 {
			got = append(got, r.serve(fmt.Sprint("d", i), 10*time.Second))
		}
		// talk: 501 60, 502 10, 503 30, 504 5 → 504 (→15), 502 (→20), 504 (→25)
		if want := ids("504", "502", "504"); !slices.Equal(got, want) {
			t.Errorf("least-talk-time served %v, want %v", got, want)
		}
	})
	t.Run(acd.Random, func(t *testing.T) {
		run := func() []acd.AgentID {
			r := newRig(t, fourAgents(acd.Random))
			r.login(ids("501", "502", "503", "504")...)
			var got []acd.AgentID
			for i := range 40 {
				got = append(got, r.serve(fmt.Sprint("c", i), time.Minute))
			}
			return got
		}
		a, b := run(), run()
		if !slices.Equal(a, b) {
			t.Fatalf("random with one seed served %v, then %v", a, b)
		}
		count := map[acd.AgentID]int{}
		for _, id := range a {
			count[id]++
		}
		if len(count) != 4 {
			t.Errorf("random over 40 callers served only %v", count)
		}
	})
	t.Run(acd.SkillsBased, func(t *testing.T) {
		r := newRig(t, fourAgents(acd.SkillsBased))
		r.login(ids("501", "502", "503", "504")...)
		out := r.do(r.e.CallerEntered(acd.Caller{Call: "fr1", Queue: "q", Skills: map[string]int{"fr": 1}}))
		if got := acdtest.Rings(out); !slices.Equal(got, ids("503")) {
			t.Fatalf("French caller rang %v, want [503] (level 8)", got)
		}
		out = r.do(r.e.CallerEntered(acd.Caller{Call: "fr2", Queue: "q", Skills: map[string]int{"fr": 3}}))
		if got := acdtest.Rings(out); !slices.Equal(got, ids("504")) {
			t.Fatalf("second French caller rang %v, want [504] (level 5; 501 has 2)", got)
		}
		out = r.do(r.e.CallerEntered(acd.Caller{Call: "fr3", Queue: "q", Skills: map[string]int{"fr": 3}}))
		if got := acdtest.Rings(out); len(got) != 0 {
			t.Fatalf("third French caller rang %v, want nobody", got)
		}
		if got := r.enter("any", "q"); !slices.Equal(got, ids("501")) {
			t.Fatalf("caller without skills rang %v, want [501] (longest idle)", got)
		}
	})
}

func TestWrapUpCountsAcrossQueues(t *testing.T) {
	five := 5 * time.Second
	cfg := acd.Config{
		Agents: []acd.AgentConfig{{ID: "601", Name: "a"}, {ID: "602", Name: "b", WrapUp: &five}},
		Queues: []acd.QueueConfig{
			{Name: "A", Strategy: acd.Linear, WrapUp: 30 * time.Second, Members: []acd.Member{{Agent: "601"}, {Agent: "602"}}},
			{Name: "B", Strategy: acd.Linear, Members: []acd.Member{{Agent: "601"}}},
		},
	}
	r := newRig(t, cfg)
	r.login("601")
	r.enter("a1", "A")
	r.do(r.e.AgentAnswered("a1", "601"))
	r.clk.Advance(time.Minute)
	r.do(r.e.CallEnded("a1", acd.ByAgent))
	if got := r.enter("b1", "B"); len(got) > 0 {
		t.Fatalf("queue B rang %v while 601 wraps up after A's call", got)
	}
	r.tick(10 * time.Second)
	st, _ := r.e.Agent("601")
	if st.Status != acd.WrapUp || st.WrapUpLeft != 20*time.Second || st.InStatus != 10*time.Second {
		t.Fatalf("after 10 s: %v, left %v, in status %v; want wrap-up, 20s, 10s", st.Status, st.WrapUpLeft, st.InStatus)
	}
	if got := acdtest.Rings(r.tick(19 * time.Second)); len(got) > 0 {
		t.Fatalf("rang %v 1 s before wrap-up ends", got)
	}
	if next, ok := r.e.NextDeadline(); !ok || next != acdtest.Epoch.Add(90*time.Second) {
		t.Errorf("NextDeadline() = %v, %v; want wrap-up end at +90s", next, ok)
	}
	if got := acdtest.Rings(r.tick(time.Second)); !slices.Equal(got, ids("601")) {
		t.Fatalf("at wrap-up end rang %v, want [601] for B's caller", got)
	}

	// Ended early, and the agent's own wrap-up overrides the queue's.
	r.do(r.e.AgentAnswered("b1", "601"))
	r.do(r.e.CallEnded("b1", acd.ByCaller)) // B has no wrap-up: available at once
	if s := r.status("601"); s != acd.Available {
		t.Fatalf("after B's call (no wrap-up) 601 is %v", s)
	}
	r.enter("a2", "A")
	r.do(r.e.AgentAnswered("a2", "601"))
	r.do(r.e.CallEnded("a2", acd.ByCaller))
	r.enter("b2", "B")
	r.clk.Advance(3 * time.Second)
	if got := acdtest.Rings(r.do(r.e.EndWrapUp("601"))); !slices.Equal(got, ids("601")) {
		t.Fatalf("EndWrapUp rang %v, want [601]", got)
	}
	if _, err := r.e.EndWrapUp("601"); !errors.Is(err, acd.ErrRefused) {
		t.Errorf("EndWrapUp while ringing = %v, want ErrRefused", err)
	}
	r.login("602")
	r.enter("a3", "A")
	r.do(r.e.AgentAnswered("a3", "602"))
	r.do(r.e.CallEnded("a3", acd.ByCaller))
	if st, _ := r.e.Agent("602"); st.WrapUpLeft != five {
		t.Errorf("602's wrap-up = %v, want its own 5s", st.WrapUpLeft)
	}
}

func TestQueueWeightAndFairness(t *testing.T) {
	cfg := acd.Config{
		Agents: []acd.AgentConfig{{ID: "701", Name: "a"}},
		Queues: []acd.QueueConfig{
			{Name: "low", Strategy: acd.Linear, JoinWhenEmpty: true, Members: []acd.Member{{Agent: "701"}}},
			{Name: "mid", Strategy: acd.Linear, JoinWhenEmpty: true, Members: []acd.Member{{Agent: "701"}}},
			{Name: "high", Strategy: acd.Linear, JoinWhenEmpty: true, Weight: 10, Members: []acd.Member{{Agent: "701"}}},
		},
	}
	for _, tt := range []struct {
		fair  bool
		order []string
	}{
		{false, []string{"h", "l", "m"}}, // weight, then configuration order
		{true, []string{"h", "m", "l"}},  // weight, then longest wait
	} {
		cfg.FairAcrossQueues = tt.fair
		r := newRig(t, cfg)
		r.enter("m", "mid")
		r.clk.Advance(time.Second)
		r.enter("l", "low")
		r.clk.Advance(time.Second)
		r.enter("h", "high")
		r.login("701")
		var got []string
		for range 3 {
			st, _ := r.e.Agent("701")
			if st.Status != acd.Ringing {
				t.Fatalf("fair=%v: 701 is %v, want ringing", tt.fair, st.Status)
			}
			got = append(got, string(st.Call))
			r.do(r.e.AgentAnswered(st.Call, "701"))
			r.do(r.e.CallEnded(st.Call, acd.ByCaller))
		}
		if !slices.Equal(got, tt.order) {
			t.Errorf("fair=%v: 701 got callers %v, want %v", tt.fair, got, tt.order)
		}
	}
}

func TestPauseIntervals(t *testing.T) {
	cfg := acd.Config{
		Agents:       []acd.AgentConfig{{ID: "801", Name: "a"}},
		Queues:       []acd.QueueConfig{{Name: "s", Strategy: acd.Linear, JoinWhenEmpty: true, WrapUp: 10 * time.Second, Members: []acd.Member{{Agent: "801"}}}, {Name: "t", Strategy: acd.Linear, Members: []acd.Member{{Agent: "801"}}}},
		PauseReasons: []acd.PauseReason{{Name: "Lunch"}, {Name: "Meeting"}},
	}
	r := newRig(t, cfg)
	if _, err := r.e.Pause("801", "Lunch"); !errors.Is(err, acd.ErrRefused) {
		t.Errorf("Pause while logged out = %v, want ErrRefused", err)
	}
	r.login("801")
	t0 := r.clk.Now()
	r.do(r.e.Pause("801", "lunch")) // any case; recorded as configured
	if _, err := r.e.Pause("801", "Coffee"); !errors.Is(err, acd.ErrUnknownPauseReason) {
		t.Errorf("Pause(Coffee) = %v, want ErrUnknownPauseReason", err)
	}
	r.clk.Advance(10 * time.Minute)
	out := r.do(r.e.Pause("801", "Meeting"))
	if want := []acd.PauseInterval{{Agent: "801", Reason: "Lunch", Start: t0, End: t0.Add(10 * time.Minute)}}; !slices.Equal(out.Pauses, want) {
		t.Errorf("changing reason closed %v, want %v", out.Pauses, want)
	}
	st, _ := r.e.Agent("801")
	if st.Status != acd.Paused || st.Reason != "Meeting" || st.InStatus != 10*time.Minute {
		t.Errorf("agent = %v %q in status %v; want paused, Meeting, 10m (still one pause)", st.Status, st.Reason, st.InStatus)
	}
	if got := r.enter("c1", "s"); len(got) > 0 {
		t.Errorf("paused agent rung: %v", got)
	}
	r.clk.Advance(15 * time.Minute)
	out = r.do(r.e.Unpause("801"))
	if want := []acd.PauseInterval{{Agent: "801", Reason: "Meeting", Start: t0.Add(10 * time.Minute), End: t0.Add(25 * time.Minute)}}; !slices.Equal(out.Pauses, want) {
		t.Errorf("unpause closed %v, want %v", out.Pauses, want)
	}
	if got := acdtest.Rings(out); !slices.Equal(got, ids("801")) {
		t.Errorf("unpause rang %v, want [801] for the waiting caller", got)
	}
	if _, err := r.e.Unpause("801"); !errors.Is(err, acd.ErrRefused) {
		t.Errorf("Unpause while ringing = %v, want ErrRefused", err)
	}
	// A pause asked during a call waits for the end of wrap-up.
	r.do(r.e.AgentAnswered("c1", "801"))
	r.do(r.e.Pause("801", "Lunch"))
	if st, _ := r.e.Agent("801"); st.Status != acd.OnCall || !st.PendingPause || st.Reason != "Lunch" {
		t.Errorf("pause on call: %v pending=%v %q; want on-call, pending Lunch", st.Status, st.PendingPause, st.Reason)
	}
	if _, err := r.e.Logout("801"); !errors.Is(err, acd.ErrRefused) {
		t.Errorf("Logout on call = %v, want ErrRefused", err)
	}
	r.do(r.e.CallEnded("c1", acd.ByAgent))
	if s := r.status("801"); s != acd.WrapUp {
		t.Errorf("after call with pending pause: %v, want wrap-up first", s)
	}
	r.tick(10 * time.Second)
	if st, _ := r.e.Agent("801"); st.Status != acd.Paused || st.Reason != "Lunch" {
		t.Errorf("after wrap-up: %v %q, want paused Lunch", st.Status, st.Reason)
	}
	r.clk.Advance(time.Minute)
	out = r.do(r.e.Logout("801"))
	if len(out.Pauses) != 1 || out.Pauses[0].End.Sub(out.Pauses[0].Start) != time.Minute {
		t.Errorf("logout closed %v, want one 1-minute Lunch interval", out.Pauses)
	}
	var lines []string
	for _, l := range r.log {
		if l.Event == acd.EvPause || l.Event == acd.EvUnpause {
			lines = append(lines, l.Queue+" "+l.Event+" "+strings.Join(l.Data, ","))
		}
	}
	want := []string{"s PAUSE Lunch", "t PAUSE Lunch", "s PAUSE Meeting", "t PAUSE Meeting", "s UNPAUSE Meeting", "t UNPAUSE Meeting", "s PAUSE Lunch", "t PAUSE Lunch"}
	if !slices.Equal(lines, want) {
		t.Errorf("pause log = %q, want %q", lines, want)
	}
}

func TestRingTimeoutRetryAndAutoPause(t *testing.T) {
	cfg := acd.Config{
		Agents: []acd.AgentConfig{{ID: "901", Name: "a"}, {ID: "902", Name: "b"}},
		Queues: []acd.QueueConfig{{Name: "q", Strategy: acd.Linear, RingTimeout: 10 * time.Second, RetryDelay: 5 * time.Second,
			AutoPauseAfter: 2, Members: []acd.Member{{Agent: "901"}, {Agent: "902", Penalty: 1}}}},
		AutoPauseReason: "Missed",
	}
	r := newRig(t, cfg)
	r.login("901")
	if got := r.enter("c", "q"); !slices.Equal(got, ids("901")) {
		t.Fatalf("rang %v", got)
	}
	out := r.tick(10 * time.Second)
	if len(out.Actions) != 1 || out.Actions[0].Kind != acd.StopRinging || len(out.Log) != 1 || out.Log[0].Event != acd.EvRingNoAnswer || out.Log[0].Data[0] != "10000" {
		t.Fatalf("ring timeout gave %+v", out)
	}
	if got := acdtest.Rings(r.tick(4 * time.Second)); len(got) > 0 {
		t.Fatalf("rang %v during the retry delay", got)
	}
	if got := acdtest.Rings(r.tick(time.Second)); !slices.Equal(got, ids("901")) {
		t.Fatalf("after retry delay rang %v, want [901]", got)
	}
	r.clk.Advance(3 * time.Second)
	out = r.do(r.e.AgentNoAnswer("c", "901"))
	if st, _ := r.e.Agent("901"); st.Status != acd.Paused || st.Reason != "Missed" {
		t.Fatalf("after 2 unanswered offers 901 is %v %q, want auto-paused", st.Status, st.Reason)
	}
	if len(out.Actions) != 0 {
		t.Errorf("AgentNoAnswer gave actions %v; appliance already stopped ringing", out.Actions)
	}
	r.login("902")
	if got := acdtest.Rings(r.tick(5 * time.Second)); !slices.Equal(got, ids("902")) {
		t.Fatalf("after retry with 901 paused rang %v, want [902]", got)
	}
	if _, err := r.e.AgentAnswered("c", "901"); !errors.Is(err, acd.ErrWrongCallState) {
		t.Errorf("answer by an agent not ringing = %v, want ErrWrongCallState", err)
	}
	// Pausing a ringing agent withdraws the offer without RINGNOANSWER.
	out = r.do(r.e.Pause("902", ""))
	if len(out.Actions) != 1 || out.Actions[0].Kind != acd.StopRinging || slices.Contains(eventsOf(out), acd.EvRingNoAnswer) {
		t.Errorf("pause while ringing gave %v, log %v", out.Actions, out.Log)
	}
	if n := strings.Count(strings.Join(r.events(), " "), acd.EvRingNoAnswer); n != 2 {
		t.Errorf("%d RINGNOANSWER in the log, want 2", n)
	}
}

func TestBusyAgentNotRungUnlessRingInUse(t *testing.T) {
	cfg := acd.Config{
		Agents: []acd.AgentConfig{{ID: "301", Name: "a"}},
		Queues: []acd.QueueConfig{
			{Name: "strict", Strategy: acd.Linear, Members: []acd.Member{{Agent: "301"}}},
			{Name: "inuse", Strategy: acd.Linear, RingInUse: true, Members: []acd.Member{{Agent: "301"}}},
		},
	}
	r := newRig(t, cfg)
	r.login("301")
	r.do(r.e.AgentBusy("301"))
	if got := r.enter("s", "strict"); len(got) > 0 {
		t.Fatalf("busy agent rung by strict queue")
	}
	if got := r.enter("i", "inuse"); !slices.Equal(got, ids("301")) {
		t.Fatalf("ring-in-use queue rang %v, want [301]", got)
	}
	r.do(r.e.CallerAbandoned("i"))
	r.do(r.e.CallerAbandoned("s"))
	r.enter("s2", "strict")
	if got := acdtest.Rings(r.do(r.e.AgentIdle("301"))); !slices.Equal(got, ids("301")) {
		t.Fatalf("AgentIdle rang %v, want [301]", got)
	}
}

func TestQueueEntryAndExits(t *testing.T) {
	cfg := acd.Config{
		Agents: []acd.AgentConfig{{ID: "401", Name: "a"}, {ID: "402", Name: "b"}},
		Queues: []acd.QueueConfig{
			{Name: "q", Strategy: acd.Linear, MaxLen: 2, MaxWait: time.Minute, TimeoutDest: "voicemail", LeaveWhenEmpty: true,
				Members: []acd.Member{{Agent: "401"}}},
			{Name: "busy", Strategy: acd.Linear, Members: []acd.Member{{Agent: "402"}}},
		},
		PauseReasons: []acd.PauseReason{{Name: "Break"}},
	}
	r := newRig(t, cfg)
	out := r.do(r.e.CallerEntered(acd.Caller{Call: "x", Queue: "q"}))
	if len(out.Actions) != 1 || out.Actions[0].Kind != acd.Reject || out.Actions[0].Reason != "empty" {
		t.Fatalf("entering an empty queue gave %v, want reject empty", out.Actions)
	}
	r.login("401")
	r.enter("c0", "q")
	r.do(r.e.AgentAnswered("c0", "401"))
	r.enter("low", "q")
	r.do(r.e.CallerEntered(acd.Caller{Call: "vip", Queue: "q", Priority: 5}))
	out = r.do(r.e.CallerEntered(acd.Caller{Call: "full", Queue: "q"}))
	if len(out.Actions) != 1 || out.Actions[0].Reason != "full" {
		t.Fatalf("third waiting caller gave %v, want reject full", out.Actions)
	}
	r.clk.Advance(20 * time.Second)
	r.do(r.e.CallEnded("c0", acd.ByCaller))
	if st, _ := r.e.Agent("401"); st.Call != "vip" {
		t.Fatalf("after the call 401 rings %q, want vip (priority)", st.Call)
	}
	r.do(r.e.AgentAnswered("vip", "401"))
	out = r.tick(40 * time.Second) // low waited a minute
	if len(out.Actions) != 1 || out.Actions[0] != (acd.Action{Kind: acd.CallerTimeout, Call: "low", Queue: "q", Dest: "voicemail"}) {
		t.Fatalf("max wait gave %+v", out.Actions)
	}
	if l := out.Log[0].Line(); l != fmt.Sprintf("%d|low|q|NONE|EXITWITHTIMEOUT|1|1|60", acdtest.Epoch.Unix()+60) {
		t.Errorf("timeout line = %q", l)
	}
	if st, _ := r.e.QueueStats("q"); st.Rejected != 2 || st.TimedOut != 1 || st.Handled != 2 {
		t.Errorf("stats %+v, want 2 rejected, 1 timed out, 2 handled", st)
	}
}

func TestLeaveWhenEmpty(t *testing.T) {
	cfg := acd.Config{
		Agents: []acd.AgentConfig{{ID: "401", Name: "a"}, {ID: "402", Name: "b"}},
		Queues: []acd.QueueConfig{{Name: "q", Strategy: acd.Linear, JoinWhenEmpty: true, LeaveWhenEmpty: true, TimeoutDest: "vm",
			Members: []acd.Member{{Agent: "401"}, {Agent: "402"}}}},
	}
	r := newRig(t, cfg)
	r.login("401", "402")
	r.do(r.e.AgentBusy("401"))
	r.do(r.e.AgentBusy("402"))
	r.enter("a", "q")
	r.enter("b", "q")
	r.do(r.e.Pause("401", ""))
	if st, _ := r.e.QueueStats("q"); st.Waiting != 2 {
		t.Fatalf("one agent left: waiting = %d, want 2", st.Waiting)
	}
	r.clk.Advance(7 * time.Second)
	out := r.do(r.e.Logout("402"))
	var exits []acd.CallID
	for _, a := range out.Actions {
		if a.Kind == acd.ExitEmpty && a.Dest == "vm" {
			exits = append(exits, a.Call)
		}
	}
	if !slices.Equal(exits, []acd.CallID{"a", "b"}) {
		t.Fatalf("last agent out: exits %v, want [a b]", exits)
	}
	var lines []string
	for _, l := range out.Log {
		lines = append(lines, l.Line())
	}
	base := acdtest.Epoch.Unix() + 7
	want := []string{
		fmt.Sprintf("%d|NONE|q|402|AGENTLOGOFF|SIP/402|7", base),
		fmt.Sprintf("%d|a|q|NONE|EXITEMPTY|1|1|7", base),
		fmt.Sprintf("%d|b|q|NONE|EXITEMPTY|1|2|7", base),
	}
	if !slices.Equal(lines, want) {
		t.Errorf("log = %q, want %q", lines, want)
	}
	if st, _ := r.e.QueueStats("q"); st.Waiting != 0 || st.ExitedEmpty != 2 {
		t.Errorf("stats waiting=%d exited-empty=%d, want 0 and 2", st.Waiting, st.ExitedEmpty)
	}
}

// TestScriptedDay runs a short day through one queue and checks the
// statistics and the queue log.
func TestScriptedDay(t *testing.T) {
	cfg := acd.Config{
		Agents: []acd.AgentConfig{{ID: "801", Name: "a"}, {ID: "802", Name: "b"}},
		Queues: []acd.QueueConfig{{Name: "day", Strategy: acd.Linear, RingTimeout: 15 * time.Second, WrapUp: 10 * time.Second,
			MaxWait: 120 * time.Second, ServiceLevel: 20 * time.Second, Members: []acd.Member{{Agent: "801"}, {Agent: "802"}}}},
	}
	r := newRig(t, cfg)
	s := time.Second
	r.login("801", "802")
	r.enter("c1", "day")                 // t0: rings 801
	r.clk.Advance(5 * s)                 // t5
	r.do(r.e.AgentAnswered("c1", "801")) // hold 5
	r.enter("c2", "day")                 // rings 802
	r.tick(15 * s)                       // t20: no answer, rung again
	r.clk.Advance(10 * s)                // t30
	r.do(r.e.AgentAnswered("c2", "802")) // hold 25
	r.enter("c3", "day")                 // nobody free
	if st, _ := r.e.QueueStats("day"); st.Waiting != 1 || st.OnCall != 2 {
		t.Errorf("t30: waiting %d on call %d, want 1 and 2", st.Waiting, st.OnCall)
	}
	r.clk.Advance(10 * s)           // t40
	r.do(r.e.CallerAbandoned("c3")) // waited 10
	r.enter("c4", "day")            // t40
	r.clk.Advance(10 * s)           // t50
	r.enter("c5", "day")            // t50
	r.clk.Advance(50 * s)           // t100
	if st, _ := r.e.QueueStats("day"); st.Waiting != 2 || st.LongestWait != 60*s {
		t.Errorf("t100: waiting %d longest %v, want 2 and 60s", st.Waiting, st.LongestWait)
	}
	r.do(r.e.CallEnded("c1", acd.ByCaller))            // talk 95; 801 wraps up to t110
	r.tick(10 * s)                                     // t110: 801 rings c4
	r.clk.Advance(2 * s)                               // t112
	r.do(r.e.AgentAnswered("c4", "801"))               // hold 72
	r.tick(58 * s)                                     // t170: c5 times out
	r.clk.Advance(30 * s)                              // t200
	r.do(r.e.CallEnded("c2", acd.ByAgent))             // talk 170
	r.clk.Advance(5 * s)                               // t205
	r.do(r.e.EndWrapUp("802"))                         // wrap 5
	r.clk.Advance(95 * s)                              // t300
	r.do(r.e.CallTransferred("c4", "300", "internal")) // talk 188
	r.tick(20 * s)                                     // t320: wrap ended at t310

	st, _ := r.e.QueueStats("day")
	want := acd.QueueStats{Queue: "day", LoggedIn: 2, Available: 2,
		Offered: 5, Handled: 3, Abandoned: 1, TimedOut: 1,
		AvgWait:      34 * s,                                         // (5+25+72)/3
		AvgHandle:    (95*s + 170*s + 188*s + 10*s + 5*s + 10*s) / 3, // talk + wrap-up
		ServiceLevel: 20,                                             // 1 of 5 answered within 20 s
	}
	if st != want {
		t.Errorf("QueueStats =\n%+v\nwant\n%+v", st, want)
	}
	var lines []string
	for _, l := range r.log {
		lines = append(lines, strings.TrimPrefix(l.Line(), "179542"))
	}
	wantLog := `
0800|NONE|day|801|AGENTLOGIN|SIP/801
0800|NONE|day|802|AGENTLOGIN|SIP/802
0800|c1|day|NONE|ENTERQUEUE||555c1
0805|c1|day|801|CONNECT|5|c1|5
0805|c2|day|NONE|ENTERQUEUE||555c2
0820|c2|day|802|RINGNOANSWER|15000
0830|c2|day|802|CONNECT|25|c2|10
0830|c3|day|NONE|ENTERQUEUE||555c3
0840|c3|day|NONE|ABANDON|1|1|10
0840|c4|day|NONE|ENTERQUEUE||555c4
0850|c5|day|NONE|ENTERQUEUE||555c5
0900|c1|day|801|COMPLETECALLER|5|95|1
0912|c4|day|801|CONNECT|72|c4|2
0970|c5|day|NONE|EXITWITHTIMEOUT|1|2|120
1000|c2|day|802|COMPLETEAGENT|25|170|1
1100|c4|day|801|TRANSFER|300|internal|72|188|1`
	if got := "\n" + strings.Join(lines, "\n"); got != wantLog {
		t.Errorf("queue log:%s\nwant:%s", got, wantLog)
	}
}

func TestMembershipAtRunTime(t *testing.T) {
	cfg := acd.Config{
		Agents: []acd.AgentConfig{{ID: "201", Name: "a"}},
		Queues: []acd.QueueConfig{{Name: "q", Strategy: acd.Linear, JoinWhenEmpty: true}},
	}
	r := newRig(t, cfg)
	r.login("201")
	r.enter("c", "q")
	out := r.do(r.e.AddMember("q", "201", 0))
	if got := acdtest.Rings(out); !slices.Equal(got, ids("201")) || out.Log[0].Event != acd.EvAddMember {
		t.Fatalf("AddMember gave %+v", out)
	}
	if _, err := r.e.AddMember("q", "201", 0); !errors.Is(err, acd.ErrRefused) {
		t.Errorf("AddMember twice = %v, want ErrRefused", err)
	}
	if _, err := r.e.RemoveMember("q", "201"); !errors.Is(err, acd.ErrRefused) {
		t.Errorf("RemoveMember while ringing for q = %v, want ErrRefused", err)
	}
	r.do(r.e.CallerAbandoned("c"))
	out = r.do(r.e.RemoveMember("q", "201"))
	if out.Log[0].Event != acd.EvRemoveMember {
		t.Errorf("RemoveMember logged %v", out.Log)
	}
	if got := r.enter("c2", "q"); len(got) > 0 {
		t.Errorf("removed member rung")
	}
	if st, _ := r.e.Agent("201"); len(st.Queues) != 0 {
		t.Errorf("agent still in %v", st.Queues)
	}
}

func TestUnknownThings(t *testing.T) {
	r := newRig(t, fourAgents(acd.Linear))
	if _, err := r.e.Login("999", ""); !errors.Is(err, acd.ErrUnknownAgent) {
		t.Errorf("Login(999) = %v", err)
	}
	if _, err := r.e.CallerEntered(acd.Caller{Call: "c", Queue: "nope"}); !errors.Is(err, acd.ErrUnknownQueue) {
		t.Errorf("CallerEntered(nope) = %v", err)
	}
	if _, err := r.e.CallerAbandoned("zz"); !errors.Is(err, acd.ErrUnknownCall) {
		t.Errorf("CallerAbandoned(zz) = %v", err)
	}
	r.login("501")
	r.enter("c", "q")
	if _, err := r.e.CallerEntered(acd.Caller{Call: "c", Queue: "q"}); !errors.Is(err, acd.ErrDuplicateCall) {
		t.Errorf("CallerEntered twice = %v", err)
	}
	if _, err := r.e.CallEnded("c", acd.ByAgent); !errors.Is(err, acd.ErrWrongCallState) {
		t.Errorf("CallEnded before answer = %v", err)
	}
	if _, err := r.e.Login("501", ""); !errors.Is(err, acd.ErrRefused) {
		t.Errorf("Login twice = %v", err)
	}
}

func TestExitWithKeyAndEmptyOnEntry(t *testing.T) {
	cfg := acd.Config{
		Agents: []acd.AgentConfig{{ID: "401", Name: "a"}},
		Queues: []acd.QueueConfig{
			{Name: "q", Strategy: acd.Linear, Members: []acd.Member{{Agent: "401"}}},
			{Name: "e", Strategy: acd.Linear, JoinWhenEmpty: true, LeaveWhenEmpty: true, TimeoutDest: "vm", Members: []acd.Member{{Agent: "401"}}},
		},
	}
	r := newRig(t, cfg)
	if st, _ := r.e.Agent("401"); st.Status != acd.LoggedOut || st.InStatus != 0 {
		t.Errorf("fresh agent: %v for %v, want logged-out for 0s", st.Status, st.InStatus)
	}
	out := r.do(r.e.CallerEntered(acd.Caller{Call: "x", Queue: "e"}))
	if got := eventsOf(out); !slices.Equal(got, []string{acd.EvEnterQueue, acd.EvExitEmpty}) || out.Actions[0].Kind != acd.ExitEmpty {
		t.Errorf("entering an empty leave-when-empty queue: %v %v", got, out.Actions)
	}
	r.login("401")
	r.do(r.e.AgentBusy("401"))
	r.enter("c", "q")
	r.clk.Advance(9 * time.Second)
	out = r.do(r.e.CallerExitWithKey("c", "1"))
	if l := out.Log[0].Line(); l != fmt.Sprintf("%d|c|q|NONE|EXITWITHKEY|1|1|1|9", acdtest.Epoch.Unix()+9) {
		t.Errorf("exit with key: %q", l)
	}
	if st, _ := r.e.QueueStats("q"); st.ExitedWithKey != 1 || st.Waiting != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestPanelViews(t *testing.T) {
	r := newRig(t, fourAgents(acd.RingAll))
	r.login("502", "501")
	r.do(r.e.AgentBusy("501"))
	r.do(r.e.AgentBusy("502"))
	r.enter("c1", "q")
	r.do(r.e.CallerEntered(acd.Caller{Call: "c2", Queue: "q", CallerID: "42", Priority: 1}))
	r.clk.Advance(3 * time.Second)
	r.do(r.e.AgentIdle("502"))
	got := r.e.Callers("q")
	want := []acd.CallerState{
		{Call: "c2", CallerID: "42", Position: 1, Priority: 1, Wait: 3 * time.Second, Ringing: ids("502")},
		{Call: "c1", CallerID: "555c1", Position: 2, Wait: 3 * time.Second},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Callers = %+v, want %+v", got, want)
	}
	var names []string
	for _, a := range r.e.Agents() {
		names = append(names, string(a.ID)+":"+a.Status.String())
	}
	if want := []string{"501:available", "502:ringing", "503:logged-out", "504:logged-out"}; !slices.Equal(names, want) {
		t.Errorf("Agents = %v, want %v", names, want)
	}
	if r.e.Callers("nope") != nil {
		t.Error("Callers(unknown) not nil")
	}
}

func TestOutputNamesChangedAgents(t *testing.T) {
	r := newRig(t, fourAgents(acd.RingAll))
	if out := r.do(r.e.Login("501", "x")); !slices.Equal(out.Changed, ids("501")) {
		t.Errorf("Login: Changed = %v", out.Changed)
	}
	r.login("502")
	if out := r.do(r.e.CallerEntered(acd.Caller{Call: "c", Queue: "q"})); !slices.Equal(out.Changed, ids("501", "502")) {
		t.Errorf("ring-all: Changed = %v", out.Changed)
	}
	if out := r.do(r.e.AgentAnswered("c", "502")); !slices.Equal(out.Changed, ids("501", "502")) {
		t.Errorf("answer: Changed = %v", out.Changed)
	}
	if out := r.do(r.e.AgentBusy("501")); !slices.Equal(out.Changed, ids("501")) {
		t.Errorf("busy: Changed = %v", out.Changed)
	}
	if out := r.do(r.e.AgentBusy("501")); len(out.Changed) != 0 {
		t.Errorf("busy again: Changed = %v", out.Changed)
	}
}
