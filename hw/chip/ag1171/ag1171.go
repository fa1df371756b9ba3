package ag1171

import (
	"fmt"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/physic"

	"deskline/hw"
	"deskline/hw/alsa"
	"deskline/hw/internal/pcmport"
	"deskline/hw/line"
)

// Pins are the GPIO lines wired to the SLIC.
type Pins struct {
	// RM is the ring-mode input: High while a ring burst is on.
	RM gpio.PinOut
	// FR is the forward/reverse input: High is forward polarity (Ring
	// negative to Tip); toggled at the ring frequency during a burst.
	FR gpio.PinOut
	// SHK is the switch-hook output: high while the telephone is off-hook
	// (see Opts.SHKActiveLow).
	SHK gpio.PinIn
}

// Wiring names the GPIO lines of Pins, as gpioreg knows them.
type Wiring struct {
	RM, FR, SHK string
}

// DefaultWiring is the wiring the package documentation describes.
func DefaultWiring() Wiring { return Wiring{RM: "GPIO23", FR: "GPIO24", SHK: "GPIO25"} }

// Pins looks the lines up in gpioreg (host.Init must have run). It fails
// with hw.ErrInvalid naming the first line not found.
func (w Wiring) Pins() (Pins, error) {
	var p Pins
	for _, l := range []struct {
		field, name string
		set         func(gpio.PinIO)
	}{
		{"RM", w.RM, func(q gpio.PinIO) { p.RM = q }},
		{"FR", w.FR, func(q gpio.PinIO) { p.FR = q }},
		{"SHK", w.SHK, func(q gpio.PinIO) { p.SHK = q }},
	} {
		q := gpioreg.ByName(l.name)
		if q == nil {
			return Pins{}, fmt.Errorf("ag1171: wiring %s: no GPIO line %q: %w", l.field, l.name, hw.ErrInvalid)
		}
		l.set(q)
	}
	return p, nil
}

// Opts configure a port. The zero value is valid.
type Opts struct {
	// Name goes into String: "ag1171{Name}". Default "1".
	Name string
	// Hook and Ringer are passed to hw/line; nil means their defaults.
	Hook   *line.HookOpts
	Ringer *line.RingerOpts
	// RingFrequency is the rate F/R is toggled at during a ring burst.
	// Default 20 Hz (25 ms half period); 25 Hz is usual in parts of
	// Europe. Between 10 and 60 Hz.
	RingFrequency physic.Frequency
	// RingTrip is how long SHK must stay off-hook during a ring burst
	// before it counts as the telephone answering. SHK may follow the ring
	// current while ringing, so it must outlast a half period of the ring
	// frequency. Default 100 ms.
	RingTrip time.Duration
	// SHKActiveLow says SHK reads Low when off-hook (an inverting level
	// shifter between SLIC and GPIO).
	SHKActiveLow bool
	// Poll is how often SHK is read when the line cannot report edges
	// (or at most how long the driver waits for one). Default 5 ms; it must
	// stay under the hook debounce.
	Poll time.Duration
	// SendCallerID, when set, is called at the caller-ID moment of a ring
	// that has caller ID (in the first long enough silent interval), from
	// the port's goroutine; it must not block. The appliance has the media
	// layer write the FSK burst to the port with WriteFrame. Without it
	// caller ID is dropped.
	SendCallerID func(hw.CallerID)
}

func (o *Opts) fill() (Opts, error) {
	var v Opts
	if o != nil {
		v = *o
	}
	if v.Name == "" {
		v.Name = "1"
	}
	switch {
	case v.RingFrequency == 0:
		v.RingFrequency = 20 * physic.Hertz
	case v.RingFrequency < 10*physic.Hertz || v.RingFrequency > 60*physic.Hertz:
		return v, fmt.Errorf("ag1171: RingFrequency %v outside 10-60 Hz: %w", v.RingFrequency, hw.ErrInvalid)
	}
	switch {
	case v.RingTrip == 0:
		v.RingTrip = 100 * time.Millisecond
	case v.RingTrip < v.RingFrequency.Period()/2:
		return v, fmt.Errorf("ag1171: RingTrip %v shorter than half a ring cycle: %w", v.RingTrip, hw.ErrInvalid)
	}
	switch {
	case v.Poll == 0:
		v.Poll = 5 * time.Millisecond
	case v.Poll < 0 || v.Poll > 50*time.Millisecond:
		return v, fmt.Errorf("ag1171: Poll %v outside (0, 50 ms]: %w", v.Poll, hw.ErrInvalid)
	}
	return v, nil
}

