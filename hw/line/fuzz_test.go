package line_test

import (
	"testing"
	"time"

	"deskline/hw"
	"deskline/hw/line"
)

// segsFromBytes reads each byte as a stretch of hook level: the top bit is
// the level (1 = off-hook), the rest the length in 4 ms units (1-128).
func segsFromBytes(data []byte) []seg {
	segs := make([]seg, 0, len(data)+1)
	for _, b := range data {
		segs = append(segs, seg{b&0x80 != 0, time.Duration(b&0x7f+1) * 4 * ms})
	}
	return append(segs, on(2*time.Second))
}

// FuzzHook feeds arbitrary hook-switch histories and checks what must hold
// for any input: the events tell a consistent hook story, their times never
// go back and never lie in the future, and a driver sampling only at edges
// and Deadline sees exactly what a 1 ms poller sees.
func FuzzHook(f *testing.F) {
	f.Add([]byte{0x80 | 50, 15, 0x80 | 10, 15, 0x80 | 100})                 // two pulses
	f.Add([]byte{0x80 | 50, 25, 0x80 | 100})                                // flash
	f.Add([]byte{0x80 | 1, 0, 0x80 | 1, 1, 0x80 | 127, 4, 0x80 | 3, 127})   // bounces, a glitch, a hang-up
	f.Add([]byte{0x80 | 20, 15, 0x80 | 3, 15, 0x80 | 9, 4, 0x80 | 9, 0x7f}) // short make, short break
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 200 {
			data = data[:200]
		}
		segs := segsFromBytes(data)
		var polled []hw.Event
		now := t0
		h, err := line.NewHook(nil, func(e hw.Event) {
			if e.At.After(now) {
				t.Fatalf("event %v At %v is after the sample time %v", e.Type, e.At, now)
			}
			polled = append(polled, e)
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range segs {
			for end := now.Add(s.d); now.Before(end); now = now.Add(ms) {
				h.Sample(s.off, now)
			}
		}
		h.Sample(false, now)
		onHook := true
		var last time.Time
		for i, e := range polled {
			if e.At.Before(last) {
				t.Fatalf("event %d %v At %v before the previous %v", i, e.Type, e.At, last)
			}
			last = e.At
			switch e.Type {
			case hw.OffHook:
				if !onHook {
					t.Fatalf("event %d: OffHook while already off-hook", i)
				}
				onHook = false
			case hw.OnHook:
				if onHook {
					t.Fatalf("event %d: OnHook while on-hook", i)
				}
				onHook = true
			case hw.Flash, hw.Digit:
				if onHook {
					t.Fatalf("event %d: %v while on-hook", i, e.Type)
				}
				if e.Type == hw.Digit && (e.Digit < '0' || e.Digit > '9' || !e.Pulse) {
					t.Fatalf("event %d: bad pulse digit %q (Pulse %v)", i, e.Digit, e.Pulse)
				}
			default:
				t.Fatalf("event %d: unexpected type %v", i, e.Type)
			}
		}
		if !onHook || h.State() != line.Idle {
			t.Fatalf("after 2 s on-hook: story on-hook=%v, State() = %v; want true, Idle", onHook, h.State())
		}

		var driven []hw.Event
		h2, _ := line.NewHook(nil, func(e hw.Event) { driven = append(driven, e) })
		now = t0
		for _, s := range segs {
			end := now.Add(s.d)
			h2.Sample(s.off, now)
			for {
				dl, ok := h2.Deadline()
				if !ok || !dl.Before(end) {
					break
				}
				if !dl.After(now) {
					t.Fatalf("Deadline() = %v, not after the last sample %v", dl, now)
				}
				now = dl
				h2.Sample(s.off, now)
			}
			now = end
		}
		h2.Sample(false, now)
		if render(driven) != render(polled) {
			t.Fatalf("edge+Deadline driven events %q, polled %q", render(driven), render(polled))
		}
	})
}

