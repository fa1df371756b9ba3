package line

import (
	"fmt"
	"time"

	"deskline/hw"
)

// Cadence returns the ring cadence of a country by ISO 3166 alpha-2 code
// (lower case), from the ring cadences in Asterisk's sample
// indications.conf: us and ca 2 s on, 4 s off; nl 1 s on, 4 s off; jp 1 s on,
// 2 s off; gb, au, nz and ie the double ring 0.4 on, 0.2 off, 0.4 on, 2 off.
// ok is false for a country not in the table; callers fall back to "us" or
// let the administrator enter a cadence.
func Cadence(country string) (c hw.Cadence, ok bool) {
	ms := func(v ...int) hw.Cadence {
		c := make(hw.Cadence, len(v))
		for i, x := range v {
			c[i] = time.Duration(x) * time.Millisecond
		}
		return c
	}
	switch country {
	case "us", "ca":
		return ms(2000, 4000), true
	case "nl":
		return ms(1000, 4000), true
	case "jp":
		return ms(1000, 2000), true
	case "gb", "au", "nz", "ie":
		return ms(400, 200, 400, 2000), true
	}
	return nil, false
}

// RingerOpts place caller ID in the cadence. The zero value of a field
// means its default.
type RingerOpts struct {
	// CallerIDDelay is the pause between the end of a ring and the start
	// of caller ID. Default 500 ms (Bell 202 on-hook caller ID starts at
	// least 0.5 s after the first ring).
	CallerIDDelay time.Duration
	// CallerIDGap is the shortest silent interval that can carry caller ID:
	// the delay, the message, and a guard before the next ring. Default
	// 1600 ms: 500 ms delay + 575 ms for an SDMF burst with a 10-digit
	// number + 500 ms guard, rounded up.
	CallerIDGap time.Duration
}

// Ringer generates a ring cadence from a start time: whether the bell rings
// at a given moment, when that next changes, and the moment caller ID goes
// out. It is a pure function of time: no goroutines, no state after New.
type Ringer struct {
	c     hw.Cadence
	start time.Time
	cid   time.Time
	cidOK bool
}

// NewRinger starts cadence c at start (the first ring begins at start).
func NewRinger(c hw.Cadence, start time.Time, opts *RingerOpts) (*Ringer, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("line: ringer: %w", err)
	}
	var o RingerOpts
	if opts != nil {
		o = *opts
	}
	if o.CallerIDDelay == 0 {
		o.CallerIDDelay = 500 * time.Millisecond
	}
	if o.CallerIDGap == 0 {
		o.CallerIDGap = 1600 * time.Millisecond
	}
	r := &Ringer{c: append(hw.Cadence(nil), c...), start: start}
	var off time.Duration
	for i, d := range c {
		if i%2 == 1 && d >= o.CallerIDGap && d >= o.CallerIDDelay {
			r.cid, r.cidOK = start.Add(off+o.CallerIDDelay), true
			break
		}
		off += d
	}
	return r, nil
}

// At reports whether the bell rings at t and when that next changes. Before
// start the bell is silent until start.
func (r *Ringer) At(t time.Time) (on bool, next time.Time) {
	if t.Before(r.start) {
		return false, r.start
	}
	period := r.c.Period()
	into := t.Sub(r.start) % period
	base := t.Add(-into)
	var off time.Duration
	for i, d := range r.c {
		if into < off+d {
			return i%2 == 0, base.Add(off + d)
		}
		off += d
	}
	return true, base.Add(period) // unreachable: into < period
}

// CallerIDAt is the moment to start sending caller ID: CallerIDDelay into
// the first silent interval at least CallerIDGap long. ok is false when no
// interval of the cadence is long enough. Drivers switch the line to
// on-hook transmission and hand the message to the media layer at that
// moment.
func (r *Ringer) CallerIDAt() (t time.Time, ok bool) { return r.cid, r.cidOK }