// Port is an FXS port on an Ag1171 SLIC and a sound card; it implements
// hw.Port with Kind hw.FXS.
type Port struct {
	o    Opts
	pins Pins
	b    pcmport.Base // audio and the halted flag
	q    *hw.EventQueue
	now  func() time.Time
	half time.Duration // half a ring cycle

	stop chan struct{}
	done chan struct{}

	mu        sync.Mutex
	fxs       *line.FXS
	lf        line.Linefeed
	burstAt   time.Time // start of the ring burst in progress
	fr        gpio.Level
	rawOff    bool      // SHK level, as off-hook
	rawSince  time.Time // when rawOff last changed
	cid       *hw.CallerID
	edges     bool // SHK reports edges
	lastStep  time.Time
	pinErr    error // first error driving a pin
	pinErrors int
}

var _ hw.Port = (*Port)(nil)

// New returns a port driving pins and carrying audio over pcm, which it
// owns (Halt closes it). It sets RM Low and FR High (idle, forward), puts
// SHK in input mode with edge detection when the line has it, and starts
// the goroutine that watches the hook switch and times ringing; Halt stops
// it.
func New(pins Pins, pcm alsa.PCM, opts *Opts) (*Port, error) {
	p, err := newPort(pins, pcm, opts, time.Now)
	if err != nil {
		return nil, err
	}
	go p.run()
	return p, nil
}

// newPort sets up everything but the goroutine; tests step it themselves.
func newPort(pins Pins, pcm alsa.PCM, opts *Opts, now func() time.Time) (*Port, error) {
	o, err := opts.fill()
	if err != nil {
		return nil, err
	}
	if pins.RM == nil || pins.FR == nil || pins.SHK == nil || pcm == nil {
		return nil, fmt.Errorf("ag1171: New needs RM, FR, SHK and a PCM: %w", hw.ErrInvalid)
	}
	p := &Port{o: o, pins: pins, now: now, half: o.RingFrequency.Period() / 2,
		stop: make(chan struct{}), done: make(chan struct{}), fr: gpio.High}
	p.b.Init(p, pcm)
	if p.fxs, err = line.NewFXS(o.Hook, o.Ringer, p.post); err != nil {
		return nil, fmt.Errorf("ag1171: %w", err)
	}
	if err := pins.RM.Out(gpio.Low); err != nil {
		return nil, fmt.Errorf("%v: RM: %w", p, err)
	}
	if err := pins.FR.Out(gpio.High); err != nil {
		return nil, fmt.Errorf("%v: FR: %w", p, err)
	}
	if err := pins.SHK.In(gpio.Float, gpio.BothEdges); err == nil {
		p.edges = true
	} else if err := pins.SHK.In(gpio.Float, gpio.NoEdge); err != nil {
		return nil, fmt.Errorf("%v: SHK: %w", p, err)
	}
	t := now()
	p.rawOff, p.rawSince, p.lastStep = p.readSHK(), t, t
	p.q = hw.NewEventQueue()
	return p, nil
}

// String is "ag1171{name}".
func (p *Port) String() string { return "ag1171{" + p.o.Name + "}" }

// Kind is hw.FXS.
func (p *Port) Kind() hw.Kind { return hw.FXS }

// Events implements hw.Port.
func (p *Port) Events() <-chan hw.Event { return p.q.C() }

func (p *Port) errorf(op string, err error) error { return p.b.Errorf(op, err) }

// ReadFrame implements hw.Port: the sound card's capture paces it.
func (p *Port) ReadFrame(f *hw.Frame) error { return p.b.ReadFrame(f) }

// WriteFrame implements hw.Port: the sound card's playback paces it.
func (p *Port) WriteFrame(f *hw.Frame) error { return p.b.WriteFrame(f) }

// Ring implements hw.Port: RM goes High and F/R starts toggling at once.
func (p *Port) Ring(c hw.Cadence, cid *hw.CallerID) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.b.Halted() {
		return p.errorf("ring", hw.ErrHalted)
	}
	now := p.now()
	if err := p.fxs.Ring(c, cid != nil, now); err != nil {
		return p.errorf("ring", err)
	}
	p.cid = nil
	if cid != nil {
		cp := *cid
		p.cid = &cp
	}
	p.stepLocked(now)
	return nil
}

// StopRing implements hw.Port: RM goes Low and F/R back to forward.
func (p *Port) StopRing() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.b.Halted() {
		return p.errorf("stop ring", hw.ErrHalted)
	}
	p.fxs.StopRing()
	p.cid = nil
	p.apply(line.Active, p.now())
	return nil
}

// Seize implements hw.Port: ErrUnsupported on FXS.
func (p *Port) Seize() error { return p.b.NotFXO("seize") }

