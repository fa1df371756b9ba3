// Package schedtest provides a fake Clock for tests of code paced by
// package sched: time moves only when the test calls Advance or Set.
//
// Imports: the standard library and deskline/media/sched. Importers: tests.
package schedtest

import (
	"sync"
	"time"

	"deskline/media/sched"
)

// Clock is a manually advanced sched.Clock, safe for concurrent use.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*timer
}

// NewClock returns a Clock reading start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d and fires every timer whose time has
// come (a late wake-up is a single large Advance).
func (c *Clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// Set moves the clock to t (never backwards) and fires due timers.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
	}
	for _, tm := range c.timers {
		tm.fireIfDue(c.now)
	}
}

// NewTimer returns a timer that fires once the clock reaches Now()+d.
func (c *Clock) NewTimer(d time.Duration) sched.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &timer{c: c, ch: make(chan time.Time, 1), at: c.now.Add(d), armed: true}
	c.timers = append(c.timers, t)
	t.fireIfDue(c.now)
	return t
}

type timer struct {
	c     *Clock
	ch    chan time.Time
	at    time.Time
	armed bool
}

// fireIfDue runs with c.mu held.
func (t *timer) fireIfDue(now time.Time) {
	if t.armed && !now.Before(t.at) {
		t.armed = false
		select {
		case t.ch <- now:
		default:
		}
	}
}

func (t *timer) C() <-chan time.Time { return t.ch }

func (t *timer) Reset(d time.Duration) {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	select { // drop a stale firing, like time.Timer since Go 1.23
	case <-t.ch:
	default:
	}
	t.at, t.armed = t.c.now.Add(d), true
	t.fireIfDue(t.c.now)
}

func (t *timer) Stop() {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	t.armed = false
}
