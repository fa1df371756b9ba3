package si321x

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
	// ErrNoChip is returned by New when no working Si321x answers: the ID
	// register reads as an empty bus (0x00 or 0xff), the revision is too
	// old, a reset value is wrong or the read-back check fails.
	ErrNoChip = errors.New("si321x: no ProSLIC found")
	// ErrFault is returned by New when the chip does not power up or
	// calibrate, and is wrapped by the Err of Alarm events: a chip that
	// reset itself, a power alarm, a battery below Opts.VBatMin, a linefeed
	// the chip dropped, a hook switch off-hook for longer than
	// Opts.StuckHook, or an SPI transfer that failed.
	ErrFault = errors.New("si321x: chip fault")
)

// IndirectReg is one indirect register write done at initialisation.
type IndirectReg struct {
	Addr  uint8
	Value uint16
}

// Opts configure a port. The zero value is valid: see chip.Board for the
// wiring defaults.
type Opts struct {
	chip.Board
	// LoopCurrent is the loop current limit in mA, 20 to 41. Default 20.
	LoopCurrent int
	// Indirect are board-specific indirect register values (ring
	// oscillator, thresholds, filters: DAHDI's indirect_regs table for
	// the same part) written in order at initialisation. This driver ships
	// no table of its own.
	Indirect []IndirectReg
	// Hook and Ringer tune the hw/line machines; nil means defaults.
	Hook   *line.HookOpts
	Ringer *line.RingerOpts
	// CallerID is called, from the sampling goroutine, at the moment the
	// Ringer gives for caller ID, after the linefeed switched to on-hook
	// transmission: the caller then plays the FSK burst into the audio path.
	// It must not block or call the port. Nil: caller ID is not sent.
	CallerID func(hw.CallerID)
	// VBatMin is the lowest healthy battery reading of register 82 (376 mV
	// per unit). Default 0xc0 (about 72 V), DAHDI's power-up level.
	VBatMin uint8
	// StuckHook raises an Alarm when the telephone stays off-hook this long.
	// Default 1 hour; negative disables.
	StuckHook time.Duration
}

func (o *Opts) fill() error {
	if err := shell.Fill(&o.Board); err != nil {
		return err
	}
	if o.LoopCurrent == 0 {
		o.LoopCurrent = 20
	}
	if o.LoopCurrent < 20 || o.LoopCurrent > 41 {
		return fmt.Errorf("%w: LoopCurrent %d mA, want 20..41", hw.ErrInvalid, o.LoopCurrent)
	}
	if o.VBatMin == 0 {
		o.VBatMin = vbatUpMin
	}
	if o.StuckHook == 0 {
		o.StuckHook = time.Hour
	}
	return nil
}

// Dev is one Si3210/Si3215 FXS port; it implements hw.Port.
type Dev struct {
	shell.Port // String, Kind, Events, ReadFrame, WriteFrame, Halt

	sh  *shell.Shell
	bus bus
	o   Opts

	revision, part byte

	fxs      *line.FXS
	lf       line.Linefeed
	state    LineState // last written to the linefeed register
	reversed bool
	open     bool
	cid      *hw.CallerID

	nextHealth time.Time
	offSince   time.Time
	alarms     shell.Alarms
}

var _ hw.Port = (*Dev)(nil)
var _ conn.Resource = (*Dev)(nil)

// New connects to the ProSLIC on p (SPI mode 3, 8 bits, at most 2 MHz
// [inferred: the chip allows more; wctdm bit-bangs it slowly]), probes,
// initialises it and starts sampling.
func New(p spi.Port, opts *Opts) (*Dev, error) {
	c, err := shell.Connect(p)
	if err != nil {
		return nil, fmt.Errorf("si321x: connect: %w", err)
	}
	return NewConn(c, opts)
}

