package appliance

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"deskline/acd"
	"deskline/appliance/dialplan"
	"deskline/storage"
	"deskline/webui"
)

// The contact centre's configuration as stored: one collection per kind,
// JSON values keyed by agent id, queue name, lower-cased pause reason and
// "current" for the settings. Agent states (logged in, paused) have their
// own collection so that they survive a restart; the queue log and the
// closed pause intervals are append-only logs.
const (
	acdAgentsName   = "acd_agents"
	acdQueuesName   = "acd_queues"
	acdReasonsName  = "acd_pause_reasons"
	acdSettingsName = "acd_settings"
	acdSessionsName = "acd_agent_states"
	queueLogName    = "queue_log"
	acdPausesName   = "acd_pauses"
)

// Agent types.
const (
	agentExtension = "extension" // a desk phone: the agent's extension rings
	agentExternal  = "external"  // a number reached through a trunk (calls to it come later)
)

// acdAgent is an agent as stored: acd.AgentConfig without the PIN, which is
// kept only as an Argon2id hash (the engine gets PIN "": appliance checks
// PINs itself), and with how the agent is reached.
type acdAgent struct {
	ID        acd.AgentID    `json:"id"`
	Name      string         `json:"name"`
	Type      string         `json:"type"`
	Extension string         `json:"extension,omitempty"`
	External  string         `json:"external,omitempty"`
	PINHash   string         `json:"pin_hash,omitempty"`
	Skills    map[string]int `json:"skills,omitempty"`
	WrapUp    *time.Duration `json:"wrap_up,omitempty"`
	Created   time.Time      `json:"created"`
	Updated   time.Time      `json:"updated"`
}

func (a *acdAgent) config() acd.AgentConfig {
	return acd.AgentConfig{ID: a.ID, Name: a.Name, Skills: a.Skills, WrapUp: a.WrapUp}
}

// acdSettings are the settings of acd.Config that belong to no agent or
// queue.
type acdSettings struct {
	FairAcrossQueues bool   `json:"fair_across_queues"`
	AutoPauseReason  string `json:"auto_pause_reason,omitempty"`
}

// agentSession is what of an agent's live state survives a restart.
type agentSession struct {
	LoggedIn bool   `json:"logged_in"`
	Device   string `json:"device,omitempty"`
	// Queues the agent logged in to; nil means the queues it is a
	// configured member of.
	Queues []string `json:"queues,omitempty"`
	Paused bool     `json:"paused,omitempty"` // paused, or a pause pending after the call
	Reason string   `json:"reason,omitempty"`
	Forced bool     `json:"forced,omitempty"` // paused by someone else
}

// queueLogBatch is the queue log events of one engine step, stored as one
// record so that one commit (and its fsyncs) serves them all and their
// order is kept.
type queueLogBatch struct {
	Events []queueLogEvent `json:"events"`
}

type queueLogEvent struct {
	Time   time.Time `json:"time"`
	CallID string    `json:"call_id"`
	Queue  string    `json:"queue"`
	Agent  string    `json:"agent"`
	Event  string    `json:"event"`
	Data   []string  `json:"data,omitempty"`
}

func (e queueLogEvent) acd() acd.QueueLogEvent {
	return acd.QueueLogEvent{Time: e.Time, CallID: e.CallID, Queue: e.Queue, Agent: e.Agent, Event: e.Event, Data: e.Data}
}

// pauseRecord is one closed pause interval.
type pauseRecord struct {
	Agent  acd.AgentID `json:"agent"`
	Reason string      `json:"reason"`
	Start  time.Time   `json:"start"`
	End    time.Time   `json:"end"`
	Forced bool        `json:"forced,omitempty"`
}

// acdStores are the contact centre's collections and logs.
type acdStores struct {
	db       *storage.DB
	agents   *storage.Collection[acdAgent]
	queues   *storage.Collection[acd.QueueConfig]
	reasons  *storage.Collection[acd.PauseReason]
	settings *storage.Collection[acdSettings]
	sessions *storage.Collection[agentSession]
	queueLog *storage.Log[queueLogBatch]
	pauses   *storage.Log[pauseRecord]
}

