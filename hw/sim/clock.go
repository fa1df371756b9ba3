package sim

import (
	"slices"
	"sync"
	"time"

	"deskline/hw"
)

// Step is the resolution of simulated time: ports sample their lines and
// act once per Step.
const Step = time.Millisecond

// Clock is simulated time shared by ports. It only moves when Advance is
// called. A Clock is safe for concurrent use; Advance calls are serialised.
type Clock struct {
	mu    sync.Mutex
	now   time.Time
	ports []*Port
}

// NewClock returns a clock that reads start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now is the current simulated time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves time forward by d, stepping every live port on the clock at
// the current instant and then once per Step (and at the end when d is not a
// whole number of steps).
// Events the ports recognise on the way are posted before Advance returns;
// they are received through each port's Events channel.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	end := c.now.Add(d)
	// Sample the current instant again first, so that what the far end did
	// since the last Advance counts from now, not from the next step.
	for _, p := range c.ports {
		p.step(c.now)
	}
	for c.now.Before(end) {
		next := c.now.Add(Step)
		if next.After(end) {
			next = end
		}
		c.now = next
		for _, p := range c.ports {
			p.step(next)
		}
	}
}

// AdvanceTo moves time forward to t, if t is later than Now. A demo or the
// web panel runs a simulation in real time by calling AdvanceTo with the
// wall clock from time to time: the ports catch up on every step and frame
// owed, however late the call comes.
func (c *Clock) AdvanceTo(t time.Time) {
	if d := t.Sub(c.Now()); d > 0 {
		c.Advance(d)
	}
}

// attach starts stepping p, whose clock fields are set here, under c.mu,
// so that no step can run before they are.
func (c *Clock) attach(p *Port) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p.now = c.now
	p.frameAt = c.now.Add(hw.FrameDuration)
	c.ports = append(c.ports, p)
}

func (c *Clock) detach(p *Port) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ports = slices.DeleteFunc(c.ports, func(q *Port) bool { return q == p })
}
