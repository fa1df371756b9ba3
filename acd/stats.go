package acd

import (
	"slices"
	"strings"
	"time"
)

// QueueStats is a live picture of one queue. Counters run from New.
type QueueStats struct {
	Queue string
	// Callers in the queue (waiting or being rung) and how long the
	// earliest of them has waited.
	Waiting     int
	LongestWait time.Duration
	// Members by status: LoggedIn counts every status but logged out.
	LoggedIn, Available, Ringing, OnCall, WrapUp, Paused int
	// Callers: Offered entered the queue; Handled were answered;
	// Abandoned hung up; TimedOut waited MaxWait; ExitedEmpty left
	// because nobody was logged in; ExitedWithKey pressed a key;
	// Rejected were not let in (full, or empty without JoinWhenEmpty).
	Offered, Handled, Abandoned, TimedOut, ExitedEmpty, ExitedWithKey, Rejected int
	// AvgWait is the average wait of answered callers. AvgHandle is
	// the average talk time plus wrap-up time of completed calls.
	AvgWait, AvgHandle time.Duration
	// ServiceLevel is the percentage of callers who left the queue
	// (answered, abandoned, timed out, exited) that were answered within
	// the queue's service-level threshold; 0 before any caller left.
	ServiceLevel float64
}

// QueueStats reports the queue's statistics at the clock's now; false for
// an unknown queue. It costs a pass over the queue's members and callers,
// and changes nothing (not even due timers).
func (e *Engine) QueueStats(name string) (QueueStats, bool) {
	q := e.queues[name]
	if q == nil {
		return QueueStats{}, false
	}
	now := e.clock.Now()
	s := QueueStats{Queue: name, Waiting: len(q.waiting)}
	for _, c := range q.waiting {
		s.LongestWait = max(s.LongestWait, now.Sub(c.entered))
	}
	for _, m := range q.members {
		switch m.a.status {
		case Available:
			s.Available++
		case Ringing:
			s.Ringing++
		case OnCall:
			s.OnCall++
		case WrapUp:
			s.WrapUp++
		case Paused:
			s.Paused++
		}
		if m.a.status != LoggedOut {
			s.LoggedIn++
		}
	}
	st := &q.st
	s.Offered, s.Handled, s.Abandoned, s.TimedOut = st.offered, st.handled, st.abandoned, st.timedOut
	s.ExitedEmpty, s.ExitedWithKey, s.Rejected = st.exitEmpty, st.exitKey, st.rejected
	if st.handled > 0 {
		s.AvgWait = st.waitSum / time.Duration(st.handled)
	}
	if st.completed > 0 {
		s.AvgHandle = (st.talkSum + st.wrapSum) / time.Duration(st.completed)
	}
	if left := st.handled + st.abandoned + st.timedOut + st.exitEmpty + st.exitKey; left > 0 {
		s.ServiceLevel = 100 * float64(st.inSL) / float64(left)
	}
	return s, true
}

// Agent reports one agent's state at the clock's now; false if unknown.
func (e *Engine) Agent(id AgentID) (AgentState, bool) {
	a := e.agents[id]
	if a == nil {
		return AgentState{}, false
	}
	now := e.clock.Now()
	s := AgentState{ID: a.cfg.ID, Name: a.cfg.Name, Status: a.status, Since: a.since, InStatus: now.Sub(a.since),
		Busy: a.busy, Device: a.device, PendingPause: a.pendingPause}
	switch {
	case a.status == Paused:
		s.Reason = a.reason
	case a.pendingPause:
		s.Reason = a.pendingWhy
	}
	if a.status == WrapUp {
		s.WrapUpLeft = max(0, a.wrapEnds.Sub(now))
	}
	if a.call != nil {
		s.Call = a.call.id
	}
	for _, m := range a.members {
		s.Queues = append(s.Queues, m.q.cfg.Name)
	}
	return s, true
}

// Queues lists the queue names in configuration order.
func (e *Engine) Queues() []string {
	out := make([]string, len(e.qlist))
	for i, q := range e.qlist {
		out[i] = q.cfg.Name
	}
	return out
}

// Agents reports every agent, sorted by ID, for the panel.
func (e *Engine) Agents() []AgentState {
	out := make([]AgentState, 0, len(e.agents))
	for id := range e.agents {
		st, _ := e.Agent(id)
		out = append(out, st)
	}
	slices.SortFunc(out, func(a, b AgentState) int { return strings.Compare(string(a.ID), string(b.ID)) })
	return out
}

// CallerState is one caller in a queue, for the panel.
type CallerState struct {
	Call     CallID
	CallerID string
	Position int // 1 is next
	Priority int
	Wait     time.Duration
	Ringing  []AgentID // agents being offered the caller now
}

// Callers lists the queue's callers in order of service; nil for an
// unknown queue.
func (e *Engine) Callers(queue string) []CallerState {
	q := e.queues[queue]
	if q == nil {
		return nil
	}
	now := e.clock.Now()
	out := make([]CallerState, len(q.waiting))
	for i, c := range q.waiting {
		out[i] = CallerState{Call: c.id, CallerID: c.callerID, Position: i + 1, Priority: c.priority, Wait: now.Sub(c.entered)}
		for _, a := range c.ringing {
			out[i].Ringing = append(out[i].Ringing, a.cfg.ID)
		}
	}
	return out
}
