package routing

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Limits are the toll-fraud limits. They are on by default: a zero field
// takes the default named in its comment, and -1 turns that limit off.
type Limits struct {
	// ExtensionConcurrent is how many outside calls one extension may
	// have at once (default 2).
	ExtensionConcurrent int `json:"extension_concurrent,omitempty"`
	// ExtensionPerHour is how many outside calls one extension may place
	// in any hour (default 30).
	ExtensionPerHour int `json:"extension_per_hour,omitempty"`
	// TrunkConcurrent is how many calls one trunk may carry at once
	// (default 30); TrunkChannels overrides it per trunk.
	TrunkConcurrent int            `json:"trunk_concurrent,omitempty"`
	TrunkChannels   map[string]int `json:"trunk_channels,omitempty"`
	// TrunkPerHour is how many calls may be placed on one trunk in any
	// hour (default 300).
	TrunkPerHour int `json:"trunk_per_hour,omitempty"`
	// More than BurstCalls outside call attempts by one extension within
	// BurstSeconds suspend its outside calls until an admin lifts the
	// suspension (defaults 10 and 60).
	BurstCalls   int `json:"burst_calls,omitempty"`
	BurstSeconds int `json:"burst_seconds,omitempty"`
	// Hours, when set, is when outside calls are allowed at all
	// (emergency calls always are).
	Hours *TimeCondition `json:"hours,omitempty"`
}

// Defaults of the Limits fields.
const (
	DefaultExtensionConcurrent = 2
	DefaultExtensionPerHour    = 30
	DefaultTrunkConcurrent     = 30
	DefaultTrunkPerHour        = 300
	DefaultBurstCalls          = 10
	DefaultBurstSeconds        = 60
)

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// resolved returns the limits with defaults filled in.
func (l Limits) resolved() Limits {
	l.ExtensionConcurrent = orDefault(l.ExtensionConcurrent, DefaultExtensionConcurrent)
	l.ExtensionPerHour = orDefault(l.ExtensionPerHour, DefaultExtensionPerHour)
	l.TrunkConcurrent = orDefault(l.TrunkConcurrent, DefaultTrunkConcurrent)
	l.TrunkPerHour = orDefault(l.TrunkPerHour, DefaultTrunkPerHour)
	l.BurstCalls = orDefault(l.BurstCalls, DefaultBurstCalls)
	l.BurstSeconds = orDefault(l.BurstSeconds, DefaultBurstSeconds)
	return l
}

// Alert reports that an extension's outside calls were suspended. The
// integrator logs it and shows it in the panel until Lift.
type Alert struct {
	Extension string    `json:"extension"`
	At        time.Time `json:"at"`
	Reason    string    `json:"reason"`
}

func (a Alert) String() string {
	return fmt.Sprintf("outside calls of extension %s suspended at %s: %s", a.Extension, a.At.Format(time.RFC3339), a.Reason)
}

// Limiter enforces Limits. One Limiter lives as long as the box runs and
// keeps its counters across configuration changes (SetLimits). It is safe
// for concurrent use. Plan.Outbound counts dial attempts and calls per hour
// of extensions; the integrator calls Start for every trunk attempt.
type Limiter struct {
	now func() time.Time

	mu     sync.Mutex
	lim    Limits
	exts   map[string]*extState
	trunks map[string]*trunkState
}

type extState struct {
	active    int
	calls     []time.Time // placed in the last hour
	attempts  []time.Time // within the burst window
	suspended *Alert
}

type trunkState struct {
	active int
	calls  []time.Time
}

// NewLimiter returns a Limiter with no calls counted. now is its clock
// (nil: time.Now).
func NewLimiter(l Limits, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{now: now, lim: l.resolved(), exts: map[string]*extState{}, trunks: map[string]*trunkState{}}
}

// SetLimits replaces the limits; counters and suspensions stay.
func (l *Limiter) SetLimits(lim Limits) {
	l.mu.Lock()
	l.lim = lim.resolved()
	l.mu.Unlock()
}

func (l *Limiter) ext(name string) *extState { return entry(l.exts, name) }

func (l *Limiter) trunk(name string) *trunkState { return entry(l.trunks, name) }

// entry returns m[k], adding a zero value first if there is none.
func entry[T any](m map[string]*T, k string) *T {
	v := m[k]
	if v == nil {
		v = new(T)
		m[k] = v
	}
	return v
}

// since drops the times before cut from ts, in place.
func since(ts []time.Time, cut time.Time) []time.Time {
	i := 0
	for i < len(ts) && ts[i].Before(cut) {
		i++
	}
	if i == 0 {
		return ts
	}
	return append(ts[:0], ts[i:]...)
}

