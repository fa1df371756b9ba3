package line

import (
	"fmt"
	"time"

	"deskline/hw"
)

// HookOpts are the timings Hook uses to read a hook switch. The zero value
// of a field means its default (DefaultHookOpts).
type HookOpts struct {
	// Debounce is how long a new hook level must hold before it counts;
	// shorter contact bounces are ignored. Must be shorter than
	// PulseBreakMin and PulseMakeMin. Default 10 ms: contact bounce lasts a
	// few ms, and a 10 pps dial's 33-40 ms make must survive it.
	Debounce time.Duration
	// PulseBreakMin and FlashMin bound a dial pulse: an on-hook interval
	// in [PulseBreakMin, FlashMin) is one pulse. Shorter breaks make the
	// pulse train malformed. Defaults 20 ms and 80 ms: a 10 pps dial breaks
	// for 60-67 ms, a 20 pps one for about 33 ms.
	PulseBreakMin time.Duration
	FlashMin      time.Duration
	// FlashMax ends the flash window: on-hook in [FlashMin, FlashMax] then
	// off-hook again is a Flash; on-hook for longer than FlashMax is a
	// hang-up, reported as OnHook the moment FlashMax passes. Default
	// 800 ms (DAHDI accepts flashes up to 1250 ms; many exchanges use
	// 100-800 ms).
	FlashMax time.Duration
	// PulseMakeMin is the shortest off-hook interval between two pulses of
	// one digit; shorter makes the train malformed. Default 15 ms: a
	// 20 pps dial makes for about 17 ms.
	PulseMakeMin time.Duration
	// DigitGap ends a digit: off-hook for this long after a pulse completes
	// the pulse train. Must exceed the longest make inside a train (about
	// 40 ms at 10 pps) and stay under the inter-digit pause of real dials
	// (several hundred ms; DAHDI sends 750 ms). Default 150 ms.
	DigitGap time.Duration
}

// DefaultHookOpts are the timings used for zero fields of HookOpts.
func DefaultHookOpts() HookOpts {
	return HookOpts{
		Debounce:      10 * time.Millisecond,
		PulseBreakMin: 20 * time.Millisecond,
		FlashMin:      80 * time.Millisecond,
		FlashMax:      800 * time.Millisecond,
		PulseMakeMin:  15 * time.Millisecond,
		DigitGap:      150 * time.Millisecond,
	}
}

func (o *HookOpts) fill() error {
	d := DefaultHookOpts()
	for _, f := range []struct{ v, def *time.Duration }{
		{&o.Debounce, &d.Debounce}, {&o.PulseBreakMin, &d.PulseBreakMin}, {&o.FlashMin, &d.FlashMin},
		{&o.FlashMax, &d.FlashMax}, {&o.PulseMakeMin, &d.PulseMakeMin}, {&o.DigitGap, &d.DigitGap},
	} {
		if *f.v == 0 {
			*f.v = *f.def
		}
		if *f.v < 0 {
			return fmt.Errorf("line: negative hook timing in %+v: %w", *o, hw.ErrInvalid)
		}
	}
	if !(o.Debounce < o.PulseBreakMin && o.PulseBreakMin <= o.FlashMin && o.FlashMin < o.FlashMax &&
		o.Debounce < o.PulseMakeMin && o.PulseMakeMin <= o.DigitGap) {
		return fmt.Errorf("line: hook timings %+v need Debounce < PulseBreakMin <= FlashMin < FlashMax and Debounce < PulseMakeMin <= DigitGap: %w", *o, hw.ErrInvalid)
	}
	return nil
}

// HookState is where a Hook stands.
type HookState uint8

const (
	// Idle: the telephone is on-hook.
	Idle HookState = iota
	// OffHook: off-hook and no pulse train in progress.
	OffHook
	// Break: on-hook after being off-hook, not yet long enough to be a
	// hang-up: a pulse, a flash or a hang-up in the making.
	Break
	// Make: off-hook again after a pulse; the digit ends after DigitGap.
	Make
)

func (s HookState) String() string {
	switch s {
	case Idle:
		return "Idle"
	case OffHook:
		return "OffHook"
	case Break:
		return "Break"
	case Make:
		return "Make"
	}
	return fmt.Sprintf("HookState(%d)", uint8(s))
}

