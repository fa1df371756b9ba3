package webui

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Agent is a contact-centre agent as the API shows it. The PIN is
// write-only: HasPIN says whether one is set.
type Agent struct {
	ID        string         `json:"id"` // the agent's personal number, digits
	Name      string         `json:"name"`
	Type      string         `json:"type"`                // "extension" (a desk phone) or "external" (a number through a trunk)
	Extension string         `json:"extension,omitempty"` // the extension that rings for a desk-phone agent
	External  string         `json:"external,omitempty"`  // the number of an external agent
	Skills    map[string]int `json:"skills,omitempty"`    // skill name → level 0..100
	WrapUp    *int           `json:"wrap_up,omitempty"`   // seconds; overrides each queue's wrap-up when set
	HasPIN    bool           `json:"has_pin"`
}

// AgentInput creates or replaces an agent. On update the id comes from the
// path, an empty PIN keeps the old one and ClearPIN removes it.
type AgentInput struct {
	ID        string         `json:"id"`
	Name      string         `json:"name"`
	Type      string         `json:"type"` // "extension" (default) or "external"
	Extension string         `json:"extension"`
	External  string         `json:"external"`
	Skills    map[string]int `json:"skills"`
	WrapUp    *int           `json:"wrap_up"`
	PIN       string         `json:"pin"`
	ClearPIN  bool           `json:"clear_pin"`
}

// QueueMember puts an agent in a queue; lower penalties are offered first.
type QueueMember struct {
	Agent   string `json:"agent"`
	Penalty int    `json:"penalty"`
}

// QueueTier lets a caller who waited After seconds be offered members of
// penalty up to MaxPenalty.
type QueueTier struct {
	After      int `json:"after"`
	MaxPenalty int `json:"max_penalty"`
}

// Queue is a contact-centre queue, as the API shows and takes it. Times
// are whole seconds; zero takes the documented default (ring timeout 15 s,
// service level 20 s, no retry delay, no maximum wait, no wrap-up).
type Queue struct {
	Name           string        `json:"name"`
	Number         string        `json:"number"` // dialled to reach the queue; may be empty
	Strategy       string        `json:"strategy"`
	Members        []QueueMember `json:"members"`
	Tiers          []QueueTier   `json:"tiers"`
	RingTimeout    int           `json:"ring_timeout"`
	RetryDelay     int           `json:"retry_delay"`
	MaxWait        int           `json:"max_wait"`
	TimeoutDest    string        `json:"timeout_dest"`
	MaxLen         int           `json:"max_len"`
	JoinWhenEmpty  bool          `json:"join_when_empty"`
	LeaveWhenEmpty bool          `json:"leave_when_empty"`
	WrapUp         int           `json:"wrap_up"`
	Weight         int           `json:"weight"`
	AutoPauseAfter int           `json:"auto_pause_after"`
	ServiceLevel   int           `json:"service_level"`
	RingInUse      bool          `json:"ring_in_use"`
}

// PauseReason is an admin-defined reason for a pause; names are unique
// regardless of case.
type PauseReason struct {
	Name string `json:"name"`
}

// ACDSettings are the contact centre's settings that are not about one
// agent or queue.
type ACDSettings struct {
	// FairAcrossQueues serves, among an agent's queues of equal weight,
	// the caller who waited longest first.
	FairAcrossQueues bool `json:"fair_across_queues"`
	// AutoPauseReason is recorded when a queue pauses an agent after
	// unanswered offers; empty means "no answer".
	AutoPauseReason string `json:"auto_pause_reason"`
}

// AgentState is an agent's live state. Durations are seconds.
type AgentState struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Status       string    `json:"status"` // logged-out, available, ringing, on-call, wrap-up, paused
	Since        time.Time `json:"since"`
	InStatus     float64   `json:"in_status"`
	Reason       string    `json:"reason,omitempty"` // of the pause, or of the pause pending after the call
	PendingPause bool      `json:"pending_pause"`
	Forced       bool      `json:"forced"` // the pause was set by someone else (a supervisor)
	WrapUpLeft   float64   `json:"wrap_up_left"`
	Busy         bool      `json:"busy"`
	Device       string    `json:"device,omitempty"`
	Call         string    `json:"call,omitempty"`
	Queues       []string  `json:"queues"`
	// PINLockedUntil is set while the agent number is locked after too
	// many wrong PINs.
	PINLockedUntil *time.Time `json:"pin_locked_until,omitempty"`
}