// NewConn is New on a connection the caller made: c must frame every
// Tx as one chip-select cycle, as spi.Conn does.
func NewConn(c conn.Conn, opts *Opts) (*Dev, error) {
	var o Opts
	if opts != nil {
		o = *opts
	}
	if err := o.fill(); err != nil {
		return nil, fmt.Errorf("si321x: %w", err)
	}
	if o.Name == "" {
		o.Name = c.String()
	}
	d := &Dev{bus: bus{Bus: shell.Bus{C: c}}, o: o}
	var err error
	d.fxs, err = line.NewFXS(o.Hook, o.Ringer, d.post)
	if err != nil {
		return nil, fmt.Errorf("si321x: %w", err)
	}
	if err := d.init(); err != nil {
		return nil, fmt.Errorf("si321x(%s): %w", o.Name, err)
	}
	d.nextHealth = o.Clock.Now().Add(o.Health)
	d.sh = shell.Start(shell.Config{
		Name: d.name(), Kind: hw.FXS, Clock: o.Clock, Audio: o.Audio, IRQ: o.IRQ,
		Period: o.Poll, IRQIdle: o.IRQIdle, Poll: d.poll, Inert: d.inert,
	})
	d.Port = d.sh.Port()
	return d, nil
}

func (d *Dev) name() string {
	return fmt.Sprintf("si321%d(%s)", d.partDigit(), d.o.Name)
}

// partDigit is 0 for an Si3210, 5 for an Si3215 [inferred: DAHDI's older
// wctdm takes revision 2 for an Si3215; the part bits are not checked].
func (d *Dev) partDigit() int {
	if d.revision == 2 {
		return 5
	}
	return 0
}

func (d *Dev) init() error {
	o := &d.o
	if err := shell.ResetPulse(o.Reset, o.Sleep); err != nil {
		return err
	}
	if err := d.probe(); err != nil {
		return err
	}
	b := &d.bus
	// Safe state first: no battery, no automatic battery switching, Q7 off.
	b.write(regLinefeed, byte(Open))
	b.write(regPowerDown1, powerDown)
	for _, r := range o.Indirect {
		d.writeIndirect(r.Addr, r.Value)
	}
	b.write(regLoopback, 0)
	b.write(regRevCOptimum, revCOptimum)
	b.write(regAutoState, autoStateSafe)
	b.write(regBatFeed, batFeedQ7Off)
	// DC-DC converter up, then wait for the battery.
	b.write(regDCDCPeriod, dcdcPeriod)
	b.write(regPowerDown1, 0)
	if !d.waitReg(regVBatHi, func(v byte) bool { return v >= o.VBatMin }) {
		return fmt.Errorf("%w: battery did not come up (reg 82 = %#02x, want >= %#02x)", ErrFault, b.last, o.VBatMin)
	}
	b.write(regLoopILimit, byte((o.LoopCurrent-20)/3))
	b.write(regDCDC, dcdcEngage)
	// Calibrate everything, then the DC-DC converter.
	b.write(regCal2, calAll)
	b.write(regCal1, calStart)
	if !d.waitReg(regCal1, func(v byte) bool { return v == 0 }) {
		return fmt.Errorf("%w: calibration did not finish (reg 96 = %#02x)", ErrFault, b.last)
	}
	b.write(regDCDC, dcdcCalibrate)
	if v := b.read(regDCPeakCal); v < dcPeakMin || v > dcPeakMax {
		b.write(regDCPeakCal, dcPeakDefault) // as DAHDI: a surprising result is replaced
	}
	// PCM.
	mode, _ := shell.PCMMode(o.Law)
	b.write(regPCMMode, mode)
	b.write(regTXStartLo, byte(o.TXStart))
	b.write(regTXStartHi, byte(o.TXStart>>8))
	b.write(regRXStartLo, byte(o.RXStart))
	b.write(regRXStartHi, byte(o.RXStart>>8))
	// Interrupts: clear, and unmask hook, ring trip and power alarms when
	// /INT is wired.
	b.write(regIntStatus1, intClearAll)
	b.write(regIntStatus2, intClearAll)
	b.write(regIntStatus3, intClearAll)
	var mask2 byte
	if o.IRQ != nil {
		mask2 = int2RingTrip | int2LoopClosure | int2PowerAlarms
		if err := o.IRQ.In(gpio.PullUp, gpio.FallingEdge); err != nil {
			return fmt.Errorf("irq pin: %w", err)
		}
	}
	b.write(regIntMask1, 0)
	b.write(regIntMask2, mask2)
	b.write(regIntMask3, 0)
	d.setState(ForwardActive)
	if b.Err != nil {
		return fmt.Errorf("%w: spi: %v", ErrFault, b.Err)
	}
	return nil
}