func openACDStores(db *storage.DB) (s acdStores, err error) {
	s.db = db
	if s.agents, err = storage.NewCollection[acdAgent](db, acdAgentsName); err != nil {
		return s, err
	}
	if s.queues, err = storage.NewCollection[acd.QueueConfig](db, acdQueuesName); err != nil {
		return s, err
	}
	if s.reasons, err = storage.NewCollection[acd.PauseReason](db, acdReasonsName); err != nil {
		return s, err
	}
	if s.settings, err = storage.NewCollection[acdSettings](db, acdSettingsName); err != nil {
		return s, err
	}
	if s.sessions, err = storage.NewCollection[agentSession](db, acdSessionsName); err != nil {
		return s, err
	}
	if s.queueLog, err = storage.NewLog[queueLogBatch](db, queueLogName); err != nil {
		return s, err
	}
	s.pauses, err = storage.NewLog[pauseRecord](db, acdPausesName)
	return s, err
}

// acdModel is the whole stored configuration in memory. Saves change a
// clone, validate it whole, and write the keys that differ.
type acdModel struct {
	agents   map[string]acdAgent
	queues   map[string]acd.QueueConfig
	reasons  map[string]acd.PauseReason // by lower-cased name
	settings acdSettings
}

func (s acdStores) load() (acdModel, error) {
	m := acdModel{agents: map[string]acdAgent{}, queues: map[string]acd.QueueConfig{}, reasons: map[string]acd.PauseReason{}}
	agents, err := s.agents.List()
	if err != nil {
		return m, err
	}
	for _, a := range agents {
		m.agents[string(a.ID)] = a
	}
	queues, err := s.queues.List()
	if err != nil {
		return m, err
	}
	for _, q := range queues {
		m.queues[q.Name] = q
	}
	reasons, err := s.reasons.List()
	if err != nil {
		return m, err
	}
	for _, r := range reasons {
		m.reasons[strings.ToLower(r.Name)] = r
	}
	m.settings, err = s.settings.Get("current")
	if errors.Is(err, storage.ErrNotFound) {
		err = nil
	}
	return m, err
}

func (m acdModel) clone() acdModel {
	return acdModel{agents: maps.Clone(m.agents), queues: maps.Clone(m.queues), reasons: maps.Clone(m.reasons), settings: m.settings}
}

// config is the engine's configuration: agents by id, queues by name
// (equal-weight queues are served in that order unless FairAcrossQueues),
// pause reasons by name.
func (m acdModel) config() acd.Config {
	var c acd.Config
	for _, k := range slices.Sorted(maps.Keys(m.agents)) {
		a := m.agents[k]
		c.Agents = append(c.Agents, a.config())
	}
	for _, k := range slices.Sorted(maps.Keys(m.queues)) {
		c.Queues = append(c.Queues, m.queues[k])
	}
	for _, k := range slices.Sorted(maps.Keys(m.reasons)) {
		c.PauseReasons = append(c.PauseReasons, m.reasons[k])
	}
	c.FairAcrossQueues, c.AutoPauseReason = m.settings.FairAcrossQueues, m.settings.AutoPauseReason
	return c
}

// save writes what differs between old and m in one transaction.
func (s acdStores) save(old, m acdModel) error {
	return s.db.Update(func(tx *storage.Tx) error {
		if err := saveDiff(s.agents.In(tx), old.agents, m.agents); err != nil {
			return err
		}
		if err := saveDiff(s.queues.In(tx), old.queues, m.queues); err != nil {
			return err
		}
		if err := saveDiff(s.reasons.In(tx), old.reasons, m.reasons); err != nil {
			return err
		}
		if old.settings != m.settings {
			return s.settings.In(tx).Put("current", m.settings)
		}
		return nil
	})
}

func saveDiff[T any](c *storage.TxCollection[T], old, now map[string]T) error {
	for k, v := range now {
		if o, ok := old[k]; !ok || !reflect.DeepEqual(o, v) {
			if err := c.Put(k, v); err != nil {
				return err
			}
		}
	}
	for k := range old {
		if _, ok := now[k]; !ok {
			if err := c.Delete(k); err != nil {
				return err
			}
		}
	}
	return nil
}

// ---- validation ----

func fieldErr(field, format string, a ...any) error {
	return &webui.FieldError{Field: field, Problem: fmt.Sprintf(format, a...)}
}