// QueueStats is a live picture of a queue. Durations are seconds; counters
// run from the box's start.
type QueueStats struct {
	Queue         string  `json:"queue"`
	Waiting       int     `json:"waiting"`
	LongestWait   float64 `json:"longest_wait"`
	LoggedIn      int     `json:"logged_in"`
	Available     int     `json:"available"`
	Ringing       int     `json:"ringing"`
	OnCall        int     `json:"on_call"`
	WrapUp        int     `json:"wrap_up"`
	Paused        int     `json:"paused"`
	Offered       int     `json:"offered"`
	Handled       int     `json:"handled"`
	Abandoned     int     `json:"abandoned"`
	TimedOut      int     `json:"timed_out"`
	ExitedEmpty   int     `json:"exited_empty"`
	ExitedWithKey int     `json:"exited_with_key"`
	Rejected      int     `json:"rejected"`
	AvgWait       float64 `json:"avg_wait"`
	AvgHandle     float64 `json:"avg_handle"`
	ServiceLevel  float64 `json:"service_level"` // percent
}

// AgentLogin logs an agent in: to Queues (empty means every queue the
// agent is a member of), optionally already paused with Reason. Device is
// where the agent is rung; empty means the agent's own extension.
type AgentLogin struct {
	Queues []string `json:"queues"`
	Paused bool     `json:"paused"`
	Reason string   `json:"reason"`
	Device string   `json:"device"`
}

// AgentLogout logs an agent out of Queues; empty means all of them.
type AgentLogout struct {
	Queues []string `json:"queues"`
}

// AgentPause pauses an agent with a reason (one of the pause reasons, or
// empty).
type AgentPause struct {
	Reason string `json:"reason"`
}

// ACDBackend configures the contact centre and acts on its agents. It is
// optional: without it the endpoints below, the dashboard and the
// contact-centre pages do not exist. Methods are called concurrently from
// request handlers and, while a live event stream is open, ListAgents,
// AgentState, ListQueues, QueueStats and ListPauseReasons every 500 ms
// from one poller; they should answer from memory. They record every
// change in the audit log with the actor from ActorFrom. Errors wrap
// ErrNotFound, ErrConflict or ErrInvalid (a *FieldError naming the field
// where one is at fault).
//
//	GET/POST /api/v1/agents, GET/PUT/DELETE /api/v1/agents/{id}
//	GET /api/v1/agents/{id}/state
//	POST /api/v1/agents/{id}/login|logout|pause|unpause|end-wrap-up
//	GET/POST /api/v1/queues, GET/PUT/DELETE /api/v1/queues/{name}
//	GET /api/v1/queues/{name}/stats
//	GET/POST /api/v1/pause-reasons, GET/PUT/DELETE /api/v1/pause-reasons/{name}
//	GET/PUT /api/v1/acd-settings
//	GET /api/v1/queue-log?from=&to=
//	GET /api/v1/events (Server-Sent Events: LiveSnapshot)
type ACDBackend interface {
	ListAgents(ctx context.Context) ([]Agent, error)
	GetAgent(ctx context.Context, id string) (Agent, error)
	CreateAgent(ctx context.Context, in AgentInput) (Agent, error)
	UpdateAgent(ctx context.Context, id string, in AgentInput) (Agent, error)
	// DeleteAgent is refused (ErrInvalid) while the agent rings for or
	// talks to a caller; a logged-in agent is logged out first.
	DeleteAgent(ctx context.Context, id string) error

	ListQueues(ctx context.Context) ([]Queue, error)
	GetQueue(ctx context.Context, name string) (Queue, error)
	CreateQueue(ctx context.Context, in Queue) (Queue, error)
	UpdateQueue(ctx context.Context, name string, in Queue) (Queue, error)
	// DeleteQueue is refused (ErrInvalid) while callers wait in it.
	DeleteQueue(ctx context.Context, name string) error

	ListPauseReasons(ctx context.Context) ([]PauseReason, error)
	GetPauseReason(ctx context.Context, name string) (PauseReason, error)
	CreatePauseReason(ctx context.Context, in PauseReason) (PauseReason, error)
	UpdatePauseReason(ctx context.Context, name string, in PauseReason) (PauseReason, error)
	DeletePauseReason(ctx context.Context, name string) error

	ACDSettings(ctx context.Context) (ACDSettings, error)
	UpdateACDSettings(ctx context.Context, in ACDSettings) (ACDSettings, error)

	AgentState(ctx context.Context, id string) (AgentState, error)
	QueueStats(ctx context.Context, name string) (QueueStats, error)

	// Supervisor actions, each returning the agent's state after it.
	// A pause by someone other than the agent is marked forced.
	LoginAgent(ctx context.Context, id string, in AgentLogin) (AgentState, error)
	LogoutAgent(ctx context.Context, id string, in AgentLogout) (AgentState, error)
	PauseAgent(ctx context.Context, id string, in AgentPause) (AgentState, error)
	UnpauseAgent(ctx context.Context, id string) (AgentState, error)
	EndWrapUp(ctx context.Context, id string) (AgentState, error)

	// QueueLog returns the queue log events with from <= time < to (zero
	// times are open ends), oldest first, each formatted as one Asterisk
	// queue_log line without its newline.
	QueueLog(ctx context.Context, from, to time.Time) ([]string, error)
}