// probe checks that a working Si321x answers (DAHDI's sanity checks plus a
// register read-back).
func (d *Dev) probe() error {
	b := &d.bus
	id := b.read(regID)
	if b.Err != nil {
		return fmt.Errorf("%w: spi: %v", ErrNoChip, b.Err)
	}
	rev := id & 0x0f
	if rev == idNoChipLow || rev == idNoChipHigh {
		return fmt.Errorf("%w: ID register reads %#02x", ErrNoChip, id)
	}
	if rev < idMinRevision {
		return fmt.Errorf("%w: revision %d too old", ErrNoChip, rev)
	}
	d.revision, d.part = rev, id>>4&3
	for _, c := range []struct{ reg, want byte }{
		{regLoopback, loopbackReset}, {regLinefeed, byte(Open)}, {regHybrid, hybridReset},
	} {
		if v := b.read(c.reg); v != c.want {
			return fmt.Errorf("%w: register %d reads %#02x, want %#02x", ErrNoChip, c.reg, v, c.want)
		}
	}
	b.write(regIAddr, 0)
	b.write(regTXStartLo, scratchPattern)
	if v := b.read(regTXStartLo); v != scratchPattern {
		return fmt.Errorf("%w: read-back of register %d gave %#02x, want %#02x", ErrNoChip, regTXStartLo, v, scratchPattern)
	}
	if b.Err != nil {
		return fmt.Errorf("%w: spi: %v", ErrNoChip, b.Err)
	}
	return nil
}

// waitReg reads reg until ok, up to 10 times 100 ms apart.
func (d *Dev) waitReg(reg byte, ok func(byte) bool) bool {
	for i := 0; ; i++ {
		if ok(d.bus.read(reg)) {
			return true
		}
		if i == 9 || d.bus.Err != nil {
			return false
		}
		d.o.Sleep(100 * time.Millisecond)
	}
}

// writeIndirect writes an indirect register: wait until no access is
// pending, then data low, data high, address.
func (d *Dev) writeIndirect(addr uint8, v uint16) {
	b := &d.bus
	for range 100 {
		if b.read(regIStatus) == 0 || b.Err != nil {
			break
		}
	}
	b.write(regIDataLo, byte(v))
	b.write(regIDataHi, byte(v>>8))
	b.write(regIAddr, addr)
}

func (d *Dev) setState(s LineState) {
	d.bus.write(regLinefeed, byte(s))
	d.state = s
}

// wantState is the linefeed register value for the line machine's linefeed
// and the polarity and open settings.
func (d *Dev) wantState() LineState {
	if d.open {
		return Open
	}
	var s LineState
	switch d.lf {
	case line.Ringing:
		return Ringing
	case line.OnHookTransmission:
		s = OHTForward
	default:
		s = ForwardActive
	}
	if d.reversed {
		s |= 4 // the reverse bit of the linefeed code
	}
	return s
}

func (d *Dev) post(e hw.Event) {
	if d.sh != nil {
		d.sh.Post(e)
	}
}

// poll is one sample: read the hook (and, on an interrupt, the interrupt
// status), run the line machine, apply its linefeed, and now and then check
// the chip's health.
func (d *Dev) poll(now time.Time, irq bool) time.Time {
	b := &d.bus
	b.Err = nil
	if irq {
		st := b.read(regIntStatus2)
		b.write(regIntStatus2, st) // write-one-to-clear [inferred]
		if d.alarms.Raise(alarmPower, st&int2PowerAlarms != 0) {
			d.alarm(now, "power alarm interrupt %#02x", st)
		}
	}
	loop := b.read(regLoopStat)
	off := loop&loopLCR != 0 || (d.state == Ringing && loop&loopRTP != 0)
	if b.Err != nil {
		off = d.fxs.Hook().State() != line.Idle // keep the last reading
	}
	lf, sendCID := d.fxs.Sample(off, now)
	d.lf = lf
	if s := d.wantState(); s != d.state {
		d.setState(s)
	}
	if sendCID && d.cid != nil && d.o.CallerID != nil {
		d.o.CallerID(*d.cid)
	}
	if d.fxs.Ringer() == nil {
		d.cid = nil
	}
	d.checkStuck(now)
	if !now.Before(d.nextHealth) {
		d.nextHealth = now.Add(d.o.Health)
		d.health(now, irq)
	}
	if d.alarms.Raise(alarmSPI, b.Err != nil) {
		d.alarm(now, "spi: %v", b.Err)
	}
	next, _ := d.fxs.Deadline()
	return next
}

