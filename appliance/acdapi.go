package appliance

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"deskline/acd"
	"deskline/webui"
)

// acdBackend is the contact centre as the web panel and the API see it
// (webui.ACDBackend). Every change and action is audited.
type acdBackend struct{ a *Appliance }

var _ webui.ACDBackend = acdBackend{}

func (b acdBackend) cc() *contactCentre { return b.a.acd }

// acdErr maps the engine's refusals onto the panel's kinds.
func acdErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, acd.ErrUnknownAgent), errors.Is(err, acd.ErrUnknownQueue):
		return fmt.Errorf("%w: %v", webui.ErrNotFound, strings.TrimPrefix(err.Error(), "acd: "))
	case errors.Is(err, acd.ErrUnknownPauseReason):
		return &webui.FieldError{Field: "reason", Problem: strings.TrimPrefix(err.Error(), "acd: ")}
	case errors.Is(err, acd.ErrRefused), errors.Is(err, acd.ErrInvalidConfig):
		return fmt.Errorf("%w: %v", webui.ErrInvalid, err)
	}
	return err
}

func notFound(kind, name string) error {
	return fmt.Errorf("%w: %s %q", webui.ErrNotFound, kind, name)
}

// ---- agents ----

func (b acdBackend) ListAgents(ctx context.Context) ([]webui.Agent, error) {
	m := b.cc().snapshot()
	out := make([]webui.Agent, 0, len(m.agents))
	for _, k := range slices.Sorted(maps.Keys(m.agents)) {
		out = append(out, agentView(m.agents[k]))
	}
	return out, nil
}

func (b acdBackend) GetAgent(ctx context.Context, id string) (webui.Agent, error) {
	a, ok := b.cc().snapshot().agents[id]
	if !ok {
		return webui.Agent{}, notFound("agent", id)
	}
	return agentView(a), nil
}

// agentFrom fills a stored agent from the API's input and checks it; the
// PIN is hashed here, outside the contact centre's lock.
func agentFrom(in webui.AgentInput, old acdAgent, now time.Time, isExtension func(string) bool) (acdAgent, error) {
	a := old
	a.ID, a.Name, a.Type, a.Extension, a.External = acd.AgentID(in.ID), in.Name, in.Type, in.Extension, in.External
	if a.Type == "" {
		a.Type = agentExtension
	}
	a.Skills = maps.Clone(in.Skills)
	a.WrapUp = nil
	if in.WrapUp != nil {
		d := durationOf(*in.WrapUp)
		a.WrapUp = &d
	}
	switch {
	case in.PIN != "" && in.ClearPIN:
		return a, fieldErr("pin", "give a PIN or clear_pin, not both")
	case in.PIN != "":
		if err := checkPIN(in.PIN); err != nil {
			return a, err
		}
		h, err := webui.HashPassword(in.PIN)
		if err != nil {
			return a, err
		}
		a.PINHash = h
	case in.ClearPIN:
		a.PINHash = ""
	}
	if a.Created.IsZero() {
		a.Created = now
	}
	a.Updated = now
	return a, a.validate(isExtension)
}

func agentDetail(a acdAgent) string {
	d := fmt.Sprintf("name %q; type %s", a.Name, a.Type)
	if a.Extension != "" {
		d += "; extension " + a.Extension
	}
	if a.External != "" {
		d += "; external " + a.External
	}
	return d
}

func (b acdBackend) CreateAgent(ctx context.Context, in webui.AgentInput) (webui.Agent, error) {
	a, err := agentFrom(in, acdAgent{}, b.a.now(), b.cc().isExtension)
	if err != nil {
		return webui.Agent{}, err
	}
	err = b.cc().change(func(m *acdModel) error {
		if _, ok := m.agents[in.ID]; ok {
			return fmt.Errorf("%w: agent %s", webui.ErrConflict, in.ID)
		}
		m.agents[in.ID] = a
		return nil
	})
	if err != nil {
		return webui.Agent{}, err
	}
	b.a.log.Info("agent created", "agent", a.ID, "name", a.Name)
	detail := agentDetail(a)
	if a.PINHash != "" {
		detail += "; PIN set"
	}
	b.a.auditChange(ctx, "agent-created", "agent "+in.ID, detail)
	return agentView(a), nil
}

