package line_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"deskline/hw"
	"deskline/hw/line"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

const ms = time.Millisecond

// seg is a stretch of raw hook level: off-hook (true) or on-hook for d.
type seg struct {
	off bool
	d   time.Duration
}

func on(d time.Duration) seg  { return seg{false, d} }
func off(d time.Duration) seg { return seg{true, d} }

// pulses is the raw hook level for dialling digit (1-10 pulses) with the
// given break and make, followed by gap off-hook.
func pulses(n int, brk, mk, gap time.Duration) []seg {
	var s []seg
	for i := range n {
		s = append(s, on(brk))
		if i < n-1 {
			s = append(s, off(mk))
		}
	}
	return append(s, off(gap))
}

// got renders events as "type@offset" (offset from t0 in ms), digits as
// "Digit(5)@offset".
func render(evs []hw.Event) string {
	var b []string
	for _, e := range evs {
		name := e.Type.String()
		if e.Type == hw.Digit {
			name = fmt.Sprintf("Digit(%c)", e.Digit)
		}
		if e.Type == hw.RingStart {
			name = fmt.Sprintf("RingStart(%d)", e.Count)
		}
		b = append(b, fmt.Sprintf("%s@%d", name, e.At.Sub(t0)/ms))
	}
	return strings.Join(b, " ")
}

// runHook samples the segments every step and returns the events and the
// Hook.
func runHook(t *testing.T, opts *line.HookOpts, step time.Duration, segs ...seg) ([]hw.Event, *line.Hook) {
	t.Helper()
	var evs []hw.Event
	h, err := line.NewHook(opts, func(e hw.Event) { evs = append(evs, e) })
	if err != nil {
		t.Fatal(err)
	}
	now := t0
	for _, s := range segs {
		for end := now.Add(s.d); now.Before(end); now = now.Add(step) {
			h.Sample(s.off, now)
		}
	}
	h.Sample(segs[len(segs)-1].off, now)
	return evs, h
}

func TestHookTiming(t *testing.T) {
	lift := off(100 * ms) // handset lifted at 0, OffHook at 10
	cat := func(parts ...[]seg) []seg { return slices.Concat(parts...) }
	for _, tc := range []struct {
		name string
		segs []seg
		want string
	}{
		{"idle stays quiet", []seg{on(time.Second)}, ""},
		{"lift", []seg{lift}, "OffHook@10"},
		{"lift with contact bounce", []seg{off(3 * ms), on(2 * ms), off(4 * ms), on(ms), off(100 * ms)}, "OffHook@20"},
		{"bounce shorter than debounce while idle", []seg{off(9 * ms), on(time.Second)}, ""},
		{"bounce shorter than debounce while off-hook", []seg{lift, on(9 * ms), off(time.Second)}, "OffHook@10"},
		{"100 ms flash", []seg{lift, on(100 * ms), off(time.Second)}, "OffHook@10 Flash@210"},
		{"shortest flash (80 ms)", []seg{lift, on(80 * ms), off(time.Second)}, "OffHook@10 Flash@190"},
		{"longest flash (800 ms)", []seg{lift, on(800 * ms), off(time.Second)}, "OffHook@10 Flash@910"},
		{"79 ms break is a pulse", []seg{lift, on(79 * ms), off(time.Second)}, "OffHook@10 Digit(1)@329"},
		{"1 s hang-up", []seg{lift, on(time.Second)}, "OffHook@10 OnHook@900"},
		{"801 ms break is a hang-up, then lift", []seg{lift, on(801 * ms), off(time.Second)}, "OffHook@10 OnHook@900 OffHook@911"},
		{"short glitch while talking is no event", []seg{lift, on(15 * ms), off(time.Second)}, "OffHook@10"},
		{"20 pps digit 3 (33/17 ms)", cat([]seg{lift}, pulses(3, 33*ms, 17*ms, time.Second)), "OffHook@10 Digit(3)@383"},
		{"11 pulses rejected", cat([]seg{lift}, pulses(11, 60*ms, 40*ms, time.Second)), "OffHook@10"},
		{"break too short inside a train", []seg{lift, on(60 * ms), off(40 * ms), on(15 * ms), off(40 * ms), on(60 * ms), off(time.Second)}, "OffHook@10"},
		{"make too short inside a train", cat([]seg{lift}, []seg{on(60 * ms), off(12 * ms)}, pulses(2, 60*ms, 40*ms, time.Second)), "OffHook@10"},
		{"train cut by a flash", cat([]seg{lift}, pulses(2, 60*ms, 40*ms, 40*ms), []seg{on(300 * ms), off(time.Second)}), "OffHook@10 Flash@610"},
		{"train cut by hang-up", cat([]seg{lift}, pulses(2, 60*ms, 40*ms, 40*ms), []seg{on(time.Second)}), "OffHook@10 OnHook@1100"},
	} {
		for _, step := range []time.Duration{ms, 5 * ms} {
			t.Run(fmt.Sprintf("%s/sampled every %v", tc.name, step), func(t *testing.T) {
				if step != ms && !aligned(tc.segs, step) {
					t.Skip("segments not aligned to the sampling step")
				}
				evs, _ := runHook(t, nil, step, tc.segs...)
				if got := render(evs); got != tc.want {
					t.Errorf("events = %q, want %q", got, tc.want)
				}
			})
		}
	}
}

func aligned(segs []seg, step time.Duration) bool {
	for _, s := range segs {
		if s.d%step != 0 {
			return false
		}
	}
	return true
}

