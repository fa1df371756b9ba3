package sim_test

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"deskline/hw"
	"deskline/hw/line"
	"deskline/hw/sim"
)

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

const ms = time.Millisecond

func render(e hw.Event) string {
	name := e.Type.String()
	switch e.Type {
	case hw.Digit:
		name = fmt.Sprintf("Digit(%c)", e.Digit)
	case hw.RingStart:
		name = fmt.Sprintf("RingStart(%d)", e.Count)
	case hw.CallerIDReceived:
		name = fmt.Sprintf("CallerIDReceived(%s)", e.CallerID.Number)
	}
	return fmt.Sprintf("%s@%d", name, e.At.Sub(t0)/ms)
}

// expect receives the events in want (space-separated renderings) and then
// checks that no other event is queued.
func expect(t *testing.T, p *sim.Port, want string) {
	t.Helper()
	var got []string
	for range strings.Fields(want) {
		select {
		case e := <-p.Events():
			got = append(got, render(e))
		case <-time.After(2 * time.Second): // a failure guard, never reached when the code works
			t.Fatalf("events = %q, then nothing; want %q", strings.Join(got, " "), want)
		}
	}
	if g := strings.Join(got, " "); g != want {
		t.Fatalf("events = %q, want %q", g, want)
	}
	quiet(t, p)
}

// quiet checks that no event is queued on p.
func quiet(t *testing.T, p *sim.Port) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for p.PendingEvents() > 0 {
		select {
		case e := <-p.Events():
			t.Fatalf("unexpected event %s", render(e))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("PendingEvents() stays %d", p.PendingEvents())
		}
		runtime.Gosched()
	}
}

