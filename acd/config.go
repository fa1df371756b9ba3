package acd

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// AgentID names an agent: its personal number, the one dialled to log in.
type AgentID string

// CallID names a caller's call, as appliance knows it (a leg id).
type CallID string

// Config is everything the engine is told by an administrator. Its zero value
// is a valid, empty call centre. Field names in validation errors are the JSON
// names.
type Config struct {
	Agents       []AgentConfig `json:"agents"`
	Queues       []QueueConfig `json:"queues"`
	PauseReasons []PauseReason `json:"pause_reasons"`
	// FairAcrossQueues: when an agent who serves several queues becomes
	// free, queues of equal weight are served longest-waiting caller first
	// instead of in configuration order.
	FairAcrossQueues bool `json:"fair_across_queues"`
	// AutoPauseReason is the reason recorded when a queue pauses an agent
	// after unanswered offers; empty means DefaultAutoPauseReason. It need
	// not be one of PauseReasons.
	AutoPauseReason string `json:"auto_pause_reason"`
}

// DefaultAutoPauseReason is the reason of automatic pauses when
// Config.AutoPauseReason is empty.
const DefaultAutoPauseReason = "no answer"

// MaxPauseReasonLen is the longest pause reason, in characters.
const MaxPauseReasonLen = 255

// AgentConfig is one agent.
type AgentConfig struct {
	ID   AgentID `json:"id"`   // personal number, digits
	Name string  `json:"name"` // shown on the panel
	PIN  string  `json:"pin"`  // digits; empty means no PIN
	// Skills maps a skill name to a level, 0 (none) to 100 (expert).
	Skills map[string]int `json:"skills"`
	// WrapUp overrides the wrap-up time of every queue for this agent;
	// nil means each queue's own.
	WrapUp *time.Duration `json:"wrap_up"`
}

// PauseReason is an admin-defined reason for pausing. Names are unique
// regardless of case.
type PauseReason struct {
	Name string `json:"name"`
}

// Member puts an agent in a queue.
type Member struct {
	Agent AgentID `json:"agent"`
	// Penalty orders members: lower penalties are always offered first,
	// and with Tiers a penalty is offered only once the caller waited long
	// enough.
	Penalty int `json:"penalty"`
}

// Tier widens the penalties a caller may be offered to: once the caller has
// waited After, members with penalty up to MaxPenalty may be rung.
type Tier struct {
	After      time.Duration `json:"after"`
	MaxPenalty int           `json:"max_penalty"`
}

// QueueConfig is one queue. Durations of zero take the documented default.
type QueueConfig struct {
	Name     string `json:"name"`   // unique, shown in the queue log
	Number   string `json:"number"` // dialled to reach the queue, digits
	Strategy string `json:"strategy"`
	// Members in their configured order (linear and round-robin use it).
	Members []Member `json:"members"`
	// Tiers, sorted by After. Without tiers every penalty may be offered
	// at once (lowest first); with tiers only penalty 0 and those of the
	// tiers reached.
	Tiers []Tier `json:"tiers"`

	RingTimeout time.Duration `json:"ring_timeout"` // per offer; 0 means 15 s
	RetryDelay  time.Duration `json:"retry_delay"`  // after an unanswered offer; 0 means none
	MaxWait     time.Duration `json:"max_wait"`     // then CallerTimeout; 0 means forever
	TimeoutDest string        `json:"timeout_dest"` // where a timed-out caller goes
	MaxLen      int           `json:"max_len"`      // waiting callers; 0 means unlimited
	// JoinWhenEmpty lets callers in while no member is logged in and
	// unpaused; LeaveWhenEmpty sends waiting callers out when that happens.
	JoinWhenEmpty  bool          `json:"join_when_empty"`
	LeaveWhenEmpty bool          `json:"leave_when_empty"`
	WrapUp         time.Duration `json:"wrap_up"` // after each call; agents may override
	// Weight: an agent serving several queues is offered callers of the
	// heaviest queue first.
	Weight int `json:"weight"`
	// AutoPauseAfter pauses an agent after this many consecutive
	// unanswered offers; 0 means never.
	AutoPauseAfter int `json:"auto_pause_after"`
	// ServiceLevel is the answer-time target of the service-level
	// statistic; 0 means 20 s.
	ServiceLevel time.Duration `json:"service_level"`
	// RingInUse offers agents whose phone is busy with another call.
	RingInUse bool `json:"ring_in_use"`
}

