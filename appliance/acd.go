package appliance

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"deskline/acd"
	"deskline/storage"
	"deskline/webui"
)

// acdExecutor carries out the engine's decisions on calls. Called with the
// engine's lock NOT held, in order, from one goroutine at a time.
type acdExecutor interface{ execute(actions []acd.Action) }

// noExecutor drops the actions: the box routes no call to queues yet.
type noExecutor struct{}

func (noExecutor) execute([]acd.Action) {}

// PIN lockout: this many wrong PINs within pinWindow lock the agent
// number for pinLock.
const (
	pinMaxFailures = 5
	pinWindow      = 10 * time.Minute
	pinLock        = 15 * time.Minute
)

// contactCentre is the ACD engine's home in the box. It owns the engine
// behind one mutex, keeps the stored configuration it was built from, arms
// one timer at the engine's next deadline, and handles every Output in one
// place (finish): queue log events and closed pause intervals are committed
// to the store before the method that produced them returns, agent states
// that survive a restart are saved, and actions go to the executor.
//
// The call side reports events through the methods named after the
// engine's (callerEntered, agentAnswered, …); the API changes the
// configuration (change) and acts on agents (login, pause, …). Each takes
// the lock, calls the engine, handles the Output, releases the lock and
// then runs the executor on the actions, so the executor may report back
// at once.
type contactCentre struct {
	log         *slog.Logger
	clock       acd.Clock
	st          acdStores
	audit       func(webui.AuditRecord)
	isExtension func(string) bool

	mu       sync.Mutex
	eng      *acd.Engine
	model    acdModel
	sessions map[acd.AgentID]agentSession
	// forcedNext says, for an agent a supervisor is pausing, whether the
	// pause is forced; syncSessions consumes it.
	forcedNext map[acd.AgentID]bool
	timer      *time.Timer
	armed      time.Time
	closed     bool
	exec       acdExecutor
	pending    []acd.Action
	draining   bool

	pinMu    sync.Mutex
	pins     map[acd.AgentID]*pinGuard
	dummyPIN func() string
}

// pinGuard counts an agent's recent wrong PINs.
type pinGuard struct {
	fails       []time.Time
	lockedUntil time.Time
}

type contactCentreOpts struct {
	Clock       acd.Clock // nil: the wall clock
	Log         *slog.Logger
	Audit       func(webui.AuditRecord)
	IsExtension func(number string) bool // whether an extension has this number
}

