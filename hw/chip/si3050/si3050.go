package si3050

import (
	"errors"
	"fmt"
	"time"

	"deskline/hw"
	"deskline/hw/chip"
	"deskline/hw/chip/internal/shell"
	"deskline/hw/line"

	"periph.io/x/conn/v3"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/spi"
)

// Errors, wrapped with the port's name (test with errors.Is).
var (
	// ErrNoChip is returned by New when no working Si3050 answers:
	// register 2 does not read its reset value or the read-back check
	// fails.
	ErrNoChip = errors.New("si3050: no DAA found")
	// ErrFault is returned by New when the line side does not come up,
	// and is wrapped by the Err of Alarm events: a control register
	// reading no working chip returns, a line side that never linked, or an
	// SPI transfer that failed.
	ErrFault = errors.New("si3050: chip fault")
)

// Opts configure a port. The zero value is valid: US line termination,
// and see chip.Board for the wiring defaults.
type Opts struct {
	chip.Board
	// HotTime is how long after an /INT edge or a line change the driver
	// keeps sampling every Poll when IRQ is set. Default 1 s.
	HotTime time.Duration
	// Country is the line termination; nil means FCC.
	Country *Country
	// Monitor tunes ring, battery and polarity debounce; nil: defaults.
	Monitor *line.MonitorOpts
	// Battery is the smallest line voltage magnitude, in volts (register
	// 29 units), that counts as a line present while on-hook. Default 3,
	// DAHDI's battthresh.
	Battery int
	// LoopCurrent is the smallest loop current reading (register 28 units)
	// that counts as a connected line while seized; below it the line is
	// reported down (disconnect supervision). Default 3 [inferred].
	LoopCurrent uint8
	// Flash is how long Flash holds the line on-hook. Default 750 ms,
	// DAHDI's default flash.
	Flash time.Duration
}

func (o *Opts) fill() error {
	if err := shell.Fill(&o.Board); err != nil {
		return err
	}
	if o.HotTime <= 0 {
		o.HotTime = time.Second
	}
	if o.Country == nil {
		c := FCC
		o.Country = &c
	}
	if o.Battery == 0 {
		o.Battery = 3
	}
	if o.Battery < 0 || o.Battery > 127 {
		return fmt.Errorf("%w: Battery %d V, want 1..127", hw.ErrInvalid, o.Battery)
	}
	if o.LoopCurrent == 0 {
		o.LoopCurrent = 3
	}
	if o.Flash <= 0 {
		o.Flash = 750 * time.Millisecond
	}
	return nil
}

// Dev is one Si3050 FXO port; it implements hw.Port.
type Dev struct {
	shell.Port // String, Kind, Events, ReadFrame, WriteFrame, Halt

	sh  *shell.Shell
	bus bus
	o   Opts

	mon        *line.Monitor
	seized     bool      // what the port was asked for
	flashUntil time.Time // on-hook for a flash until then
	settle     time.Time // loop current not judged before then
	daa        byte      // register 5 as last written
	hotUntil   time.Time
	last       line.LineSample
	nextHealth time.Time
	alarms     shell.Alarms
}

var _ hw.Port = (*Dev)(nil)
var _ conn.Resource = (*Dev)(nil)

// New connects to the DAA on p (SPI mode 3, 8 bits, at most 2 MHz
// [inferred]), probes, initialises it and starts sampling.
func New(p spi.Port, opts *Opts) (*Dev, error) {
	c, err := shell.Connect(p)
	if err != nil {
		return nil, fmt.Errorf("si3050: connect: %w", err)
	}
	return NewConn(c, opts)
}

// NewConn is New on a connection the caller made: c must frame every Tx
// as one chip-select cycle.
func NewConn(c conn.Conn, opts *Opts) (*Dev, error) {
	var o Opts
	if opts != nil {
		o = *opts
	}
	if err := o.fill(); err != nil {
		return nil, fmt.Errorf("si3050: %w", err)
	}
	if o.Name == "" {
		o.Name = c.String()
	}
	d := &Dev{bus: bus{shell.Bus{C: c}}, o: o}
	var err error
	d.mon, err = line.NewMonitor(o.Monitor, d.post)
	if err != nil {
		return nil, fmt.Errorf("si3050: %w", err)
	}
	if err := d.init(); err != nil {
		return nil, fmt.Errorf("si3050(%s): %w", o.Name, err)
	}
	now := o.Clock.Now()
	d.nextHealth, d.hotUntil = now.Add(o.Health), now.Add(o.HotTime)
	d.sh = shell.Start(shell.Config{
		Name: "si3050(" + o.Name + ")", Kind: hw.FXO, Clock: o.Clock, Audio: o.Audio, IRQ: o.IRQ,
		Period: o.Poll, IRQIdle: o.IRQIdle, Poll: d.poll, Inert: d.inert,
	})
	d.Port = d.sh.Port()
	return d, nil
}

