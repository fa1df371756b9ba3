package acd

import (
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Clock tells the engine the time. appliance passes the wall clock (after
// gokrazy.WaitForClock); tests pass acdtest.Clock.
type Clock interface{ Now() time.Time }

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// Opts configures New. The zero value is valid: the wall clock, seed 0, the
// built-in strategies.
type Opts struct {
	Clock Clock
	// Seed seeds the generator of the random strategy: the same seed, the
	// same configuration and the same events give the same decisions.
	Seed uint64
	// Strategies adds strategies (or replaces built-ins) by name.
	Strategies map[string]StrategyFactory
}

// ActionKind says what appliance must do.
type ActionKind uint8

const (
	// Ring: ring Agent (on Device) for Call; the engine gives up after
	// Timeout by itself (Tick) unless appliance reports AgentNoAnswer
	// or AgentAnswered first.
	Ring ActionKind = iota + 1
	// StopRinging: stop ringing Agent for Call (another agent answered,
	// the caller left, the ring timed out, the agent paused).
	StopRinging
	// Bridge: connect Call to Agent, who answered.
	Bridge
	// CallerTimeout: Call waited MaxWait; send it to Dest.
	CallerTimeout
	// ExitEmpty: the queue has nobody left to serve Call; send it to Dest.
	ExitEmpty
	// Reject: CallerEntered was refused; Reason is "full" or "empty".
	// Call never joined the queue.
	Reject
)

var actionNames = [...]string{"", "ring", "stop-ringing", "bridge", "caller-timeout", "exit-empty", "reject"}

func (k ActionKind) String() string {
	if int(k) < len(actionNames) && k > 0 {
		return actionNames[k]
	}
	return fmt.Sprintf("ActionKind(%d)", k)
}

// Action is one thing for appliance to carry out. Which fields matter
// depends on Kind.
type Action struct {
	Kind    ActionKind
	Call    CallID
	Queue   string
	Agent   AgentID
	Device  string // where the agent logged in (Ring)
	Timeout time.Duration
	Dest    string
	Reason  string
}

// Output is what one method call produced, in order: actions to carry out,
// queue log lines to append, pause intervals that closed, and the agents
// whose AgentState changed (status, pause reason, busy), each once.
type Output struct {
	Actions []Action
	Log     []QueueLogEvent
	Pauses  []PauseInterval
	Changed []AgentID
}

// Caller is a call entering a queue.
type Caller struct {
	Call     CallID
	Queue    string
	CallerID string // number shown, logged in ENTERQUEUE
	// Priority: callers of higher priority wait ahead of lower ones.
	Priority int
	// Skills the answering agent must hold, with minimum levels.
	Skills map[string]int
}

// Engine is the ACD: it keeps agents, queues and waiting callers, decides
// whom to ring, and counts.
//
// Every method takes the current time from the Clock, first fires whatever
// fell due (ring timeouts, retries, tier widening, maximum waits, wrap-up
// ends) and then applies its event, and returns an Output. The engine has
// no goroutines and no timers: appliance calls Tick when NextDeadline
// passes. An Engine is not safe for concurrent use: appliance owns it from
// one goroutine (or behind one mutex).
type Engine struct {
	clock   Clock
	rnd     *rand.Rand
	now     time.Time
	agents  map[AgentID]*agent
	queues  map[string]*queue
	qlist   []*queue
	calls   map[CallID]*call
	reasons map[string]string // lower case → configured spelling
	auto    string
	fair    bool
	timers  timerHeap
	out     Output
	empties []*queue
	extra   map[string]StrategyFactory
	cands   []Candidate
	scratch []*queue
	routing Routing
}

type agent struct {
	cfg          AgentConfig
	status       Status
	since        time.Time
	gen          uint64 // bumped at every status change; stales wrap-up timers
	device       string
	loginAt      time.Time
	idleSince    time.Time
	busy         bool
	members      []*member
	call         *call
	reason       string
	reasonSince  time.Time
	pendingPause bool
	pendingWhy   string
	wrapEnds     time.Time
	wrapQueue    *queue
	noAnswers    int
}

type member struct {
	q       *queue
	a       *agent
	penalty int
	calls   int
	talk    time.Duration
}

type queue struct {
	cfg     QueueConfig
	index   int
	strat   Strategy
	members []*member
	waiting []*call // in order of service: priority, then arrival
	free    int     // members who could be rung now
	staffed int     // members logged in and not paused
	st      counters
}

type counters struct {
	offered, handled, abandoned, timedOut, exitEmpty, exitKey, rejected, completed, inSL int
	waitSum, talkSum, wrapSum                                                            time.Duration
}

type callState uint8

const (
	waiting callState = iota
	ringing
	connected
)

type call struct {
	id        CallID
	q         *queue
	callerID  string
	priority  int
	skills    map[string]int
	entered   time.Time
	origPos   int
	state     callState
	gen       uint64
	ringing   []*agent
	ringStart time.Time
	retryAt   time.Time
	maxPen    int
	tier      int // next tier to reach
	tierGen   uint64
	agent     *agent
	member    *member
	answered  time.Time
}

// New validates cfg and returns an engine with every agent logged out and
// no caller.
func New(cfg Config, o Opts) (*Engine, error) {
	e := &Engine{extra: o.Strategies}
	if err := cfg.validate(e.known); err != nil {
		return nil, err
	}
	*e = Engine{
		extra:   o.Strategies,
		clock:   o.Clock,
		rnd:     rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)),
		agents:  make(map[AgentID]*agent, len(cfg.Agents)),
		queues:  make(map[string]*queue, len(cfg.Queues)),
		calls:   make(map[CallID]*call),
		reasons: make(map[string]string, len(cfg.PauseReasons)),
		auto:    cmp.Or(cfg.AutoPauseReason, DefaultAutoPauseReason),
		fair:    cfg.FairAcrossQueues,
	}
	if e.clock == nil {
		e.clock = wallClock{}
	}
	e.routing.Rand = e.rnd
	for _, r := range cfg.PauseReasons {
		e.reasons[strings.ToLower(r.Name)] = r.Name
	}
	now := e.clock.Now()
	for _, ac := range cfg.Agents {
		ac.Skills = maps.Clone(ac.Skills)
		e.agents[ac.ID] = &agent{cfg: ac, since: now}
	}
	for i, qc := range cfg.Queues {
		q := &queue{cfg: qc, index: i, strat: e.factory(qc.Strategy)()}
		q.cfg.Members = nil
		q.cfg.Tiers = slices.Clone(qc.Tiers)
		for _, mc := range qc.Members {
			a := e.agents[mc.Agent]
			m := &member{q: q, a: a, penalty: mc.Penalty}
			q.members = append(q.members, m)
			a.members = append(a.members, m)
		}
		e.queues[qc.Name] = q
		e.qlist = append(e.qlist, q)
	}
	return e, nil
}

