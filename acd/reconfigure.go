package acd

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Reconfigure replaces the configuration while agents and callers carry on:
// statuses, pauses, wrap-up countdowns, waiting callers and their waits,
// statistics, the per-member counts of kept memberships and the memory of a
// queue whose strategy did not change all stay. New settings apply from now:
// offers already ringing keep their timeout, and each waiting caller's
// penalty window is recomputed from its wait. Queues and agents are matched
// by name and ID.
//
// Nothing changes, and the error says why, when cfg is invalid, removes an
// agent who is logged in, removes a queue that has callers, or removes an
// agent from a queue whose caller the agent is ringing for or talking to.
func (e *Engine) Reconfigure(cfg Config) (Output, error) {
	e.begin()
	if err := cfg.validate(e.known); err != nil {
		return e.end(), err
	}
	if err := e.refuseReconfigure(&cfg); err != nil {
		return e.end(), err
	}

	e.reasons = make(map[string]string, len(cfg.PauseReasons))
	for _, r := range cfg.PauseReasons {
		e.reasons[strings.ToLower(r.Name)] = r.Name
	}
	e.auto = DefaultAutoPauseReason
	if cfg.AutoPauseReason != "" {
		e.auto = cfg.AutoPauseReason
	}
	e.fair = cfg.FairAcrossQueues

	kept := make(map[AgentID]*agent, len(cfg.Agents))
	for _, ac := range cfg.Agents {
		ac.Skills = maps.Clone(ac.Skills)
		a := e.agents[ac.ID]
		if a == nil {
			a = &agent{since: e.now}
		}
		a.cfg = ac
		a.members = a.members[:0]
		kept[ac.ID] = a
	}
	e.agents = kept

	old := e.queues
	e.queues = make(map[string]*queue, len(cfg.Queues))
	e.qlist = e.qlist[:0]
	for i, qc := range cfg.Queues {
		q := old[qc.Name]
		if q == nil {
			q = &queue{}
		}
		if q.strat == nil || q.cfg.Strategy != qc.Strategy {
			q.strat = e.factory(qc.Strategy)()
		}
		prev := make(map[AgentID]*member, len(q.members))
		for _, m := range q.members {
			prev[m.a.cfg.ID] = m
		}
		q.cfg, q.index = qc, i
		q.cfg.Members, q.cfg.Tiers = nil, slices.Clone(qc.Tiers)
		q.members = q.members[:0]
		for _, mc := range qc.Members {
			a := e.agents[mc.Agent]
			m := prev[mc.Agent]
			if m == nil || m.a != a {
				m = &member{q: q, a: a}
			}
			m.penalty = mc.Penalty
			q.members = append(q.members, m)
			a.members = append(a.members, m)
		}
		q.free, q.staffed = 0, 0
		for _, m := range q.members {
			if e.isFree(m.a, q) {
				q.free++
			}
			if staffed(m.a.status) {
				q.staffed++
			}
		}
		e.queues[qc.Name] = q
		e.qlist = append(e.qlist, q)
	}
	for _, q := range e.qlist {
		for _, c := range q.waiting {
			c.tier, c.maxPen = 0, 0
			c.tierGen++
			e.widen(c)
		}
	}
	for _, q := range e.qlist {
		e.dispatch(q)
		if q.staffed == 0 && q.cfg.LeaveWhenEmpty && len(q.waiting) > 0 {
			e.empties = append(e.empties, q)
		}
	}
	return e.end(), nil
}

func (e *Engine) refuseReconfigure(cfg *Config) error {
	agents := make(map[AgentID]bool, len(cfg.Agents))
	for _, a := range cfg.Agents {
		agents[a.ID] = true
	}
	for id, a := range e.agents {
		if !agents[id] && a.status != LoggedOut {
			return fmt.Errorf("agent %s: %w: removed while %v", id, ErrRefused, a.status)
		}
	}
	queues := make(map[string]*QueueConfig, len(cfg.Queues))
	for i := range cfg.Queues {
		queues[cfg.Queues[i].Name] = &cfg.Queues[i]
	}
	for _, q := range e.qlist {
		nq := queues[q.cfg.Name]
		if nq == nil {
			if len(q.waiting) > 0 {
				return fmt.Errorf("queue %q: %w: removed with %d callers", q.cfg.Name, ErrRefused, len(q.waiting))
			}
			for _, m := range q.members {
				if m.a.call != nil && m.a.call.q == q {
					return fmt.Errorf("queue %q: %w: removed while agent %s has its caller", q.cfg.Name, ErrRefused, m.a.cfg.ID)
				}
			}
			continue
		}
		for _, m := range q.members {
			a := m.a
			if a.call == nil || a.call.q != q {
				continue
			}
			if !slices.ContainsFunc(nq.Members, func(mc Member) bool { return mc.Agent == a.cfg.ID }) {
				return fmt.Errorf("queue %q: %w: agent %s removed while it has the queue's caller", q.cfg.Name, ErrRefused, a.cfg.ID)
			}
		}
	}
	return nil
}
