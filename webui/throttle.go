package webui

import (
	"sync"
	"time"
)

// Login throttling: after throttleFailures failed logins within
// throttleWindow, by account or by source address, further attempts are
// refused (429) until the oldest of those failures leaves the window.
const (
	throttleFailures = 5
	throttleWindow   = 5 * time.Minute
	// throttleSweepAt is the number of tracked keys above which expired
	// ones are dropped on the next failure.
	throttleSweepAt = 4096
)

// throttle counts recent failures per key ("user:NAME", "addr:IP").
type throttle struct {
	mu       sync.Mutex
	failures map[string][]time.Time // oldest first, at most throttleFailures
}

func newThrottle() *throttle {
	return &throttle{failures: make(map[string][]time.Time)}
}

// blocked reports whether any of keys is blocked at now, and for how long.
func (t *throttle) blocked(now time.Time, keys ...string) (bool, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var wait time.Duration
	for _, k := range keys {
		f := t.recent(k, now)
		if len(f) >= throttleFailures {
			wait = max(wait, f[0].Add(throttleWindow).Sub(now))
		}
	}
	return wait > 0, wait
}

// fail records a failure for each of keys.
func (t *throttle) fail(now time.Time, keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.failures) > throttleSweepAt {
		for k := range t.failures {
			if len(t.recent(k, now)) == 0 {
				delete(t.failures, k)
			}
		}
	}
	for _, k := range keys {
		f := append(t.recent(k, now), now)
		if len(f) > throttleFailures {
			f = f[len(f)-throttleFailures:]
		}
		t.failures[k] = f
	}
}

// forget clears the failures of keys, after a successful login.
func (t *throttle) forget(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		delete(t.failures, k)
	}
}

// recent returns k's failures still inside the window, storing the trimmed
// list back. t.mu must be held.
func (t *throttle) recent(k string, now time.Time) []time.Time {
	f := t.failures[k]
	i := 0
	for i < len(f) && !f[i].After(now.Add(-throttleWindow)) {
		i++
	}
	if i > 0 {
		f = f[i:]
		if len(f) == 0 {
			delete(t.failures, k)
		} else {
			t.failures[k] = f
		}
	}
	return f
}