func (e *Engine) known(name string) bool { return e.extra[name] != nil || builtins[name] != nil }

func (e *Engine) factory(name string) StrategyFactory {
	if f := e.extra[name]; f != nil {
		return f
	}
	return builtins[name]
}

// begin starts a method call: reads the clock and fires what fell due.
func (e *Engine) begin() {
	e.out = Output{}
	now := e.clock.Now()
	e.fire(now)
	e.now = now
}

// end finishes a method call and hands its output over.
func (e *Engine) end() Output {
	for len(e.empties) > 0 {
		q := e.empties[0]
		e.empties = e.empties[1:]
		if q.staffed == 0 && q.cfg.LeaveWhenEmpty {
			for len(q.waiting) > 0 {
				c := q.waiting[0]
				e.leave(c, EvExitEmpty, nil)
				q.st.exitEmpty++
				e.act(Action{Kind: ExitEmpty, Call: c.id, Queue: q.cfg.Name, Dest: q.cfg.TimeoutDest})
			}
		}
	}
	e.empties = e.empties[:0]
	out := e.out
	e.out = Output{}
	return out
}

func (e *Engine) act(a Action) { e.out.Actions = append(e.out.Actions, a) }

func (e *Engine) log(callID CallID, q *queue, a *agent, ev string, data ...string) {
	l := QueueLogEvent{Time: e.now, CallID: "NONE", Queue: "NONE", Agent: "NONE", Event: ev, Data: data}
	if callID != "" {
		l.CallID = string(callID)
	}
	if q != nil {
		l.Queue = q.cfg.Name
	}
	if a != nil {
		l.Agent = string(a.cfg.ID)
	}
	e.out.Log = append(e.out.Log, l)
}

// logAll writes one agent event in every queue the agent serves.
func (e *Engine) logAll(a *agent, ev string, data ...string) {
	for _, m := range a.members {
		e.log("", m.q, a, ev, data...)
	}
}

// ---- agent status bookkeeping ----

func (e *Engine) isFree(a *agent, q *queue) bool {
	return a.status == Available && (!a.busy || q.cfg.RingInUse)
}

func staffed(s Status) bool { return s != LoggedOut && s != Paused }

// adjust adds d to the counters of a's queues: work proportional to the
// agent's queues, never to all queues or members.
func (e *Engine) adjust(a *agent, d int) {
	st := staffed(a.status)
	for _, m := range a.members {
		if e.isFree(a, m.q) {
			m.q.free += d
		}
		if st {
			m.q.staffed += d
		}
	}
}