func (d *Dev) init() error {
	o, b := &d.o, &d.bus
	if err := shell.ResetPulse(o.Reset, o.Sleep); err != nil {
		return err
	}
	v := b.read(regControl2)
	if b.Err == nil && v != control2Reset {
		return fmt.Errorf("%w: register 2 reads %#02x, want %#02x", ErrNoChip, v, control2Reset)
	}
	b.write(regTXStartLo, scratchPattern)
	if v := b.read(regTXStartLo); b.Err == nil && v != scratchPattern {
		return fmt.Errorf("%w: read-back of register %d gave %#02x, want %#02x", ErrNoChip, regTXStartLo, v, scratchPattern)
	}
	if b.Err != nil {
		return fmt.Errorf("%w: spi: %v", ErrNoChip, b.Err)
	}
	b.write(regControl1, softReset)
	o.Sleep(10 * time.Millisecond)
	mode, _ := shell.PCMMode(o.Law)
	b.write(regPCM, mode)
	b.write(regRinger, o.Country.Ringer)
	b.write(regDCTerm, o.Country.DCTerm)
	b.write(regACTerm, o.Country.ACTerm)
	b.write(regDAA5, o.Country.DAA5)
	b.write(regTXStartLo, byte(o.TXStart))
	b.write(regTXStartHi, byte(o.TXStart>>8))
	b.write(regRXStartLo, byte(o.RXStart))
	b.write(regRXStartHi, byte(o.RXStart>>8))
	b.write(regDAA2, 0) // power the line side up over the ISOcap link
	if !d.linked() {
		return fmt.Errorf("%w: line side did not link (register 11 reads %#02x)", ErrFault, b.read(regRevision))
	}
	if o.IRQ != nil {
		b.write(regIntSource, 0)
		b.write(regIntMask, intRing|intDropOut|intLoopI|intPolarity)
		if err := o.IRQ.In(gpio.PullUp, gpio.FallingEdge); err != nil {
			return fmt.Errorf("irq pin: %w", err)
		}
	}
	d.setDAA(daaOnHook)
	if b.Err != nil {
		return fmt.Errorf("%w: spi: %v", ErrFault, b.Err)
	}
	return nil
}

// linked waits up to 1 s for the line-side device ID to appear.
func (d *Dev) linked() bool {
	for i := 0; ; i++ {
		if d.bus.read(regRevision)&0xf0 != 0 {
			return true
		}
		if i == 9 || d.bus.Err != nil {
			return false
		}
		d.o.Sleep(100 * time.Millisecond)
	}
}

func (d *Dev) setDAA(v byte) {
	d.bus.write(regDAA1, v)
	d.daa = v
}

func (d *Dev) post(e hw.Event) {
	if d.sh != nil {
		d.sh.Post(e)
	}
}

// Alarm conditions.
const (
	alarmSPI = iota
	alarmDAA
	alarmLink
)

func (d *Dev) alarm(now time.Time, format string, args ...any) {
	d.sh.Alarm(now, ErrFault, format, args...)
}

// offHook is whether the line should be seized now.
func (d *Dev) offHook(now time.Time) bool { return d.seized && !now.Before(d.flashUntil) }

