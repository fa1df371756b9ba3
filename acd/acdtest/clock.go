// Package acdtest holds what tests of the acd engine and of its strategies
// need: a fake clock and the strategy conformance suite.
//
// Imports: acd and the standard library. Importers: tests only.
package acdtest

import (
	"sync"
	"time"
)

// Clock is a fake acd.Clock that moves only when told. Safe for concurrent
// use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Epoch is where NewClock starts when given the zero time: a Monday,
// 2026-11-23 08:00 UTC.
var Epoch = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// NewClock returns a clock reading start (Epoch if start is zero).
func NewClock(start time.Time) *Clock {
	if start.IsZero() {
		start = Epoch
	}
	return &Clock{now: start}
}

// Now implements acd.Clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d and returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
