package line

import (
	"fmt"
	"time"

	"deskline/hw"
)

// Linefeed is the drive an FXS port should put on its line.
type Linefeed uint8

const (
	// Active: talk battery, ready for the telephone to go off-hook.
	Active Linefeed = iota
	// Ringing: ring voltage (a ring burst of the cadence).
	Ringing
	// OnHookTransmission: battery with the audio path open while the
	// telephone is on-hook, used in the silent intervals of ringing so that
	// caller ID reaches the telephone (Si321x linefeed OHT).
	OnHookTransmission
)

func (l Linefeed) String() string {
	switch l {
	case Active:
		return "Active"
	case Ringing:
		return "Ringing"
	case OnHookTransmission:
		return "OnHookTransmission"
	}
	return fmt.Sprintf("Linefeed(%d)", uint8(l))
}

// FXS is the line side of an FXS port: a Hook plus the ringing it
// commands, with ring trip. A driver samples the hook switch (or ring-trip
// detector) into Sample and applies the Linefeed it returns; when Sample
// reports sendCID the driver starts the caller-ID burst (audio from the
// media layer). Not safe for concurrent use.
//
//	not ringing --Ring (on-hook)------------------> ringing: Ringing / OnHookTransmission per cadence
//	ringing     --OffHook recognised (ring trip)---> not ringing: Active, emit OffHook
//	ringing     --StopRing------------------------> not ringing: Active
type FXS struct {
	hook   *Hook
	ro     *RingerOpts
	ringer *Ringer
	cid    bool      // caller ID still to be sent for this ring
	last   time.Time // last sample
}

// NewFXS returns an FXS line, idle and not ringing. emit receives the
// Hook's events synchronously from Sample and must not call back.
func NewFXS(hook *HookOpts, ringer *RingerOpts, emit func(hw.Event)) (*FXS, error) {
	f := &FXS{ro: ringer}
	h, err := NewHook(hook, func(e hw.Event) {
		if e.Type == hw.OffHook {
			f.ringer, f.cid = nil, false // ring trip
		}
		emit(e)
	})
	if err != nil {
		return nil, err
	}
	f.hook = h
	return f, nil
}

// Hook is the FXS line's hook reader, for its state.
func (f *FXS) Hook() *Hook { return f.hook }

// Ring starts ringing with cadence c at now, with caller ID if withCID.
// It returns hw.ErrOffHook unless the hook is Idle, and hw.ErrInvalid for a
// bad cadence. Ringing again restarts the cadence.
func (f *FXS) Ring(c hw.Cadence, withCID bool, now time.Time) error {
	if f.hook.State() != Idle {
		return fmt.Errorf("line: ring: %w", hw.ErrOffHook)
	}
	r, err := NewRinger(c, now, f.ro)
	if err != nil {
		return err
	}
	f.ringer = r
	_, ok := r.CallerIDAt()
	f.cid = withCID && ok
	return nil
}

// StopRing stops ringing; a caller ID not yet sent is dropped.
func (f *FXS) StopRing() { f.ringer, f.cid = nil, false }

// Ringer is the ringing in progress, or nil.
func (f *FXS) Ringer() *Ringer { return f.ringer }

// Sample feeds one hook-switch reading (true = off-hook) taken at now and
// returns the linefeed to apply, and sendCID true once, at the first sample
// at or after the ringer's caller-ID moment.
func (f *FXS) Sample(offHook bool, now time.Time) (lf Linefeed, sendCID bool) {
	f.last = now
	f.hook.Sample(offHook, now)
	if f.ringer == nil {
		return Active, false
	}
	if f.cid {
		if at, _ := f.ringer.CallerIDAt(); !now.Before(at) {
			f.cid, sendCID = false, true
		}
	}
	if on, _ := f.ringer.At(now); on {
		return Ringing, sendCID
	}
	return OnHookTransmission, sendCID
}

// Deadline is when the line next needs a sample even without a hook
// change: the Hook's deadline, the next cadence change or the caller-ID
// moment, whichever is first.
func (f *FXS) Deadline() (time.Time, bool) {
	t, ok := f.hook.Deadline()
	if f.ringer == nil {
		return t, ok
	}
	consider := func(c time.Time) {
		if !ok || c.Before(t) {
			t, ok = c, true
		}
	}
	if f.cid {
		at, _ := f.ringer.CallerIDAt()
		consider(at)
	}
	_, next := f.ringer.At(f.last)
	consider(next)
	return t, ok
}
