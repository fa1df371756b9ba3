package line_test

import (
	"testing"
	"time"

	"deskline/hw"
	"deskline/hw/line"
)

// lseg is a stretch of line state; chop makes the ring detector follow a
// 20 Hz ring signal (25 ms on, 25 ms off) while Ringing is set.
type lseg struct {
	s    line.LineSample
	d    time.Duration
	chop bool
}

func runMonitor(t *testing.T, segs ...lseg) []hw.Event {
	t.Helper()
	var evs []hw.Event
	m, err := line.NewMonitor(nil, func(e hw.Event) { evs = append(evs, e) })
	if err != nil {
		t.Fatal(err)
	}
	now := t0
	for _, sg := range segs {
		start := now
		for end := now.Add(sg.d); now.Before(end); now = now.Add(ms) {
			s := sg.s
			if sg.chop && s.Ringing {
				s.Ringing = now.Sub(start)%(50*ms) < 25*ms
			}
			m.Sample(s, now)
		}
	}
	return evs
}

func TestMonitorTiming(t *testing.T) {
	up := line.LineSample{Battery: true}
	ring := line.LineSample{Battery: true, Ringing: true}
	rev := line.LineSample{Battery: true, Reversed: true}
	for _, tc := range []struct {
		name string
		segs []lseg
		want string
	}{
		{"line comes up", []lseg{{up, time.Second, false}}, "LineUp@64"},
		{"line comes up reversed: no reversal", []lseg{{rev, time.Second, false}}, "LineUp@64"},
		{"battery blip ignored", []lseg{{up, time.Second, false}, {line.LineSample{}, 50 * ms, false}, {up, time.Second, false}}, "LineUp@64"},
		{"line goes down", []lseg{{up, time.Second, false}, {line.LineSample{}, time.Second, false}}, "LineUp@64 LineDown@1064"},
		{"polarity reversal", []lseg{{up, time.Second, false}, {rev, time.Second, false}, {up, time.Second, false}},
			"LineUp@64 PolarityReversal@1064 PolarityReversal@2064"},
		{"polarity spike ignored", []lseg{{up, time.Second, false}, {rev, 40 * ms, false}, {up, time.Second, false}}, "LineUp@64"},
		{"chopped 20 Hz ring is one ring per burst (US cadence)", []lseg{
			{up, time.Second, false}, {ring, 2 * time.Second, true}, {up, 4 * time.Second, false}, {ring, 2 * time.Second, true}, {up, time.Second, false}},
			"LineUp@64 RingStart(1)@1064 RingStop@3174 RingStart(2)@7064 RingStop@9174"},
		{"ring count restarts after RingIdle", []lseg{
			{up, time.Second, false}, {ring, time.Second, false}, {up, 10 * time.Second, false}, {ring, time.Second, false}, {up, time.Second, false}},
			"LineUp@64 RingStart(1)@1064 RingStop@2199 RingStart(1)@12064 RingStop@13199"},
		{"ring spike shorter than RingOn ignored", []lseg{{up, time.Second, false}, {ring, 50 * ms, false}, {up, time.Second, false}}, "LineUp@64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := render(runMonitor(t, tc.segs...)); got != tc.want {
				t.Errorf("events = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRinger(t *testing.T) {
	us, _ := line.Cadence("us")
	r, err := line.NewRinger(us, t0, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at   time.Duration
		on   bool
		next time.Duration
	}{
		{-time.Second, false, 0},
		{0, true, 2 * time.Second},
		{1999 * ms, true, 2 * time.Second},
		{2 * time.Second, false, 6 * time.Second},
		{6 * time.Second, true, 8 * time.Second},
		{63 * time.Second, false, 66 * time.Second},
	} {
		on, next := r.At(t0.Add(tc.at))
		if on != tc.on || next.Sub(t0) != tc.next {
			t.Errorf("At(+%v) = %v, +%v; want %v, +%v", tc.at, on, next.Sub(t0), tc.on, tc.next)
		}
	}

	for _, tc := range []struct {
		country string
		cid     time.Duration // -1: none
	}{
		{"us", 2500 * ms}, // 0.5 s into the 4 s gap
		{"nl", 1500 * ms},
		{"jp", 1500 * ms},
		{"gb", 1500 * ms}, // skips the 200 ms gap of the double ring
	} {
		c, ok := line.Cadence(tc.country)
		if !ok {
			t.Fatalf("Cadence(%q) missing", tc.country)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("Cadence(%q).Validate() = %v", tc.country, err)
		}
		r, err := line.NewRinger(c, t0, nil)
		if err != nil {
			t.Fatal(err)
		}
		at, ok := r.CallerIDAt()
		if !ok || at.Sub(t0) != tc.cid {
			t.Errorf("%s: CallerIDAt() = +%v, %v; want +%v", tc.country, at.Sub(t0), ok, tc.cid)
		}
		if on, _ := r.At(at); on {
			t.Errorf("%s: bell rings at the caller-ID moment", tc.country)
		}
	}

	r, err = line.NewRinger(hw.Cadence{time.Second, time.Second}, t0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if at, ok := r.CallerIDAt(); ok {
		t.Errorf("1s/1s cadence: CallerIDAt() = %v, true; want no room for caller ID", at)
	}
	if _, ok := line.Cadence("xx"); ok {
		t.Errorf("Cadence(xx) ok, want unknown")
	}
	if _, err := line.NewRinger(hw.Cadence{time.Second}, t0, nil); err == nil {
		t.Errorf("NewRinger(odd cadence) = nil error")
	}
}