// openACD opens the contact centre's stores and builds its engine.
func (a *Appliance) openACD() error {
	st, err := openACDStores(a.db)
	if err != nil {
		return err
	}
	a.acd, err = newContactCentre(st, contactCentreOpts{Log: a.log, Audit: a.recordAudit, IsExtension: directory{exts: a.exts}.exists})
	return err
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// newContactCentre builds the engine from the stored configuration and
// restores the agents that were logged in (and paused) when the box
// stopped. A stored configuration the engine refuses is logged and replaced
// by an empty one, so that the telephones keep working.
func newContactCentre(st acdStores, o contactCentreOpts) (*contactCentre, error) {
	cc := &contactCentre{log: o.Log, clock: o.Clock, st: st, audit: o.Audit, isExtension: o.IsExtension,
		exec: noExecutor{}, sessions: map[acd.AgentID]agentSession{}, forcedNext: map[acd.AgentID]bool{},
		pins: map[acd.AgentID]*pinGuard{}}
	if cc.log == nil {
		cc.log = slog.New(slog.DiscardHandler)
	}
	if cc.clock == nil {
		cc.clock = wallClock{}
	}
	if cc.audit == nil {
		cc.audit = func(webui.AuditRecord) {}
	}
	if cc.isExtension == nil {
		cc.isExtension = func(string) bool { return false }
	}
	cc.dummyPIN = sync.OnceValue(func() string { h, _ := webui.HashPassword("0000"); return h })
	var err error
	if cc.model, err = st.load(); err != nil {
		return nil, fmt.Errorf("appliance: loading the contact centre: %w", err)
	}
	ids, err := st.sessions.Keys()
	if err != nil {
		return nil, fmt.Errorf("appliance: loading agent states: %w", err)
	}
	for _, id := range ids {
		s, err := st.sessions.Get(id)
		if err != nil {
			return nil, fmt.Errorf("appliance: loading agent states: %w", err)
		}
		if _, ok := cc.model.agents[id]; ok && s.LoggedIn {
			cc.sessions[acd.AgentID(id)] = s
		}
	}
	opts := acd.Opts{Clock: cc.clock}
	cc.eng, err = acd.New(cc.effective(cc.model), opts)
	if err != nil {
		cc.log.Error("contact centre configuration refused; starting with none", "err", err)
		cc.model = acdModel{agents: map[string]acdAgent{}, queues: map[string]acd.QueueConfig{}, reasons: map[string]acd.PauseReason{}}
		cc.sessions = map[acd.AgentID]agentSession{}
		if cc.eng, err = acd.New(acd.Config{}, opts); err != nil {
			return nil, err
		}
	}
	cc.restore()
	return cc, nil
}

// restore logs in (and pauses) the agents that were when the box stopped.
// The queue log events of this replay are not written again: to reporting
// tools the agents stayed logged in (and paused) across the restart. A
// pause interval open at the stop restarts now. A pause whose reason is no
// longer configured (or was the automatic one, which the engine's Pause does
// not take) comes back without a reason.
func (cc *contactCentre) restore() {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	for _, id := range slices.Sorted(maps.Keys(cc.sessions)) {
		s := cc.sessions[id]
		if _, err := cc.eng.Login(id, s.Device); err != nil {
			cc.log.Warn("agent not logged in again after restart", "agent", id, "err", err)
			continue
		}
		if s.Paused {
			if _, err := cc.eng.Pause(id, s.Reason); errors.Is(err, acd.ErrUnknownPauseReason) {
				cc.log.Warn("pause reason no longer exists; agent paused without reason", "agent", id, "reason", s.Reason)
				cc.eng.Pause(id, "")
			}
		}
		cc.log.Info("agent state restored", "agent", id, "device", s.Device, "paused", s.Paused, "reason", s.Reason)
	}
	cc.rearm()
}

// setExecutor hands the engine's actions to x from now on (the call side
// sets it once the SIP server exists).
func (cc *contactCentre) setExecutor(x acdExecutor) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.exec = x
}

// close stops the timer; events reported afterwards are refused.
func (cc *contactCentre) close() {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.closed = true
	if cc.timer != nil {
		cc.timer.Stop()
	}
}

var errACDClosed = errors.New("appliance: contact centre closed")

// step runs one engine call under the lock, handles its Output and runs
// the executor once the lock is released.
func (cc *contactCentre) step(fn func(e *acd.Engine) (acd.Output, error)) error {
	cc.mu.Lock()
	if cc.closed {
		cc.mu.Unlock()
		return errACDClosed
	}
	out, err := fn(cc.eng)
	cc.finish(out)
	cc.unlockAndExecute()
	return err
}

// finish handles an Output (with cc.mu held): the queue log and the pause
// intervals are committed, the agent states saved, the actions queued for
// the executor, and the timer re-armed.
func (cc *contactCentre) finish(out acd.Output) {
	if len(out.Log) > 0 {
		b := queueLogBatch{Events: make([]queueLogEvent, len(out.Log))}
		for i, e := range out.Log {
			b.Events[i] = queueLogEvent{Time: e.Time, CallID: e.CallID, Queue: e.Queue, Agent: e.Agent, Event: e.Event, Data: e.Data}
		}
		if _, err := cc.st.queueLog.Append(out.Log[0].Time, b); err != nil {
			cc.log.Error("queue log events not saved", "events", len(b.Events), "err", err)
		}
	}
	for _, p := range out.Pauses {
		r := pauseRecord{Agent: p.Agent, Reason: p.Reason, Start: p.Start, End: p.End, Forced: cc.sessions[p.Agent].Forced}
		if _, err := cc.st.pauses.Append(p.End, r); err != nil {
			cc.log.Error("pause interval not saved", "agent", p.Agent, "err", err)
		}
	}
	cc.syncSessions(out.Changed)
	cc.pending = append(cc.pending, out.Actions...)
	cc.rearm()
}

