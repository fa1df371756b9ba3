package si3050

import (
	"errors"
	"slices"
	"testing"
	"time"

	"deskline/hw"
	"deskline/hw/chip"
	"deskline/hw/chip/internal/chiptest"
	"deskline/hw/hwtest"
	"deskline/hw/line"

	"periph.io/x/conn/v3/conntest"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
	"periph.io/x/conn/v3/spi/spitest"
)

const ms = time.Millisecond

func rd(reg, v byte) []conntest.IO {
	return []conntest.IO{{W: []byte{0x60}}, {W: []byte{reg}}, {W: []byte{0}, R: []byte{v}}}
}

func wr(reg, v byte) []conntest.IO {
	return []conntest.IO{{W: []byte{0x20}}, {W: []byte{reg}}, {W: []byte{v}}}
}

func initOps(pcm byte, tx, rx uint16) []conntest.IO {
	return slices.Concat(
		rd(2, 0x03), wr(34, 0x5a), rd(34, 0x5a), wr(1, 0x80),
		wr(33, pcm), wr(16, 0), wr(26, 0xc0), wr(30, 0), wr(31, 0xa3),
		wr(34, byte(tx)), wr(35, byte(tx>>8)), wr(36, byte(rx)), wr(37, byte(rx>>8)),
		wr(6, 0), rd(11, 0x00), rd(11, 0x30), wr(5, 0x08),
	)
}