// Release implements hw.Port: ErrUnsupported on FXS.
func (p *Port) Release() error { return p.b.NotFXO("release") }

// Halt implements hw.Port: ringing stops (RM Low, F/R forward), the
// goroutine exits, the PCM is closed and Events is closed.
func (p *Port) Halt() error {
	p.mu.Lock()
	if !p.b.SetHalted() {
		p.mu.Unlock()
		return nil
	}
	p.fxs.StopRing()
	p.apply(line.Active, p.now())
	close(p.stop)
	p.mu.Unlock()
	<-p.done
	err := p.b.ClosePCM()
	p.q.Close()
	return err
}

// PinErrors reports how many pin writes failed while running and the
// first failure; a port keeps going (a later write may succeed).
func (p *Port) PinErrors() (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pinErrors, p.pinErr
}

// post hands an event to the queue; called with p.mu held.
func (p *Port) post(e hw.Event) { p.q.Post(e) }

func (p *Port) readSHK() bool {
	return (p.pins.SHK.Read() == gpio.High) != p.o.SHKActiveLow
}

func (p *Port) out(pin gpio.PinOut, l gpio.Level) {
	if err := pin.Out(l); err != nil {
		p.pinErrors++
		if p.pinErr == nil {
			p.pinErr = err
		}
	}
}

// step samples SHK at now, runs the line machine and drives the pins. It
// returns when it next needs to run even if SHK does not change.
func (p *Port) step(now time.Time) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.b.Halted() {
		return now.Add(p.o.Poll)
	}
	return p.stepLocked(now)
}

func (p *Port) stepLocked(now time.Time) time.Time {
	if now.Before(p.lastStep) {
		now = p.lastStep // the machines need time that never goes back
	}
	p.lastStep = now
	if raw := p.readSHK(); raw != p.rawOff {
		p.rawOff, p.rawSince = raw, now
	}
	off := p.rawOff
	if p.lf == line.Ringing && off && now.Sub(p.rawSince) < p.o.RingTrip {
		off = false // SHK may follow the ring current: wait for ring trip
	}
	lf, sendCID := p.fxs.Sample(off, now)
	p.apply(lf, now)
	if sendCID && p.cid != nil {
		if p.o.SendCallerID != nil {
			p.o.SendCallerID(*p.cid)
		}
		p.cid = nil
	}
	next := now.Add(p.o.Poll)
	if p.edges {
		next = now.Add(p.half)
	}
	if t, ok := p.fxs.Deadline(); ok && t.Before(next) {
		next = t
	}
	if p.lf == line.Ringing {
		if off := p.rawOff; off {
			// Ring trip pending: be there when it matures.
			if t := p.rawSince.Add(p.o.RingTrip); t.After(now) && t.Before(next) {
				next = t
			}
		}
		n := now.Sub(p.burstAt)/p.half + 1
		if t := p.burstAt.Add(n * p.half); t.Before(next) {
			next = t
		}
	}
	if !next.After(now) {
		next = now.Add(time.Millisecond)
	}
	return next
}

// apply drives RM and F/R for linefeed lf at now. During a burst F/R is
// High for the first half cycle from the burst's start, Low for the second,
// and so on; outside bursts it is High (forward) and RM Low.
func (p *Port) apply(lf line.Linefeed, now time.Time) {
	if lf == line.Ringing {
		if p.lf != line.Ringing {
			p.burstAt = now
			p.out(p.pins.RM, gpio.High)
		}
		fr := gpio.Level(now.Sub(p.burstAt)/p.half%2 == 0)
		if fr != p.fr || p.lf != line.Ringing {
			p.out(p.pins.FR, fr)
			p.fr = fr
		}
		p.lf = lf
		return
	}
	if p.lf == line.Ringing {
		p.out(p.pins.RM, gpio.Low)
	}
	if p.fr != gpio.High {
		p.out(p.pins.FR, gpio.High)
		p.fr = gpio.High
	}
	p.lf = lf
}

// run is the port's goroutine: it steps the line whenever SHK changes and
// at the times step asks for, until Halt.
func (p *Port) run() {
	defer close(p.done)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		next := p.step(p.now())
		wait := max(next.Sub(p.now()), 0)
		if p.edges {
			// WaitForEdge cannot be interrupted portably: bound it so that
			// Halt is noticed within one wait.
			p.pins.SHK.WaitForEdge(min(wait, p.o.Poll*5))
			select {
			case <-p.stop:
				return
			default:
			}
			continue
		}
		timer.Reset(wait)
		select {
		case <-p.stop:
			return
		case <-timer.C:
		}
	}
}
