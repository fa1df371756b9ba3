package acd_test

import (
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"deskline/acd"
	"deskline/acd/acdtest"
)

// bigCentre is 1,000 agents in 100 queues, each agent in three queues
// (about 30 members a queue, penalties 0–2), queues of weights 0–3.
func bigCentre(strategy string) acd.Config {
	var cfg acd.Config
	cfg.FairAcrossQueues = true
	for i := range 1000 {
		cfg.Agents = append(cfg.Agents, acd.AgentConfig{ID: acd.AgentID(strconv.Itoa(10000 + i)), Name: "agent",
			Skills: map[string]int{"fr": i % 10}})
	}
	for q := range 100 {
		cfg.Queues = append(cfg.Queues, acd.QueueConfig{Name: fmt.Sprint("q", q), Strategy: strategy, Weight: q % 4,
			JoinWhenEmpty: true, RingTimeout: time.Hour})
	}
	for i := range 1000 {
		seen := map[int]bool{}
		for k, q := range []int{i % 100, (i*7 + 3) % 100, (i*13 + 5) % 100} {
			if seen[q] {
				continue
			}
			seen[q] = true
			cfg.Queues[q].Members = append(cfg.Queues[q].Members, acd.Member{Agent: cfg.Agents[i].ID, Penalty: k})
		}
	}
	return cfg
}

// routeRig holds the big centre in steady state: every agent on a call and
// 500 callers waiting (five a queue).
type routeRig struct {
	e      *acd.Engine
	clk    *acdtest.Clock
	callOf map[acd.AgentID]acd.CallID
	queue  map[acd.CallID]string
	agents []acd.AgentID
	next   int
	seq    int
}

func newRouteRig(tb testing.TB, strategy string) *routeRig {
	cfg := bigCentre(strategy)
	clk := acdtest.NewClock(time.Time{})
	e, err := acd.New(cfg, acd.Opts{Clock: clk, Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	r := &routeRig{e: e, clk: clk, callOf: map[acd.AgentID]acd.CallID{}, queue: map[acd.CallID]string{}}
	for _, a := range cfg.Agents {
		r.agents = append(r.agents, a.ID)
		if _, err := e.Login(a.ID, "d"); err != nil {
			tb.Fatal(err)
		}
	}
	// Callers until every agent talks, then 500 more.
	for q := 0; len(r.callOf) < 1000; q = (q + 1) % 100 {
		r.enter(tb, fmt.Sprint("q", q))
	}
	for i := range 500 {
		r.enter(tb, fmt.Sprint("q", i%100))
	}
	return r
}

func (r *routeRig) enter(tb testing.TB, q string) {
	r.seq++
	id := acd.CallID(strconv.Itoa(r.seq))
	r.queue[id] = q
	out, err := r.e.CallerEntered(acd.Caller{Call: id, Queue: q})
	if err != nil {
		tb.Fatal(err)
	}
	r.answer(tb, out)
}

func (r *routeRig) answer(tb testing.TB, out acd.Output) {
	var answered []acd.CallID
	for _, a := range out.Actions {
		if a.Kind != acd.Ring || slices.Contains(answered, a.Call) {
			continue // ring-all: the first one answers
		}
		answered = append(answered, a.Call)
		if _, err := r.e.AgentAnswered(a.Call, a.Agent); err != nil {
			tb.Fatal(err)
		}
		r.callOf[a.Agent] = a.Call
	}
}

// step ends one agent's call (no wrap-up), which frees the agent and makes
// the engine route a waiting caller to it: the measured decision. Then the
// caller is answered and a new one joins, keeping 500 waiting.
func (r *routeRig) step(tb testing.TB) (time.Duration, bool) {
	a := r.agents[r.next%len(r.agents)]
	r.next++
	c := r.callOf[a]
	delete(r.callOf, a)
	q := r.queue[c]
	delete(r.queue, c)
	r.clk.Advance(time.Second)
	start := time.Now()
	out, err := r.e.CallEnded(c, acd.ByAgent)
	d := time.Since(start)
	if err != nil {
		tb.Fatal(err)
	}
	rang := slices.ContainsFunc(out.Actions, func(x acd.Action) bool { return x.Kind == acd.Ring })
	r.answer(tb, out)
	r.enter(tb, q)
	return d, rang
}

// BenchmarkRoute1000Agents measures one routing decision (a call ends, the
// agent is offered the best waiting caller of its queues) with 1,000 agents
// in 100 queues and 500 callers waiting. It reports the 50th and 99th
// percentile of the decision alone; ns/op covers the whole step (end,
// answer, a new caller). Timings are reported, never asserted.
func BenchmarkRoute1000Agents(b *testing.B) {
	for _, s := range acd.BuiltinStrategies() {
		b.Run(s, func(b *testing.B) {
			r := newRouteRig(b, s)
			durs := make([]time.Duration, 0, b.N)
			routed := 0
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				d, rang := r.step(b)
				durs = append(durs, d)
				if rang {
					routed++
				}
			}
			b.StopTimer()
			slices.Sort(durs)
			b.ReportMetric(float64(durs[len(durs)*50/100].Nanoseconds()), "p50-ns/decision")
			b.ReportMetric(float64(durs[len(durs)*99/100].Nanoseconds()), "p99-ns/decision")
			b.ReportMetric(float64(routed)/float64(b.N), "routed/op")
		})
	}
}

// TestRouteSteadyState checks the benchmark's premise: each freed agent is
// routed a waiting caller, and 500 stay waiting.
func TestRouteSteadyState(t *testing.T) {
	r := newRouteRig(t, acd.LongestIdle)
	for range 2000 {
		if _, rang := r.step(t); !rang {
			t.Fatal("a freed agent was not offered a waiting caller")
		}
	}
	waiting := 0
	for _, q := range r.e.Queues() {
		st, _ := r.e.QueueStats(q)
		waiting += st.Waiting
	}
	if waiting != 500 {
		t.Errorf("%d callers waiting, want 500", waiting)
	}
}

// BenchmarkAgentPause measures a status change (pause then unpause, with no
// caller waiting) in the big centre: its cost follows the agent's three
// queues, not the 100 queues × 30 members.
func BenchmarkAgentPause(b *testing.B) {
	cfg := bigCentre(acd.LongestIdle)
	clk := acdtest.NewClock(time.Time{})
	e, err := acd.New(cfg, acd.Opts{Clock: clk})
	if err != nil {
		b.Fatal(err)
	}
	for _, a := range cfg.Agents {
		e.Login(a.ID, "d")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		id := cfg.Agents[i%1000].ID
		if _, err := e.Pause(id, ""); err != nil {
			b.Fatal(err)
		}
		if _, err := e.Unpause(id); err != nil {
			b.Fatal(err)
		}
	}
}