// attempt counts one outside call attempt by ext at now: it refuses if ext
// is suspended, and suspends it (returning the Alert) when the attempt is
// one too many for the burst window.
func (l *Limiter) attempt(ext string, now time.Time) (*Alert, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.ext(ext)
	if e.suspended != nil {
		return nil, refuse(ErrSuspended, "extension %s since %s", ext, e.suspended.At.Format(time.RFC3339))
	}
	if l.lim.BurstCalls < 0 {
		return nil, nil
	}
	window := time.Duration(l.lim.BurstSeconds) * time.Second
	e.attempts = append(since(e.attempts, now.Add(-window)), now)
	if len(e.attempts) <= l.lim.BurstCalls {
		return nil, nil
	}
	a := &Alert{Extension: ext, At: now, Reason: fmt.Sprintf("%d outside call attempts within %d s (limit %d)", len(e.attempts), l.lim.BurstSeconds, l.lim.BurstCalls)}
	e.suspended = a
	e.attempts = e.attempts[:0]
	alert := *a
	return &alert, refuse(ErrSuspended, "%s", a.Reason)
}

// place counts a call ext is allowed to place at now, if its hourly limit
// allows.
func (l *Limiter) place(ext string, now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lim.ExtensionPerHour < 0 {
		return nil
	}
	e := l.ext(ext)
	e.calls = since(e.calls, now.Add(-time.Hour))
	if len(e.calls) >= l.lim.ExtensionPerHour {
		return refuse(ErrLimit, "extension %s placed %d outside calls in the last hour", ext, len(e.calls))
	}
	e.calls = append(e.calls, now)
	return nil
}

// Start admits one call attempt by ext on trunk: the extension must not be
// suspended nor at its concurrent-call limit (ErrSuspended, ErrLimit), the
// trunk not at its concurrent or hourly limit (ErrTrunkBusy: try the next
// trunk). On success the attempt counts until release is called; release
// may be called more than once.
func (l *Limiter) Start(ext, trunk string) (release func(), err error) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	e, t := l.ext(ext), l.trunk(trunk)
	t.calls = since(t.calls, now.Add(-time.Hour))
	chans := l.lim.TrunkConcurrent
	if c, ok := l.lim.TrunkChannels[trunk]; ok && c != 0 {
		chans = c
	}
	switch {
	case e.suspended != nil:
		return nil, refuse(ErrSuspended, "extension %s", ext)
	case l.lim.ExtensionConcurrent >= 0 && e.active >= l.lim.ExtensionConcurrent:
		return nil, refuse(ErrLimit, "extension %s has %d outside calls", ext, e.active)
	case chans >= 0 && t.active >= chans:
		return nil, refuse(ErrTrunkBusy, "trunk %s carries %d calls", trunk, t.active)
	case l.lim.TrunkPerHour >= 0 && len(t.calls) >= l.lim.TrunkPerHour:
		return nil, refuse(ErrTrunkBusy, "trunk %s carried %d calls in the last hour", trunk, len(t.calls))
	}
	if l.lim.TrunkPerHour >= 0 {
		t.calls = append(t.calls, now)
	}
	return l.hold(e, t), nil
}

// StartEmergency is Start for an emergency call: it always succeeds, and
// the call counts toward the concurrent calls of ext and trunk.
func (l *Limiter) StartEmergency(ext, trunk string) (release func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.hold(l.ext(ext), l.trunk(trunk))
}

func (l *Limiter) hold(e *extState, t *trunkState) func() {
	e.active++
	t.active++
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			e.active--
			t.active--
			l.mu.Unlock()
		})
	}
}

// Suspend suspends ext's outside calls (an admin's action, or restoring
// suspensions after a restart) and returns the Alert.
func (l *Limiter) Suspend(ext, reason string) Alert {
	l.mu.Lock()
	defer l.mu.Unlock()
	a := Alert{Extension: ext, At: l.now(), Reason: reason}
	l.ext(ext).suspended = &a
	return a
}

// Lift ends ext's suspension; it reports whether there was one.
func (l *Limiter) Lift(ext string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.exts[ext]
	if e == nil || e.suspended == nil {
		return false
	}
	e.suspended = nil
	e.attempts = e.attempts[:0]
	return true
}

// Suspended lists the current suspensions, by extension.
func (l *Limiter) Suspended() []Alert {
	l.mu.Lock()
	defer l.mu.Unlock()
	var as []Alert
	for _, e := range l.exts {
		if e.suspended != nil {
			as = append(as, *e.suspended)
		}
	}
	slices.SortFunc(as, func(a, b Alert) int { return strings.Compare(a.Extension, b.Extension) })
	return as
}

// Active reports how many calls ext and trunk have now (either may be "").
func (l *Limiter) Active(ext, trunk string) (extCalls, trunkCalls int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.exts[ext]; e != nil {
		extCalls = e.active
	}
	if t := l.trunks[trunk]; t != nil {
		trunkCalls = t.active
	}
	return extCalls, trunkCalls
}