// FuzzMonitor checks that a Monitor's events tell a consistent line story
// and stay in time order whatever the input and the sampling interval.
func FuzzMonitor(f *testing.F) {
	f.Add([]byte{0x10, 0x50, 0x13, 0x50, 0x11}, uint8(1))
	f.Add([]byte{0x14, 0x14, 0x15, 0x01, 0x17, 0x10}, uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, step uint8) {
		if len(data) > 200 {
			data = data[:200]
		}
		dt := time.Duration(step%50+1) * ms
		var evs []hw.Event
		m, err := line.NewMonitor(nil, func(e hw.Event) { evs = append(evs, e) })
		if err != nil {
			t.Fatal(err)
		}
		now := t0
		for _, b := range data {
			// bit 0 ringing, bit 1 battery, bit 2 reversed; the rest is the
			// length in 8 ms units.
			s := line.LineSample{Ringing: b&1 != 0, Battery: b&2 != 0, Reversed: b&4 != 0}
			for end := now.Add(time.Duration(b>>3+1) * 8 * ms); now.Before(end); now = now.Add(dt) {
				m.Sample(s, now)
			}
		}
		up, ringing := false, false
		var last time.Time
		for i, e := range evs {
			if e.At.Before(last) || e.At.After(now) {
				t.Fatalf("event %d %v At %v: previous %v, end %v", i, e.Type, e.At, last, now)
			}
			last = e.At
			switch e.Type {
			case hw.LineUp, hw.LineDown:
				if up == (e.Type == hw.LineUp) {
					t.Fatalf("event %d: %v when up=%v", i, e.Type, up)
				}
				up = !up
			case hw.RingStart, hw.RingStop:
				if ringing == (e.Type == hw.RingStart) {
					t.Fatalf("event %d: %v when ringing=%v", i, e.Type, ringing)
				}
				ringing = !ringing
				if e.Type == hw.RingStart && e.Count < 1 {
					t.Fatalf("event %d: ring count %d", i, e.Count)
				}
			case hw.PolarityReversal:
				if !up {
					t.Fatalf("event %d: reversal while the line is down", i)
				}
			default:
				t.Fatalf("event %d: unexpected type %v", i, e.Type)
			}
		}
	})
}

// FuzzRinger checks a Ringer against any cadence: At's next change is in
// the future, the bell state holds until then and flips there, and the
// caller-ID moment lies in a silence long enough for delay, burst and guard.
func FuzzRinger(f *testing.F) {
	f.Add([]byte{200, 250}, uint32(61000))                // us-like
	f.Add([]byte{40, 20, 40, 200}, uint32(12345))         // double ring
	f.Add([]byte{100, 100, 50, 170, 1, 1}, uint32(99999)) // odd mixture
	f.Fuzz(func(t *testing.T, data []byte, offset uint32) {
		if len(data) < 2 || len(data) > 40 {
			return
		}
		c := make(hw.Cadence, len(data)&^1)
		for i := range c {
			c[i] = time.Duration(data[i]) * 10 * ms
			if c[i] == 0 {
				c[i] = ms
			}
		}
		r, err := line.NewRinger(c, t0, nil)
		if err != nil {
			t.Fatalf("NewRinger(%v) = %v", c, err)
		}
		at := t0.Add(time.Duration(offset) * ms)
		on, next := r.At(at)
		if !next.After(at) {
			t.Fatalf("At(%v) next = %v, not in the future", at, next)
		}
		if on2, _ := r.At(next.Add(-1)); on2 != on {
			t.Fatalf("bell changed before the announced next change")
		}
		if on3, _ := r.At(next); on3 == on {
			t.Fatalf("bell did not change at the announced next change %v", next)
		}
		if cid, ok := r.CallerIDAt(); ok {
			for _, d := range []time.Duration{-500 * ms, 0, 575 * ms, 1075 * ms} {
				if on, _ := r.At(cid.Add(d)); on {
					t.Fatalf("caller ID at %v: bell rings at %+v from it", cid.Sub(t0), d)
				}
			}
		}
	})
}