// unlockAndExecute releases cc.mu and hands the queued actions to the
// executor, unless another goroutine is doing so already (it will take
// these too): one goroutine at a time, in order, without the lock.
func (cc *contactCentre) unlockAndExecute() {
	if cc.draining {
		cc.mu.Unlock()
		return
	}
	cc.draining = true
	for len(cc.pending) > 0 {
		batch, x := cc.pending, cc.exec
		cc.pending = nil
		cc.mu.Unlock()
		x.execute(batch)
		cc.mu.Lock()
	}
	cc.draining = false
	cc.mu.Unlock()
}

// syncSessions saves what changed of the agents' lasting state.
func (cc *contactCentre) syncSessions(changed []acd.AgentID) {
	for _, id := range changed {
		old := cc.sessions[id]
		var now agentSession
		if st, ok := cc.eng.Agent(id); ok && st.Status != acd.LoggedOut {
			now = agentSession{LoggedIn: true, Device: st.Device, Queues: old.Queues,
				Paused: st.Status == acd.Paused || st.PendingPause, Reason: st.Reason}
			now.Forced = now.Paused && old.Paused && old.Reason == now.Reason && old.Forced
		}
		if f, ok := cc.forcedNext[id]; ok {
			now.Forced = f && now.Paused
			delete(cc.forcedNext, id)
		}
		cc.saveSession(id, now)
	}
}

func (cc *contactCentre) saveSession(id acd.AgentID, s agentSession) {
	old, had := cc.sessions[id]
	if had && reflect.DeepEqual(old, s) || !had && !s.LoggedIn {
		return
	}
	var err error
	if s.LoggedIn {
		cc.sessions[id] = s
		err = cc.st.sessions.Put(string(id), s)
	} else {
		delete(cc.sessions, id)
		if err = cc.st.sessions.Delete(string(id)); errors.Is(err, storage.ErrNotFound) {
			err = nil
		}
	}
	if err != nil {
		cc.log.Error("agent state not saved", "agent", id, "err", err)
	}
}

// rearm sets the timer to the engine's next deadline.
func (cc *contactCentre) rearm() {
	d, ok := cc.eng.NextDeadline()
	if !ok || cc.closed {
		if cc.timer != nil {
			cc.timer.Stop()
		}
		cc.armed = time.Time{}
		return
	}
	if d.Equal(cc.armed) {
		return
	}
	cc.armed = d
	wait := max(0, d.Sub(cc.clock.Now()))
	if cc.timer == nil {
		cc.timer = time.AfterFunc(wait, cc.tick)
	} else {
		cc.timer.Reset(wait)
	}
}

// tick runs the engine's timers; the timer calls it at the deadline.
func (cc *contactCentre) tick() {
	cc.step(func(e *acd.Engine) (acd.Output, error) {
		cc.armed = time.Time{}
		return e.Tick(), nil
	})
}

// effective is the engine's configuration for model m: the stored one,
// with the queues of each agent logged in to chosen queues replaced by
// those (an agent may log in to a queue it is no member of, with penalty
// 0, and out of one it is).
func (cc *contactCentre) effective(m acdModel) acd.Config {
	cfg := m.config()
	for i := range cfg.Queues {
		q := &cfg.Queues[i]
		var members []acd.Member
		for _, mem := range q.Members {
			if s, ok := cc.sessions[mem.Agent]; ok && s.Queues != nil && !slices.Contains(s.Queues, q.Name) {
				continue
			}
			members = append(members, mem)
		}
		for _, id := range slices.Sorted(maps.Keys(cc.sessions)) {
			s := cc.sessions[id]
			if _, ok := m.agents[string(id)]; ok && slices.Contains(s.Queues, q.Name) &&
				!slices.ContainsFunc(members, func(mem acd.Member) bool { return mem.Agent == id }) {
				members = append(members, acd.Member{Agent: id})
			}
		}
		q.Members = members
	}
	return cfg
}

