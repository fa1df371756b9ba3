package webuitest

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"deskline/webui"
)

// MemoryACD is a webui.ACDBackend over maps in memory: agents, queues and
// pause reasons are managed through its methods as on the box, and agents'
// live states follow the supervisor actions. Tests change the live picture
// behind the panel's back with SetAgentState and SetQueueStats, as calls
// would on the box. It is safe for concurrent use.
type MemoryACD struct {
	// Now is the clock that stamps state changes; nil means time.Now.
	// Set it before use.
	Now func() time.Time

	mu       sync.Mutex
	agents   map[string]memAgent
	queues   map[string]webui.Queue
	reasons  []webui.PauseReason
	settings webui.ACDSettings
	states   map[string]webui.AgentState // live states, by agent id
	stats    map[string]webui.QueueStats // counters set by the test, by queue
	log      []string
}

type memAgent struct {
	webui.Agent
	pin string
}

// NewMemoryACD returns an empty contact centre.
func NewMemoryACD() *MemoryACD {
	return &MemoryACD{
		agents: make(map[string]memAgent),
		queues: make(map[string]webui.Queue),
		states: make(map[string]webui.AgentState),
		stats:  make(map[string]webui.QueueStats),
	}
}

func (m *MemoryACD) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// Agent statuses, as webui.AgentState.Status reports them.
const (
	StatusLoggedOut = "logged-out"
	StatusAvailable = "available"
	StatusRinging   = "ringing"
	StatusOnCall    = "on-call"
	StatusWrapUp    = "wrap-up"
	StatusPaused    = "paused"
)

func digits(s string) bool {
	return s != "" && len(s) <= MaxNumberLen && strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}

func validName(field, s string, required bool) error {
	if s == "" && required {
		return invalid(field, "is required")
	}
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxNameLen {
		return invalid(field, fmt.Sprintf("must be at most %d characters", MaxNameLen))
	}
	return nil
}

// validateAgent checks in as the box does. m.mu is held.
func (m *MemoryACD) validateAgent(in webui.AgentInput) error {
	if !digits(in.ID) {
		return invalid("id", fmt.Sprintf("must be 1 to %d digits", MaxNumberLen))
	}
	if err := validName("name", in.Name, false); err != nil {
		return err
	}
	switch in.Type {
	case "", "extension":
		if !digits(in.Extension) {
			return invalid("extension", "a desk-phone agent needs the extension that rings")
		}
	case "external":
		if !digits(in.External) {
			return invalid("external", "an external agent needs the number to call")
		}
	default:
		return invalid("type", `want "extension" or "external"`)
	}
	if in.PIN != "" && (!digits(in.PIN) || len(in.PIN) < 4 || len(in.PIN) > 8) {
		return invalid("pin", "must be 4 to 8 digits")
	}
	if in.WrapUp != nil && (*in.WrapUp < 0 || *in.WrapUp > 3600) {
		return invalid("wrap_up", "must be 0 to 3600 seconds")
	}
	for k, v := range in.Skills {
		if v < 0 || v > 100 {
			return invalid("skills", fmt.Sprintf("level of %s must be 0 to 100", k))
		}
	}
	return nil
}

func agentNotFound(id string) error { return fmt.Errorf("agent %s: %w", id, webui.ErrNotFound) }

// ListAgents implements webui.ACDBackend, by id.
func (m *MemoryACD) ListAgents(ctx context.Context) ([]webui.Agent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := make([]webui.Agent, 0, len(m.agents))
	for _, a := range m.agents {
		l = append(l, a.Agent)
	}
	slices.SortFunc(l, func(x, y webui.Agent) int { return cmp.Compare(x.ID, y.ID) })
	return l, nil
}

// GetAgent implements webui.ACDBackend.
func (m *MemoryACD) GetAgent(ctx context.Context, id string) (webui.Agent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.agents[id]
	if !ok {
		return webui.Agent{}, agentNotFound(id)
	}
	return a.Agent, nil
}