// apply runs the state machine for a and updates the counters.
func (e *Engine) apply(a *agent, ev agentEvent) error {
	to, err := transition(a.status, ev)
	if err != nil {
		return fmt.Errorf("agent %s: %w", a.cfg.ID, err)
	}
	if to == a.status {
		return nil
	}
	e.adjust(a, -1)
	a.status, a.since = to, e.now
	a.gen++
	e.adjust(a, +1)
	e.changed(a)
	if !staffed(to) {
		for _, m := range a.members {
			if m.q.staffed == 0 && m.q.cfg.LeaveWhenEmpty && len(m.q.waiting) > 0 {
				e.empties = append(e.empties, m.q)
			}
		}
	}
	return nil
}

func (e *Engine) changed(a *agent) {
	if !slices.Contains(e.out.Changed, a.cfg.ID) {
		e.out.Changed = append(e.out.Changed, a.cfg.ID)
	}
}

func (e *Engine) agent(id AgentID) (*agent, error) {
	a := e.agents[id]
	if a == nil {
		return nil, fmt.Errorf("%w %q", ErrUnknownAgent, id)
	}
	return a, nil
}

// agentFree offers a newly available agent to the callers of its queues:
// heaviest queue first, then (FairAcrossQueues) the queue whose first caller
// waited longest, else configuration order.
func (e *Engine) agentFree(a *agent) {
	if a.status != Available {
		return
	}
	qs := e.scratch[:0]
	for _, m := range a.members {
		if len(m.q.waiting) > 0 && e.isFree(a, m.q) {
			qs = append(qs, m.q)
		}
	}
	if len(qs) > 1 {
		slices.SortFunc(qs, func(x, y *queue) int {
			if c := cmp.Compare(y.cfg.Weight, x.cfg.Weight); c != 0 {
				return c
			}
			if e.fair {
				xo, yo := x.oldest(), y.oldest()
				switch {
				case xo.IsZero() != yo.IsZero(): // nobody to offer: last
					if xo.IsZero() {
						return 1
					}
					return -1
				case !xo.Equal(yo):
					return xo.Compare(yo)
				}
			}
			return cmp.Compare(x.index, y.index)
		})
	}
	for _, q := range qs {
		e.dispatch(q)
		if a.status != Available {
			break
		}
	}
	e.scratch = qs[:0]
}

// oldest is the arrival of the longest-waiting caller not being rung.
func (q *queue) oldest() time.Time {
	var t time.Time
	for _, c := range q.waiting {
		if c.state == waiting && (t.IsZero() || c.entered.Before(t)) {
			t = c.entered
		}
	}
	return t
}

// ---- routing ----

// dispatch offers q's waiting callers, in order, to q's free members.
func (e *Engine) dispatch(q *queue) {
	for i := 0; i < len(q.waiting) && q.free > 0; i++ {
		c := q.waiting[i]
		if c.state != waiting || c.retryAt.After(e.now) {
			continue
		}
		cands := e.candidates(q, c)
		if len(cands) == 0 {
			continue
		}
		e.routing.Queue, e.routing.Call, e.routing.Now, e.routing.Skills = q.cfg.Name, c.id, e.now, c.skills
		e.ring(c, q.strat.Pick(&e.routing, cands))
	}
}

func (e *Engine) candidates(q *queue, c *call) []Candidate {
	cs := e.cands[:0]
	for i, m := range q.members {
		a := m.a
		if !e.isFree(a, q) || (len(q.cfg.Tiers) > 0 && m.penalty > c.maxPen) {
			continue
		}
		score, ok := 0, true
		for k, min := range c.skills {
			l := a.cfg.Skills[k]
			if l < min {
				ok = false
				break
			}
			score += l
		}
		if !ok {
			continue
		}
		cs = append(cs, Candidate{Agent: a.cfg.ID, Penalty: m.penalty, Position: i,
			IdleSince: a.idleSince, Calls: m.calls, TalkTime: m.talk, SkillScore: score})
	}
	slices.SortStableFunc(cs, func(x, y Candidate) int { return cmp.Compare(x.Penalty, y.Penalty) })
	e.cands = cs
	return cs
}

func (e *Engine) ring(c *call, picks []AgentID) {
	for _, id := range picks {
		a := e.agents[id]
		if a == nil || !e.isFree(a, c.q) || a.call != nil {
			continue // a faulty strategy; never ring an unfree agent
		}
		if e.apply(a, evOffer) != nil {
			continue
		}
		a.call = c
		c.ringing = append(c.ringing, a)
		e.act(Action{Kind: Ring, Call: c.id, Queue: c.q.cfg.Name, Agent: a.cfg.ID, Device: a.device, Timeout: c.q.cfg.ringTimeout()})
	}
	if len(c.ringing) == 0 {
		return
	}
	c.state = ringing
	c.gen++
	c.ringStart = e.now
	e.timers.push(timer{at: e.now.Add(c.q.cfg.ringTimeout()), kind: tRing, c: c, gen: c.gen})
}