// Hook reads an FXS telephone's hook switch (the SLIC's loop-closure or
// ring-trip detector) and emits OffHook, OnHook, Flash and pulse Digit
// events.
//
// Transitions on debounced edges and timers (b = break length, m = make
// length):
//
//	Idle    --off-hook--------------------------> OffHook  emit OffHook
//	OffHook --on-hook---------------------------> Break
//	Break   --off-hook, b < PulseBreakMin-------> Make     train malformed
//	Break   --off-hook, b < FlashMin------------> Make     count a pulse
//	Break   --off-hook, b <= FlashMax-----------> OffHook  drop any train, emit Flash
//	Break   --FlashMax passes-------------------> Idle     drop any train, emit OnHook
//	Make    --on-hook, m < PulseMakeMin---------> Break    train malformed
//	Make    --on-hook---------------------------> Break
//	Make    --DigitGap passes-------------------> OffHook  emit Digit (1-10 pulses, well formed) or reject
type Hook struct {
	o    HookOpts
	emit func(hw.Event)
	db   debouncer

	state    HookState
	edge     time.Time // time of the last debounced edge
	pulses   int
	bad      bool // the current pulse train is malformed
	rejected int
}

// NewHook returns a Hook in state Idle (on-hook). emit receives its events,
// synchronously from Sample; it must not call back into the Hook.
func NewHook(opts *HookOpts, emit func(hw.Event)) (*Hook, error) {
	var o HookOpts
	if opts != nil {
		o = *opts
	}
	if err := o.fill(); err != nil {
		return nil, err
	}
	return &Hook{o: o, emit: emit, db: debouncer{rise: o.Debounce, fall: o.Debounce}}, nil
}

// State is the current state.
func (h *Hook) State() HookState { return h.state }

// Rejected counts the pulse trains rejected as malformed so far.
func (h *Hook) Rejected() int { return h.rejected }

// Sample takes one reading of the hook switch at now (true = off-hook, loop
// closed). Call it at least once per Debounce while the level may change,
// and at Deadline when idle-sampling by interrupt.
func (h *Hook) Sample(offHook bool, now time.Time) {
	edge, changed := h.db.sample(offHook, now)
	if changed {
		h.advance(edge)
		h.onEdge(h.db.level, edge)
	}
	// While a raw change is pending it may yet turn out to be an edge at
	// rawSince, so timers run only up to then.
	if since, ok := h.db.pending(); ok && since.Before(now) {
		now = since
	}
	h.advance(now)
}

// Deadline is when the Hook next needs a sample even if the hook level
// does not change; ok is false when nothing is pending. A driver that
// samples on interrupts calls Sample at every edge and at Deadline.
func (h *Hook) Deadline() (t time.Time, ok bool) {
	// While a raw change is pending nothing else can happen before it
	// settles (Sample holds timers back to the raw edge).
	if t, ok := h.db.deadline(); ok {
		return t, true
	}
	switch h.state {
	case Break:
		return h.edge.Add(h.o.FlashMax + 1), true
	case Make:
		return h.edge.Add(h.o.DigitGap), true
	}
	return time.Time{}, false
}

// advance fires the timers that expire at or before t.
func (h *Hook) advance(t time.Time) {
	switch h.state {
	case Break:
		if at := h.edge.Add(h.o.FlashMax); t.Sub(h.edge) > h.o.FlashMax {
			h.dropTrain()
			h.state = Idle
			h.emit(hw.Event{Type: hw.OnHook, At: at})
		}
	case Make:
		if at := h.edge.Add(h.o.DigitGap); !t.Before(at) {
			h.endTrain(at)
			h.state = OffHook
		}
	}
}

func (h *Hook) onEdge(offHook bool, at time.Time) {
	seen := at.Add(h.o.Debounce) // when the edge became certain
	prev := h.edge
	h.edge = at
	switch h.state {
	case Idle:
		if offHook {
			h.state = OffHook
			h.emit(hw.Event{Type: hw.OffHook, At: seen})
		}
	case OffHook:
		if !offHook {
			h.state = Break
		}
	case Make:
		if !offHook {
			if at.Sub(prev) < h.o.PulseMakeMin {
				h.bad = true
			}
			h.state = Break
		}
	case Break:
		if !offHook {
			return
		}
		switch b := at.Sub(prev); {
		case b < h.o.PulseBreakMin:
			h.bad = true
			h.pulses++
			h.state = Make
		case b < h.o.FlashMin:
			h.pulses++
			h.state = Make
		default: // b <= FlashMax, or advance would have hung up
			h.dropTrain()
			h.state = OffHook
			h.emit(hw.Event{Type: hw.Flash, At: seen})
		}
	}
}

func (h *Hook) endTrain(at time.Time) {
	n, bad := h.pulses, h.bad
	h.pulses, h.bad = 0, false
	if bad || n < 1 || n > 10 {
		h.rejected++
		return
	}
	h.emit(hw.Event{Type: hw.Digit, Digit: byte('0' + n%10), Pulse: true, At: at})
}

func (h *Hook) dropTrain() {
	if h.pulses > 0 || h.bad {
		h.rejected++
	}
	h.pulses, h.bad = 0, false
}