func (m *MemoryACD) store(in webui.AgentInput, old memAgent) webui.Agent {
	a := memAgent{Agent: webui.Agent{ID: in.ID, Name: in.Name, Type: cmp.Or(in.Type, "extension"), Skills: maps.Clone(in.Skills), WrapUp: in.WrapUp}, pin: old.pin}
	if a.Type == "extension" {
		a.Extension = in.Extension
	} else {
		a.External = in.External
	}
	switch {
	case in.PIN != "":
		a.pin = in.PIN
	case in.ClearPIN:
		a.pin = ""
	}
	a.HasPIN = a.pin != ""
	m.agents[in.ID] = a
	if _, ok := m.states[in.ID]; !ok {
		m.states[in.ID] = webui.AgentState{ID: in.ID, Status: StatusLoggedOut, Since: m.now()}
	}
	return a.Agent
}

// CreateAgent implements webui.ACDBackend.
func (m *MemoryACD) CreateAgent(ctx context.Context, in webui.AgentInput) (webui.Agent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.validateAgent(in); err != nil {
		return webui.Agent{}, err
	}
	if _, ok := m.agents[in.ID]; ok {
		return webui.Agent{}, fmt.Errorf("%w: id: agent %s already exists", webui.ErrConflict, in.ID)
	}
	return m.store(in, memAgent{}), nil
}

// UpdateAgent implements webui.ACDBackend.
func (m *MemoryACD) UpdateAgent(ctx context.Context, id string, in webui.AgentInput) (webui.Agent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, ok := m.agents[id]
	if !ok {
		return webui.Agent{}, agentNotFound(id)
	}
	in.ID = id
	if err := m.validateAgent(in); err != nil {
		return webui.Agent{}, err
	}
	return m.store(in, old), nil
}

// PIN returns the PIN stored for agent id, so that tests can check what
// the write-only field holds.
func (m *MemoryACD) PIN(id string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.agents[id].pin
}

// DeleteAgent implements webui.ACDBackend; it also takes the agent out of
// every queue.
func (m *MemoryACD) DeleteAgent(ctx context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.agents[id]; !ok {
		return agentNotFound(id)
	}
	switch m.states[id].Status {
	case StatusRinging, StatusOnCall:
		return fmt.Errorf("%w: agent %s is on a call", webui.ErrInvalid, id)
	}
	delete(m.agents, id)
	delete(m.states, id)
	for n, q := range m.queues {
		q.Members = slices.DeleteFunc(slices.Clone(q.Members), func(x webui.QueueMember) bool { return x.Agent == id })
		m.queues[n] = q
	}
	return nil
}

// Strategies are the queue strategies MemoryACD accepts, as the box's.
var Strategies = []string{"fewest-calls", "least-talk-time", "linear", "longest-idle", "random", "ring-all", "round-robin", "skills-based"}

// validateQueue checks q as the box does. m.mu is held.
func (m *MemoryACD) validateQueue(q webui.Queue) error {
	if err := validName("name", q.Name, true); err != nil {
		return err
	}
	if q.Number != "" && !digits(q.Number) {
		return invalid("number", fmt.Sprintf("must be 1 to %d digits or empty", MaxNumberLen))
	}
	if !slices.Contains(Strategies, q.Strategy) {
		return invalid("strategy", fmt.Sprintf("unknown strategy %q (known: %s)", q.Strategy, strings.Join(Strategies, ", ")))
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"ring_timeout", q.RingTimeout}, {"retry_delay", q.RetryDelay}, {"max_wait", q.MaxWait}, {"max_len", q.MaxLen},
		{"wrap_up", q.WrapUp}, {"weight", q.Weight}, {"auto_pause_after", q.AutoPauseAfter}, {"service_level", q.ServiceLevel}} {
		if f.v < 0 {
			return invalid(f.name, "must not be negative")
		}
	}
	for _, mb := range q.Members {
		if _, ok := m.agents[mb.Agent]; !ok {
			return invalid("members", fmt.Sprintf("no agent %s", mb.Agent))
		}
	}
	return nil
}

func queueNotFound(name string) error { return fmt.Errorf("queue %s: %w", name, webui.ErrNotFound) }

// ListQueues implements webui.ACDBackend, by name.
func (m *MemoryACD) ListQueues(ctx context.Context) ([]webui.Queue, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := slices.Collect(maps.Values(m.queues))
	slices.SortFunc(l, func(x, y webui.Queue) int { return cmp.Compare(x.Name, y.Name) })
	return l, nil
}

