package ag1171

import (
	"errors"
	"slices"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
	"periph.io/x/conn/v3/physic"

	"deskline/hw"
	"deskline/hw/alsa"
	"deskline/hw/hwtest"
)

func TestConformance(t *testing.T) {
	hwtest.Run(t, func(t *testing.T) *hwtest.Fixture {
		r := newRig(t, nil)
		return &hwtest.Fixture{
			Port:    r.p,
			Advance: r.advance,
			Script: func() []hw.EventType {
				r.hook(true)
				r.advance(100 * time.Millisecond)
				r.hook(false) // flash
				r.advance(300 * time.Millisecond)
				r.hook(true)
				r.advance(100 * time.Millisecond)
				r.hook(false) // hang up
				r.advance(time.Second)
				return []hw.EventType{hw.OffHook, hw.Flash, hw.OnHook}
			},
		}
	})
}

// bounce sets SHK to off, with contact bounce: the level flips back and
// forth every 2 ms for 8 ms first.
func (r *rig) bounce(off bool) {
	for i := range 4 {
		r.hook(i%2 == 0 == off)
		r.advance(2 * time.Millisecond)
	}
	r.hook(off)
}

func TestHook(t *testing.T) {
	r := newRig(t, nil)
	r.bounce(true)
	r.advance(200 * time.Millisecond)
	r.bounce(false) // a 600 ms flash
	r.advance(600 * time.Millisecond)
	r.bounce(true)
	r.advance(500 * time.Millisecond)
	r.bounce(false) // hang up
	r.advance(2 * time.Second)
	got := r.events()
	if want := []hw.EventType{hw.OffHook, hw.Flash, hw.OnHook}; !slices.Equal(types(got), want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	// OnHook comes when the flash window (800 ms) has passed.
	if d := got[2].At.Sub(epoch); d < 2100*time.Millisecond || d > 2150*time.Millisecond {
		t.Errorf("OnHook at %v, want 800 ms after the hang-up at 1.32 s", d)
	}
}

func TestPulseDialling(t *testing.T) {
	r := newRig(t, nil)
	r.hook(true)
	r.advance(300 * time.Millisecond)
	for _, n := range []int{3, 10, 1} {
		for range n { // 10 pulses per second, 60 ms break, 40 ms make
			r.hook(false)
			r.advance(60 * time.Millisecond)
			r.hook(true)
			r.advance(40 * time.Millisecond)
		}
		r.advance(700 * time.Millisecond)
	}
	var digits []byte
	for _, e := range r.events() {
		if e.Type == hw.Digit {
			if !e.Pulse {
				t.Errorf("digit %c not marked as pulse dialled", e.Digit)
			}
			digits = append(digits, e.Digit)
		}
	}
	if string(digits) != "301" {
		t.Errorf("dialled %q, want \"301\"", digits)
	}
}

// The ring-mode and F/R pins over one US cadence: RM High for the 2 s
// burst, F/R alternating every 25 ms (20 Hz) from High, both idle in the
// 4 s silence, then the next burst; caller ID goes out 500 ms into the
// silence.
func TestRingCadencePins(t *testing.T) {
	r := newRig(t, nil)
	r.advance(10 * time.Millisecond)
	start := r.clock().Sub(epoch)
	if err := r.p.Ring(hw.Cadence{2 * time.Second, 4 * time.Second}, &hw.CallerID{Number: "5551234"}); err != nil {
		t.Fatal(err)
	}
	r.record()
	r.advance(6095 * time.Millisecond) // stop between two F/R toggles
	if err := r.p.StopRing(); err != nil {
		t.Fatal(err)
	}
	r.record()

	var want []level
	want = append(want, level{0, gpio.Low, gpio.High})
	burst := func(from, to time.Duration) {
		for at, fr := from, gpio.High; at < to; at, fr = at+25*time.Millisecond, !fr {
			want = append(want, level{at, gpio.High, fr})
		}
		want = append(want, level{to, gpio.Low, gpio.High})
	}
	burst(start, start+2*time.Second)
	burst(start+6*time.Second, r.clock().Sub(epoch))
	if !slices.Equal(r.trace, want) {
		for i := range max(len(r.trace), len(want)) {
			var g, w level
			if i < len(r.trace) {
				g = r.trace[i]
			}
			if i < len(want) {
				w = want[i]
			}
			if g != w {
				t.Fatalf("pin levels differ first at change %d: got %+v, want %+v (%d changes, want %d)", i, g, w, len(r.trace), len(want))
			}
		}
	}
	if len(r.cids) != 1 || r.cids[0].Number != "5551234" || r.cidAt[0] != start+2500*time.Millisecond {
		t.Errorf("caller ID sent %v at %v, want 5551234 once at %v", r.cids, r.cidAt, start+2500*time.Millisecond)
	}
	if got := r.events(); len(got) != 0 {
		t.Errorf("ringing an on-hook phone reported %v", got)
	}
}

// SHK following the ring current at 20 Hz is not an answer; a telephone
// lifted during a burst is (ring trip): ringing stops and OffHook follows.
func TestRingTrip(t *testing.T) {
	r := newRig(t, nil)
	if err := r.p.Ring(hw.Cadence{2 * time.Second, 4 * time.Second}, nil); err != nil {
		t.Fatal(err)
	}
	for i := range 20 { // 500 ms of SHK pulsing with the ring
		r.hook(i%2 == 0)
		r.advance(25 * time.Millisecond)
	}
	r.hook(false)
	r.advance(10 * time.Millisecond)
	if got := r.events(); len(got) != 0 || r.rm.Read() != gpio.High {
		t.Fatalf("SHK chatter during ringing: events %v, RM %v; want none and still ringing", got, r.rm.Read())
	}
	lift := r.clock().Sub(epoch)
	r.hook(true)
	r.advance(300 * time.Millisecond)
	got := r.events()
	if !slices.Equal(types(got), []hw.EventType{hw.OffHook}) {
		t.Fatalf("events after lifting during a burst %v, want [OffHook]", got)
	}
	if r.rm.Read() != gpio.Low || r.fr.Read() != gpio.High {
		t.Errorf("after ring trip RM %v, FR %v; want Low, High", r.rm.Read(), r.fr.Read())
	}
	var stopped time.Duration
	for _, l := range r.trace {
		if l.At > lift && l.RM == gpio.Low {
			stopped = l.At - lift
			break
		}
	}
	if stopped < 100*time.Millisecond || stopped > 120*time.Millisecond {
		t.Errorf("ringing stopped %v after the lift, want RingTrip (100 ms) plus the debounce", stopped)
	}
	if err := r.p.Ring(hw.Cadence{time.Second, time.Second}, nil); !errors.Is(err, hw.ErrOffHook) {
		t.Errorf("Ring while off-hook = %v, want ErrOffHook", err)
	}
}

func TestSHKActiveLow(t *testing.T) {
	r := newRig(t, &Opts{SHKActiveLow: true})
	r.hook(true) // High: on-hook now
	r.advance(100 * time.Millisecond)
	r.hook(false)
	r.advance(100 * time.Millisecond)
	if got := types(r.events()); !slices.Equal(got, []hw.EventType{hw.OffHook}) {
		t.Errorf("SHK Low with SHKActiveLow: events %v, want [OffHook]", got)
	}
}

func TestOpts(t *testing.T) {
	pins := func() Pins {
		return Pins{RM: &gpiotest.Pin{}, FR: &gpiotest.Pin{}, SHK: &gpiotest.Pin{}}
	}
	for _, o := range []Opts{
		{RingFrequency: 5 * physic.Hertz},
		{RingFrequency: 100 * physic.Hertz},
		{RingTrip: 10 * time.Millisecond},
		{Poll: -1},
		{Poll: time.Second},
	} {
		if _, err := New(pins(), alsa.NewFake(0, 0), &o); !errors.Is(err, hw.ErrInvalid) {
			t.Errorf("New(%+v) = %v, want ErrInvalid", o, err)
		}
	}
	if _, err := New(Pins{RM: &gpiotest.Pin{}}, alsa.NewFake(0, 0), nil); !errors.Is(err, hw.ErrInvalid) {
		t.Errorf("New without FR and SHK = %v, want ErrInvalid", err)
	}
	if _, err := (Wiring{RM: "nope", FR: "nope", SHK: "nope"}).Pins(); !errors.Is(err, hw.ErrInvalid) {
		t.Errorf("Wiring with unknown lines: %v, want ErrInvalid", err)
	}
}

// The real goroutine, on the system clock: an edge on SHK wakes it, and the
// debounced OffHook follows; a pin without edge detection is polled.
func TestGoroutine(t *testing.T) {
	for _, edges := range []bool{true, false} {
		shk := &gpiotest.Pin{N: "SHK"}
		if edges {
			shk.EdgesChan = make(chan gpio.Level, 1)
		}
		p, err := New(Pins{RM: &gpiotest.Pin{}, FR: &gpiotest.Pin{}, SHK: shk}, alsa.NewFake(0, 0), nil)
		if err != nil {
			t.Fatal(err)
		}
		if edges {
			shk.EdgesChan <- gpio.High
		} else {
			shk.Out(gpio.High)
		}
		select {
		case e := <-p.Events():
			if e.Type != hw.OffHook {
				t.Errorf("edges %v: event %v, want OffHook", edges, e)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("edges %v: no OffHook within 5 s", edges)
		}
		if err := p.Halt(); err != nil {
			t.Error(err)
		}
	}
}

// The sampling path runs every few milliseconds for the life of the port:
// idle and ringing, it allocates nothing.
func TestStepAllocs(t *testing.T) {
	r := newRig(t, nil)
	now := epoch
	if n := testing.AllocsPerRun(200, func() { now = now.Add(time.Millisecond); r.p.step(now) }); n != 0 {
		t.Errorf("idle step allocates %v times", n)
	}
	r.mu.Lock()
	r.now = now
	r.mu.Unlock()
	if err := r.p.Ring(hw.Cadence{time.Hour, time.Second}, nil); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(200, func() { now = now.Add(time.Millisecond); r.p.step(now) }); n != 0 {
		t.Errorf("ringing step allocates %v times", n)
	}
}

func BenchmarkStepRinging(b *testing.B) {
	p, err := newPort(Pins{RM: &gpiotest.Pin{}, FR: &gpiotest.Pin{}, SHK: &gpiotest.Pin{}}, alsa.NewFake(0, 0), nil, func() time.Time { return epoch })
	if err != nil {
		b.Fatal(err)
	}
	close(p.done)
	defer p.Halt()
	if err := p.Ring(hw.Cadence{time.Hour, time.Second}, nil); err != nil {
		b.Fatal(err)
	}
	now := epoch
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Millisecond)
		p.step(now)
	}
}
