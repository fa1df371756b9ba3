package acdtest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"deskline/acd"
)

// RunStrategy runs the conformance suite against the strategy that factory
// makes: every rule is a subtest named after it, and every failure says
// which rule broke. The rules are the contract of acd.Strategy:
//
//   - picks-nonempty: given candidates, Pick rings someone.
//   - picks-candidates-only: Pick returns only candidates, none twice.
//   - lowest-penalty-first: every returned agent has the lowest penalty.
//   - leaves-candidates-unchanged: Pick does not modify its input.
//   - deterministic: fresh strategies fed the same decisions with the
//     same seed pick the same agents.
//   - never-offers-ineligible: run by the engine, a caller is offered
//     only to available agents, never to logged-out, paused, wrap-up,
//     busy, ringing or talking ones.
//   - respects-penalty-tiers: run by the engine, a higher penalty is
//     rung only once the caller reached its tier.
//   - respects-required-skills: run by the engine, an agent below a
//     required skill level is never rung.
//   - same-script-same-decisions: two engines with the same seed and the
//     same events return the same actions.
func RunStrategy(t *testing.T, factory acd.StrategyFactory) {
	t.Helper()
	name := factory().Name()
	t.Run("picks-nonempty", func(t *testing.T) { pickRules(t, factory, "picks-nonempty") })
	t.Run("picks-candidates-only", func(t *testing.T) { pickRules(t, factory, "picks-candidates-only") })
	t.Run("lowest-penalty-first", func(t *testing.T) { pickRules(t, factory, "lowest-penalty-first") })
	t.Run("leaves-candidates-unchanged", func(t *testing.T) { pickRules(t, factory, "leaves-candidates-unchanged") })
	t.Run("deterministic", func(t *testing.T) {
		a, b := pickScript(factory, 7), pickScript(factory, 7)
		if !slices.Equal(a, b) {
			t.Errorf("rule deterministic: %s picked %v, then %v, for the same decisions and seed", name, a, b)
		}
	})
	t.Run("never-offers-ineligible", func(t *testing.T) { neverIneligible(t, factory) })
	t.Run("respects-penalty-tiers", func(t *testing.T) { penaltyTiers(t, factory) })
	t.Run("respects-required-skills", func(t *testing.T) { requiredSkills(t, factory) })
	t.Run("same-script-same-decisions", func(t *testing.T) {
		a, b := engineScript(t, factory), engineScript(t, factory)
		if !slices.Equal(a, b) {
			t.Errorf("rule same-script-same-decisions: %s rang\n%v\nthen\n%v", name, a, b)
		}
	})
}

// randomCandidates makes a sorted, non-empty candidate list.
func randomCandidates(r *rand.Rand, now time.Time) []acd.Candidate {
	n := 1 + r.IntN(12)
	cs := make([]acd.Candidate, n)
	for i := range cs {
		cs[i] = acd.Candidate{
			Agent:      acd.AgentID(fmt.Sprint(100 + i)),
			Penalty:    r.IntN(3),
			Position:   i,
			IdleSince:  now.Add(-time.Duration(r.IntN(3600)) * time.Second),
			Calls:      r.IntN(20),
			TalkTime:   time.Duration(r.IntN(7200)) * time.Second,
			SkillScore: r.IntN(10),
		}
	}
	slices.SortStableFunc(cs, func(a, b acd.Candidate) int { return a.Penalty - b.Penalty })
	// Drop some to leave holes in positions, as the engine does.
	if n > 2 && r.IntN(2) == 0 {
		cs = slices.Delete(cs, 1, 2)
	}
	return cs
}

func pickRules(t *testing.T, factory acd.StrategyFactory, rule string) {
	s := factory()
	r := rand.New(rand.NewPCG(1, 2))
	now := Epoch
	for i := range 500 {
		cs := randomCandidates(r, now)
		in := slices.Clone(cs)
		got := s.Pick(&acd.Routing{Queue: "q", Call: acd.CallID(fmt.Sprint(i)), Now: now, Rand: r}, in)
		switch rule {
		case "picks-nonempty":
			if len(got) == 0 {
				t.Fatalf("rule picks-nonempty: Pick(%v) = nothing", cs)
			}
		case "picks-candidates-only":
			seen := map[acd.AgentID]bool{}
			for _, id := range got {
				if seen[id] {
					t.Fatalf("rule picks-candidates-only: Pick(%v) = %v, %s twice", cs, got, id)
				}
				seen[id] = true
				if !slices.ContainsFunc(cs, func(c acd.Candidate) bool { return c.Agent == id }) {
					t.Fatalf("rule picks-candidates-only: Pick(%v) = %v, %s is not a candidate", cs, got, id)
				}
			}
		case "lowest-penalty-first":
			for _, id := range got {
				i := slices.IndexFunc(cs, func(c acd.Candidate) bool { return c.Agent == id })
				if i >= 0 && cs[i].Penalty != cs[0].Penalty {
					t.Fatalf("rule lowest-penalty-first: Pick(%v) = %v, %s has penalty %d, lowest is %d", cs, got, id, cs[i].Penalty, cs[0].Penalty)
				}
			}
		case "leaves-candidates-unchanged":
			if !slices.Equal(in, cs) {
				t.Fatalf("rule leaves-candidates-unchanged: Pick changed %v into %v", cs, in)
			}
		}
		now = now.Add(time.Second)
	}
}