// GetQueue implements webui.ACDBackend.
func (m *MemoryACD) GetQueue(ctx context.Context, name string) (webui.Queue, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	q, ok := m.queues[name]
	if !ok {
		return webui.Queue{}, queueNotFound(name)
	}
	return q, nil
}

// CreateQueue implements webui.ACDBackend.
func (m *MemoryACD) CreateQueue(ctx context.Context, in webui.Queue) (webui.Queue, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.validateQueue(in); err != nil {
		return webui.Queue{}, err
	}
	if _, ok := m.queues[in.Name]; ok {
		return webui.Queue{}, fmt.Errorf("%w: name: queue %s already exists", webui.ErrConflict, in.Name)
	}
	in.Members, in.Tiers = slices.Clone(in.Members), slices.Clone(in.Tiers)
	m.queues[in.Name] = in
	return in, nil
}

// UpdateQueue implements webui.ACDBackend.
func (m *MemoryACD) UpdateQueue(ctx context.Context, name string, in webui.Queue) (webui.Queue, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.queues[name]; !ok {
		return webui.Queue{}, queueNotFound(name)
	}
	in.Name = name
	if err := m.validateQueue(in); err != nil {
		return webui.Queue{}, err
	}
	in.Members, in.Tiers = slices.Clone(in.Members), slices.Clone(in.Tiers)
	m.queues[name] = in
	return in, nil
}

// DeleteQueue implements webui.ACDBackend.
func (m *MemoryACD) DeleteQueue(ctx context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.queues[name]; !ok {
		return queueNotFound(name)
	}
	if m.stats[name].Waiting > 0 {
		return fmt.Errorf("%w: callers wait in queue %s", webui.ErrInvalid, name)
	}
	delete(m.queues, name)
	delete(m.stats, name)
	return nil
}

func (m *MemoryACD) reasonIndex(name string) int {
	return slices.IndexFunc(m.reasons, func(r webui.PauseReason) bool { return strings.EqualFold(r.Name, name) })
}

func reasonNotFound(name string) error {
	return fmt.Errorf("pause reason %q: %w", name, webui.ErrNotFound)
}

// ListPauseReasons implements webui.ACDBackend, in the order created.
func (m *MemoryACD) ListPauseReasons(ctx context.Context) ([]webui.PauseReason, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.reasons), nil
}

// GetPauseReason implements webui.ACDBackend.
func (m *MemoryACD) GetPauseReason(ctx context.Context, name string) (webui.PauseReason, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := m.reasonIndex(name)
	if i < 0 {
		return webui.PauseReason{}, reasonNotFound(name)
	}
	return m.reasons[i], nil
}

// CreatePauseReason implements webui.ACDBackend.
func (m *MemoryACD) CreatePauseReason(ctx context.Context, in webui.PauseReason) (webui.PauseReason, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	in.Name = strings.TrimSpace(in.Name)
	if err := validName("name", in.Name, true); err != nil {
		return in, err
	}
	if m.reasonIndex(in.Name) >= 0 {
		return in, fmt.Errorf("%w: name: pause reason %q already exists", webui.ErrConflict, in.Name)
	}
	m.reasons = append(m.reasons, in)
	return in, nil
}

// UpdatePauseReason implements webui.ACDBackend: it renames the reason.
func (m *MemoryACD) UpdatePauseReason(ctx context.Context, name string, in webui.PauseReason) (webui.PauseReason, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := m.reasonIndex(name)
	if i < 0 {
		return in, reasonNotFound(name)
	}
	in.Name = strings.TrimSpace(in.Name)
	if err := validName("name", in.Name, true); err != nil {
		return in, err
	}
	if j := m.reasonIndex(in.Name); j >= 0 && j != i {
		return in, fmt.Errorf("%w: name: pause reason %q already exists", webui.ErrConflict, in.Name)
	}
	m.reasons[i] = in
	return in, nil
}

// DeletePauseReason implements webui.ACDBackend.
func (m *MemoryACD) DeletePauseReason(ctx context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := m.reasonIndex(name)
	if i < 0 {
		return reasonNotFound(name)
	}
	m.reasons = slices.Delete(m.reasons, i, i+1)
	return nil
}

