package acd

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

type stepClock struct{ now time.Time }

func (c *stepClock) Now() time.Time { return c.now }

// check verifies the engine's internal consistency: counters, the links
// between agents and calls, queue order, and that no caller waits while a
// member of its queue could take it.
func (e *Engine) check() error {
	for _, q := range e.qlist {
		free, staff := 0, 0
		for _, m := range q.members {
			if e.isFree(m.a, q) {
				free++
			}
			if staffed(m.a.status) {
				staff++
			}
		}
		if free != q.free || staff != q.staffed {
			return fmt.Errorf("queue %s: free %d staffed %d, counted %d and %d", q.cfg.Name, q.free, q.staffed, free, staff)
		}
		for i, c := range q.waiting {
			if e.calls[c.id] != c || c.q != q || c.state == connected {
				return fmt.Errorf("queue %s: stray caller %s (state %d)", q.cfg.Name, c.id, c.state)
			}
			if i > 0 && q.waiting[i-1].priority < c.priority {
				return fmt.Errorf("queue %s: caller %s ahead of higher priority", q.cfg.Name, c.id)
			}
			if c.state == waiting && !c.retryAt.After(e.now) && q.free > 0 && len(e.candidates(q, c)) > 0 {
				return fmt.Errorf("queue %s: caller %s waits while %v could take it", q.cfg.Name, c.id, e.cands)
			}
		}
	}
	for _, c := range e.calls {
		switch c.state {
		case waiting:
			if len(c.ringing) > 0 {
				return fmt.Errorf("waiting caller %s rings %d agents", c.id, len(c.ringing))
			}
		case ringing:
			if len(c.ringing) == 0 {
				return fmt.Errorf("ringing caller %s rings nobody", c.id)
			}
			for _, a := range c.ringing {
				if a.status != Ringing || a.call != c {
					return fmt.Errorf("caller %s rings %s who is %v for %v", c.id, a.cfg.ID, a.status, a.call)
				}
			}
		case connected:
			if c.agent == nil || c.agent.call != c || c.agent.status != OnCall {
				return fmt.Errorf("connected caller %s without its agent", c.id)
			}
		}
	}
	for _, a := range e.agents {
		switch a.status {
		case Ringing:
			if a.call == nil || a.call.state != ringing || !slices.Contains(a.call.ringing, a) {
				return fmt.Errorf("agent %s ringing without a ringing call", a.cfg.ID)
			}
		case OnCall:
			if a.call == nil || a.call.state != connected || a.call.agent != a {
				return fmt.Errorf("agent %s on call without a connected call", a.cfg.ID)
			}
		default:
			if a.call != nil {
				return fmt.Errorf("agent %s is %v but holds call %s", a.cfg.ID, a.status, a.call.id)
			}
		}
		if a.pendingPause && a.status != OnCall && a.status != WrapUp {
			return fmt.Errorf("agent %s has a pending pause while %v", a.cfg.ID, a.status)
		}
	}
	return nil
}

func fuzzConfig(strategy string) Config {
	ag := func(id string, skills map[string]int) AgentConfig {
		return AgentConfig{ID: AgentID(id), Name: id, Skills: skills}
	}
	five := 5 * time.Second
	cfg := Config{
		Agents: []AgentConfig{ag("1", nil), ag("2", map[string]int{"fr": 5}), ag("3", map[string]int{"fr": 9}), ag("4", nil), ag("5", map[string]int{"fr": 2}), ag("6", nil)},
		Queues: []QueueConfig{
			{Name: "a", Strategy: strategy, RingTimeout: 10 * time.Second, RetryDelay: 3 * time.Second, WrapUp: 20 * time.Second, Weight: 2, JoinWhenEmpty: true,
				AutoPauseAfter: 3, Members: []Member{{"1", 0}, {"2", 0}, {"3", 1}, {"4", 2}}, Tiers: []Tier{{After: 15 * time.Second, MaxPenalty: 1}, {After: 40 * time.Second, MaxPenalty: 2}}},
			{Name: "b", Strategy: strategy, MaxWait: time.Minute, MaxLen: 4, LeaveWhenEmpty: true, RingInUse: true, Members: []Member{{"2", 0}, {"4", 0}, {"5", 1}, {"6", 0}}},
			{Name: "c", Strategy: strategy, WrapUp: 5 * time.Second, JoinWhenEmpty: true, Members: []Member{{"1", 0}, {"3", 0}, {"6", 3}}},
		},
		PauseReasons:     []PauseReason{{"Lunch"}, {"Break"}},
		FairAcrossQueues: true,
	}
	cfg.Agents[3].WrapUp = &five
	return cfg
}

