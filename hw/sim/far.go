package sim

import (
	"fmt"
	"time"

	"deskline/hw"
	"deskline/hw/line"
)

// Phone is the telephone on a simulated FXS port. Its methods act at the
// clock's current instant; what they cause (events, audio) happens as the
// clock advances. Safe for concurrent use.
type Phone struct{ p *Port }

// Lift takes the handset off-hook (answering if the bell rings) and
// cancels any flash or dialling in progress.
func (ph *Phone) Lift() { ph.setHook(true) }

// Hang puts the handset on-hook and cancels any flash or dialling in
// progress.
func (ph *Phone) Hang() { ph.setHook(false) }

func (ph *Phone) setHook(off bool) {
	p := ph.p
	p.mu.Lock()
	defer p.mu.Unlock()
	p.plan = nil
	p.offHook = off
}

// SetHook sets the raw hook switch without cancelling scheduled changes;
// tests use it to make contact bounce.
func (ph *Phone) SetHook(off bool) {
	p := ph.p
	p.mu.Lock()
	defer p.mu.Unlock()
	p.offHook = off
}

// Flash goes on-hook for d, then off-hook again, after anything already
// scheduled.
func (ph *Phone) Flash(d time.Duration) {
	p := ph.p
	p.mu.Lock()
	defer p.mu.Unlock()
	at := p.planEnd()
	p.plan = append(p.plan, hookStep{at, false}, hookStep{at.Add(d), true})
}

// Dial pulse-dials digits ('0'-'9') on the rotary dial with the port's
// DialBreak, DialMake and DialPause, after anything already scheduled.
// The handset should be off-hook.
func (ph *Phone) Dial(digits string) error {
	p := ph.p
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return fmt.Errorf("sim: dial %q: %q is not a pulse digit: %w", digits, digits[i], hw.ErrInvalid)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	at := p.planEnd()
	for i := 0; i < len(digits); i++ {
		n := int(digits[i] - '0')
		if n == 0 {
			n = 10
		}
		for range n {
			p.plan = append(p.plan, hookStep{at, false}, hookStep{at.Add(p.o.DialBreak), true})
			at = at.Add(p.o.DialBreak + p.o.DialMake)
		}
		at = at.Add(p.o.DialPause - p.o.DialMake)
	}
	p.plan = append(p.plan, hookStep{at, true})
	return nil
}

// planEnd is when the scheduled hook changes end (or now).
func (p *Port) planEnd() time.Time {
	if n := len(p.plan); n > 0 && p.plan[n-1].at.After(p.now) {
		return p.plan[n-1].at
	}
	return p.now
}

// Press sends a keypad digit ('0'-'9', '*', '#', 'A'-'D') as a chip with a
// DTMF decoder would report it: a Digit event now, with Pulse unset. It
// does nothing while on-hook.
func (ph *Phone) Press(d byte) error {
	switch {
	case d >= '0' && d <= '9', d == '*', d == '#', d >= 'A' && d <= 'D':
	default:
		return fmt.Errorf("sim: press %q: %w", d, hw.ErrInvalid)
	}
	p := ph.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.halted && p.offHook {
		p.post(hw.Event{Type: hw.Digit, Digit: d, At: p.now})
	}
	return nil
}

// Speak queues samples to go into the line from the telephone, 160 per
// 20 ms of clock time; silence follows when they run out.
func (ph *Phone) Speak(samples []int16) { ph.p.speakInto(samples) }

// Heard returns, and forgets, the audio that reached the telephone: one
// frame per 20 ms of clock time, silence where nothing was written.
func (ph *Phone) Heard() []int16 { return ph.p.takeHeard() }

// OffHook reports the raw hook switch.
func (ph *Phone) OffHook() bool {
	ph.p.mu.Lock()
	defer ph.p.mu.Unlock()
	return ph.p.offHook
}

// Ringing reports whether the bell rings at this instant (false in the
// silent parts of the cadence).
func (ph *Phone) Ringing() bool {
	ph.p.mu.Lock()
	defer ph.p.mu.Unlock()
	return ph.p.linefeed == line.Ringing
}

// CallerID is the last caller ID the telephone received, if any.
func (ph *Phone) CallerID() (hw.CallerID, bool) {
	ph.p.mu.Lock()
	defer ph.p.mu.Unlock()
	if ph.p.phoneCID == nil {
		return hw.CallerID{}, false
	}
	return *ph.p.phoneCID, true
}

// Exchange is the exchange at the far end of a simulated FXO line. Its
// methods act at the clock's current instant. Safe for concurrent use.
type Exchange struct{ p *Port }

// Ring rings the line with cadence c until StopRing or until the port
// seizes the line. When cid is not nil it is delivered as a
// CallerIDReceived event at the ringer's caller-ID moment, standing in for
// the FSK burst and its decoder.
func (x *Exchange) Ring(c hw.Cadence, cid *hw.CallerID) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("sim: exchange ring: %w", err)
	}
	p := x.p
	p.mu.Lock()
	defer p.mu.Unlock()
	r, err := line.NewRinger(c, p.now, p.o.Ringer)
	if err != nil {
		return fmt.Errorf("sim: exchange ring: %w", err)
	}
	p.exRinger, p.exCID = r, nil
	if cid != nil {
		cp := *cid
		p.exCID = &cp
	}
	return nil
}

// StopRing stops ringing the line (the caller gave up).
func (x *Exchange) StopRing() {
	x.p.mu.Lock()
	defer x.p.mu.Unlock()
	x.p.exRinger, x.p.exCID = nil, nil
}

// ReversePolarity flips the line's polarity.
func (x *Exchange) ReversePolarity() {
	x.p.mu.Lock()
	defer x.p.mu.Unlock()
	x.p.reversed = !x.p.reversed
}

// SetBattery connects (true) or removes line voltage.
func (x *Exchange) SetBattery(on bool) {
	x.p.mu.Lock()
	defer x.p.mu.Unlock()
	x.p.battery = on
}

// Seized reports whether the port holds the line off-hook.
func (x *Exchange) Seized() bool {
	x.p.mu.Lock()
	defer x.p.mu.Unlock()
	return x.p.seized
}

// Speak queues samples to go into the line from the exchange side.
func (x *Exchange) Speak(samples []int16) { x.p.speakInto(samples) }

// Heard returns, and forgets, the audio the port sent to the exchange.
func (x *Exchange) Heard() []int16 { return x.p.takeHeard() }

func (p *Port) speakInto(s []int16) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.speak = append(p.speak, s...)
}

func (p *Port) takeHeard() []int16 {
	p.mu.Lock()
	defer p.mu.Unlock()
	h := p.heard
	p.heard = nil
	return h
}