// unring ends the offer of c to a without an answer. logged: write
// RINGNOANSWER and count towards auto-pause; stop: tell appliance to stop
// ringing. The caller goes back to waiting when no agent rings any more.
func (e *Engine) unring(c *call, a *agent, logged, stop bool) {
	if i := slices.Index(c.ringing, a); i >= 0 {
		c.ringing = slices.Delete(c.ringing, i, i+1)
	}
	a.call = nil
	_ = e.apply(a, evNoAnswer)
	if stop {
		e.act(Action{Kind: StopRinging, Call: c.id, Queue: c.q.cfg.Name, Agent: a.cfg.ID, Device: a.device})
	}
	if logged {
		e.log(c.id, c.q, a, EvRingNoAnswer, itoa(int(e.now.Sub(c.ringStart)/time.Millisecond)))
		a.noAnswers++
		if n := c.q.cfg.AutoPauseAfter; n > 0 && a.noAnswers >= n {
			e.pause(a, e.auto)
		}
	}
	if len(c.ringing) == 0 && c.state == ringing {
		c.state = waiting
		c.gen++
		if d := c.q.cfg.RetryDelay; d > 0 && logged {
			c.retryAt = e.now.Add(d)
			e.timers.push(timer{at: c.retryAt, kind: tRetry, c: c, gen: c.gen})
		}
	}
}

// ---- callers ----

// CallerEntered puts a caller in a queue and rings agents if some are
// free. Called when appliance routes a call to the queue. Returns a Reject
// action if the queue is full, or empty and not JoinWhenEmpty.
func (e *Engine) CallerEntered(in Caller) (Output, error) {
	e.begin()
	q := e.queues[in.Queue]
	if q == nil {
		return e.end(), fmt.Errorf("%w %q", ErrUnknownQueue, in.Queue)
	}
	if e.calls[in.Call] != nil {
		return e.end(), fmt.Errorf("%w: %s", ErrDuplicateCall, in.Call)
	}
	reject := ""
	switch {
	case q.cfg.MaxLen > 0 && len(q.waiting) >= q.cfg.MaxLen:
		reject = "full"
	case !q.cfg.JoinWhenEmpty && q.staffed == 0:
		reject = "empty"
	}
	if reject != "" {
		q.st.rejected++
		e.act(Action{Kind: Reject, Call: in.Call, Queue: q.cfg.Name, Reason: reject})
		return e.end(), nil
	}
	c := &call{id: in.Call, q: q, callerID: in.CallerID, priority: in.Priority, skills: maps.Clone(in.Skills), entered: e.now}
	pos := len(q.waiting)
	for pos > 0 && q.waiting[pos-1].priority < c.priority {
		pos--
	}
	q.waiting = slices.Insert(q.waiting, pos, c)
	c.origPos = pos + 1
	e.calls[c.id] = c
	q.st.offered++
	e.log(c.id, q, nil, EvEnterQueue, "", c.callerID)
	if d := q.cfg.MaxWait; d > 0 {
		e.timers.push(timer{at: e.now.Add(d), kind: tMaxWait, c: c})
	}
	e.widen(c)
	e.dispatch(q)
	if q.staffed == 0 && q.cfg.LeaveWhenEmpty {
		e.empties = append(e.empties, q)
	}
	return e.end(), nil
}

// widen applies the tiers the caller has reached and schedules the next.
func (e *Engine) widen(c *call) {
	ts := c.q.cfg.Tiers
	wait := e.now.Sub(c.entered)
	for c.tier < len(ts) && ts[c.tier].After <= wait {
		c.maxPen = max(c.maxPen, ts[c.tier].MaxPenalty)
		c.tier++
	}
	if c.tier < len(ts) {
		e.timers.push(timer{at: c.entered.Add(ts[c.tier].After), kind: tTier, c: c, gen: c.tierGen})
	}
}

func (e *Engine) callerPos(c *call) int { return slices.Index(c.q.waiting, c) + 1 }

// leave takes a waiting or ringing caller out of its queue, logging ev with
// key (EXITWITHKEY) or not, then position, original position, wait.
func (e *Engine) leave(c *call, ev string, key []string) {
	q := c.q
	freed := slices.Clone(c.ringing)
	for _, a := range freed {
		e.unring(c, a, false, true)
	}
	pos := e.callerPos(c)
	data := append(key, itoa(pos), itoa(c.origPos), secs(e.now.Sub(c.entered)))
	e.log(c.id, q, nil, ev, data...)
	q.waiting = slices.Delete(q.waiting, pos-1, pos)
	c.state = connected // no timer of it fires any more
	c.gen++
	delete(e.calls, c.id)
	for _, a := range freed {
		e.agentFree(a)
	}
}