func (s *Server) acdRoutes(mux *http.ServeMux) {
	a := s.acd
	acdCRUD(s, mux, "/api/v1/agents", "id", a.ListAgents, a.GetAgent, a.CreateAgent, func(v Agent) string { return v.ID },
		a.UpdateAgent, func(in *AgentInput) *string { return &in.ID }, a.DeleteAgent)
	acdCRUD(s, mux, "/api/v1/queues", "name", a.ListQueues, a.GetQueue, a.CreateQueue, func(v Queue) string { return v.Name },
		a.UpdateQueue, func(in *Queue) *string { return &in.Name }, a.DeleteQueue)
	// A pause reason is renamed by PUT: the body's name is the new one.
	acdCRUD(s, mux, "/api/v1/pause-reasons", "name", a.ListPauseReasons, a.GetPauseReason, a.CreatePauseReason,
		func(v PauseReason) string { return v.Name }, a.UpdatePauseReason, nil, a.DeletePauseReason)

	mux.Handle("/api/v1/agents/{id}/state", methods{http.MethodGet: acdGet(s, "id", a.AgentState)})
	mux.Handle("/api/v1/agents/{id}/login", methods{http.MethodPost: agentAction(s, a.LoginAgent)})
	mux.Handle("/api/v1/agents/{id}/logout", methods{http.MethodPost: agentAction(s, a.LogoutAgent)})
	mux.Handle("/api/v1/agents/{id}/pause", methods{http.MethodPost: agentAction(s, a.PauseAgent)})
	mux.Handle("/api/v1/agents/{id}/unpause", methods{http.MethodPost: agentAction(s, noBody(a.UnpauseAgent))})
	mux.Handle("/api/v1/agents/{id}/end-wrap-up", methods{http.MethodPost: agentAction(s, noBody(a.EndWrapUp))})
	mux.Handle("/api/v1/queues/{name}/stats", methods{http.MethodGet: acdGet(s, "name", a.QueueStats)})

	mux.Handle("/api/v1/acd-settings", methods{
		http.MethodGet: acdGet(s, "", func(ctx context.Context, _ string) (ACDSettings, error) { return a.ACDSettings(ctx) }),
		http.MethodPut: acdUpdate(s, "", "", nil, func(ctx context.Context, _ string, in ACDSettings) (ACDSettings, error) {
			return a.UpdateACDSettings(ctx, in)
		}),
	})
	mux.Handle("/api/v1/queue-log", methods{http.MethodGet: s.apiQueueLog})
	mux.Handle("/api/v1/events", methods{http.MethodGet: s.apiEvents})
}