func (d *Dev) checkStuck(now time.Time) {
	if d.fxs.Hook().State() == line.Idle {
		d.offSince = time.Time{}
	} else if d.offSince.IsZero() {
		d.offSince = now
	}
	stuck := d.o.StuckHook > 0 && !d.offSince.IsZero() && now.Sub(d.offSince) >= d.o.StuckHook
	if d.alarms.Raise(alarmStuckHook, stuck) {
		d.alarm(now, "off-hook for %v", d.o.StuckHook)
	}
}

// health checks what DAHDI rechecks: a chip that reset (register 8 back at
// its reset value), a linefeed the chip changed on its own (power alarm),
// the battery voltage, and power alarm interrupts when nobody listens to
// /INT.
func (d *Dev) health(now time.Time, irq bool) {
	b := &d.bus
	lb := b.read(regLoopback)
	if d.alarms.Raise(alarmReset, lb != 0) {
		d.alarm(now, "chip reset (register 8 reads %#02x)", lb)
	}
	lfr := LineState(b.read(regLinefeed) & 7)
	dropped := lfr != d.state
	if d.alarms.Raise(alarmLinefeed, dropped) {
		d.alarm(now, "linefeed reads %v, set %v", lfr, d.state)
	}
	if dropped {
		d.setState(d.state) // DAHDI restores it
	}
	vbat := b.read(regVBatHi)
	if d.alarms.Raise(alarmBattery, d.state != Open && vbat < d.o.VBatMin) {
		d.alarm(now, "battery at %d mV, want at least %d mV", int(vbat)*376, int(d.o.VBatMin)*376)
	}
	if !irq && d.o.IRQ == nil {
		st := b.read(regIntStatus2)
		if st&int2PowerAlarms != 0 {
			b.write(regIntStatus2, st&int2PowerAlarms)
		}
		if d.alarms.Raise(alarmPower, st&int2PowerAlarms != 0) {
			d.alarm(now, "power alarm %#02x", st)
		}
	}
}

// Alarm conditions.
const (
	alarmSPI = iota
	alarmPower
	alarmReset
	alarmLinefeed
	alarmBattery
	alarmStuckHook
)

func (d *Dev) alarm(now time.Time, format string, args ...any) {
	d.sh.Alarm(now, ErrFault, format, args...)
}

func (d *Dev) inert() error {
	d.bus.Err = nil
	d.setState(Open)
	return d.bus.Err
}

// Ring implements hw.Port: the driver toggles the linefeed between Ringing
// and on-hook transmission per cadence c (the chip's own ring cadence
// timers are not used) and calls Opts.CallerID at the Ringer's caller-ID
// moment when cid is not nil.
func (d *Dev) Ring(c hw.Cadence, cid *hw.CallerID) error {
	return d.sh.Do("ring", func() error {
		if err := c.Validate(); err != nil {
			return err
		}
		if err := d.fxs.Ring(c, cid != nil, d.o.Clock.Now()); err != nil {
			return err
		}
		d.cid = nil
		if cid != nil {
			v := *cid
			d.cid = &v
		}
		return nil
	})
}

// StopRing implements hw.Port.
func (d *Dev) StopRing() error {
	return d.sh.Do("stop ring", func() error {
		d.fxs.StopRing()
		d.cid = nil
		return nil
	})
}

// Seize returns hw.ErrUnsupported: this is an FXS port.
func (d *Dev) Seize() error { return d.unsupported("seize") }

// Release returns hw.ErrUnsupported: this is an FXS port.
func (d *Dev) Release() error { return d.unsupported("release") }

func (d *Dev) unsupported(op string) error { return d.sh.Unsupported(op) }

// SetReversed selects reversed polarity (ReverseActive, OHTReverse) for
// the idle and talking linefeed, e.g. for answer supervision towards a
// payphone or a PBX. It takes effect at the next sample.
func (d *Dev) SetReversed(reversed bool) error {
	return d.sh.Do("set reversed", func() error {
		d.reversed = reversed
		return nil
	})
}

// SetOpen opens the linefeed (no battery) while open is true, e.g. for a
// disconnect-supervision pulse; ringing is suspended meanwhile.
func (d *Dev) SetOpen(open bool) error {
	return d.sh.Do("set open", func() error {
		d.open = open
		return nil
	})
}

// State is the linefeed the driver last wrote.
func (d *Dev) State() LineState {
	d.sh.Mu.Lock()
	defer d.sh.Mu.Unlock()
	return d.state
}
