package webui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// acdPage is what the contact-centre admin pages show.
type acdPage struct {
	Agents    []agentRow    // agents list
	Queues    []Queue       // queues list
	Reasons   []PauseReason // pause reasons page
	New       bool          // the form creates
	Agent     agentForm
	Queue     queueForm
	AllAgents []Agent     // queue form: the possible members
	AllQueues []string    // agent form: the queues it may join
	Members   []memberRow // queue form: one row per agent
	Del       acdDelete   // delete confirmation
	Strategy  []strategyInfo
	Typed     string // pause reasons: the name typed into the add form
}

// agentRow is an agent as the list shows it.
type agentRow struct {
	Agent
	Status string
	Queues []string // member of
}

// agentForm is what the agent form shows: the values typed (never the PIN).
type agentForm struct {
	ID, Name, Type, Extension, External, WrapUp string
	HasPIN                                      bool
	Queues                                      []string // member of
}

// queueForm is the queue as typed; numbers stay text so that a wrong one
// is shown back as typed.
type queueForm struct {
	Queue
	Ints map[string]string // JSON field name → text
}

// memberRow is one agent on the queue form.
type memberRow struct {
	ID, Name string
	Member   bool
	Penalty  string
}

// acdDelete describes the object a delete confirmation is about.
type acdDelete struct{ What, Back, Action string }

// strategyInfo is one queue strategy with its explanation.
type strategyInfo struct{ Name, Help string }

// strategies are the ACD's built-in strategies (acd.BuiltinStrategies),
// explained for the queue form.
var strategies = []strategyInfo{
	{"ring-all", "Ring every free agent of the lowest penalty at once; the first to answer takes the call."},
	{"longest-idle", "The agent idle longest across all queues."},
	{"round-robin", "The next member after the one rung last, in the members' order."},
	{"fewest-calls", "The agent who answered fewest calls of this queue."},
	{"least-talk-time", "The agent with the least talk time in this queue."},
	{"random", "Any free agent, at random."},
	{"linear", "Always the first free member, top down."},
	{"skills-based", "The agent with the best skill score, then the one idle longest."},
}

// queueInts are the queue's whole-number fields as the form names them,
// with their defaults for a new queue.
var queueInts = []struct {
	Field string
	New   int
	get   func(*Queue) *int
}{
	{"ring_timeout", 15, func(q *Queue) *int { return &q.RingTimeout }},
	{"retry_delay", 5, func(q *Queue) *int { return &q.RetryDelay }},
	{"max_wait", 0, func(q *Queue) *int { return &q.MaxWait }},
	{"max_len", 0, func(q *Queue) *int { return &q.MaxLen }},
	{"wrap_up", 10, func(q *Queue) *int { return &q.WrapUp }},
	{"weight", 0, func(q *Queue) *int { return &q.Weight }},
	{"auto_pause_after", 3, func(q *Queue) *int { return &q.AutoPauseAfter }},
	{"service_level", 20, func(q *Queue) *int { return &q.ServiceLevel }},
}

var (
	agentFields  = []string{"id", "name", "type", "extension", "external", "pin", "wrap_up", "skills", "queues"}
	queueFields  = []string{"name", "number", "strategy", "members", "tiers", "timeout_dest", "ring_timeout", "retry_delay", "max_wait", "max_len", "wrap_up", "weight", "auto_pause_after", "service_level"}
	reasonFields = []string{"name"}
)

func (s *Server) acdPageRoutes(mux *http.ServeMux) {
	mux.HandleFunc("/dashboard", s.admin(false, s.handleDashboard))
	mux.HandleFunc("/agents", s.admin(false, s.handleAgents))
	mux.HandleFunc("/agents/new", s.admin(true, s.handleAgentForm))
	mux.HandleFunc("/agents/{id}", s.admin(true, s.handleAgentForm))
	mux.HandleFunc("/agents/{id}/delete", s.admin(true, s.handleDeleteAgent))
	mux.HandleFunc("/queues", s.admin(false, s.handleQueues))
	mux.HandleFunc("/queues/new", s.admin(true, s.handleQueueForm))
	mux.HandleFunc("/queues/{name}", s.admin(true, s.handleQueueForm))
	mux.HandleFunc("/queues/{name}/delete", s.admin(true, s.handleDeleteQueue))
	mux.HandleFunc("/pause-reasons", s.admin(true, s.handlePauseReasons))
}

// membership maps each agent to the queues it is a member of, by name.
func membership(queues []Queue) map[string][]string {
	m := make(map[string][]string)
	for _, q := range queues {
		for _, mb := range q.Members {
			m[mb.Agent] = append(m[mb.Agent], q.Name)
		}
	}
	return m
}