// acdCRUD serves a kind of object: GET (list) and POST (create) on base,
// GET, PUT and DELETE on base/{key}. bodyKey, when not nil, is the field
// of the input that names the object and must match the path.
func acdCRUD[I, O any](s *Server, mux *http.ServeMux, base, key string,
	list func(context.Context) ([]O, error), get func(context.Context, string) (O, error),
	create func(context.Context, I) (O, error), name func(O) string,
	update func(context.Context, string, I) (O, error), bodyKey func(*I) *string,
	del func(context.Context, string) error) {
	mux.Handle(base, methods{
		http.MethodGet: func(w http.ResponseWriter, r *http.Request) {
			l, err := list(r.Context())
			if err != nil {
				s.backendError(w, r, err)
				return
			}
			writeJSON(w, http.StatusOK, orEmpty(l))
		},
		http.MethodPost: acdCreate(s, base, create, name),
	})
	mux.Handle(base+"/{"+key+"}", methods{
		http.MethodGet: acdGet(s, key, get),
		http.MethodPut: acdUpdate(s, key, key, bodyKey, update),
		http.MethodDelete: func(w http.ResponseWriter, r *http.Request) {
			if err := del(r.Context(), r.PathValue(key)); err != nil {
				s.backendError(w, r, err)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		},
	})
}

// acdGet answers with what get returns for the path's key.
func acdGet[O any](s *Server, key string, get func(context.Context, string) (O, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := get(r.Context(), r.PathValue(key))
		if err != nil {
			s.backendError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	}
}

// acdCreate decodes an I, creates it and answers 201 with the created O
// and its location under base, named by name.
func acdCreate[I, O any](s *Server, base string, create func(context.Context, I) (O, error), name func(O) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in I
		if !decodeJSON(w, r, &in) {
			return
		}
		v, err := create(r.Context(), in)
		if err != nil {
			s.backendError(w, r, err)
			return
		}
		w.Header().Set("Location", base+"/"+url.PathEscape(name(v)))
		writeJSON(w, http.StatusCreated, v)
	}
}

// acdUpdate decodes an I and replaces the object named by the path's key;
// the body's own name (bodyKey, unless nil) must be empty or match the
// path.
func acdUpdate[I, O any](s *Server, key, field string, bodyKey func(*I) *string, update func(context.Context, string, I) (O, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		k := r.PathValue(key)
		var in I
		if !decodeJSON(w, r, &in) {
			return
		}
		if bodyKey != nil {
			switch bk := bodyKey(&in); *bk {
			case "":
				*bk = k
			case k:
			default:
				writeError(w, http.StatusUnprocessableEntity, (&FieldError{field, "must match the path or be left out"}).Error())
				return
			}
		}
		v, err := update(r.Context(), k, in)
		if err != nil {
			s.backendError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	}
}

// agentAction runs a supervisor action whose body (JSON, optional: an
// empty body is the zero I) is an I, and answers with the agent's state.
func agentAction[I any](s *Server, act func(context.Context, string, I) (AgentState, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in I
		if r.ContentLength != 0 && !decodeJSON(w, r, &in) {
			return
		}
		st, err := act(r.Context(), r.PathValue("id"), in)
		if err != nil {
			s.backendError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, st)
	}
}

// noBody adapts an action that takes no input to agentAction.
func noBody(act func(context.Context, string) (AgentState, error)) func(context.Context, string, struct{}) (AgentState, error) {
	return func(ctx context.Context, id string, _ struct{}) (AgentState, error) { return act(ctx, id) }
}

// apiQueueLog serves the queue log as Asterisk writes queue_log: one
// pipe-separated line per event, for reporting tools that read that file.
// from and to are RFC 3339 times or Unix seconds.
func (s *Server) apiQueueLog(w http.ResponseWriter, r *http.Request) {
	var from, to time.Time
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &from}, {"to", &to}} {
		v := r.URL.Query().Get(p.name)
		if v == "" {
			continue
		}
		t, err := parseLogTime(v)
		if err != nil {
			writeError(w, http.StatusBadRequest, p.name+": want an RFC 3339 time such as 2025-01-31T08:00:00Z or Unix seconds, got "+strconv.Quote(v))
			return
		}
		*p.t = t
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		writeError(w, http.StatusBadRequest, "from: must be before to")
		return
	}
	lines, err := s.acd.QueueLog(r.Context(), from, to)
	if err != nil {
		s.backendError(w, r, err)
		return
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte(b.String()))
}

func parseLogTime(v string) (time.Time, error) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 && n < 1<<40 {
		return time.Unix(n, 0), nil
	}
	return time.Parse(time.RFC3339, v)
}