// ---- events from the call side ----

// callerEntered: a caller was routed to a queue (acd.Engine.CallerEntered).
func (cc *contactCentre) callerEntered(in acd.Caller) error {
	return cc.step(func(e *acd.Engine) (acd.Output, error) { return e.CallerEntered(in) })
}

// callerAbandoned: the waiting caller hung up.
func (cc *contactCentre) callerAbandoned(id acd.CallID) error {
	return cc.step(func(e *acd.Engine) (acd.Output, error) { return e.CallerAbandoned(id) })
}

// callerExitWithKey: the waiting caller pressed key to leave.
func (cc *contactCentre) callerExitWithKey(id acd.CallID, key string) error {
	return cc.step(func(e *acd.Engine) (acd.Output, error) { return e.CallerExitWithKey(id, key) })
}

// agentAnswered: the agent picked up the offer of call id. An
// acd.ErrWrongCallState means the offer was withdrawn: hang up the agent.
func (cc *contactCentre) agentAnswered(id acd.CallID, agent acd.AgentID) error {
	return cc.step(func(e *acd.Engine) (acd.Output, error) { return e.AgentAnswered(id, agent) })
}

// agentNoAnswer: the offer failed (timeout on the phone, declined,
// unreachable).
func (cc *contactCentre) agentNoAnswer(id acd.CallID, agent acd.AgentID) error {
	return cc.step(func(e *acd.Engine) (acd.Output, error) { return e.AgentNoAnswer(id, agent) })
}

// callEnded: the connected call ended, hung up by the caller or the agent.
func (cc *contactCentre) callEnded(id acd.CallID, by acd.Hangup) error {
	return cc.step(func(e *acd.Engine) (acd.Output, error) { return e.CallEnded(id, by) })
}

// callTransferred: the agent transferred the connected call.
func (cc *contactCentre) callTransferred(id acd.CallID, extension, context string) error {
	return cc.step(func(e *acd.Engine) (acd.Output, error) { return e.CallTransferred(id, extension, context) })
}

// agentBusy and agentIdle report the agent's phone busy with, or free of,
// a call that is not a queue offer.
func (cc *contactCentre) agentBusy(id acd.AgentID) error {
	return cc.step(func(e *acd.Engine) (acd.Output, error) { return e.AgentBusy(id) })
}

func (cc *contactCentre) agentIdle(id acd.AgentID) error {
	return cc.step(func(e *acd.Engine) (acd.Output, error) { return e.AgentIdle(id) })
}