func (e *Engine) waitingCall(id CallID) (*call, error) {
	c := e.calls[id]
	if c == nil {
		return nil, fmt.Errorf("%w %q", ErrUnknownCall, id)
	}
	if c.state == connected {
		return nil, fmt.Errorf("call %s: %w: already answered", id, ErrWrongCallState)
	}
	return c, nil
}

// CallerAbandoned: the caller hung up while waiting or ringing. Any agent
// ringing for it is stopped and offered the next caller.
func (e *Engine) CallerAbandoned(id CallID) (Output, error) {
	e.begin()
	c, err := e.waitingCall(id)
	if err != nil {
		return e.end(), err
	}
	c.q.st.abandoned++
	e.leave(c, EvAbandon, nil)
	return e.end(), nil
}

// CallerExitWithKey: the waiting caller pressed key to leave the queue
// (appliance decides what the key does).
func (e *Engine) CallerExitWithKey(id CallID, key string) (Output, error) {
	e.begin()
	c, err := e.waitingCall(id)
	if err != nil {
		return e.end(), err
	}
	c.q.st.exitKey++
	e.leave(c, EvExitKey, []string{key})
	return e.end(), nil
}

// AgentAnswered: the agent picked up the offer. Other agents ringing for
// the same caller are stopped; returns Bridge. If the offer was already
// withdrawn (the engine's ring timeout, the caller left, another agent
// answered first) it returns ErrWrongCallState and appliance hangs up the
// agent's leg.
func (e *Engine) AgentAnswered(id CallID, agentID AgentID) (Output, error) {
	e.begin()
	c, a, err := e.offer(id, agentID)
	if err != nil {
		return e.end(), err
	}
	q := c.q
	var others []*agent
	for _, o := range c.ringing {
		if o != a {
			others = append(others, o)
		}
	}
	for _, o := range others {
		e.unring(c, o, false, true)
	}
	c.ringing = c.ringing[:0]
	a.call = c
	if err := e.apply(a, evAnswer); err != nil {
		return e.end(), err
	}
	a.noAnswers = 0
	pos := e.callerPos(c)
	q.waiting = slices.Delete(q.waiting, pos-1, pos)
	c.state, c.agent, c.answered = connected, a, e.now
	c.gen++
	for _, m := range a.members {
		if m.q == q {
			c.member = m
		}
	}
	hold := e.now.Sub(c.entered)
	q.st.handled++
	q.st.waitSum += hold
	if hold <= q.cfg.serviceLevel() {
		q.st.inSL++
	}
	e.log(c.id, q, a, EvConnect, secs(hold), string(c.id), secs(e.now.Sub(c.ringStart)))
	e.act(Action{Kind: Bridge, Call: c.id, Queue: q.cfg.Name, Agent: a.cfg.ID, Device: a.device})
	for _, o := range others {
		e.agentFree(o)
	}
	return e.end(), nil
}

// offer finds a call that is ringing the agent.
func (e *Engine) offer(id CallID, agentID AgentID) (*call, *agent, error) {
	a, err := e.agent(agentID)
	if err != nil {
		return nil, nil, err
	}
	c := e.calls[id]
	if c == nil {
		return nil, nil, fmt.Errorf("%w %q", ErrUnknownCall, id)
	}
	if c.state != ringing || a.call != c {
		return nil, nil, fmt.Errorf("call %s: %w: not ringing agent %s", id, ErrWrongCallState, agentID)
	}
	return c, a, nil
}

// AgentNoAnswer: appliance reports that the offer failed (timeout on the
// phone, declined, unreachable). The agent becomes available again (or is
// auto-paused); the caller waits RetryDelay before the next offer. A report
// about an offer the engine already withdrew returns ErrWrongCallState and
// can be ignored.
func (e *Engine) AgentNoAnswer(id CallID, agentID AgentID) (Output, error) {
	e.begin()
	c, a, err := e.offer(id, agentID)
	if err != nil {
		return e.end(), err
	}
	e.unring(c, a, true, false)
	e.afterNoAnswer(c, a)
	return e.end(), nil
}

func (e *Engine) afterNoAnswer(c *call, a *agent) {
	e.agentFree(a)
	if c.state == waiting {
		e.dispatch(c.q)
	}
}

// Hangup says who ended a connected call.
type Hangup uint8

const (
	ByCaller Hangup = iota
	ByAgent
)