func pickScript(factory acd.StrategyFactory, seed uint64) []acd.AgentID {
	s := factory()
	gen := rand.New(rand.NewPCG(3, 4))
	r := rand.New(rand.NewPCG(seed, seed))
	var out []acd.AgentID
	for i := range 200 {
		got := s.Pick(&acd.Routing{Queue: "q", Call: acd.CallID(fmt.Sprint(i)), Now: Epoch, Rand: r}, randomCandidates(gen, Epoch))
		out = append(out, got...)
		out = append(out, "|")
	}
	return out
}

const testStrategy = "under-test"

func newEngine(t *testing.T, factory acd.StrategyFactory, cfg acd.Config, seed uint64) (*acd.Engine, *Clock) {
	t.Helper()
	clk := NewClock(time.Time{})
	e, err := acd.New(cfg, acd.Opts{Clock: clk, Seed: seed, Strategies: map[string]acd.StrategyFactory{testStrategy: factory}})
	if err != nil {
		t.Fatalf("acd.New: %v", err)
	}
	return e, clk
}

func agents(ids ...string) []acd.AgentConfig {
	out := make([]acd.AgentConfig, len(ids))
	for i, id := range ids {
		out[i] = acd.AgentConfig{ID: acd.AgentID(id), Name: "agent " + id}
	}
	return out
}

func members(ids ...string) []acd.Member {
	out := make([]acd.Member, len(ids))
	for i, id := range ids {
		out[i] = acd.Member{Agent: acd.AgentID(id)}
	}
	return out
}

// Rings lists the agents that out rings, in order.
func Rings(out acd.Output) []acd.AgentID {
	var ids []acd.AgentID
	for _, a := range out.Actions {
		if a.Kind == acd.Ring {
			ids = append(ids, a.Agent)
		}
	}
	return ids
}

// Must returns a function that fails tb if an engine method returned an
// error, and otherwise returns its output: must := acdtest.Must(t);
// out := must(e.Login("201", "phone")).
func Must(tb testing.TB) func(acd.Output, error) acd.Output {
	return func(out acd.Output, err error) acd.Output {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return out
	}
}

func neverIneligible(t *testing.T, factory acd.StrategyFactory) {
	must := Must(t)
	const rule = "rule never-offers-ineligible"
	cfg := acd.Config{
		Agents: agents("101", "102", "103", "104", "105", "106", "107", "108"),
		Queues: []acd.QueueConfig{
			{Name: "test", Strategy: testStrategy, Members: members("101", "102", "103", "104", "105", "106", "107", "108")},
			{Name: "wrap", Strategy: acd.Linear, Members: members("103"), WrapUp: time.Hour},
			{Name: "ring", Strategy: acd.Linear, Members: members("105"), RingTimeout: time.Hour},
			{Name: "talk", Strategy: acd.Linear, Members: members("106")},
		},
		PauseReasons: []acd.PauseReason{{Name: "Lunch"}},
	}
	e, clk := newEngine(t, factory, cfg, 1)
	for _, id := range []acd.AgentID{"102", "103", "104", "105", "106", "107", "108"} {
		must(e.Login(id, "dev"+string(id)))
	}
	must(e.Pause("102", "lunch"))
	must(e.AgentBusy("104"))
	if got := Rings(must(e.CallerEntered(acd.Caller{Call: "w", Queue: "wrap"}))); !slices.Equal(got, []acd.AgentID{"103"}) {
		t.Fatalf("setup: wrap queue rang %v, want [103]", got)
	}
	must(e.AgentAnswered("w", "103"))
	must(e.CallEnded("w", acd.ByCaller))
	must(e.CallerEntered(acd.Caller{Call: "r", Queue: "ring"}))
	must(e.CallerEntered(acd.Caller{Call: "k", Queue: "talk"}))
	must(e.AgentAnswered("k", "106"))
	clk.Advance(time.Second)
	eligible := []acd.AgentID{"107", "108"}
	for i := range 6 {
		id := acd.CallID(fmt.Sprint("t", i))
		for _, a := range Rings(must(e.CallerEntered(acd.Caller{Call: id, Queue: "test"}))) {
			if !slices.Contains(eligible, a) {
				st, _ := e.Agent(a)
				t.Fatalf("%s: caller %s offered to %s, who is %v (busy %v)", rule, id, a, st.Status, st.Busy)
			}
		}
		// Free whoever rang, so that the next caller is routed again.
		must(e.CallerAbandoned(id))
	}
}