// Defaults applied to zero durations.
const (
	DefaultRingTimeout  = 15 * time.Second
	DefaultServiceLevel = 20 * time.Second
)

func (q *QueueConfig) ringTimeout() time.Duration {
	if q.RingTimeout == 0 {
		return DefaultRingTimeout
	}
	return q.RingTimeout
}

func (q *QueueConfig) serviceLevel() time.Duration {
	if q.ServiceLevel == 0 {
		return DefaultServiceLevel
	}
	return q.ServiceLevel
}

// ConfigError is a rejected configuration. Its message names the object
// and the field: `queue "sales": ring_timeout: must not be negative`.
type ConfigError struct {
	Object string // `queue "sales"`, `agent "201"`, `pause_reasons[2]`, or ""
	Field  string // JSON name
	Msg    string
}

func (e *ConfigError) Error() string {
	s := "acd: "
	if e.Object != "" {
		s += e.Object + ": "
	}
	return s + e.Field + ": " + e.Msg
}

// Unwrap makes every ConfigError match ErrInvalidConfig.
func (e *ConfigError) Unwrap() error { return ErrInvalidConfig }

// Validate reports the first problem of c against the built-in strategies.
func (c *Config) Validate() error { return c.validate(builtinStrategy) }

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func (c *Config) validate(knownStrategy func(string) bool) error {
	agents := make(map[AgentID]bool, len(c.Agents))
	for i, a := range c.Agents {
		obj := fmt.Sprintf("agents[%d]", i)
		if a.ID != "" {
			obj = fmt.Sprintf("agent %q", a.ID)
		}
		if err := a.validate(obj); err != nil {
			return err
		}
		if agents[a.ID] {
			return &ConfigError{obj, "id", "duplicate"}
		}
		agents[a.ID] = true
	}
	names := make(map[string]bool, len(c.Queues))
	numbers := make(map[string]bool, len(c.Queues))
	for i := range c.Queues {
		q := &c.Queues[i]
		obj := fmt.Sprintf("queues[%d]", i)
		if q.Name != "" {
			obj = fmt.Sprintf("queue %q", q.Name)
		}
		if err := q.validate(obj, agents, knownStrategy); err != nil {
			return err
		}
		if names[q.Name] {
			return &ConfigError{obj, "name", "duplicate"}
		}
		names[q.Name] = true
		if q.Number != "" {
			if numbers[q.Number] {
				return &ConfigError{obj, "number", fmt.Sprintf("%s is used by another queue", q.Number)}
			}
			numbers[q.Number] = true
		}
	}
	reasons := make(map[string]int, len(c.PauseReasons))
	for i, r := range c.PauseReasons {
		obj := fmt.Sprintf("pause_reasons[%d]", i)
		if err := validReason(r.Name); err != "" {
			return &ConfigError{obj, "name", err}
		}
		k := strings.ToLower(r.Name)
		if j, dup := reasons[k]; dup {
			return &ConfigError{obj, "name", fmt.Sprintf("%q duplicates pause_reasons[%d] (names are unique regardless of case)", r.Name, j)}
		}
		reasons[k] = i
	}
	if c.AutoPauseReason != "" {
		if err := validReason(c.AutoPauseReason); err != "" {
			return &ConfigError{"", "auto_pause_reason", err}
		}
	}
	return nil
}