// CallEnded: the connected call ended. The agent goes into wrap-up.
func (e *Engine) CallEnded(id CallID, by Hangup) (Output, error) {
	e.begin()
	c, err := e.connectedCall(id)
	if err != nil {
		return e.end(), err
	}
	ev := EvCompleteCaller
	if by == ByAgent {
		ev = EvCompleteAgent
	}
	talk := e.now.Sub(c.answered)
	e.log(c.id, c.q, c.agent, ev, secs(c.answered.Sub(c.entered)), secs(talk), itoa(c.origPos))
	e.finishCall(c, talk)
	return e.end(), nil
}

// CallTransferred: the agent transferred the connected call to extension
// in context; for the queue the call is over and the agent goes into
// wrap-up.
func (e *Engine) CallTransferred(id CallID, extension, context string) (Output, error) {
	e.begin()
	c, err := e.connectedCall(id)
	if err != nil {
		return e.end(), err
	}
	talk := e.now.Sub(c.answered)
	e.log(c.id, c.q, c.agent, EvTransfer, extension, context, secs(c.answered.Sub(c.entered)), secs(talk), itoa(c.origPos))
	e.finishCall(c, talk)
	return e.end(), nil
}

func (e *Engine) connectedCall(id CallID) (*call, error) {
	c := e.calls[id]
	if c == nil {
		return nil, fmt.Errorf("%w %q", ErrUnknownCall, id)
	}
	if c.state != connected {
		return nil, fmt.Errorf("call %s: %w: not answered", id, ErrWrongCallState)
	}
	return c, nil
}

func (e *Engine) finishCall(c *call, talk time.Duration) {
	a, q := c.agent, c.q
	delete(e.calls, c.id)
	q.st.completed++
	q.st.talkSum += talk
	if c.member != nil {
		c.member.calls++
		c.member.talk += talk
	}
	a.call = nil
	_ = e.apply(a, evHangup)
	d := q.cfg.WrapUp
	if a.cfg.WrapUp != nil {
		d = *a.cfg.WrapUp
	}
	a.wrapEnds, a.wrapQueue = e.now.Add(d), q
	if d == 0 {
		e.endWrapUp(a)
		return
	}
	e.timers.push(timer{at: a.wrapEnds, kind: tWrap, a: a, gen: a.gen})
}

// endWrapUp ends a's wrap-up: available (or paused, if a pause is
// pending) in every queue.
func (e *Engine) endWrapUp(a *agent) {
	if a.wrapQueue != nil {
		a.wrapQueue.st.wrapSum += e.now.Sub(a.since)
		a.wrapQueue = nil
	}
	_ = e.apply(a, evEndWrapUp)
	a.idleSince = e.now
	if a.pendingPause {
		e.pause(a, a.pendingWhy)
		return
	}
	e.agentFree(a)
}

// ---- agents ----

// onAgent runs one event about an agent: whatever fell due first, then
// fn on the agent, and collects the output whether fn succeeded or not.
func (e *Engine) onAgent(id AgentID, fn func(a *agent) error) (Output, error) {
	e.begin()
	a, err := e.agent(id)
	if err == nil {
		err = fn(a)
	}
	return e.end(), err
}

// may reports, as an error naming the agent, whether ev is allowed in its
// current status.
func may(a *agent, ev agentEvent) error {
	if _, err := transition(a.status, ev); err != nil {
		return fmt.Errorf("agent %s: %w", a.cfg.ID, err)
	}
	return nil
}

// Login logs the agent in to every queue it is a member of, on device
// (the phone it will be rung on; appliance's name for it).
func (e *Engine) Login(id AgentID, device string) (Output, error) {
	return e.onAgent(id, func(a *agent) error {
		if err := e.apply(a, evLogin); err != nil {
			return err
		}
		a.device, a.loginAt, a.idleSince = device, e.now, e.now
		a.noAnswers = 0
		e.logAll(a, EvAgentLogin, device)
		e.agentFree(a)
		return nil
	})
}

// Logout logs the agent off every queue. Refused during a call; a ringing
// offer is withdrawn; a pause or wrap-up ends.
func (e *Engine) Logout(id AgentID) (Output, error) {
	return e.onAgent(id, func(a *agent) error {
		if err := may(a, evLogout); err != nil {
			return err
		}
		redo := e.leaveStatus(a)
		_ = e.apply(a, evLogout)
		a.pendingPause = false
		e.logAll(a, EvAgentLogoff, a.device, secs(e.now.Sub(a.loginAt)))
		if redo != nil {
			e.dispatch(redo)
		}
		return nil
	})
}

// leaveStatus closes what the agent's current status holds before it
// changes for another reason than its own course: a ringing offer, a pause
// interval, a wrap-up.
// It returns the queue to dispatch once the agent's new status is set
// (its caller went back to waiting), or nil.
func (e *Engine) leaveStatus(a *agent) *queue {
	switch a.status {
	case Ringing:
		c := a.call
		e.unring(c, a, false, true)
		if c.state == waiting {
			return c.q
		}
	case Paused:
		e.closePause(a)
	case WrapUp:
		if a.wrapQueue != nil {
			a.wrapQueue.st.wrapSum += e.now.Sub(a.since)
			a.wrapQueue = nil
		}
	}
	return nil
}