// ACDSettings implements webui.ACDBackend.
func (m *MemoryACD) ACDSettings(ctx context.Context) (webui.ACDSettings, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.settings, nil
}

// UpdateACDSettings implements webui.ACDBackend.
func (m *MemoryACD) UpdateACDSettings(ctx context.Context, in webui.ACDSettings) (webui.ACDSettings, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.settings = in
	return in, nil
}

// stateOf is agent id's live state as AgentState shows it. m.mu is held.
func (m *MemoryACD) stateOf(id string, now time.Time) webui.AgentState {
	st := m.states[id]
	st.ID, st.Name = id, m.agents[id].Name
	st.InStatus = max(0, now.Sub(st.Since).Seconds())
	if st.Status == StatusLoggedOut {
		st.Queues = nil
	}
	st.Queues = slices.Clone(st.Queues)
	if st.Queues == nil {
		st.Queues = []string{}
	}
	return st
}

// AgentState implements webui.ACDBackend.
func (m *MemoryACD) AgentState(ctx context.Context, id string) (webui.AgentState, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.agents[id]; !ok {
		return webui.AgentState{}, agentNotFound(id)
	}
	return m.stateOf(id, now), nil
}

// SetAgentState replaces agent st.ID's live state, as a call would change
// it on the box; a zero Since is now.
func (m *MemoryACD) SetAgentState(st webui.AgentState) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if st.Since.IsZero() {
		st.Since = now
	}
	m.states[st.ID] = st
}

// SetQueueStats replaces the counters of queue st.Queue; the agent counts
// (logged in, available, ...) are always computed from the agents' states.
func (m *MemoryACD) SetQueueStats(st webui.QueueStats) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stats[st.Queue] = st
}

// QueueStats implements webui.ACDBackend.
func (m *MemoryACD) QueueStats(ctx context.Context, name string) (webui.QueueStats, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.queues[name]; !ok {
		return webui.QueueStats{}, queueNotFound(name)
	}
	st := m.stats[name]
	st.Queue = name
	st.LoggedIn, st.Available, st.Ringing, st.OnCall, st.WrapUp, st.Paused = 0, 0, 0, 0, 0, 0
	for _, a := range m.states {
		if a.Status == StatusLoggedOut || !slices.Contains(a.Queues, name) {
			continue
		}
		st.LoggedIn++
		switch a.Status {
		case StatusAvailable:
			st.Available++
		case StatusRinging:
			st.Ringing++
		case StatusOnCall:
			st.OnCall++
		case StatusWrapUp:
			st.WrapUp++
		case StatusPaused:
			st.Paused++
		}
	}
	return st, nil
}

// QueueStatsSince implements webui.ACDDailyStats: the counters are the
// ones the test set, whatever since is.
func (m *MemoryACD) QueueStatsSince(ctx context.Context, name string, since time.Time) (webui.QueueStats, error) {
	return m.QueueStats(ctx, name)
}

// act changes agent id's state with f under the lock and returns it.
func (m *MemoryACD) act(id string, f func(st *webui.AgentState, now time.Time) error) (webui.AgentState, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.agents[id]; !ok {
		return webui.AgentState{}, agentNotFound(id)
	}
	st := m.states[id]
	old := st.Status
	if err := f(&st, now); err != nil {
		return webui.AgentState{}, err
	}
	if st.Status != old {
		st.Since = now
	}
	m.states[id] = st
	m.log = append(m.log, fmt.Sprintf("%d|NONE|%s|%s|%s", now.Unix(), strings.Join(st.Queues, ","), id, strings.ToUpper(st.Status)))
	return m.stateOf(id, now), nil
}

// memberOf lists the queues agent id is a member of. m.mu is held.
func (m *MemoryACD) memberOf(id string) []string {
	var l []string
	for n, q := range m.queues {
		if slices.ContainsFunc(q.Members, func(x webui.QueueMember) bool { return x.Agent == id }) {
			l = append(l, n)
		}
	}
	slices.Sort(l)
	return l
}