// agentOf tells which agent sits at extension ext: the logged-in agent
// rung there, else the agent whose own extension it is.
func (cc *contactCentre) agentOf(ext string) (acd.AgentID, bool) {
	if ext == "" {
		return "", false
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	for _, id := range slices.Sorted(maps.Keys(cc.sessions)) {
		if cc.sessions[id].Device == ext {
			return id, true
		}
	}
	for _, id := range slices.Sorted(maps.Keys(cc.model.agents)) {
		if a := cc.model.agents[id]; a.Type == agentExtension && a.Extension == ext {
			return a.ID, true
		}
	}
	return "", false
}

// deviceOf is the extension that rings for an agent by default: its own
// extension ("" for an external agent, or none configured).
func (cc *contactCentre) deviceOf(id acd.AgentID) string {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.deviceOfLocked(id)
}

func (cc *contactCentre) deviceOfLocked(id acd.AgentID) string {
	if a, ok := cc.model.agents[string(id)]; ok && a.Type == agentExtension {
		return a.Extension
	}
	return ""
}

// ---- agent actions (supervisors, later the agent's own phone) ----

// login logs the agent in on device ("" for deviceOf) to queues (nil for
// every queue it is a member of), already paused with reason if paused.
// An agent logged in already joins the queues named (ADDMEMBER).
func (cc *contactCentre) login(id acd.AgentID, queues []string, device string, paused bool, reason string, forced bool) error {
	cc.mu.Lock()
	if cc.closed {
		cc.mu.Unlock()
		return errACDClosed
	}
	err := cc.loginLocked(id, queues, device, paused, reason, forced)
	cc.unlockAndExecute()
	return err
}

func (cc *contactCentre) loginLocked(id acd.AgentID, queues []string, device string, paused bool, reason string, forced bool) error {
	st, ok := cc.eng.Agent(id)
	if !ok {
		return fmt.Errorf("agent %s: %w", id, acd.ErrUnknownAgent)
	}
	for _, q := range queues {
		if _, ok := cc.model.queues[q]; !ok {
			return fieldErr("queues", "no queue %q", q)
		}
	}
	if paused && reason != "" && !cc.knownReason(reason) {
		return fieldErr("reason", "%q is not a pause reason", reason)
	}
	if st.Status != acd.LoggedOut {
		// Join the queues named that the agent is not in yet.
		s := cc.sessions[id]
		cur := slices.Clone(st.Queues)
		for _, q := range queues {
			if slices.Contains(cur, q) {
				continue
			}
			out, err := cc.eng.AddMember(q, id, 0)
			cc.finish(out)
			if err != nil {
				return err
			}
			cur = append(cur, q)
		}
		s.Queues = cur
		cc.saveSession(id, s)
	} else {
		if device == "" {
			device = cc.deviceOfLocked(id)
		}
		prev, had := cc.sessions[id]
		// Shape the agent's memberships first, silently, then log in;
		// finish keeps the session's queue choice.
		var qs []string
		if len(queues) > 0 {
			qs = slices.Clone(queues)
		}
		cc.sessions[id] = agentSession{LoggedIn: true, Device: device, Queues: qs}
		out, err := cc.eng.Reconfigure(cc.effective(cc.model))
		cc.finish(out)
		if err == nil {
			out, err = cc.eng.Login(id, device)
			cc.finish(out)
		}
		if err != nil {
			if had {
				cc.sessions[id] = prev
			} else {
				delete(cc.sessions, id)
			}
			back, _ := cc.eng.Reconfigure(cc.effective(cc.model))
			cc.finish(back)
			return err
		}
		// The session was in memory before the engine changed it: store it.
		if err := cc.st.sessions.Put(string(id), cc.sessions[id]); err != nil {
			cc.log.Error("agent state not saved", "agent", id, "err", err)
		}
	}
	if paused {
		cc.forcedNext[id] = forced
		out, err := cc.eng.Pause(id, reason)
		cc.finish(out)
		delete(cc.forcedNext, id)
		return err
	}
	return nil
}

func (cc *contactCentre) knownReason(r string) bool {
	_, ok := cc.model.reasons[strings.ToLower(r)]
	return ok
}

// logout logs the agent out of queues, or of all of them (nil). Logging
// out of the last queue is logging out.
func (cc *contactCentre) logout(id acd.AgentID, queues []string) error {
	cc.mu.Lock()
	if cc.closed {
		cc.mu.Unlock()
		return errACDClosed
	}
	err := cc.logoutLocked(id, queues)
	cc.unlockAndExecute()
	return err
}

func (cc *contactCentre) logoutLocked(id acd.AgentID, queues []string) error {
	st, ok := cc.eng.Agent(id)
	if !ok {
		return fmt.Errorf("agent %s: %w", id, acd.ErrUnknownAgent)
	}
	if st.Status == acd.LoggedOut {
		return fmt.Errorf("agent %s: %w: not logged in", id, acd.ErrRefused)
	}
	rest := slices.DeleteFunc(slices.Clone(st.Queues), func(q string) bool { return slices.Contains(queues, q) })
	if len(queues) > 0 && len(rest) > 0 {
		for _, q := range queues {
			if !slices.Contains(st.Queues, q) {
				return fieldErr("queues", "agent %s is not logged in to %q", id, q)
			}
		}
		for _, q := range queues {
			out, err := cc.eng.RemoveMember(q, id)
			cc.finish(out)
			if err != nil {
				return err
			}
		}
		s := cc.sessions[id]
		s.Queues = rest
		cc.saveSession(id, s)
		return nil
	}
	out, err := cc.eng.Logout(id)
	cc.finish(out)
	if err != nil {
		return err
	}
	cc.saveSession(id, agentSession{})
	// Back to the configured memberships, for the next login.
	out, err = cc.eng.Reconfigure(cc.effective(cc.model))
	cc.finish(out)
	return err
}

// pause pauses the agent with reason; forced marks a pause set by someone
// else than the agent.
func (cc *contactCentre) pause(id acd.AgentID, reason string, forced bool) error {
	return cc.step(func(e *acd.Engine) (acd.Output, error) {
		cc.forcedNext[id] = forced
		out, err := e.Pause(id, reason)
		if err != nil {
			delete(cc.forcedNext, id)
		}
		return out, err
	})
}

func (cc *contactCentre) unpause(id acd.AgentID) error {
	return cc.step(func(e *acd.Engine) (acd.Output, error) { return e.Unpause(id) })
}

func (cc *contactCentre) endWrapUp(id acd.AgentID) error {
	return cc.step(func(e *acd.Engine) (acd.Output, error) { return e.EndWrapUp(id) })
}

// agentState is the agent's live state, whether its pause is forced, and
// until when its number is locked after wrong PINs (zero if not).
func (cc *contactCentre) agentState(id acd.AgentID) (acd.AgentState, bool, time.Time, bool) {
	cc.mu.Lock()
	st, ok := cc.eng.Agent(id)
	forced := cc.sessions[id].Forced
	cc.mu.Unlock()
	return st, forced, cc.pinLockedUntil(id), ok
}

// callerState finds a waiting caller: its position and wait.
func (cc *contactCentre) callerState(queue string, id acd.CallID) (acd.CallerState, bool) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	for _, c := range cc.eng.Callers(queue) {
		if c.Call == id {
			return c, true
		}
	}
	return acd.CallerState{}, false
}

