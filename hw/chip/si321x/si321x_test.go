package si321x

import (
	"errors"
	"slices"
	"sync"
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
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"
	"periph.io/x/conn/v3/spi/spitest"
)

// rd and wr are the transfers of one register read and write.
func rd(reg, v byte) []conntest.IO {
	return []conntest.IO{{W: []byte{reg | 0x80}}, {W: []byte{0}, R: []byte{v}}}
}

func wr(reg, v byte) []conntest.IO {
	return []conntest.IO{{W: []byte{reg}}, {W: []byte{v}}}
}

// probeOps is a healthy Si3210's answers to the probe.
func probeOps() []conntest.IO {
	return slices.Concat(rd(0, 0x05), rd(8, 0x02), rd(64, 0), rd(11, 0x33),
		wr(30, 0), wr(2, 0x5a), rd(2, 0x5a))
}

// initOps is the initialisation after the probe with default Opts and the
// given PCM mode, start counts and interrupt mask.
func initOps(pcm byte, tx, rx uint16, mask2 byte) []conntest.IO {
	return slices.Concat(
		wr(64, 0), wr(14, 0x10), wr(8, 0), wr(108, 0xeb), wr(67, 0x17), wr(66, 1),
		wr(92, 0xff), wr(14, 0), rd(82, 0xc8), wr(71, 0), wr(93, 0x19),
		wr(97, 0x1f), wr(96, 0x5f), rd(96, 0), wr(93, 0x99), rd(107, 0x08),
		wr(1, pcm), wr(2, byte(tx)), wr(3, byte(tx>>8)), wr(4, byte(rx)), wr(5, byte(rx>>8)),
		wr(18, 0xff), wr(19, 0xff), wr(20, 0xff), wr(21, 0), wr(22, mask2), wr(23, 0),
		wr(64, 1),
	)
}