func penaltyTiers(t *testing.T, factory acd.StrategyFactory) {
	must := Must(t)
	const rule = "rule respects-penalty-tiers"
	cfg := acd.Config{
		Agents: agents("201", "202", "203"),
		Queues: []acd.QueueConfig{{Name: "tiers", Strategy: testStrategy, MaxWait: time.Hour, JoinWhenEmpty: true,
			Members: []acd.Member{{Agent: "201", Penalty: 2}, {Agent: "202", Penalty: 1}, {Agent: "203", Penalty: 0}},
			Tiers:   []acd.Tier{{After: 30 * time.Second, MaxPenalty: 1}, {After: time.Minute, MaxPenalty: 2}},
		}},
	}
	e, clk := newEngine(t, factory, cfg, 1)
	must(e.Login("201", "a"))
	must(e.Login("202", "b"))
	if got := Rings(must(e.CallerEntered(acd.Caller{Call: "c", Queue: "tiers"}))); len(got) > 0 {
		t.Fatalf("%s: at 0 s rang %v; only penalty 0 (logged out) is allowed", rule, got)
	}
	clk.Advance(29 * time.Second)
	if got := Rings(e.Tick()); len(got) > 0 {
		t.Fatalf("%s: at 29 s rang %v; only penalty 0 is allowed", rule, got)
	}
	clk.Advance(time.Second)
	if got := Rings(e.Tick()); !slices.Equal(got, []acd.AgentID{"202"}) {
		t.Fatalf("%s: at 30 s rang %v, want [202] (penalty 1 now allowed, 2 not yet)", rule, got)
	}
	// Without tiers, the lowest penalty present goes first.
	cfg.Queues[0].Tiers = nil
	e, _ = newEngine(t, factory, cfg, 1)
	for _, id := range []acd.AgentID{"201", "202", "203"} {
		must(e.Login(id, "x"))
	}
	if got := Rings(must(e.CallerEntered(acd.Caller{Call: "c", Queue: "tiers"}))); !slices.Equal(got, []acd.AgentID{"203"}) {
		t.Fatalf("%s: rang %v, want [203] (penalty 0 before 1 and 2)", rule, got)
	}
}

func requiredSkills(t *testing.T, factory acd.StrategyFactory) {
	must := Must(t)
	const rule = "rule respects-required-skills"
	cfg := acd.Config{
		Agents: []acd.AgentConfig{
			{ID: "301", Name: "novice", Skills: map[string]int{"fr": 3}},
			{ID: "302", Name: "none"},
			{ID: "303", Name: "expert", Skills: map[string]int{"fr": 9}},
		},
		Queues: []acd.QueueConfig{{Name: "fr", Strategy: testStrategy, Members: members("301", "302", "303")}},
	}
	e, _ := newEngine(t, factory, cfg, 1)
	for _, id := range []acd.AgentID{"301", "302", "303"} {
		must(e.Login(id, "x"))
	}
	for i := range 5 {
		id := acd.CallID(fmt.Sprint("c", i))
		got := Rings(must(e.CallerEntered(acd.Caller{Call: id, Queue: "fr", Skills: map[string]int{"fr": 5}})))
		if !slices.Equal(got, []acd.AgentID{"303"}) {
			t.Fatalf("%s: caller needing fr≥5 rang %v, want [303]", rule, got)
		}
		must(e.CallerAbandoned(id))
	}
}

// engineScript runs a fixed busy script and returns every ring, answer
// and stop in order.
func engineScript(t *testing.T, factory acd.StrategyFactory) []string {
	must := Must(t)
	ids := []string{"401", "402", "403", "404", "405", "406"}
	cfg := acd.Config{
		Agents: agents(ids...),
		Queues: []acd.QueueConfig{{Name: "s", Strategy: testStrategy, WrapUp: 5 * time.Second, RingTimeout: 10 * time.Second,
			Members: []acd.Member{{Agent: "401"}, {Agent: "402"}, {Agent: "403", Penalty: 1}, {Agent: "404"}, {Agent: "405", Penalty: 1}, {Agent: "406"}}}},
	}
	e, clk := newEngine(t, factory, cfg, 42)
	var log []string
	record := func(out acd.Output) {
		for _, a := range out.Actions {
			log = append(log, fmt.Sprint(clk.Now().Sub(Epoch), a.Kind, a.Call, a.Agent))
		}
	}
	for _, id := range ids {
		record(must(e.Login(acd.AgentID(id), "d")))
	}
	r := rand.New(rand.NewPCG(9, 9))
	for i := range 300 {
		clk.Advance(time.Duration(1+r.IntN(4)) * time.Second)
		record(e.Tick())
		switch r.IntN(4) {
		case 0:
			out := must(e.CallerEntered(acd.Caller{Call: acd.CallID(fmt.Sprint("c", i)), Queue: "s"}))
			record(out)
		case 1: // someone answers the oldest ringing call
			for _, id := range ids {
				st, _ := e.Agent(acd.AgentID(id))
				if st.Status == acd.Ringing {
					record(must(e.AgentAnswered(st.Call, st.ID)))
					break
				}
			}
		case 2:
			for _, id := range ids {
				st, _ := e.Agent(acd.AgentID(id))
				if st.Status == acd.OnCall {
					record(must(e.CallEnded(st.Call, acd.ByAgent)))
					break
				}
			}
		}
	}
	return log
}