func (b acdBackend) UpdateAgent(ctx context.Context, id string, in webui.AgentInput) (webui.Agent, error) {
	old, ok := b.cc().snapshot().agents[id]
	if !ok {
		return webui.Agent{}, notFound("agent", id)
	}
	in.ID = id
	a, err := agentFrom(in, old, b.a.now(), b.cc().isExtension)
	if err != nil {
		return webui.Agent{}, err
	}
	err = b.cc().change(func(m *acdModel) error {
		if _, ok := m.agents[id]; !ok {
			return notFound("agent", id)
		}
		m.agents[id] = a
		return nil
	})
	if err != nil {
		return webui.Agent{}, err
	}
	detail := agentDetail(a)
	switch {
	case in.PIN != "":
		detail += "; PIN changed"
	case in.ClearPIN:
		detail += "; PIN removed"
	}
	b.a.auditChange(ctx, "agent-updated", "agent "+id, detail)
	return agentView(a), nil
}

// DeleteAgent refuses while the agent rings for or talks to a caller; a
// logged-in agent is logged out first, and the agent leaves every queue.
func (b acdBackend) DeleteAgent(ctx context.Context, id string) error {
	cc := b.cc()
	err := cc.change(func(m *acdModel) error {
		if _, ok := m.agents[id]; !ok {
			return notFound("agent", id)
		}
		st, _ := cc.eng.Agent(acd.AgentID(id))
		switch st.Status {
		case acd.Ringing, acd.OnCall:
			return fmt.Errorf("%w: agent %s is %s with a caller; delete it after the call", webui.ErrInvalid, id, st.Status)
		case acd.LoggedOut:
		default:
			if err := cc.logoutLocked(acd.AgentID(id), nil); err != nil {
				return acdErr(err)
			}
		}
		delete(m.agents, id)
		for name, q := range m.queues {
			if slices.ContainsFunc(q.Members, func(mem acd.Member) bool { return string(mem.Agent) == id }) {
				q.Members = slices.DeleteFunc(slices.Clone(q.Members), func(mem acd.Member) bool { return string(mem.Agent) == id })
				m.queues[name] = q
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	cc.pinMu.Lock()
	delete(cc.pins, acd.AgentID(id))
	cc.pinMu.Unlock()
	b.a.log.Info("agent deleted", "agent", id)
	b.a.auditChange(ctx, "agent-deleted", "agent "+id, "")
	return nil
}

// ---- queues ----

func (b acdBackend) ListQueues(ctx context.Context) ([]webui.Queue, error) {
	m := b.cc().snapshot()
	out := make([]webui.Queue, 0, len(m.queues))
	for _, k := range slices.Sorted(maps.Keys(m.queues)) {
		out = append(out, queueView(m.queues[k]))
	}
	return out, nil
}

func (b acdBackend) GetQueue(ctx context.Context, name string) (webui.Queue, error) {
	q, ok := b.cc().snapshot().queues[name]
	if !ok {
		return webui.Queue{}, notFound("queue", name)
	}
	return queueView(q), nil
}

func queueDetail(q acd.QueueConfig) string {
	return fmt.Sprintf("number %q; strategy %s; %d members", q.Number, q.Strategy, len(q.Members))
}

func (b acdBackend) CreateQueue(ctx context.Context, in webui.Queue) (webui.Queue, error) {
	q := queueConfig(in)
	err := b.cc().change(func(m *acdModel) error {
		if _, ok := m.queues[q.Name]; ok {
			return fmt.Errorf("%w: queue %q", webui.ErrConflict, q.Name)
		}
		m.queues[q.Name] = q
		return nil
	})
	if err != nil {
		return webui.Queue{}, err
	}
	b.a.log.Info("queue created", "queue", q.Name, "number", q.Number)
	b.a.auditChange(ctx, "queue-created", "queue "+strconv.Quote(q.Name), queueDetail(q))
	return queueView(q), nil
}

func (b acdBackend) UpdateQueue(ctx context.Context, name string, in webui.Queue) (webui.Queue, error) {
	in.Name = name
	q := queueConfig(in)
	err := b.cc().change(func(m *acdModel) error {
		if _, ok := m.queues[name]; !ok {
			return notFound("queue", name)
		}
		m.queues[name] = q
		return nil
	})
	if err != nil {
		return webui.Queue{}, err
	}
	b.a.auditChange(ctx, "queue-updated", "queue "+strconv.Quote(name), queueDetail(q))
	return queueView(q), nil
}

// DeleteQueue refuses while callers wait in the queue.
func (b acdBackend) DeleteQueue(ctx context.Context, name string) error {
	cc := b.cc()
	err := cc.change(func(m *acdModel) error {
		if _, ok := m.queues[name]; !ok {
			return notFound("queue", name)
		}
		if st, ok := cc.eng.QueueStats(name); ok && st.Waiting > 0 {
			return fmt.Errorf("%w: queue %q has %d callers waiting; delete it once they are served", webui.ErrInvalid, name, st.Waiting)
		}
		delete(m.queues, name)
		// Agents logged in to chosen queues forget this one.
		for id, s := range cc.sessions {
			if slices.Contains(s.Queues, name) {
				s.Queues = slices.DeleteFunc(slices.Clone(s.Queues), func(q string) bool { return q == name })
				if len(s.Queues) == 0 {
					s.Queues = []string{}
				}
				cc.saveSession(id, s)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	b.a.log.Info("queue deleted", "queue", name)
	b.a.auditChange(ctx, "queue-deleted", "queue "+strconv.Quote(name), "")
	return nil
}

// ---- pause reasons ----

func (b acdBackend) ListPauseReasons(ctx context.Context) ([]webui.PauseReason, error) {
	m := b.cc().snapshot()
	out := make([]webui.PauseReason, 0, len(m.reasons))
	for _, k := range slices.Sorted(maps.Keys(m.reasons)) {
		out = append(out, webui.PauseReason{Name: m.reasons[k].Name})
	}
	return out, nil
}

func (b acdBackend) GetPauseReason(ctx context.Context, name string) (webui.PauseReason, error) {
	r, ok := b.cc().snapshot().reasons[strings.ToLower(name)]
	if !ok {
		return webui.PauseReason{}, notFound("pause reason", name)
	}
	return webui.PauseReason{Name: r.Name}, nil
}

func (b acdBackend) CreatePauseReason(ctx context.Context, in webui.PauseReason) (webui.PauseReason, error) {
	err := b.cc().change(func(m *acdModel) error {
		k := strings.ToLower(in.Name)
		if r, ok := m.reasons[k]; ok {
			return fmt.Errorf("%w: pause reason %q (names are unique regardless of case)", webui.ErrConflict, r.Name)
		}
		m.reasons[k] = acd.PauseReason{Name: in.Name}
		return nil
	})
	if err != nil {
		return webui.PauseReason{}, err
	}
	b.a.auditChange(ctx, "pause-reason-created", "pause reason "+strconv.Quote(in.Name), "")
	return in, nil
}

// UpdatePauseReason renames a pause reason. Agents paused with the old name
// keep it until they unpause.
func (b acdBackend) UpdatePauseReason(ctx context.Context, name string, in webui.PauseReason) (webui.PauseReason, error) {
	err := b.cc().change(func(m *acdModel) error {
		old := strings.ToLower(name)
		if _, ok := m.reasons[old]; !ok {
			return notFound("pause reason", name)
		}
		k := strings.ToLower(in.Name)
		if r, ok := m.reasons[k]; ok && k != old {
			return fmt.Errorf("%w: pause reason %q (names are unique regardless of case)", webui.ErrConflict, r.Name)
		}
		delete(m.reasons, old)
		m.reasons[k] = acd.PauseReason{Name: in.Name}
		return nil
	})
	if err != nil {
		return webui.PauseReason{}, err
	}
	b.a.auditChange(ctx, "pause-reason-updated", "pause reason "+strconv.Quote(name), "name "+strconv.Quote(in.Name))
	return in, nil
}

func (b acdBackend) DeletePauseReason(ctx context.Context, name string) error {
	err := b.cc().change(func(m *acdModel) error {
		k := strings.ToLower(name)
		if _, ok := m.reasons[k]; !ok {
			return notFound("pause reason", name)
		}
		delete(m.reasons, k)
		return nil
	})
	if err != nil {
		return err
	}
	b.a.auditChange(ctx, "pause-reason-deleted", "pause reason "+strconv.Quote(name), "")
	return nil
}

// ---- settings ----

func (b acdBackend) ACDSettings(ctx context.Context) (webui.ACDSettings, error) {
	s := b.cc().snapshot().settings
	return webui.ACDSettings{FairAcrossQueues: s.FairAcrossQueues, AutoPauseReason: s.AutoPauseReason}, nil
}

func (b acdBackend) UpdateACDSettings(ctx context.Context, in webui.ACDSettings) (webui.ACDSettings, error) {
	err := b.cc().change(func(m *acdModel) error {
		m.settings = acdSettings{FairAcrossQueues: in.FairAcrossQueues, AutoPauseReason: in.AutoPauseReason}
		return nil
	})
	if err != nil {
		return webui.ACDSettings{}, err
	}
	b.a.auditChange(ctx, "acd-settings-updated", "contact centre",
		fmt.Sprintf("fair_across_queues %v; auto_pause_reason %q", in.FairAcrossQueues, in.AutoPauseReason))
	return in, nil
}

// ---- live state and supervisor actions ----

func (b acdBackend) AgentState(ctx context.Context, id string) (webui.AgentState, error) {
	st, forced, locked, ok := b.cc().agentState(acd.AgentID(id))
	if !ok {
		return webui.AgentState{}, notFound("agent", id)
	}
	return agentStateView(st, forced, locked), nil
}

func (b acdBackend) QueueStats(ctx context.Context, name string) (webui.QueueStats, error) {
	st, ok := b.cc().queueStats(name)
	if !ok {
		return webui.QueueStats{}, notFound("queue", name)
	}
	return queueStatsView(st), nil
}

// act runs a supervisor action, audits it and returns the agent's state.
func (b acdBackend) act(ctx context.Context, id, action, detail string, fn func(cc *contactCentre) error) (webui.AgentState, error) {
	if err := fn(b.cc()); err != nil {
		return webui.AgentState{}, acdErr(err)
	}
	b.a.auditChange(ctx, action, "agent "+id, detail)
	return b.AgentState(ctx, id)
}

// forcedBy says whether an action by the request's user is forced on the
// agent: done by someone else than the agent (whose user name would be its
// number).
func forcedBy(ctx context.Context, id string) bool {
	user, _ := webui.ActorFrom(ctx)
	return user != id
}

func (b acdBackend) LoginAgent(ctx context.Context, id string, in webui.AgentLogin) (webui.AgentState, error) {
	detail := "queues " + queuesDetail(in.Queues)
	if in.Paused {
		detail += fmt.Sprintf("; paused, reason %q", in.Reason)
	}
	if in.Device != "" {
		detail += "; device " + in.Device
	}
	return b.act(ctx, id, "agent-login", detail, func(cc *contactCentre) error {
		return cc.login(acd.AgentID(id), in.Queues, in.Device, in.Paused, in.Reason, forcedBy(ctx, id))
	})
}

func queuesDetail(qs []string) string {
	if len(qs) == 0 {
		return "all"
	}
	return strings.Join(qs, ", ")
}

func (b acdBackend) LogoutAgent(ctx context.Context, id string, in webui.AgentLogout) (webui.AgentState, error) {
	return b.act(ctx, id, "agent-logout", "queues "+queuesDetail(in.Queues), func(cc *contactCentre) error {
		return cc.logout(acd.AgentID(id), in.Queues)
	})
}

func (b acdBackend) PauseAgent(ctx context.Context, id string, in webui.AgentPause) (webui.AgentState, error) {
	forced := forcedBy(ctx, id)
	detail := fmt.Sprintf("reason %q", in.Reason)
	if forced {
		detail += "; forced"
	}
	return b.act(ctx, id, "agent-paused", detail, func(cc *contactCentre) error {
		return cc.pause(acd.AgentID(id), in.Reason, forced)
	})
}

func (b acdBackend) UnpauseAgent(ctx context.Context, id string) (webui.AgentState, error) {
	return b.act(ctx, id, "agent-unpaused", "", func(cc *contactCentre) error { return cc.unpause(acd.AgentID(id)) })
}

func (b acdBackend) EndWrapUp(ctx context.Context, id string) (webui.AgentState, error) {
	return b.act(ctx, id, "agent-wrap-up-ended", "", func(cc *contactCentre) error { return cc.endWrapUp(acd.AgentID(id)) })
}

// QueueLog formats the stored events as Asterisk's queue_log lines.
func (b acdBackend) QueueLog(ctx context.Context, from, to time.Time) ([]string, error) {
	evs, err := b.cc().queueLog(from, to)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Line()
	}
	return out, nil
}