// configFieldErr turns the engine's validation error into a FieldError
// naming the same field.
func configFieldErr(err error) error {
	var ce *acd.ConfigError
	if errors.As(err, &ce) {
		p := ce.Msg
		if ce.Object != "" {
			p += " (" + ce.Object + ")"
		}
		return &webui.FieldError{Field: ce.Field, Problem: p}
	}
	return err
}

// validate checks m as a whole: the engine's rules, then the box's.
// isExtension says whether a number is an extension's.
func (m acdModel) validate(isExtension func(string) bool) error {
	cfg := m.config()
	if err := cfg.Validate(); err != nil {
		return configFieldErr(err)
	}
	for _, k := range slices.Sorted(maps.Keys(m.agents)) {
		// Whether an agent's extension exists is checked when the agent
		// is saved (agentFrom): deleting the extension later must not
		// block every other change.
		if err := m.agents[k].validate(nil); err != nil {
			return err
		}
	}
	for _, k := range slices.Sorted(maps.Keys(m.queues)) {
		q := m.queues[k]
		if err := checkQueueNumber(q.Number, isExtension); err != nil {
			return err
		}
		if err := checkQueueName(q.Name); err != nil {
			return err
		}
	}
	return nil
}

// validate checks the agent's fields beyond the engine's rules; with
// isExtension, also that its extension exists.
func (a acdAgent) validate(isExtension func(string) bool) error {
	switch a.Type {
	case agentExtension:
		if a.Extension != "" && isExtension != nil && !isExtension(a.Extension) {
			return fieldErr("extension", "%s is not an extension (agent %s)", a.Extension, a.ID)
		}
		if a.External != "" {
			return fieldErr("external", "only for agents of type external (agent %s)", a.ID)
		}
	case agentExternal:
		if !validExternal(a.External) {
			return fieldErr("external", "want the number to call, digits with an optional leading + (agent %s)", a.ID)
		}
	default:
		return fieldErr("type", "want %q (a desk phone) or %q (a number through a trunk), got %q", agentExtension, agentExternal, a.Type)
	}
	if utf8.RuneCountInString(a.Name) > 64 {
		return fieldErr("name", "must be at most 64 characters (agent %s)", a.ID)
	}
	if len(a.ID) > 16 {
		return fieldErr("id", "must be at most 16 digits")
	}
	return nil
}

func validExternal(s string) bool {
	s = strings.TrimPrefix(s, "+")
	if s == "" || len(s) > 20 {
		return false
	}
	return strings.Trim(s, "0123456789") == ""
}

// checkPIN is the rule for a new agent PIN: digits, 4 to 12 of them.
func checkPIN(pin string) error {
	if len(pin) < 4 || len(pin) > 12 || strings.Trim(pin, "0123456789") != "" {
		return fieldErr("pin", "want 4 to 12 digits")
	}
	return nil
}

func checkQueueName(name string) error {
	if utf8.RuneCountInString(name) > 64 {
		return fieldErr("name", "must be at most 64 characters")
	}
	if strings.ContainsAny(name, "/?#%") || strings.IndexFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		return fieldErr("name", "must not contain '/', '?', '#', '%%' or control characters")
	}
	return nil
}

// checkQueueNumber: a queue number is dialled like an extension, so it
// follows the extension number rules and must not be an extension's
// number or a feature code.
func checkQueueNumber(n string, isExtension func(string) bool) error {
	if n == "" {
		return nil
	}
	if err := dialplan.ValidExtensionNumber(n); err != nil {
		return fieldErr("number", "%s", strings.TrimPrefix(err.Error(), dialplan.ErrInvalidNumber.Error()+": "))
	}
	if isExtension(n) {
		return fieldErr("number", "%s is an extension's number", n)
	}
	if code, ok := featureCodeOf(n); ok {
		return fieldErr("number", "%s collides with the feature code %s", n, code)
	}
	return nil
}

// featureCodeOf reports the feature code n would be dialled as, if any.
func featureCodeOf(n string) (string, bool) {
	for code := range dialplan.DefaultFeatures() {
		if strings.HasPrefix(n, code) || strings.HasPrefix(code, n) {
			return code, true
		}
	}
	return "", false
}

// ---- conversions between the API's and the stored forms ----

func secondsOf(d time.Duration) int { return int(d / time.Second) }
func durationOf(s int) time.Duration {
	return time.Duration(s) * time.Second
}