func (e *Engine) closePause(a *agent) {
	e.out.Pauses = append(e.out.Pauses, PauseInterval{Agent: a.cfg.ID, Reason: a.reason, Start: a.reasonSince, End: e.now})
}

// Pause pauses the agent with reason (one of Config.PauseReasons, matched
// regardless of case, or empty). Pausing a paused agent with another reason
// closes one pause interval and opens the next. On a call, the pause is
// pending and begins when wrap-up ends; a ringing offer is withdrawn.
func (e *Engine) Pause(id AgentID, reason string) (Output, error) {
	return e.onAgent(id, func(a *agent) error {
		if reason != "" {
			r, ok := e.reasons[strings.ToLower(reason)]
			if !ok {
				return fmt.Errorf("agent %s: %w %q", id, ErrUnknownPauseReason, reason)
			}
			reason = r
		}
		if err := may(a, evPause); err != nil {
			return err
		}
		switch a.status {
		case OnCall:
			a.pendingPause, a.pendingWhy = true, reason
			e.changed(a)
		case Paused:
			if a.reason != reason {
				e.changed(a)
				e.closePause(a)
				a.reason, a.reasonSince = reason, e.now
				e.logAll(a, EvPause, reason)
			}
		default:
			redo := e.leaveStatus(a)
			e.pause(a, reason)
			if redo != nil {
				e.dispatch(redo)
			}
		}
		return nil
	})
}

func (e *Engine) pause(a *agent, reason string) {
	if e.apply(a, evPause) != nil {
		return
	}
	a.pendingPause, a.pendingWhy = false, ""
	a.reason, a.reasonSince = reason, e.now
	e.logAll(a, EvPause, reason)
}

// Unpause makes a paused agent available, or cancels the pause pending
// after the current call.
func (e *Engine) Unpause(id AgentID) (Output, error) {
	return e.onAgent(id, func(a *agent) error {
		switch {
		case a.status == OnCall && a.pendingPause:
			a.pendingPause, a.pendingWhy = false, ""
			e.changed(a)
		case a.status == Paused:
			e.closePause(a)
			_ = e.apply(a, evUnpause)
			a.noAnswers = 0
			e.logAll(a, EvUnpause, a.reason)
			a.reason = ""
			e.agentFree(a)
		default:
			return fmt.Errorf("agent %s: %w: unpause in status %v", id, ErrRefused, a.status)
		}
		return nil
	})
}

// EndWrapUp ends the agent's wrap-up early (the agent or a supervisor).
func (e *Engine) EndWrapUp(id AgentID) (Output, error) {
	return e.onAgent(id, func(a *agent) error {
		if err := may(a, evEndWrapUp); err != nil {
			return err
		}
		e.endWrapUp(a)
		return nil
	})
}

// AgentBusy and AgentIdle report the real state of the agent's phone
// (a call that is not a queue offer: an internal or outbound call). A busy
// agent is not offered callers of queues that do not ring in use.
func (e *Engine) AgentBusy(id AgentID) (Output, error) { return e.setBusy(id, true) }

// AgentIdle: see AgentBusy.
func (e *Engine) AgentIdle(id AgentID) (Output, error) { return e.setBusy(id, false) }

func (e *Engine) setBusy(id AgentID, busy bool) (Output, error) {
	return e.onAgent(id, func(a *agent) error {
		e.adjust(a, -1)
		if a.busy != busy {
			e.changed(a)
		}
		a.busy = busy
		e.adjust(a, +1)
		if !busy {
			e.agentFree(a)
		}
		return nil
	})
}

// AddMember adds the agent to the queue at run time (ADDMEMBER), last in
// the queue's order.
func (e *Engine) AddMember(queueName string, id AgentID, penalty int) (Output, error) {
	return e.onAgent(id, func(a *agent) error {
		q := e.queues[queueName]
		if q == nil {
			return fmt.Errorf("%w %q", ErrUnknownQueue, queueName)
		}
		if penalty < 0 {
			return fmt.Errorf("%w: penalty: must not be negative", ErrInvalidConfig)
		}
		for _, m := range a.members {
			if m.q == q {
				return fmt.Errorf("agent %s: %w: already a member of %q", id, ErrRefused, queueName)
			}
		}
		e.adjust(a, -1)
		m := &member{q: q, a: a, penalty: penalty}
		q.members = append(q.members, m)
		a.members = append(a.members, m)
		e.adjust(a, +1)
		e.log("", q, a, EvAddMember)
		if e.isFree(a, q) {
			e.dispatch(q)
		}
		return nil
	})
}