func validReason(s string) string {
	switch {
	case strings.TrimSpace(s) == "":
		return "must not be empty"
	case !utf8.ValidString(s):
		return "must be UTF-8"
	case utf8.RuneCountInString(s) > MaxPauseReasonLen:
		return fmt.Sprintf("longer than %d characters", MaxPauseReasonLen)
	case strings.ContainsAny(s, "|\r\n"):
		return "must not contain '|' or line breaks"
	}
	return ""
}

func (a *AgentConfig) validate(obj string) error {
	if !isDigits(string(a.ID)) {
		return &ConfigError{obj, "id", "must be digits"}
	}
	if strings.TrimSpace(a.Name) == "" {
		return &ConfigError{obj, "name", "must not be empty"}
	}
	if a.PIN != "" && !isDigits(a.PIN) {
		return &ConfigError{obj, "pin", "must be digits"}
	}
	for k, l := range a.Skills {
		if k == "" {
			return &ConfigError{obj, "skills", "empty skill name"}
		}
		if l < 0 || l > 100 {
			return &ConfigError{obj, "skills", fmt.Sprintf("%s: level %d outside 0..100", k, l)}
		}
	}
	if a.WrapUp != nil && *a.WrapUp < 0 {
		return &ConfigError{obj, "wrap_up", "must not be negative"}
	}
	return nil
}

func (q *QueueConfig) validate(obj string, agents map[AgentID]bool, knownStrategy func(string) bool) error {
	if strings.TrimSpace(q.Name) == "" {
		return &ConfigError{obj, "name", "must not be empty"}
	}
	if strings.ContainsAny(q.Name, "|\r\n") {
		return &ConfigError{obj, "name", "must not contain '|' or line breaks"}
	}
	if q.Number != "" && !isDigits(q.Number) {
		return &ConfigError{obj, "number", "must be digits"}
	}
	if !knownStrategy(q.Strategy) {
		return &ConfigError{obj, "strategy", fmt.Sprintf("unknown strategy %q (known: %s)", q.Strategy, strings.Join(BuiltinStrategies(), ", "))}
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"ring_timeout", q.RingTimeout}, {"retry_delay", q.RetryDelay}, {"max_wait", q.MaxWait},
		{"wrap_up", q.WrapUp}, {"service_level", q.ServiceLevel},
	} {
		if d.v < 0 {
			return &ConfigError{obj, d.name, "must not be negative"}
		}
	}
	if q.MaxLen < 0 {
		return &ConfigError{obj, "max_len", "must not be negative"}
	}
	if q.AutoPauseAfter < 0 {
		return &ConfigError{obj, "auto_pause_after", "must not be negative"}
	}
	if q.Weight < 0 {
		return &ConfigError{obj, "weight", "must not be negative"}
	}
	seen := make(map[AgentID]bool, len(q.Members))
	for i, m := range q.Members {
		f := fmt.Sprintf("members[%d]", i)
		if !agents[m.Agent] {
			return &ConfigError{obj, f + ".agent", fmt.Sprintf("unknown agent %q", m.Agent)}
		}
		if seen[m.Agent] {
			return &ConfigError{obj, f + ".agent", fmt.Sprintf("agent %q listed twice", m.Agent)}
		}
		seen[m.Agent] = true
		if m.Penalty < 0 {
			return &ConfigError{obj, f + ".penalty", "must not be negative"}
		}
	}
	for i, t := range q.Tiers {
		f := fmt.Sprintf("tiers[%d]", i)
		if t.After < 0 {
			return &ConfigError{obj, f + ".after", "must not be negative"}
		}
		if t.MaxPenalty < 0 {
			return &ConfigError{obj, f + ".max_penalty", "must not be negative"}
		}
		if i > 0 && t.After <= q.Tiers[i-1].After {
			return &ConfigError{obj, f + ".after", "tiers must be in increasing order of after"}
		}
	}
	return nil
}