func TestNewPlaysInitSequence(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Opts
		pcm  byte
	}{
		{"mu-law slot 0", Opts{}, 0x28},
		{"a-law slot 3", Opts{Board: chip.Board{Law: chip.ALaw, TXStart: 24, RXStart: 24}}, 0x20},
		{"linear at bit 264", Opts{Board: chip.Board{Law: chip.Linear, TXStart: 264, RXStart: 8}}, 0x38},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := chiptest.NewHarness(chiptest.T0)
			tc.opts.Clock, tc.opts.Sleep = h.Clock, chiptest.NoSleep
			p := chiptest.Playback(t, slices.Concat(probeOps(), initOps(tc.pcm, tc.opts.TXStart, tc.opts.RXStart, 0), wr(64, 0)))
			d, err := New(p, &tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := d.String(), "si3210(playback)"; got != want {
				t.Errorf("String() = %q, want %q", got, want)
			}
			if got := d.State(); got != ForwardActive {
				t.Errorf("State() = %v, want ForwardActive", got)
			}
			if err := d.Halt(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestNewResetPin(t *testing.T) {
	h := chiptest.NewHarness(chiptest.T0)
	reset := &gpiotest.Pin{N: "reset", L: gpio.High}
	var slept []time.Duration
	p := chiptest.Playback(t, slices.Concat(probeOps(), initOps(0x28, 0, 0, 0), wr(64, 0)))
	sleep := func(d time.Duration) {
		slept = append(slept, d)
		if len(slept) == 1 && reset.Read() != gpio.Low {
			t.Errorf("reset not held low during the pulse")
		}
	}
	d, err := New(p, &Opts{Board: chip.Board{Clock: h.Clock, Reset: reset, Sleep: sleep}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Halt()
	if reset.Read() != gpio.High {
		t.Errorf("reset pin left %v, want High (running)", reset.Read())
	}
	if len(slept) < 2 || slept[0] <= 0 {
		t.Errorf("reset pulse waits = %v", slept)
	}
}

func TestProbeFailures(t *testing.T) {
	for _, tc := range []struct {
		name string
		io   []conntest.IO
	}{
		{"empty bus reads zero", rd(0, 0x00)},
		{"empty bus reads ones", rd(0, 0xff)},
		{"revision too old", rd(0, 0x01)},
		{"wrong loopback reset value", slices.Concat(rd(0, 0x05), rd(8, 0x00))},
		{"linefeed not open at reset", slices.Concat(rd(0, 0x05), rd(8, 0x02), rd(64, 0x01))},
		{"wrong hybrid value", slices.Concat(rd(0, 0x05), rd(8, 0x02), rd(64, 0), rd(11, 0x00))},
		{"read-back fails", slices.Concat(rd(0, 0x05), rd(8, 0x02), rd(64, 0), rd(11, 0x33), wr(30, 0), wr(2, 0x5a), rd(2, 0x00))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := chiptest.Playback(t, tc.io)
			d, err := New(p, &Opts{Board: chip.Board{Sleep: chiptest.NoSleep}})
			if !errors.Is(err, ErrNoChip) {
				t.Fatalf("New() = %v, %v; want ErrNoChip", d, err)
			}
			if d != nil {
				t.Errorf("New() returned a port with the error")
			}
		})
	}
}

func TestProbeSPIError(t *testing.T) {
	// The playback runs out: every transfer fails.
	p := &spitest.Playback{Playback: conntest.Playback{DontPanic: true}}
	if _, err := New(p, &Opts{Board: chip.Board{Sleep: chiptest.NoSleep}}); !errors.Is(err, ErrNoChip) {
		t.Fatalf("New() on a failing bus = %v, want ErrNoChip", err)
	}
}

type failConnect struct{ spitest.Playback }

func (*failConnect) Connect(physic.Frequency, spi.Mode, int) (spi.Conn, error) {
	return nil, errors.New("no such port")
}

func TestConnectError(t *testing.T) {
	if _, err := New(&failConnect{}, nil); err == nil {
		t.Fatal("New() with a failing Connect = nil error")
	}
}

func TestPowerUpFailure(t *testing.T) {
	var io []conntest.IO
	io = append(io, probeOps()...)
	io = append(io, slices.Concat(wr(64, 0), wr(14, 0x10), wr(8, 0), wr(108, 0xeb), wr(67, 0x17), wr(66, 1), wr(92, 0xff), wr(14, 0))...)
	for range 10 {
		io = append(io, rd(82, 0x10)...)
	}
	p := chiptest.Playback(t, io)
	if _, err := New(p, &Opts{Board: chip.Board{Sleep: chiptest.NoSleep}}); !errors.Is(err, ErrFault) {
		t.Fatalf("New() with no battery = %v, want ErrFault", err)
	}
}

func TestInvalidOpts(t *testing.T) {
	for _, o := range []Opts{{Board: chip.Board{Law: 9}}, {Board: chip.Board{TXStart: 2000}}, {LoopCurrent: 60}} {
		if _, err := NewConn(newChip(), &o); !errors.Is(err, hw.ErrInvalid) {
			t.Errorf("NewConn(%+v) = %v, want ErrInvalid", o, err)
		}
	}
}

// rig is a port on the chip simulator with a telephone the test works.
type rig struct {
	t    testing.TB
	h    *chiptest.Harness
	chip *simChip
	d    *Dev
	port hw.Port

	mu   sync.Mutex
	plan []hookChange
	cids []hw.CallerID
}

type hookChange struct {
	at  time.Time
	off bool
}

func newRig(t testing.TB, o Opts) *rig {
	r := &rig{t: t, h: chiptest.NewHarness(chiptest.T0), chip: newChip()}
	r.h.Far = r.far
	o.Clock, o.Sleep, o.Audio = r.h.Clock, chiptest.NoSleep, r.h.Audio
	o.CallerID = func(c hw.CallerID) { r.cids = append(r.cids, c) }
	d, err := NewConn(r.chip, &o)
	if err != nil {
		t.Fatal(err)
	}
	r.d, r.port = d, chiptest.Port{Port: d, H: r.h}
	t.Cleanup(func() { r.port.Halt() })
	return r
}

func (r *rig) far(now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.plan) > 0 && !now.Before(r.plan[0].at) {
		r.chip.setHook(r.plan[0].off)
		r.plan = r.plan[1:]
	}
}

// hook schedules hook changes: after[i] from the previous change.
func (r *rig) hook(steps ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	at := r.h.Clock.Now()
	if n := len(r.plan); n > 0 {
		at = r.plan[n-1].at
	}
	for i := 0; i < len(steps); i += 2 {
		d, ok := steps[i].(time.Duration)
		if !ok {
			d = time.Duration(steps[i].(int)) // an untyped 0
		}
		at = at.Add(d)
		r.plan = append(r.plan, hookChange{at, steps[i+1].(bool)})
	}
}

const ms = time.Millisecond

// dial schedules a pulse-dialled digit n (10 for 0) at 10 pps.
func (r *rig) dial(n int) {
	for i := range n {
		gap := 40 * ms
		if i == 0 {
			gap = 0
		}
		r.hook(gap, false, 60*ms, true)
	}
}

func TestConformance(t *testing.T) {
	hwtest.Run(t, func(t *testing.T) *hwtest.Fixture {
		r := newRig(t, Opts{})
		return &hwtest.Fixture{
			Port:    r.port,
			Advance: r.h.Advance,
			Script: func() []hw.EventType {
				r.hook(0, true)
				r.h.Advance(500 * ms)
				r.dial(3)
				r.h.Advance(1500 * ms)
				r.hook(0, false, 200*ms, true)
				r.h.Advance(time.Second)
				r.hook(0, false)
				r.h.Advance(time.Second)
				return []hw.EventType{hw.OffHook, hw.Digit, hw.Flash, hw.OnHook}
			},
		}
	})
}

func TestHookEvents(t *testing.T) {
	r := newRig(t, Opts{})
	r.hook(0, true, 3*ms, false, 2*ms, true) // lift with contact bounce
	r.h.Advance(time.Second)
	r.dial(10)
	r.h.Advance(2 * time.Second)
	r.hook(0, false)
	r.h.Advance(time.Second)
	got := chiptest.Expect(t, r.port, hw.OffHook, hw.Digit, hw.OnHook)
	if got[1].Digit != '0' || !got[1].Pulse {
		t.Errorf("digit = %v, want pulse '0'", got[1])
	}
	if at := got[0].At.Sub(chiptest.T0); at < 10*ms || at > 20*ms {
		t.Errorf("OffHook at %v after the lift, want after the 10 ms debounce", at)
	}
}

func TestRingCadenceCallerIDAndRingTrip(t *testing.T) {
	r := newRig(t, Opts{})
	us, _ := line.Cadence("us")
	cid := &hw.CallerID{Number: "5550100"}
	if err := r.d.Ring(us, cid); err != nil {
		t.Fatal(err)
	}
	r.h.Advance(100 * ms)
	if got := r.chip.linefeed(); got != Ringing {
		t.Fatalf("linefeed while ringing = %v", got)
	}
	r.h.Advance(2 * time.Second) // into the silent interval
	if got := r.chip.linefeed(); got != OHTForward {
		t.Fatalf("linefeed between rings = %v, want OHTForward", got)
	}
	if len(r.cids) != 0 {
		t.Fatalf("caller ID sent before its moment")
	}
	r.h.Advance(500 * ms)
	if len(r.cids) != 1 || r.cids[0].Number != "5550100" {
		t.Fatalf("caller ID at 2.5 s = %v", r.cids)
	}
	if got := r.chip.linefeed(); got != OHTForward {
		t.Fatalf("linefeed during caller ID = %v, want OHTForward", got)
	}
	r.h.Advance(3500 * ms) // second ring; answer during it
	if got := r.chip.linefeed(); got != Ringing {
		t.Fatalf("linefeed at 6.1 s = %v, want Ringing", got)
	}
	r.hook(0, true)
	r.h.Advance(50 * ms)
	if got := r.chip.linefeed(); got != ForwardActive {
		t.Fatalf("linefeed after ring trip = %v, want ForwardActive", got)
	}
	if e := chiptest.Next(t, r.port); e.Type != hw.OffHook {
		t.Fatalf("event = %v, want OffHook", e)
	}
	written := slices.Compact(r.chip.states())
	want := []LineState{Open, ForwardActive, Ringing, OHTForward, Ringing, ForwardActive}
	if !slices.Equal(written, want) {
		t.Errorf("linefeed writes = %v, want %v", written, want)
	}
	if len(r.cids) != 1 {
		t.Errorf("caller ID sent %d times", len(r.cids))
	}
	if err := r.d.Ring(us, nil); !errors.Is(err, hw.ErrOffHook) {
		t.Errorf("Ring() while off-hook = %v, want ErrOffHook", err)
	}
}

func TestStopRingAndPolarity(t *testing.T) {
	r := newRig(t, Opts{})
	if err := r.d.Ring(hw.Cadence{time.Second, time.Second}, nil); err != nil {
		t.Fatal(err)
	}
	r.h.Advance(10 * ms)
	r.d.StopRing()
	r.d.SetReversed(true)
	r.h.Advance(10 * ms)
	if got := r.chip.linefeed(); got != ReverseActive {
		t.Fatalf("linefeed after StopRing reversed = %v", got)
	}
	r.d.SetOpen(true)
	r.h.Advance(10 * ms)
	if got := r.chip.linefeed(); got != Open {
		t.Fatalf("linefeed open = %v", got)
	}
	r.d.SetOpen(false)
	r.d.SetReversed(false)
	r.h.Advance(10 * ms)
	if got := r.chip.linefeed(); got != ForwardActive {
		t.Fatalf("linefeed = %v, want ForwardActive", got)
	}
	r.port.Halt()
	if got := r.chip.linefeed(); got != Open {
		t.Errorf("linefeed after Halt = %v, want Open", got)
	}
	if err := r.d.SetOpen(true); !errors.Is(err, hw.ErrHalted) {
		t.Errorf("SetOpen after Halt = %v", err)
	}
}

func TestAlarms(t *testing.T) {
	r := newRig(t, Opts{StuckHook: 5 * time.Second})
	alarm := func(what string) {
		t.Helper()
		e := chiptest.Next(t, r.port)
		if e.Type != hw.Alarm || !errors.Is(e.Err, ErrFault) {
			t.Fatalf("%s: event %v, want an Alarm wrapping ErrFault", what, e)
		}
	}
	r.chip.set(regVBatHi, 0x20)
	r.h.Advance(600 * ms)
	alarm("battery low")
	r.chip.set(regVBatHi, 0xc8)
	r.chip.set(regIntStatus2, 0x04) // Q1 power alarm
	r.h.Advance(500 * ms)
	alarm("power alarm")
	r.chip.set(regLinefeed, 0) // the chip dropped the linefeed
	r.h.Advance(500 * ms)
	alarm("linefeed dropped")
	if got := r.chip.linefeed(); got != ForwardActive {
		t.Errorf("linefeed after the alarm = %v, want restored ForwardActive", got)
	}
	r.chip.set(regLoopback, 0x02) // back at its reset value
	r.h.Advance(500 * ms)
	alarm("chip reset")
	r.chip.set(regLoopback, 0)
	r.hook(0, true)
	r.h.Advance(6 * time.Second)
	if e := chiptest.Next(t, r.port); e.Type != hw.OffHook {
		t.Fatalf("event = %v, want OffHook", e)
	}
	alarm("stuck hook")
	// Each alarm once per episode: nothing more is pending.
	r.h.Advance(2 * time.Second)
	chiptest.Quiet(t, r.port)
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
	if got := c.get(regIntMask2); got != 0xff {
		t.Errorf("interrupt mask 2 = %#02x, want hook, ring trip and power alarms enabled", got)
	}
	if irq.Pull() != gpio.PullUp {
		t.Errorf("IRQ pull = %v, want PullUp", irq.Pull())
	}
	// No time passes: only an edge can wake the driver.
	c.setHook(true)
	c.set(regIntStatus2, int2LoopClosure)
	irq.EdgesChan <- gpio.Low
	deadline := time.Now().Add(5 * time.Second)
	for c.get(regIntStatus2) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("interrupt status not read and cleared after an edge")
		}
		time.Sleep(time.Millisecond)
	}
	if d.fxs == nil {
		t.Fatal("no line machine")
	}
}