func (cc *contactCentre) queueStats(name string) (acd.QueueStats, bool) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.eng.QueueStats(name)
}

// ---- configuration ----

// change applies fn to a copy of the configuration (with cc.mu held, so
// fn may act on the engine first), validates the whole result, gives it
// to the engine (calls carry on) and stores what differs.
func (cc *contactCentre) change(fn func(m *acdModel) error) error {
	cc.mu.Lock()
	if cc.closed {
		cc.mu.Unlock()
		return errACDClosed
	}
	err := cc.changeLocked(fn)
	cc.unlockAndExecute()
	return err
}

func (cc *contactCentre) changeLocked(fn func(m *acdModel) error) error {
	m := cc.model.clone()
	if err := fn(&m); err != nil {
		return err
	}
	if err := m.validate(cc.isExtension); err != nil {
		return err
	}
	out, err := cc.eng.Reconfigure(cc.effective(m))
	if err != nil {
		cc.finish(out)
		if errors.Is(err, acd.ErrRefused) {
			return fmt.Errorf("%w: %v", webui.ErrInvalid, err)
		}
		return configFieldErr(err)
	}
	if err := cc.st.save(cc.model, m); err != nil {
		back, rerr := cc.eng.Reconfigure(cc.effective(cc.model))
		out.Actions = append(out.Actions, back.Actions...)
		out.Log = append(out.Log, back.Log...)
		out.Pauses = append(out.Pauses, back.Pauses...)
		out.Changed = append(out.Changed, back.Changed...)
		cc.finish(out)
		if rerr != nil {
			cc.log.Error("contact centre: engine and store disagree", "err", rerr)
		}
		return err
	}
	cc.model = m
	cc.finish(out)
	return nil
}

// snapshot returns the configuration as stored now.
func (cc *contactCentre) snapshot() acdModel {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.model
}