// TestHookPulseDigits dials 1234567890 at 10 pps with the make/break ratios
// found on rotary dials and checks each digit comes out once, in order.
func TestHookPulseDigits(t *testing.T) {
	for _, r := range []struct {
		name     string
		brk, mk  time.Duration
		interGap time.Duration
	}{
		{"60/40", 60 * ms, 40 * ms, 700 * ms},
		{"66/34", 66 * ms, 34 * ms, 700 * ms},
		{"62/38 short pause", 62 * ms, 38 * ms, 200 * ms},
	} {
		t.Run(r.name, func(t *testing.T) {
			segs := []seg{off(500 * ms)}
			for n := 1; n <= 10; n++ {
				segs = append(segs, pulses(n, r.brk, r.mk, r.interGap)...)
			}
			evs, h := runHook(t, nil, ms, segs...)
			var digits []byte
			for i, e := range evs {
				if i == 0 {
					if e.Type != hw.OffHook {
						t.Fatalf("first event = %v, want OffHook", e)
					}
					continue
				}
				if e.Type != hw.Digit || !e.Pulse {
					t.Fatalf("event %d = %v, want a pulse Digit", i, e)
				}
				digits = append(digits, e.Digit)
			}
			if string(digits) != "1234567890" {
				t.Errorf("digits = %q, want %q", digits, "1234567890")
			}
			if h.Rejected() != 0 {
				t.Errorf("Rejected() = %d, want 0", h.Rejected())
			}
		})
	}
}

// TestHookTransitions walks the transition table in hook.go one edge at a
// time, checking the state after each stretch.
func TestHookTransitions(t *testing.T) {
	type step struct {
		s    seg
		want line.HookState
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"Idle -> OffHook -> Break -> Idle", []step{
			{on(50 * ms), line.Idle}, {off(50 * ms), line.OffHook}, {on(50 * ms), line.Break}, {on(800 * ms), line.Idle}}},
		{"Break -> Make -> OffHook (digit)", []step{
			{off(50 * ms), line.OffHook}, {on(60 * ms), line.Break}, {off(50 * ms), line.Make}, {off(150 * ms), line.OffHook}}},
		{"Make -> Break -> Make (next pulse)", []step{
			{off(50 * ms), line.OffHook}, {on(60 * ms), line.Break}, {off(40 * ms), line.Make}, {on(60 * ms), line.Break}, {off(40 * ms), line.Make}}},
		{"Break -> OffHook (flash)", []step{
			{off(50 * ms), line.OffHook}, {on(200 * ms), line.Break}, {off(20 * ms), line.OffHook}}},
		{"Make -> Idle (hang-up in a train)", []step{
			{off(50 * ms), line.OffHook}, {on(60 * ms), line.Break}, {off(40 * ms), line.Make}, {on(900 * ms), line.Idle}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := line.NewHook(nil, func(hw.Event) {})
			if err != nil {
				t.Fatal(err)
			}
			now := t0
			for i, st := range tc.steps {
				for end := now.Add(st.s.d); now.Before(end); now = now.Add(ms) {
					h.Sample(st.s.off, now)
				}
				h.Sample(st.s.off, now)
				if got := h.State(); got != st.want {
					t.Fatalf("after step %d (%v for %v): State() = %v, want %v", i, map[bool]string{true: "off-hook", false: "on-hook"}[st.s.off], st.s.d, got, st.want)
				}
			}
		})
	}
}

// TestHookDeadline drives a Hook only at edges and at Deadline, as an
// interrupt-driven driver would, and gets the same events as polling.
func TestHookDeadline(t *testing.T) {
	segs := slices.Concat([]seg{off(300 * ms)}, pulses(4, 60*ms, 40*ms, 500*ms), []seg{on(100 * ms), off(300 * ms), on(2 * time.Second)})
	want, _ := runHook(t, nil, ms, segs...)
	var got []hw.Event
	h, err := line.NewHook(nil, func(e hw.Event) { got = append(got, e) })
	if err != nil {
		t.Fatal(err)
	}
	now := t0
	for _, s := range segs {
		end := now.Add(s.d)
		h.Sample(s.off, now) // the edge interrupt
		for {
			dl, ok := h.Deadline()
			if !ok || !dl.Before(end) {
				break
			}
			if !dl.After(now) {
				t.Fatalf("Deadline() = %v, not after the last sample %v", dl, now)
			}
			now = dl
			h.Sample(s.off, now)
		}
		now = end
	}
	h.Sample(false, now)
	if render(got) != render(want) {
		t.Errorf("interrupt-driven events = %q, polled = %q", render(got), render(want))
	}
}

func TestHookOptsInvalid(t *testing.T) {
	for _, o := range []line.HookOpts{
		{Debounce: 30 * ms},                    // not shorter than PulseBreakMin
		{FlashMin: 900 * ms},                   // not shorter than FlashMax
		{DigitGap: -ms},                        // negative
		{PulseMakeMin: 200 * ms, DigitGap: ms}, // make min over gap
	} {
		if _, err := line.NewHook(&o, func(hw.Event) {}); err == nil {
			t.Errorf("NewHook(%+v) = nil error, want invalid", o)
		}
	}
}

// TestHookCustomOpts uses DAHDI's longer flash window: a 1 s break is then
// a flash, and only breaks over 1250 ms hang up.
func TestHookCustomOpts(t *testing.T) {
	o := &line.HookOpts{FlashMax: 1250 * ms}
	evs, _ := runHook(t, o, ms, off(100*ms), on(time.Second), off(time.Second), on(2*time.Second))
	if got, want := render(evs), "OffHook@10 Flash@1110 OnHook@3350"; got != want {
		t.Errorf("events = %q, want %q", got, want)
	}
}