// drive interprets ops as engine events, checking the invariants after
// each.
func drive(t *testing.T, strategy string, ops []byte) {
	clk := &stepClock{now: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)}
	e, err := New(fuzzConfig(strategy), Opts{Clock: clk, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	agents := []AgentID{"1", "2", "3", "4", "5", "6"}
	queues := []string{"a", "b", "c"}
	var calls []CallID
	n := 0
	for i := 0; i+2 < len(ops); i += 3 {
		op, x, y := ops[i]%16, int(ops[i+1]), int(ops[i+2])
		a := agents[x%len(agents)]
		var c CallID
		if len(calls) > 0 {
			c = calls[y%len(calls)]
		}
		var what string
		switch op {
		case 0, 1:
			n++
			id := CallID(fmt.Sprint("c", n))
			calls = append(calls, id)
			var skills map[string]int
			if y%3 == 0 {
				skills = map[string]int{"fr": y % 10}
			}
			e.CallerEntered(Caller{Call: id, Queue: queues[x%3], Priority: y % 2, Skills: skills})
			what = "enter " + string(id)
		case 2:
			e.CallerAbandoned(c)
			what = "abandon " + string(c)
		case 3:
			if st, _ := e.Agent(a); st.Call != "" {
				e.AgentAnswered(st.Call, a)
			}
			what = "answer " + string(a)
		case 4:
			if st, _ := e.Agent(a); st.Call != "" {
				e.AgentNoAnswer(st.Call, a)
			}
			what = "no answer " + string(a)
		case 5:
			if st, _ := e.Agent(a); st.Call != "" {
				e.CallEnded(st.Call, Hangup(y%2))
			}
			what = "end " + string(a)
		case 6:
			if st, _ := e.Agent(a); st.Call != "" {
				e.CallTransferred(st.Call, "200", "x")
			}
			what = "transfer " + string(a)
		case 7:
			e.Login(a, "d")
			what = "login " + string(a)
		case 8:
			e.Logout(a)
			what = "logout " + string(a)
		case 9:
			e.Pause(a, []string{"", "Lunch", "break"}[y%3])
			what = "pause " + string(a)
		case 10:
			e.Unpause(a)
			what = "unpause " + string(a)
		case 11:
			e.EndWrapUp(a)
			what = "end wrap-up " + string(a)
		case 12:
			if y%2 == 0 {
				e.AgentBusy(a)
			} else {
				e.AgentIdle(a)
			}
			what = "busy/idle " + string(a)
		case 13:
			if y%5 == 4 {
				alt := fuzzConfig([]string{strategy, Linear, RingAll}[y%3])
				if y%2 == 1 {
					alt.Queues[0].Members = alt.Queues[0].Members[:2]
					alt.Queues[1].Tiers = []Tier{{After: 10 * time.Second, MaxPenalty: 1}}
					alt.Queues[1].Weight = 5
					alt.Agents = alt.Agents[:5]
					alt.Queues[1].Members = alt.Queues[1].Members[:3]
					alt.Queues[2].Members = alt.Queues[2].Members[:2]
					alt.Queues = append(alt.Queues, QueueConfig{Name: "d", Strategy: Random, JoinWhenEmpty: true, Members: []Member{{"5", 0}, {"1", 0}}})
				}
				e.Reconfigure(alt)
				what = "reconfigure"
			} else if y%2 == 0 {
				e.AddMember(queues[y%3], a, y%3)
			} else {
				e.RemoveMember(queues[y%3], a)
			}
			what = "membership " + string(a)
		case 14:
			e.CallerExitWithKey(c, "5")
			what = "key " + string(c)
		default:
			clk.now = clk.now.Add(time.Duration(y) * time.Second / 4)
			e.Tick()
			what = "tick"
		}
		if err := e.check(); err != nil {
			t.Fatalf("op %d (%s): %v", i/3, what, err)
		}
		if d, ok := e.NextDeadline(); ok && d.Before(clk.now) {
			t.Fatalf("op %d (%s): next deadline %v is in the past", i/3, what, d)
		}
	}
}

// TestRandomEventsKeepInvariants drives every strategy through long random
// event sequences.
func TestRandomEventsKeepInvariants(t *testing.T) {
	for _, s := range BuiltinStrategies() {
		t.Run(s, func(t *testing.T) {
			for seed := range uint64(20) {
				r := rand.New(rand.NewPCG(seed, 1))
				ops := make([]byte, 3*400)
				for i := range ops {
					ops[i] = byte(r.UintN(256))
				}
				drive(t, s, ops)
			}
		})
	}
}

func FuzzEngine(f *testing.F) {
	f.Add([]byte{7, 0, 0, 7, 1, 0, 0, 0, 0, 3, 0, 0, 5, 0, 0, 15, 0, 80})
	f.Add([]byte{7, 2, 0, 9, 2, 1, 0, 1, 3, 10, 2, 0, 15, 0, 255, 15, 0, 255})
	f.Fuzz(func(t *testing.T, ops []byte) {
		for _, s := range []string{RingAll, RoundRobin, SkillsBased} {
			drive(t, s, ops)
		}
	})
}