func queueNames(queues []Queue) []string {
	l := make([]string, len(queues))
	for i, q := range queues {
		l[i] = q.Name
	}
	return l
}

func (s *Server) handleAgents(w http.ResponseWriter, r *http.Request, d pageData) {
	ctx := r.Context()
	agents, err := s.acd.ListAgents(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	queues, err := s.acd.ListQueues(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	in := membership(queues)
	d.Title = "Agents"
	for _, a := range agents {
		st, err := s.acd.AgentState(ctx, a.ID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			s.serverError(w, r, err)
			return
		}
		d.ACD.Agents = append(d.ACD.Agents, agentRow{a, st.Status, in[a.ID]})
	}
	s.render(w, r, http.StatusOK, "agents", d)
}

// agentInput reads the agent form; a wrap-up that is not a number is
// refused here, naming the field.
func agentInput(r *http.Request) (AgentInput, agentForm, error) {
	f := agentForm{
		ID: strings.TrimSpace(r.PostFormValue("id")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Type: r.PostFormValue("type"), Extension: strings.TrimSpace(r.PostFormValue("extension")),
		External: strings.TrimSpace(r.PostFormValue("external")), WrapUp: strings.TrimSpace(r.PostFormValue("wrap_up")),
		Queues: r.PostForm["queues"],
	}
	in := AgentInput{ID: f.ID, Name: f.Name, Type: f.Type, PIN: strings.TrimSpace(r.PostFormValue("pin")), ClearPIN: r.PostFormValue("clear_pin") != ""}
	if in.Type == "external" {
		in.External = f.External
	} else {
		in.Extension = f.Extension
	}
	if f.WrapUp != "" {
		n, err := strconv.Atoi(f.WrapUp)
		if err != nil {
			return in, f, &FieldError{"wrap_up", "must be a whole number of seconds, or empty to use each queue's"}
		}
		in.WrapUp = &n
	}
	return in, f, nil
}

func (s *Server) handleAgentForm(w http.ResponseWriter, r *http.Request, d pageData) {
	ctx := r.Context()
	id := r.PathValue("id")
	d.ACD.New = id == ""
	d.Title = "New agent"
	if !d.ACD.New {
		d.Title = "Agent " + id
	}
	queues, err := s.acd.ListQueues(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.ACD.AllQueues = queueNames(queues)
	var old Agent
	if !d.ACD.New {
		if old, err = s.acd.GetAgent(ctx, id); err != nil {
			s.pageError(w, r, d, err)
			return
		}
	}
	if r.Method != http.MethodPost {
		d.ACD.Agent = agentForm{Type: "extension"}
		if !d.ACD.New {
			d.ACD.Agent = agentForm{ID: old.ID, Name: old.Name, Type: old.Type, Extension: old.Extension, External: old.External,
				HasPIN: old.HasPIN, Queues: membership(queues)[old.ID]}
			if old.WrapUp != nil {
				d.ACD.Agent.WrapUp = strconv.Itoa(*old.WrapUp)
			}
		}
		s.render(w, r, http.StatusOK, "agent", d)
		return
	}
	in, f, err := agentInput(r)
	if !d.ACD.New {
		in.ID, f.ID, f.HasPIN = id, id, old.HasPIN
		in.Skills = old.Skills // not on the form: kept
	}
	d.ACD.Agent = f
	if err == nil {
		err = s.saveAgent(ctx, d.ACD.New, id, in, f.Queues, queues)
	}
	s.answerSave(w, r, d, err, "agent", in.ID, agentFields...)
}

// answerSave answers the post of the form page (agent or queue) that
// created or updated the object what: with its list and a notice, or with
// the form again and err next to its field. An update of an object that
// is gone meanwhile gets the not-found page.
func (s *Server) answerSave(w http.ResponseWriter, r *http.Request, d pageData, err error, page, what string, fields ...string) {
	switch {
	case errors.Is(err, ErrNotFound) && !d.ACD.New:
		s.pageError(w, r, d, err)
	case err != nil:
		s.refuse(w, r, d, err, s.renders(page), fields...)
	default:
		seeOther(w, r, doneURL("/"+page+"s", page+cond(d.ACD.New, "-created", "-updated"), what))
	}
}

func cond[T any](c bool, a, b T) T {
	if c {
		return a
	}
	return b
}

// saveAgent creates or updates an agent and makes it a member of exactly
// the queues named in want (penalty 0 where it joins). Either all of it is
// saved or, as far as the backend lets it be undone, nothing: changed
// queues are put back and a created agent is deleted again.
func (s *Server) saveAgent(ctx context.Context, isNew bool, id string, in AgentInput, want []string, queues []Queue) error {
	for _, q := range want {
		if !slices.Contains(queueNames(queues), q) {
			return &FieldError{"queues", fmt.Sprintf("there is no queue %s", q)}
		}
	}
	if isNew {
		if _, err := s.acd.CreateAgent(ctx, in); err != nil {
			return err
		}
	}
	var done []Queue // old versions of the queues changed
	undo := func() {
		for _, q := range done {
			if _, err := s.acd.UpdateQueue(ctx, q.Name, q); err != nil {
				s.log.Error("webui: putting back queue", "queue", q.Name, "err", err)
			}
		}
		if isNew {
			if err := s.acd.DeleteAgent(ctx, in.ID); err != nil {
				s.log.Error("webui: deleting agent again", "agent", in.ID, "err", err)
			}
		}
	}
	for _, q := range queues {
		i := slices.IndexFunc(q.Members, func(m QueueMember) bool { return m.Agent == in.ID })
		joins := slices.Contains(want, q.Name)
		if joins == (i >= 0) {
			continue
		}
		nq := q
		if joins {
			nq.Members = append(slices.Clone(q.Members), QueueMember{Agent: in.ID})
		} else {
			nq.Members = slices.Delete(slices.Clone(q.Members), i, i+1)
		}
		if _, err := s.acd.UpdateQueue(ctx, q.Name, nq); err != nil {
			undo()
			return fmt.Errorf("%w: queues: queue %s refused the change: %v", ErrInvalid, q.Name, err)
		}
		done = append(done, q)
	}
	if !isNew {
		if _, err := s.acd.UpdateAgent(ctx, id, in); err != nil {
			undo()
			return err
		}
	}
	return nil
}

// deletePage serves a delete confirmation: GET shows it, POST calls del
// and goes back to the list with the notice done.
func (s *Server) deletePage(w http.ResponseWriter, r *http.Request, d pageData, what, back, done, key string,
	get func(context.Context, string) error, del func(context.Context, string) error) {
	d.Title = "Delete " + what
	d.ACD.Del = acdDelete{What: what, Back: back, Action: r.URL.Path}
	if err := get(r.Context(), key); err != nil {
		s.pageError(w, r, d, err)
		return
	}
	if r.Method != http.MethodPost {
		s.render(w, r, http.StatusOK, "acd_delete", d)
		return
	}
	if err := del(r.Context(), key); err != nil {
		s.refuse(w, r, d, err, s.renders("acd_delete"))
		return
	}
	seeOther(w, r, doneURL(back, done, key))
}

func (s *Server) handleDeleteAgent(w http.ResponseWriter, r *http.Request, d pageData) {
	id := r.PathValue("id")
	s.deletePage(w, r, d, "agent "+id, "/agents", "agent-deleted", id,
		func(ctx context.Context, id string) error { _, err := s.acd.GetAgent(ctx, id); return err }, s.acd.DeleteAgent)
}

func (s *Server) handleDeleteQueue(w http.ResponseWriter, r *http.Request, d pageData) {
	name := r.PathValue("name")
	s.deletePage(w, r, d, "queue "+name, "/queues", "queue-deleted", name,
		func(ctx context.Context, n string) error { _, err := s.acd.GetQueue(ctx, n); return err }, s.acd.DeleteQueue)
}

func (s *Server) handleQueues(w http.ResponseWriter, r *http.Request, d pageData) {
	queues, err := s.acd.ListQueues(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Title = "Queues"
	d.ACD.Queues = queues
	s.render(w, r, http.StatusOK, "queues", d)
}

// queueFormOf shows q on the form.
func queueFormOf(q Queue) queueForm {
	f := queueForm{Queue: q, Ints: make(map[string]string)}
	for _, x := range queueInts {
		f.Ints[x.Field] = strconv.Itoa(*x.get(&q))
	}
	return f
}

// memberRows lists every agent for the queue form, members first in
// their order.
func memberRows(agents []Agent, members []QueueMember, penalties map[string]string) []memberRow {
	var rows, others []memberRow
	byID := make(map[string]Agent, len(agents))
	for _, a := range agents {
		byID[a.ID] = a
	}
	for _, m := range members {
		rows = append(rows, memberRow{ID: m.Agent, Name: byID[m.Agent].Name, Member: true, Penalty: cmp.Or(penalties[m.Agent], strconv.Itoa(m.Penalty))})
	}
	for _, a := range agents {
		if !slices.ContainsFunc(members, func(m QueueMember) bool { return m.Agent == a.ID }) {
			others = append(others, memberRow{ID: a.ID, Name: a.Name, Penalty: cmp.Or(penalties[a.ID], "0")})
		}
	}
	return append(rows, others...)
}

// queueInput reads the queue form over old (whose tiers it keeps); a
// number that is not one is refused here, naming the field.
func queueInput(r *http.Request, old Queue) (Queue, queueForm, map[string]string, error) {
	q := old
	q.Name = strings.TrimSpace(r.PostFormValue("name"))
	q.Number = strings.TrimSpace(r.PostFormValue("number"))
	q.Strategy = r.PostFormValue("strategy")
	q.TimeoutDest = strings.TrimSpace(r.PostFormValue("timeout_dest"))
	q.JoinWhenEmpty = r.PostFormValue("join_when_empty") != ""
	q.LeaveWhenEmpty = r.PostFormValue("leave_when_empty") != ""
	q.RingInUse = r.PostFormValue("ring_in_use") != ""
	f := queueForm{Ints: make(map[string]string)}
	var bad error
	for _, x := range queueInts {
		v := strings.TrimSpace(r.PostFormValue(x.Field))
		f.Ints[x.Field] = v
		n, err := strconv.Atoi(cmp.Or(v, "0"))
		if err != nil && bad == nil {
			bad = &FieldError{x.Field, "must be a whole number"}
		}
		*x.get(&q) = n
	}
	penalties := make(map[string]string)
	q.Members = nil
	for _, id := range r.PostForm["member"] {
		p := strings.TrimSpace(r.PostFormValue("penalty-" + id))
		penalties[id] = p
		n, err := strconv.Atoi(cmp.Or(p, "0"))
		if (err != nil || n < 0) && bad == nil {
			bad = &FieldError{"members", fmt.Sprintf("the penalty of agent %s must be a whole number, 0 or more", id)}
		}
		q.Members = append(q.Members, QueueMember{Agent: id, Penalty: n})
	}
	f.Queue = q
	return q, f, penalties, bad
}

func (s *Server) handleQueueForm(w http.ResponseWriter, r *http.Request, d pageData) {
	ctx := r.Context()
	name := r.PathValue("name")
	d.ACD.New = name == ""
	d.ACD.Strategy = strategies
	d.Title = cond(d.ACD.New, "New queue", "Queue "+name)
	agents, err := s.acd.ListAgents(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var old Queue
	if !d.ACD.New {
		if old, err = s.acd.GetQueue(ctx, name); err != nil {
			s.pageError(w, r, d, err)
			return
		}
	}
	if r.Method != http.MethodPost {
		if d.ACD.New {
			old = Queue{Strategy: "longest-idle", JoinWhenEmpty: true}
			for _, x := range queueInts {
				*x.get(&old) = x.New
			}
		}
		d.ACD.Queue = queueFormOf(old)
		d.ACD.Members = memberRows(agents, old.Members, nil)
		s.render(w, r, http.StatusOK, "queue", d)
		return
	}
	q, f, penalties, err := queueInput(r, old)
	if !d.ACD.New {
		q.Name, f.Name = name, name
	}
	d.ACD.Queue = f
	d.ACD.Members = memberRows(agents, q.Members, penalties)
	if err == nil {
		if d.ACD.New {
			_, err = s.acd.CreateQueue(ctx, q)
		} else {
			_, err = s.acd.UpdateQueue(ctx, name, q)
		}
	}
	s.answerSave(w, r, d, err, "queue", q.Name, queueFields...)
}

// handlePauseReasons lists the pause reasons and takes a form to add
// (action=add, name), rename (action=rename, old, name) or delete
// (action=delete, old) one.
func (s *Server) handlePauseReasons(w http.ResponseWriter, r *http.Request, d pageData) {
	ctx := r.Context()
	d.Title = "Pause reasons"
	show := func(w http.ResponseWriter, r *http.Request, d pageData, status int) {
		l, err := s.acd.ListPauseReasons(ctx)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		d.ACD.Reasons = l
		s.render(w, r, status, "pause_reasons", d)
	}
	if r.Method != http.MethodPost {
		show(w, r, d, http.StatusOK)
		return
	}
	name, old := strings.TrimSpace(r.PostFormValue("name")), r.PostFormValue("old")
	var err error
	var done string
	switch r.PostFormValue("action") {
	case "add":
		_, err = s.acd.CreatePauseReason(ctx, PauseReason{Name: name})
		done = "reason-created"
	case "rename":
		_, err = s.acd.UpdatePauseReason(ctx, old, PauseReason{Name: name})
		done = "reason-updated"
	case "delete":
		err, name = s.acd.DeletePauseReason(ctx, old), old
		done = "reason-deleted"
	default:
		http.Error(w, "Unknown action.", http.StatusBadRequest)
		return
	}
	if err != nil {
		if r.PostFormValue("action") == "add" {
			d.ACD.Typed = name
			s.refuse(w, r, d, err, show, reasonFields...)
		} else {
			s.refuse(w, r, d, err, show)
		}
		return
	}
	seeOther(w, r, doneURL("/pause-reasons", done, name))
}