func TestNewPlaysInitSequence(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Opts
		pcm  byte
	}{
		{"mu-law slot 0", Opts{}, 0x28},
		{"a-law slot 1", Opts{Board: chip.Board{Law: chip.ALaw, TXStart: 8, RXStart: 8}}, 0x20},
		{"linear at bit 512", Opts{Board: chip.Board{Law: chip.Linear, TXStart: 512, RXStart: 512}}, 0x38},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := chiptest.NewHarness(chiptest.T0)
			var slept []time.Duration
			tc.opts.Clock = h.Clock
			tc.opts.Sleep = func(d time.Duration) { slept = append(slept, d) }
			p := chiptest.Playback(t, slices.Concat(initOps(tc.pcm, tc.opts.TXStart, tc.opts.RXStart), wr(5, 0x08)))
			d, err := New(p, &tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := d.String(), "si3050(playback)"; got != want {
				t.Errorf("String() = %q, want %q", got, want)
			}
			if len(slept) != 2 {
				t.Errorf("waits = %v, want one after the soft reset and one for the link", slept)
			}
			if err := d.Halt(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestSeizeReleasePlayback(t *testing.T) {
	h := chiptest.NewHarness(chiptest.T0)
	p := chiptest.Playback(t, slices.Concat(initOps(0x28, 0, 0), wr(5, 0x09), wr(5, 0x08), wr(5, 0x08)))
	d, err := New(p, &Opts{Board: chip.Board{Clock: h.Clock, Sleep: chiptest.NoSleep}})
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range []func() error{d.Seize, d.Seize, d.Release, d.Release} {
		if err := op(); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Halt(); err != nil {
		t.Fatal(err)
	}
}

func TestProbeFailures(t *testing.T) {
	for _, tc := range []struct {
		name string
		io   []conntest.IO
	}{
		{"empty bus reads zero", rd(2, 0x00)},
		{"empty bus reads ones", rd(2, 0xff)},
		{"read-back fails", slices.Concat(rd(2, 0x03), wr(34, 0x5a), rd(34, 0x00))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := New(chiptest.Playback(t, tc.io), &Opts{Board: chip.Board{Sleep: chiptest.NoSleep}})
			if !errors.Is(err, ErrNoChip) || d != nil {
				t.Fatalf("New() = %v, %v; want ErrNoChip and no port", d, err)
			}
		})
	}
	p := &spitest.Playback{Playback: conntest.Playback{DontPanic: true}}
	if _, err := New(p, &Opts{Board: chip.Board{Sleep: chiptest.NoSleep}}); !errors.Is(err, ErrNoChip) {
		t.Errorf("New() on a failing bus = %v, want ErrNoChip", err)
	}
}

func TestNoLink(t *testing.T) {
	io := slices.Concat(rd(2, 0x03), wr(34, 0x5a), rd(34, 0x5a), wr(1, 0x80),
		wr(33, 0x28), wr(16, 0), wr(26, 0xc0), wr(30, 0), wr(31, 0xa3),
		wr(34, 0), wr(35, 0), wr(36, 0), wr(37, 0), wr(6, 0))
	for range 10 {
		io = append(io, rd(11, 0)...)
	}
	io = append(io, rd(11, 0)...)
	if _, err := New(chiptest.Playback(t, io), &Opts{Board: chip.Board{Sleep: chiptest.NoSleep}}); !errors.Is(err, ErrFault) {
		t.Fatalf("New() without a line side = %v, want ErrFault", err)
	}
}

func TestInvalidOpts(t *testing.T) {
	for _, o := range []Opts{{Board: chip.Board{Law: 7}}, {Board: chip.Board{RXStart: 4096}}, {Battery: -1}} {
		if _, err := NewConn(newChip(), &o); !errors.Is(err, hw.ErrInvalid) {
			t.Errorf("NewConn(%+v) = %v, want ErrInvalid", o, err)
		}
	}
}

type rig struct {
	t    testing.TB
	h    *chiptest.Harness
	chip *simChip
	d    *Dev
	port hw.Port
}

func newRig(t testing.TB, o Opts) *rig {
	r := &rig{t: t, h: chiptest.NewHarness(chiptest.T0), chip: newChip()}
	r.h.Far = r.chip.far
	o.Clock, o.Sleep, o.Audio = r.h.Clock, chiptest.NoSleep, r.h.Audio
	d, err := NewConn(r.chip, &o)
	if err != nil {
		t.Fatal(err)
	}
	r.d, r.port = d, chiptest.Port{Port: d, H: r.h}
	t.Cleanup(func() { r.port.Halt() })
	return r
}

func (r *rig) expect(want ...hw.EventType) []hw.Event {
	r.t.Helper()
	return chiptest.Expect(r.t, r.port, want...)
}

func TestConformance(t *testing.T) {
	us, _ := line.Cadence("us")
	hwtest.Run(t, func(t *testing.T) *hwtest.Fixture {
		r := newRig(t, Opts{})
		return &hwtest.Fixture{
			Port:    r.port,
			Advance: r.h.Advance,
			Script: func() []hw.EventType {
				r.h.Advance(500 * ms)
				r.chip.ring(us, r.h.Clock.Now())
				r.h.Advance(7 * time.Second)
				r.d.Seize()
				r.h.Advance(time.Second)
				r.chip.setReversed(true)
				r.h.Advance(time.Second)
				r.chip.setBattery(false)
				r.h.Advance(time.Second)
				return []hw.EventType{hw.LineUp, hw.RingStart, hw.RingStop,
					hw.RingStart, hw.RingStop, hw.PolarityReversal, hw.LineDown}
			},
		}
	})
}

func TestRingCountAndAnswer(t *testing.T) {
	r := newRig(t, Opts{})
	r.h.Advance(100 * ms)
	r.expect(hw.LineUp)
	r.chip.ring(hw.Cadence{time.Second, 2 * time.Second}, r.h.Clock.Now())
	r.h.Advance(6500 * ms)
	got := r.expect(hw.RingStart, hw.RingStop, hw.RingStart, hw.RingStop, hw.RingStart)
	if got[0].Count != 1 || got[2].Count != 2 || got[4].Count != 3 {
		t.Errorf("ring counts = %d %d %d, want 1 2 3", got[0].Count, got[2].Count, got[4].Count)
	}
	if d := got[1].At.Sub(got[0].At); d < 800*ms || d > 1200*ms {
		t.Errorf("ring 1 lasted %v, want about 1 s", d)
	}
	if err := r.d.Seize(); err != nil {
		t.Fatal(err)
	}
	if !r.chip.offHook() {
		t.Fatal("Seize did not set the hook bit")
	}
	r.chip.stopRing()
	r.h.Advance(time.Second)
	r.expect(hw.RingStop)
	if v, err := r.d.LineVoltage(); err != nil || v != 8 {
		t.Errorf("LineVoltage() off-hook = %d, %v; want 8", v, err)
	}
	// A loop current drop while seized is a disconnect.
	r.chip.setBattery(false)
	r.h.Advance(200 * ms)
	r.expect(hw.LineDown)
	r.chip.setBattery(true)
	r.h.Advance(200 * ms)
	r.expect(hw.LineUp)
	if err := r.d.Release(); err != nil || r.chip.offHook() {
		t.Fatalf("Release() = %v, hook bit %v", err, r.chip.offHook())
	}
}

func TestFlash(t *testing.T) {
	r := newRig(t, Opts{})
	r.h.Advance(100 * ms)
	r.expect(hw.LineUp)
	if err := r.d.Flash(); !errors.Is(err, hw.ErrInvalid) {
		t.Errorf("Flash() on-hook = %v, want ErrInvalid", err)
	}
	r.d.Seize()
	r.h.Advance(time.Second)
	if err := r.d.Flash(); err != nil {
		t.Fatal(err)
	}
	r.h.Advance(100 * ms)
	if r.chip.offHook() {
		t.Fatal("line still off-hook during the flash")
	}
	r.h.Advance(700 * ms)
	if !r.chip.offHook() {
		t.Fatal("line not seized again after the flash")
	}
	r.h.Advance(time.Second)
	chiptest.Quiet(t, r.port)
}

func TestHaltReleases(t *testing.T) {
	r := newRig(t, Opts{})
	r.d.Seize()
	r.port.Halt()
	if r.chip.offHook() {
		t.Error("line seized after Halt")
	}
	if _, err := r.d.LineVoltage(); !errors.Is(err, hw.ErrHalted) {
		t.Errorf("LineVoltage after Halt = %v", err)
	}
}

func TestAlarms(t *testing.T) {
	r := newRig(t, Opts{})
	r.h.Advance(100 * ms)
	r.expect(hw.LineUp)
	alarm := func(what string) {
		t.Helper()
		e := chiptest.Next(t, r.port)
		if e.Type != hw.Alarm || !errors.Is(e.Err, ErrFault) {
			t.Fatalf("%s: event %v, want an Alarm wrapping ErrFault", what, e)
		}
	}
	r.chip.set(regDAA1, 0x02) // impossible: on-hook monitor off, bit 1 set
	r.h.Advance(10 * ms)
	alarm("register 5")
	if got := r.chip.get(regDAA1); got != 0x08 {
		t.Errorf("register 5 after the alarm = %#02x, want rewritten 0x08", got)
	}
	r.chip.set(regDAA2, 0x10) // line side powered down: link lost
	r.h.Advance(600 * ms)
	for {
		e := chiptest.Next(t, r.port)
		if e.Type == hw.Alarm {
			break
		}
		if e.Type != hw.LineDown {
			t.Fatalf("event %v while the link is lost", e)
		}
	}
}

func TestInterruptPin(t *testing.T) {
	h := chiptest.NewHarness(chiptest.T0)
	c := newChip()
	irq := &gpiotest.Pin{N: "int", Clock: h.Clock, EdgesChan: make(chan gpio.Level, 4)}
	d, err := NewConn(c, &Opts{Board: chip.Board{Clock: h.Clock, Sleep: chiptest.NoSleep, IRQ: irq}})
	if err != nil {
		t.Fatal(err)
	}
	defer chiptest.HaltWaiting(d, h.Clock)
	if got := c.get(regIntMask); got != intRing|intDropOut|intLoopI|intPolarity {
		t.Errorf("interrupt mask = %#02x", got)
	}
	c.set(regIntSource, intRing)
	irq.EdgesChan <- gpio.Low
	deadline := time.Now().Add(5 * time.Second)
	for c.get(regIntSource) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("interrupt source not cleared after an edge")
		}
		time.Sleep(time.Millisecond)
	}
}