// RemoveMember takes the agent out of the queue (REMOVEMEMBER). Refused
// while the agent rings for or talks to a caller of that queue.
func (e *Engine) RemoveMember(queueName string, id AgentID) (Output, error) {
	return e.onAgent(id, func(a *agent) error {
		q := e.queues[queueName]
		if q == nil {
			return fmt.Errorf("%w %q", ErrUnknownQueue, queueName)
		}
		i := slices.IndexFunc(a.members, func(m *member) bool { return m.q == q })
		if i < 0 {
			return fmt.Errorf("agent %s: %w: not a member of %q", id, ErrRefused, queueName)
		}
		if a.call != nil && a.call.q == q {
			return fmt.Errorf("agent %s: %w: busy with a caller of %q", id, ErrRefused, queueName)
		}
		e.adjust(a, -1)
		m := a.members[i]
		a.members = slices.Delete(a.members, i, i+1)
		if j := slices.Index(q.members, m); j >= 0 {
			q.members = slices.Delete(q.members, j, j+1)
		}
		e.adjust(a, +1)
		e.log("", q, a, EvRemoveMember)
		if q.staffed == 0 && q.cfg.LeaveWhenEmpty && len(q.waiting) > 0 {
			e.empties = append(e.empties, q)
		}
		return nil
	})
}

// ---- time ----

// Tick fires everything that fell due by the clock's now. appliance calls
// it when NextDeadline passes (calling it more often is harmless).
func (e *Engine) Tick() Output {
	e.begin()
	return e.end()
}

// NextDeadline is when Tick next has something to do; false if nothing is
// scheduled.
func (e *Engine) NextDeadline() (time.Time, bool) {
	for e.timers.len() > 0 {
		if t := e.timers.top(); e.valid(t) {
			return t.at, true
		}
		e.timers.pop()
	}
	return time.Time{}, false
}

type timerKind uint8

const (
	tRing timerKind = iota
	tRetry
	tMaxWait
	tTier
	tWrap
)

type timer struct {
	at   time.Time
	seq  uint64
	kind timerKind
	c    *call
	a    *agent
	gen  uint64
}

func (e *Engine) valid(t timer) bool {
	switch t.kind {
	case tRing:
		return t.c.state == ringing && t.c.gen == t.gen
	case tRetry:
		return t.c.state == waiting && t.c.gen == t.gen
	case tMaxWait:
		return t.c.state != connected
	case tTier:
		return t.c.state != connected && t.c.tierGen == t.gen
	case tWrap:
		return t.a.status == WrapUp && t.a.gen == t.gen
	}
	return false
}

// fire handles due timers in time order, each at its own instant.
func (e *Engine) fire(now time.Time) {
	for e.timers.len() > 0 && !e.timers.top().at.After(now) {
		t := e.timers.pop()
		if !e.valid(t) {
			continue
		}
		e.now = t.at
		switch t.kind {
		case tRing:
			c := t.c
			rung := slices.Clone(c.ringing)
			for _, a := range rung {
				e.unring(c, a, true, true)
			}
			for _, a := range rung {
				e.agentFree(a)
			}
			if c.state == waiting {
				e.dispatch(c.q)
			}
		case tRetry:
			e.dispatch(t.c.q)
		case tMaxWait:
			c := t.c
			c.q.st.timedOut++
			e.leave(c, EvExitTimeout, nil)
			e.act(Action{Kind: CallerTimeout, Call: c.id, Queue: c.q.cfg.Name, Dest: c.q.cfg.TimeoutDest})
		case tTier:
			e.widen(t.c)
			e.dispatch(t.c.q)
		case tWrap:
			e.endWrapUp(t.a)
		}
	}
}

// timerHeap is a binary min-heap by (at, seq): equal instants fire in the
// order they were scheduled.
type timerHeap struct {
	s   []timer
	seq uint64
}

func (h *timerHeap) len() int   { return len(h.s) }
func (h *timerHeap) top() timer { return h.s[0] }

func (h *timerHeap) push(t timer) {
	h.seq++
	t.seq = h.seq
	h.s = append(h.s, t)
	s := h.s
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !less(s[i], s[p]) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func less(a, b timer) bool {
	if c := a.at.Compare(b.at); c != 0 {
		return c < 0
	}
	return a.seq < b.seq
}

func (h *timerHeap) pop() timer {
	s := h.s
	t := s[0]
	n := len(s) - 1
	s[0] = s[n]
	s = s[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && less(s[l], s[m]) {
			m = l
		}
		if r < n && less(s[r], s[m]) {
			m = r
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	h.s = s
	return t
}