// poll samples the DAA: hook register (rewritten if it drifted), ring
// detector, line voltage and, while seized, loop current, into the Monitor.
func (d *Dev) poll(now time.Time, irq bool) time.Time {
	b := &d.bus
	b.Err = nil
	if irq {
		b.read(regIntSource)
		b.write(regIntSource, 0)
		d.hotUntil = now.Add(d.o.HotTime)
	}
	want := byte(daaOnHook)
	if d.offHook(now) {
		want = daaSeized
	}
	r5 := b.read(regDAA1)
	insane := r5&daaBadBit != 0 || r5&daaOnHookMon == 0
	if d.alarms.Raise(alarmDAA, insane && b.Err == nil) {
		d.alarm(now, "register 5 reads %#02x", r5)
	}
	if r5&daaCompare != want || d.daa != want {
		if want == daaSeized && d.daa != daaSeized {
			d.settle = now.Add(d.o.Flash / 4) // loop current takes a moment
		}
		d.setDAA(want)
	}
	s := d.last
	if !insane && b.Err == nil {
		lvs := int8(b.read(regLineV))
		s.Reversed = lvs < 0
		s.Ringing = want == daaOnHook && r5&(daaRingPos|daaRingNeg) != 0
		switch {
		case want == daaOnHook && d.seized: // flashing: keep the line's state
		case want == daaOnHook:
			s.Battery = abs(int(lvs)) >= d.o.Battery
		case now.Before(d.settle):
		default:
			s.Battery = b.read(regLoopI) >= d.o.LoopCurrent
		}
	}
	if b.Err == nil {
		if s != d.last {
			d.hotUntil = now.Add(d.o.HotTime)
		}
		d.last = s
		d.mon.Sample(s, now)
	}
	if !now.Before(d.nextHealth) {
		d.nextHealth = now.Add(d.o.Health)
		rev := b.read(regRevision)
		if d.alarms.Raise(alarmLink, b.Err == nil && rev&0xf0 == 0) {
			d.alarm(now, "line side lost its link (register 11 reads %#02x)", rev)
		}
	}
	if d.alarms.Raise(alarmSPI, b.Err != nil) {
		d.alarm(now, "spi: %v", b.Err)
	}
	if now.Before(d.hotUntil) || now.Before(d.flashUntil) {
		return now.Add(d.o.Poll)
	}
	return time.Time{}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func (d *Dev) inert() error {
	d.bus.Err = nil
	d.setDAA(daaOnHook)
	return d.bus.Err
}

// Ring returns hw.ErrUnsupported: this is an FXO port.
func (d *Dev) Ring(hw.Cadence, *hw.CallerID) error { return d.unsupported("ring") }

// StopRing returns hw.ErrUnsupported: this is an FXO port.
func (d *Dev) StopRing() error { return d.unsupported("stop ring") }

func (d *Dev) unsupported(op string) error { return d.sh.Unsupported(op) }

// Seize implements hw.Port: the line goes off-hook at once and the ring
// count restarts.
func (d *Dev) Seize() error { return d.hook("seize", true) }

// Release implements hw.Port: the line goes on-hook at once.
func (d *Dev) Release() error { return d.hook("release", false) }

func (d *Dev) hook(op string, off bool) error {
	return d.sh.Do(op, func() error {
		if d.seized == off {
			return nil
		}
		d.seized, d.flashUntil = off, time.Time{}
		v := byte(daaOnHook)
		if off {
			d.mon.ResetRings()
			d.settle = d.o.Clock.Now().Add(d.o.Flash / 4)
			v = daaSeized
		}
		return d.writeDAA(v)
	})
}

// writeDAA writes register 5 now, for a control method.
func (d *Dev) writeDAA(v byte) error {
	d.bus.Err = nil
	d.setDAA(v)
	if d.bus.Err != nil {
		return fmt.Errorf("%w: spi: %v", ErrFault, d.bus.Err)
	}
	return nil
}

// Flash puts a seized line on-hook for Opts.Flash and seizes it again (a
// hook flash, e.g. to transfer on a PBX line). It returns hw.ErrInvalid when
// the line is not seized.
func (d *Dev) Flash() error {
	return d.sh.Do("flash", func() error {
		if !d.seized {
			return fmt.Errorf("%w: line not seized", hw.ErrInvalid)
		}
		now := d.o.Clock.Now()
		d.flashUntil = now.Add(d.o.Flash)
		d.hotUntil = d.flashUntil
		return d.writeDAA(daaOnHook)
	})
}

// LineVoltage reads the line voltage in volts (negative when reversed).
func (d *Dev) LineVoltage() (int, error) {
	var v int
	err := d.sh.Do("line voltage", func() error {
		d.bus.Err = nil
		v = int(int8(d.bus.read(regLineV)))
		return d.bus.Err
	})
	return v, err
}