// queueNumberUser names the queue dialled as number, if any.
func (cc *contactCentre) queueNumberUser(number string) (string, bool) {
	if cc == nil {
		return "", false
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	for _, q := range cc.model.queues {
		if q.Number == number {
			return q.Name, true
		}
	}
	return "", false
}

// hasQueue reports whether a queue of that name exists.
func (cc *contactCentre) hasQueue(name string) bool {
	if cc == nil {
		return false
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	for _, q := range cc.model.queues {
		if q.Name == name {
			return true
		}
	}
	return false
}

// ---- PINs ----

// checkAgentPIN reports whether pin is the agent's PIN, comparing in
// constant time. pinMaxFailures wrong PINs within pinWindow lock the agent
// number for pinLock (logged and audited); while locked every PIN is wrong.
// An agent without a PIN matches only the empty PIN.
func (cc *contactCentre) checkAgentPIN(id acd.AgentID, pin string) bool {
	cc.mu.Lock()
	a, known := cc.model.agents[string(id)]
	cc.mu.Unlock()
	now := cc.clock.Now()
	cc.pinMu.Lock()
	g := cc.pins[id]
	if g != nil && now.Before(g.lockedUntil) {
		cc.pinMu.Unlock()
		return false
	}
	cc.pinMu.Unlock()

	var ok bool
	switch {
	case !known:
		webui.CheckPassword(cc.dummyPIN(), pin) // the same cost as for a known agent
		return false
	case a.PINHash == "":
		ok = subtle.ConstantTimeEq(int32(len(pin)), 0) == 1
	default:
		ok = webui.CheckPassword(a.PINHash, pin)
	}

	cc.pinMu.Lock()
	defer cc.pinMu.Unlock()
	g = cc.pins[id]
	if ok {
		delete(cc.pins, id)
		return true
	}
	if g == nil {
		g = &pinGuard{}
		cc.pins[id] = g
	}
	g.fails = slices.DeleteFunc(g.fails, func(t time.Time) bool { return now.Sub(t) >= pinWindow })
	g.fails = append(g.fails, now)
	if len(g.fails) >= pinMaxFailures {
		g.fails = nil
		g.lockedUntil = now.Add(pinLock)
		cc.log.Warn("agent number locked after wrong PINs", "agent", id, "failures", pinMaxFailures, "until", g.lockedUntil)
		cc.audit(webui.AuditRecord{Time: now, Actor: "system", Action: "agent-locked", Object: "agent " + string(id),
			Detail: fmt.Sprintf("%d wrong PINs within %v; locked until %s", pinMaxFailures, pinWindow, g.lockedUntil.Format(time.RFC3339))})
	}
	return false
}

// pinLockedUntil is when the agent number's PIN lock ends; zero if it is
// not locked.
func (cc *contactCentre) pinLockedUntil(id acd.AgentID) time.Time {
	cc.pinMu.Lock()
	defer cc.pinMu.Unlock()
	if g := cc.pins[id]; g != nil && cc.clock.Now().Before(g.lockedUntil) {
		return g.lockedUntil
	}
	return time.Time{}
}

// queueLog returns the queue log events with from <= time < to (zero
// times are open ends), oldest first.
func (cc *contactCentre) queueLog(from, to time.Time) ([]acd.QueueLogEvent, error) {
	// A batch is stored at its first event's time; its later events
	// (timers fired late in the same step) may be a little later.
	const slack = time.Hour
	lo, hi := from, to
	if lo.IsZero() {
		lo = time.Unix(0, 0)
	} else {
		lo = lo.Add(-slack)
	}
	if hi.IsZero() {
		hi = time.Unix(1<<40, 0)
	}
	var out []acd.QueueLogEvent
	err := cc.st.queueLog.Range(lo, hi, func(r storage.Record[queueLogBatch]) bool {
		for _, e := range r.Value.Events {
			if (from.IsZero() || !e.Time.Before(from)) && (to.IsZero() || e.Time.Before(to)) {
				out = append(out, e.acd())
			}
		}
		return true
	})
	return out, err
}
