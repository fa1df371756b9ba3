package line

import (
	"fmt"
	"slices"
	"time"

	"deskline/hw"
)

// MonitorOpts are the timings Monitor uses to read an FXO line. The zero
// value of a field means its default (DefaultMonitorOpts).
type MonitorOpts struct {
	// RingOn is how long the ring detector must keep reporting ringing
	// voltage, with no gap of RingOff or more, before a ring starts.
	// Default 64 ms (DAHDI debounces ring detection over 64-128 ms).
	RingOn time.Duration
	// RingOff is how long the ring detector must stay quiet before the ring
	// ends. It must outlast the gaps a detector shows inside one burst
	// when it follows the ring waveform (a half cycle of 16-25 Hz ringing
	// is 20-30 ms). Default 200 ms.
	RingOff time.Duration
	// Battery is how long line voltage must be present or absent before
	// LineUp or LineDown. Default 64 ms (DAHDI's battery debounce).
	Battery time.Duration
	// Polarity is how long a new polarity must hold before
	// PolarityReversal. Default 64 ms (DAHDI POLARITY_DEBOUNCE).
	Polarity time.Duration
	// RingIdle is the silence after which the next ring counts as ring 1 of
	// a new call. Default 8 s: twice the longest common silent interval
	// (US 4 s).
	RingIdle time.Duration
}

// DefaultMonitorOpts are the timings used for zero fields of MonitorOpts.
func DefaultMonitorOpts() MonitorOpts {
	return MonitorOpts{
		RingOn:   64 * time.Millisecond,
		RingOff:  200 * time.Millisecond,
		Battery:  64 * time.Millisecond,
		Polarity: 64 * time.Millisecond,
		RingIdle: 8 * time.Second,
	}
}

// LineSample is one reading of an FXO line's detectors.
type LineSample struct {
	Ringing  bool // ring detector output (raw; it may chop at the ring frequency)
	Battery  bool // line voltage above the presence threshold
	Reversed bool // line voltage has reversed sign
}

// Monitor reads an FXO line while on-hook and off-hook and emits RingStart
// (with the ring count), RingStop, LineUp, LineDown and PolarityReversal.
// It starts assuming the line is down with normal polarity and no ringing.
// Polarity is only judged while the line is up; the polarity at LineUp is
// the reference, so a line that comes up reversed reports no reversal.
type Monitor struct {
	o    MonitorOpts
	emit func(hw.Event)
	out  []hw.Event // events of one Sample, emitted in time order

	batt, pol debouncer

	ringing   bool
	ringFirst time.Time // first ring-detector hit of the current burst
	ringLast  time.Time // latest ring-detector hit; zero before the first
	rings     int
	lastRing  time.Time // end of the last ring
}

// NewMonitor returns a Monitor. emit receives its events, synchronously from
// Sample; it must not call back into the Monitor.
func NewMonitor(opts *MonitorOpts, emit func(hw.Event)) (*Monitor, error) {
	var o MonitorOpts
	if opts != nil {
		o = *opts
	}
	d := DefaultMonitorOpts()
	for _, f := range []struct{ v, def *time.Duration }{
		{&o.RingOn, &d.RingOn}, {&o.RingOff, &d.RingOff}, {&o.Battery, &d.Battery},
		{&o.Polarity, &d.Polarity}, {&o.RingIdle, &d.RingIdle},
	} {
		if *f.v == 0 {
			*f.v = *f.def
		}
		if *f.v < 0 {
			return nil, fmt.Errorf("line: negative monitor timing in %+v: %w", o, hw.ErrInvalid)
		}
	}
	return &Monitor{
		o:    o,
		emit: emit,
		batt: debouncer{rise: o.Battery, fall: o.Battery},
		pol:  debouncer{rise: o.Polarity, fall: o.Polarity},
	}, nil
}

// Ringing reports whether a ring is in progress, and its number.
func (m *Monitor) Ringing() (bool, int) { return m.ringing, m.rings }

// Up reports whether line voltage is present.
func (m *Monitor) Up() bool { return m.batt.level }

// Sample takes one reading of the line at now. Call it at least once per
// the shortest debounce while signals may change.
func (m *Monitor) Sample(s LineSample, now time.Time) {
	m.out = m.out[:0]
	m.sample(s, now)
	// The three signals are judged independently; with coarse sampling one
	// Sample can settle several at different moments, so put them in order.
	slices.SortStableFunc(m.out, func(a, b hw.Event) int { return a.At.Compare(b.At) })
	for _, e := range m.out {
		m.emit(e)
	}
}

func (m *Monitor) sample(s LineSample, now time.Time) {
	if at, ok := m.batt.sample(s.Battery, now); ok {
		if m.batt.level {
			m.pol = debouncer{rise: m.o.Polarity, fall: m.o.Polarity, level: s.Reversed, raw: s.Reversed, rawSince: now}
			m.post(hw.Event{Type: hw.LineUp, At: at.Add(m.o.Battery)})
		} else {
			m.post(hw.Event{Type: hw.LineDown, At: at.Add(m.o.Battery)})
		}
	}
	if m.batt.level {
		if at, ok := m.pol.sample(s.Reversed, now); ok {
			m.post(hw.Event{Type: hw.PolarityReversal, At: at.Add(m.o.Polarity)})
		}
	}
	m.sampleRing(s.Ringing, now)
}

// sampleRing tracks ring bursts: hits of the ring detector with gaps
// shorter than RingOff belong to one burst; a burst becomes a ring at the
// first hit RingOn or more after its start (RingStart's At is that hit),
// and ends RingOff after its last hit.
func (m *Monitor) sampleRing(hit bool, now time.Time) {
	gapOver := !m.ringLast.IsZero() && now.Sub(m.ringLast) >= m.o.RingOff
	if m.ringing && gapOver {
		m.ringing = false
		m.lastRing = m.ringLast
		m.post(hw.Event{Type: hw.RingStop, At: m.ringLast.Add(m.o.RingOff)})
	}
	if !hit {
		return
	}
	if m.ringLast.IsZero() || gapOver {
		m.ringFirst = now
	}
	m.ringLast = now
	if !m.ringing && now.Sub(m.ringFirst) >= m.o.RingOn {
		m.ringing = true
		if m.rings > 0 && m.ringFirst.Sub(m.lastRing) >= m.o.RingIdle {
			m.rings = 0
		}
		m.rings++
		m.post(hw.Event{Type: hw.RingStart, Count: m.rings, At: now})
	}
}

func (m *Monitor) post(e hw.Event) { m.out = append(m.out, e) }

// ResetRings makes the next ring count as ring 1, e.g. after the line was
// seized to answer.
func (m *Monitor) ResetRings() { m.rings = 0 }
