package acd

import (
	"math/rand/v2"
	"slices"
	"time"
)

// Candidate is one agent free to take the caller being routed.
type Candidate struct {
	Agent    AgentID
	Penalty  int // the member's penalty in this queue
	Position int // the member's index in the queue's configured order
	// IdleSince is when the agent last became available after a call
	// (or logged in, or unpaused).
	IdleSince time.Time
	Calls     int           // calls this agent answered in this queue
	TalkTime  time.Duration // their total talk time in this queue
	// SkillScore is the sum of the agent's levels in the skills the
	// caller requires (0 when the caller requires none).
	SkillScore int
}

// Routing describes the decision a Strategy is asked to make.
type Routing struct {
	Queue  string
	Call   CallID
	Now    time.Time
	Skills map[string]int // the caller's required skills and minimum levels
	// Rand is the engine's seeded generator: the only randomness a
	// strategy may use, so that a seed reproduces every decision.
	Rand *rand.Rand
}

// A Strategy chooses whom to ring for one caller of one queue.
//
// The engine makes one Strategy per queue (through a StrategyFactory) and
// calls Pick once per routing decision, never concurrently. Candidates are
// never empty and are all eligible: logged in, not paused, not in wrap-up,
// not ringing or on a call, not busy (unless the queue rings in use), with
// the caller's required skills, within the caller's penalty window. They are
// sorted by Penalty, then Position. Pick must not modify or keep the slice.
//
// Pick returns the agents to ring at once, best first: exactly one for a
// hunting strategy, all of them for ring-all. Every returned agent is a
// candidate, none twice, all of the lowest penalty present (LowestTier).
// A strategy may remember its past picks (round-robin does); given the same
// calls and the same Rand it must return the same agents. acdtest.RunStrategy
// checks these rules.
type Strategy interface {
	Name() string
	Pick(r *Routing, candidates []Candidate) []AgentID
}

// StrategyFactory makes the Strategy of one queue.
type StrategyFactory func() Strategy

// LowestTier returns the leading candidates sharing the lowest penalty,
// given candidates sorted as the engine sorts them.
func LowestTier(c []Candidate) []Candidate {
	for i := 1; i < len(c); i++ {
		if c[i].Penalty != c[0].Penalty {
			return c[:i]
		}
	}
	return c
}

// Built-in strategy names.
const (
	RingAll       = "ring-all"        // every lowest-penalty candidate at once
	LongestIdle   = "longest-idle"    // idle longest across all queues
	RoundRobin    = "round-robin"     // next member after the last one rung, in configured order
	FewestCalls   = "fewest-calls"    // answered fewest calls of this queue
	LeastTalkTime = "least-talk-time" // least talk time in this queue
	Random        = "random"          // uniformly, from the seeded generator
	Linear        = "linear"          // first in configured order (top-down)
	SkillsBased   = "skills-based"    // highest skill score, then longest idle
)

var builtins = map[string]StrategyFactory{
	RingAll:       func() Strategy { return ringAll{} },
	LongestIdle:   func() Strategy { return byKey{LongestIdle, idleLess} },
	RoundRobin:    func() Strategy { return &roundRobin{last: -1} },
	FewestCalls:   func() Strategy { return byKey{FewestCalls, callsLess} },
	LeastTalkTime: func() Strategy { return byKey{LeastTalkTime, talkLess} },
	Random:        func() Strategy { return random{} },
	Linear:        func() Strategy { return byKey{Linear, func(a, b *Candidate) bool { return false }} },
	SkillsBased:   func() Strategy { return byKey{SkillsBased, skillLess} },
}

// BuiltinStrategies lists the built-in strategy names, sorted.
func BuiltinStrategies() []string {
	names := make([]string, 0, len(builtins))
	for n := range builtins {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// NewStrategy returns a fresh built-in strategy, or nil for an unknown name.
func NewStrategy(name string) Strategy {
	if f := builtins[name]; f != nil {
		return f()
	}
	return nil
}

func builtinStrategy(name string) bool { return builtins[name] != nil }

type ringAll struct{}

func (ringAll) Name() string { return RingAll }
func (ringAll) Pick(_ *Routing, c []Candidate) []AgentID {
	t := LowestTier(c)
	out := make([]AgentID, len(t))
	for i := range t {
		out[i] = t[i].Agent
	}
	return out
}

// byKey rings the lowest-tier candidate that is least by less; ties go to
// the earlier candidate (configured order).
type byKey struct {
	name string
	less func(a, b *Candidate) bool
}

func (s byKey) Name() string { return s.name }
func (s byKey) Pick(_ *Routing, c []Candidate) []AgentID {
	t := LowestTier(c)
	best := 0
	for i := 1; i < len(t); i++ {
		if s.less(&t[i], &t[best]) {
			best = i
		}
	}
	return []AgentID{t[best].Agent}
}

func idleLess(a, b *Candidate) bool  { return a.IdleSince.Before(b.IdleSince) }
func callsLess(a, b *Candidate) bool { return a.Calls < b.Calls }
func talkLess(a, b *Candidate) bool  { return a.TalkTime < b.TalkTime }
func skillLess(a, b *Candidate) bool {
	if a.SkillScore != b.SkillScore {
		return a.SkillScore > b.SkillScore
	}
	return idleLess(a, b)
}

// roundRobin remembers the position it rang last and rings the next one
// after it in configured order, wrapping around.
type roundRobin struct{ last int }

func (s *roundRobin) Name() string { return RoundRobin }
func (s *roundRobin) Pick(_ *Routing, c []Candidate) []AgentID {
	t := LowestTier(c)
	best := -1
	for i := range t { // the smallest position after last, else the smallest
		if t[i].Position > s.last && (best < 0 || t[i].Position < t[best].Position) {
			best = i
		}
	}
	if best < 0 {
		best = 0
		for i := range t {
			if t[i].Position < t[best].Position {
				best = i
			}
		}
	}
	s.last = t[best].Position
	return []AgentID{t[best].Agent}
}

type random struct{}

func (random) Name() string { return Random }
func (random) Pick(r *Routing, c []Candidate) []AgentID {
	t := LowestTier(c)
	return []AgentID{t[r.Rand.IntN(len(t))].Agent}
}