func TestFXSCall(t *testing.T) {
	c := sim.NewClock(t0)
	p, phone, err := sim.NewFXS(c, &sim.Opts{Name: "desk"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Halt()
	if s := p.String(); s != "sim.FXS{desk}" {
		t.Errorf("String() = %q", s)
	}
	phone.Lift()
	c.Advance(500 * ms)
	if err := phone.Dial("19"); err != nil {
		t.Fatal(err)
	}
	c.Advance(2500 * ms)
	phone.Flash(100 * ms)
	c.Advance(500 * ms)
	if err := phone.Press('#'); err != nil {
		t.Fatal(err)
	}
	phone.Hang()
	c.Advance(time.Second)
	expect(t, p, "OffHook@10 Digit(1)@710 Digit(9)@2320 Flash@3110 Digit(#)@3500 OnHook@4300")
	if err := phone.Dial("1*"); !errors.Is(err, hw.ErrInvalid) {
		t.Errorf("Dial(1*) = %v, want ErrInvalid", err)
	}
}

func TestFXSBounceIgnored(t *testing.T) {
	c := sim.NewClock(t0)
	p, phone, err := sim.NewFXS(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Halt()
	for range 5 { // 4 ms bounces
		phone.SetHook(true)
		c.Advance(4 * ms)
		phone.SetHook(false)
		c.Advance(4 * ms)
	}
	c.Advance(time.Second)
	expect(t, p, "")
}

func TestFXSRingAndCallerID(t *testing.T) {
	c := sim.NewClock(t0)
	p, phone, err := sim.NewFXS(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Halt()
	us, _ := line.Cadence("us")
	if err := p.Ring(hw.Cadence{time.Second}, nil); !errors.Is(err, hw.ErrInvalid) {
		t.Errorf("Ring(odd cadence) = %v, want ErrInvalid", err)
	}
	if err := p.Ring(us, &hw.CallerID{Number: "5551234", Name: "Reception"}); err != nil {
		t.Fatal(err)
	}
	for _, st := range []struct {
		to      time.Duration
		ringing bool
		cid     bool
	}{
		{time.Second, true, false},
		{2400 * ms, false, false},
		{2500 * ms, false, true}, // caller ID half a second into the first silence
		{6500 * ms, true, true},
	} {
		c.Advance(t0.Add(st.to).Sub(c.Now()))
		if got := phone.Ringing(); got != st.ringing {
			t.Errorf("at +%v: Ringing() = %v, want %v", st.to, got, st.ringing)
		}
		if cid, ok := phone.CallerID(); ok != st.cid || (ok && cid.Number != "5551234") {
			t.Errorf("at +%v: CallerID() = %+v, %v; want sent=%v", st.to, cid, ok, st.cid)
		}
	}
	phone.Lift() // ring trip
	c.Advance(20 * ms)
	if phone.Ringing() {
		t.Errorf("still ringing after the handset was lifted")
	}
	expect(t, p, "OffHook@6510")
	if err := p.Ring(us, nil); !errors.Is(err, hw.ErrOffHook) {
		t.Errorf("Ring while off-hook = %v, want ErrOffHook", err)
	}
	if err := p.StopRing(); err != nil {
		t.Errorf("StopRing() = %v", err)
	}
}

func TestFXOLine(t *testing.T) {
	c := sim.NewClock(t0)
	p, ex, err := sim.NewFXO(c, &sim.Opts{Name: "trunk"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Halt()
	c.Advance(time.Second)
	us, _ := line.Cadence("us")
	if err := ex.Ring(us, &hw.CallerID{Number: "5551234"}); err != nil {
		t.Fatal(err)
	}
	c.Advance(7 * time.Second)
	if err := p.Seize(); err != nil {
		t.Fatal(err)
	}
	if !ex.Seized() {
		t.Errorf("Seized() = false after Seize")
	}
	c.Advance(time.Second)
	ex.ReversePolarity()
	c.Advance(time.Second)
	ex.SetBattery(false)
	c.Advance(time.Second)
	expect(t, p, "LineUp@64 RingStart(1)@1064 RingStop@3199 CallerIDReceived(5551234)@3500 RingStart(2)@7064 RingStop@8200 PolarityReversal@9064 LineDown@10064")
	if err := p.Release(); err != nil || ex.Seized() {
		t.Errorf("Release() = %v, Seized() = %v; want nil, false", err, ex.Seized())
	}
}

func TestAudio(t *testing.T) {
	c := sim.NewClock(t0)
	p, ex, err := sim.NewFXO(c, &sim.Opts{Capture: 4, Playout: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Halt()

	// Uplink: 400 samples of speech, then silence, one frame per 20 ms.
	speech := make([]int16, 400)
	for i := range speech {
		speech[i] = int16(i + 1)
	}
	ex.Speak(speech)
	c.Advance(60 * ms)
	var f hw.Frame
	for i, want := range []struct{ first, last int16 }{{1, 160}, {161, 320}, {321, 0}} {
		if err := p.ReadFrame(&f); err != nil {
			t.Fatal(err)
		}
		if f[0] != want.first || f[159] != want.last {
			t.Errorf("frame %d = [%d ... %d], want [%d ... %d]", i, f[0], f[159], want.first, want.last)
		}
	}

	// Downlink: two frames written, three played; the third is silence.
	var a, b hw.Frame
	a[0], b[0] = 7, 9
	for _, fr := range []*hw.Frame{&a, &b} {
		if err := p.WriteFrame(fr); err != nil {
			t.Fatal(err)
		}
	}
	// The playout buffer (2) is full: a third write waits for the clock.
	done := make(chan error, 1)
	go func() { done <- p.WriteFrame(&a) }()
	select {
	case err := <-done:
		t.Fatalf("WriteFrame with a full playout buffer returned %v before the clock moved", err)
	default:
	}
	ex.Heard()
	c.Advance(20 * ms)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	c.Advance(60 * ms)
	heard := ex.Heard()
	if len(heard) != 4*hw.FrameSamples {
		t.Fatalf("heard %d samples over 80 ms, want %d", len(heard), 4*hw.FrameSamples)
	}
	for i, want := range []int16{7, 9, 7, 0} {
		if got := heard[i*hw.FrameSamples]; got != want {
			t.Errorf("heard frame %d starts %d, want %d", i, got, want)
		}
	}
	// Overrun: the 4 capture slots are full, so 5 more frames drop 5; and
	// nothing was written for 9 of the 14 frames played so far.
	c.Advance(100 * ms)
	over, under := p.Stats()
	if over != 5 || under != 9 {
		t.Errorf("Stats() = %d overruns, %d underruns; want 5, 9", over, under)
	}

	// Halt unblocks a reader waiting for the clock.
	for range 4 {
		if err := p.ReadFrame(&f); err != nil {
			t.Fatal(err)
		}
	}
	go func() { done <- p.ReadFrame(&f) }()
	p.Halt()
	if err := <-done; !errors.Is(err, hw.ErrHalted) {
		t.Errorf("ReadFrame across Halt = %v, want ErrHalted", err)
	}
}

func TestAdvanceTo(t *testing.T) {
	c := sim.NewClock(t0)
	p, phone, err := sim.NewFXS(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Halt()
	phone.Lift()
	c.AdvanceTo(t0.Add(100 * ms))
	c.AdvanceTo(t0) // the past: no-op
	if got := c.Now(); !got.Equal(t0.Add(100 * ms)) {
		t.Errorf("Now() = %v, want t0+100ms", got)
	}
	var f hw.Frame
	for i := range 5 { // 100 ms of frames are owed and ready
		if err := p.ReadFrame(&f); err != nil {
			t.Fatalf("ReadFrame #%d = %v", i+1, err)
		}
	}
	expect(t, p, "OffHook@10")
}

// TestHaltWhileRunning halts ports while another goroutine advances their
// clock and a reader and writer are busy: nothing deadlocks or races.
func TestHaltWhileRunning(t *testing.T) {
	c := sim.NewClock(t0)
	fxs, phone, err := sim.NewFXS(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	fxo, _, err := sim.NewFXO(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var done []chan struct{}
	run := func(f func()) {
		d := make(chan struct{})
		done = append(done, d)
		go func() { defer close(d); f() }()
	}
	run(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			phone.Lift()
			c.Advance(30 * ms)
			phone.Hang()
			c.Advance(30 * ms)
		}
	})
	for _, p := range []*sim.Port{fxs, fxo} {
		run(func() {
			var f hw.Frame
			for p.ReadFrame(&f) == nil {
			}
		})
		run(func() {
			var f hw.Frame
			for p.WriteFrame(&f) == nil {
			}
		})
		run(func() {
			for range p.Events() {
			}
		})
	}
	c.Advance(200 * ms)
	fxs.Halt()
	fxo.Halt()
	close(stop)
	for i, d := range done {
		select {
		case <-d:
		case <-time.After(5 * time.Second): // failure guard only
			t.Fatalf("goroutine %d still running after Halt", i)
		}
	}
}

// TestNewWhileAdvancing makes ports while another goroutine advances their
// clock (run with -race).
func TestNewWhileAdvancing(t *testing.T) {
	c := sim.NewClock(t0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 50 {
			c.Advance(10 * ms)
		}
	}()
	for range 10 {
		p, _, err := sim.NewFXO(c, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Halt()
	}
	<-done
}