// LoginAgent implements webui.ACDBackend.
func (m *MemoryACD) LoginAgent(ctx context.Context, id string, in webui.AgentLogin) (webui.AgentState, error) {
	return m.act(id, func(st *webui.AgentState, now time.Time) error {
		qs := m.memberOf(id)
		if len(in.Queues) > 0 {
			for _, q := range in.Queues {
				if !slices.Contains(qs, q) {
					return invalid("queues", fmt.Sprintf("agent %s is not a member of queue %s", id, q))
				}
			}
			qs = in.Queues
		}
		if st.Status != StatusLoggedOut && st.Status != "" {
			st.Queues = append(st.Queues, qs...)
			slices.Sort(st.Queues)
			st.Queues = slices.Compact(st.Queues)
			return nil
		}
		st.Queues = slices.Clone(qs)
		st.Device = cmp.Or(in.Device, m.agents[id].Extension, m.agents[id].External)
		st.Status, st.Reason, st.Forced = StatusAvailable, "", false
		if in.Paused {
			st.Status, st.Reason = StatusPaused, in.Reason
		}
		return nil
	})
}

// LogoutAgent implements webui.ACDBackend.
func (m *MemoryACD) LogoutAgent(ctx context.Context, id string, in webui.AgentLogout) (webui.AgentState, error) {
	return m.act(id, func(st *webui.AgentState, now time.Time) error {
		if st.Status == StatusLoggedOut || st.Status == "" {
			return fmt.Errorf("%w: agent %s is not logged in", webui.ErrInvalid, id)
		}
		if len(in.Queues) > 0 {
			st.Queues = slices.DeleteFunc(slices.Clone(st.Queues), func(q string) bool { return slices.Contains(in.Queues, q) })
		}
		if len(in.Queues) == 0 || len(st.Queues) == 0 {
			*st = webui.AgentState{ID: id, Status: StatusLoggedOut, Queues: []string{}}
		}
		return nil
	})
}

// PauseAgent implements webui.ACDBackend; a pause by anyone (the only
// actors here are supervisors) is forced. A busy agent pauses after the
// call.
func (m *MemoryACD) PauseAgent(ctx context.Context, id string, in webui.AgentPause) (webui.AgentState, error) {
	if in.Reason != "" {
		m.mu.Lock()
		i := m.reasonIndex(in.Reason)
		m.mu.Unlock()
		if i < 0 {
			return webui.AgentState{}, invalid("reason", fmt.Sprintf("no pause reason %q", in.Reason))
		}
	}
	return m.act(id, func(st *webui.AgentState, now time.Time) error {
		switch st.Status {
		case StatusLoggedOut, "":
			return fmt.Errorf("%w: agent %s is not logged in", webui.ErrInvalid, id)
		case StatusRinging, StatusOnCall, StatusWrapUp:
			st.PendingPause, st.Reason = true, in.Reason
		default:
			st.Status, st.Reason, st.Forced = StatusPaused, in.Reason, true
		}
		return nil
	})
}

// UnpauseAgent implements webui.ACDBackend.
func (m *MemoryACD) UnpauseAgent(ctx context.Context, id string) (webui.AgentState, error) {
	return m.act(id, func(st *webui.AgentState, now time.Time) error {
		if st.Status != StatusPaused && !st.PendingPause {
			return fmt.Errorf("%w: agent %s is not paused", webui.ErrInvalid, id)
		}
		if st.Status == StatusPaused {
			st.Status = StatusAvailable
		}
		st.Reason, st.Forced, st.PendingPause = "", false, false
		return nil
	})
}

// EndWrapUp implements webui.ACDBackend.
func (m *MemoryACD) EndWrapUp(ctx context.Context, id string) (webui.AgentState, error) {
	return m.act(id, func(st *webui.AgentState, now time.Time) error {
		if st.Status != StatusWrapUp {
			return fmt.Errorf("%w: agent %s is not in wrap-up", webui.ErrInvalid, id)
		}
		st.Status, st.WrapUpLeft = StatusAvailable, 0
		if st.PendingPause {
			st.Status, st.PendingPause, st.Forced = StatusPaused, false, true
		}
		return nil
	})
}

// QueueLog implements webui.ACDBackend with one line per supervisor
// action, in a simplified queue_log form.
func (m *MemoryACD) QueueLog(ctx context.Context, from, to time.Time) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.log), nil
}

var (
	_ webui.ACDBackend    = (*MemoryACD)(nil)
	_ webui.ACDDailyStats = (*MemoryACD)(nil)
)