func agentView(a acdAgent) webui.Agent {
	v := webui.Agent{ID: string(a.ID), Name: a.Name, Type: a.Type, Extension: a.Extension, External: a.External,
		Skills: maps.Clone(a.Skills), HasPIN: a.PINHash != ""}
	if a.WrapUp != nil {
		s := secondsOf(*a.WrapUp)
		v.WrapUp = &s
	}
	return v
}

func queueView(q acd.QueueConfig) webui.Queue {
	v := webui.Queue{Name: q.Name, Number: q.Number, Strategy: q.Strategy,
		Members: []webui.QueueMember{}, Tiers: []webui.QueueTier{},
		RingTimeout: secondsOf(q.RingTimeout), RetryDelay: secondsOf(q.RetryDelay), MaxWait: secondsOf(q.MaxWait),
		TimeoutDest: q.TimeoutDest, MaxLen: q.MaxLen, JoinWhenEmpty: q.JoinWhenEmpty, LeaveWhenEmpty: q.LeaveWhenEmpty,
		WrapUp: secondsOf(q.WrapUp), Weight: q.Weight, AutoPauseAfter: q.AutoPauseAfter,
		ServiceLevel: secondsOf(q.ServiceLevel), RingInUse: q.RingInUse}
	for _, m := range q.Members {
		v.Members = append(v.Members, webui.QueueMember{Agent: string(m.Agent), Penalty: m.Penalty})
	}
	for _, t := range q.Tiers {
		v.Tiers = append(v.Tiers, webui.QueueTier{After: secondsOf(t.After), MaxPenalty: t.MaxPenalty})
	}
	return v
}

func queueConfig(v webui.Queue) acd.QueueConfig {
	q := acd.QueueConfig{Name: v.Name, Number: v.Number, Strategy: v.Strategy,
		RingTimeout: durationOf(v.RingTimeout), RetryDelay: durationOf(v.RetryDelay), MaxWait: durationOf(v.MaxWait),
		TimeoutDest: v.TimeoutDest, MaxLen: v.MaxLen, JoinWhenEmpty: v.JoinWhenEmpty, LeaveWhenEmpty: v.LeaveWhenEmpty,
		WrapUp: durationOf(v.WrapUp), Weight: v.Weight, AutoPauseAfter: v.AutoPauseAfter,
		ServiceLevel: durationOf(v.ServiceLevel), RingInUse: v.RingInUse}
	for _, m := range v.Members {
		q.Members = append(q.Members, acd.Member{Agent: acd.AgentID(m.Agent), Penalty: m.Penalty})
	}
	for _, t := range v.Tiers {
		q.Tiers = append(q.Tiers, acd.Tier{After: durationOf(t.After), MaxPenalty: t.MaxPenalty})
	}
	return q
}

func agentStateView(st acd.AgentState, forced bool, lockedUntil time.Time) webui.AgentState {
	v := webui.AgentState{ID: string(st.ID), Name: st.Name, Status: st.Status.String(), Since: st.Since,
		InStatus: st.InStatus.Seconds(), Reason: st.Reason, PendingPause: st.PendingPause,
		Forced: forced && (st.Status == acd.Paused || st.PendingPause), WrapUpLeft: st.WrapUpLeft.Seconds(), Busy: st.Busy,
		Device: st.Device, Call: string(st.Call), Queues: orEmpty(st.Queues)}
	if !lockedUntil.IsZero() {
		v.PINLockedUntil = &lockedUntil
	}
	return v
}

// orEmpty makes a nil list encode as [] rather than null.
func orEmpty[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}

func queueStatsView(s acd.QueueStats) webui.QueueStats {
	return webui.QueueStats{Queue: s.Queue, Waiting: s.Waiting, LongestWait: s.LongestWait.Seconds(),
		LoggedIn: s.LoggedIn, Available: s.Available, Ringing: s.Ringing, OnCall: s.OnCall, WrapUp: s.WrapUp, Paused: s.Paused,
		Offered: s.Offered, Handled: s.Handled, Abandoned: s.Abandoned, TimedOut: s.TimedOut,
		ExitedEmpty: s.ExitedEmpty, ExitedWithKey: s.ExitedWithKey, Rejected: s.Rejected,
		AvgWait: s.AvgWait.Seconds(), AvgHandle: s.AvgHandle.Seconds(), ServiceLevel: s.ServiceLevel}
}
