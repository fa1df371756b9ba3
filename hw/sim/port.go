package sim

import (
	"fmt"
	"sync"
	"time"

	"deskline/hw"
	"deskline/hw/line"
)

// Opts configure a simulated port. The zero value is valid.
type Opts struct {
	// Name goes into String: "sim.FXS{Name}". Default "1".
	Name string
	// Hook, Monitor and Ringer are passed to the hw/line machines; nil
	// means their defaults.
	Hook    *line.HookOpts
	Monitor *line.MonitorOpts
	Ringer  *line.RingerOpts
	// Capture is how many captured frames wait for ReadFrame before the
	// oldest is dropped (an overrun). Default 8 (160 ms).
	Capture int
	// Playout is how many written frames may wait to be played before
	// WriteFrame blocks. Default 3 (60 ms).
	Playout int
	// Heard is how much of the audio sent to the far end Heard keeps.
	// Default 10 s; older samples are dropped.
	Heard time.Duration
	// DialBreak, DialMake and DialPause shape the simulated telephone's
	// pulse dialling: on-hook and off-hook time of each pulse and the
	// pause after each digit. Defaults 60 ms, 40 ms (10 pulses per
	// second, 60/40 ratio) and 750 ms (DAHDI's inter-digit time).
	DialBreak, DialMake, DialPause time.Duration
}

func (o *Opts) fill() {
	if o.Name == "" {
		o.Name = "1"
	}
	if o.Capture <= 0 {
		o.Capture = 8
	}
	if o.Playout <= 0 {
		o.Playout = 3
	}
	if o.Heard <= 0 {
		o.Heard = 10 * time.Second
	}
	if o.DialBreak <= 0 {
		o.DialBreak = 60 * time.Millisecond
	}
	if o.DialMake <= 0 {
		o.DialMake = 40 * time.Millisecond
	}
	if o.DialPause <= 0 {
		o.DialPause = 750 * time.Millisecond
	}
}

// Port is a simulated FXS or FXO port; it implements hw.Port. Its far end
// is driven through the Phone or Exchange returned with it.
type Port struct {
	kind  hw.Kind
	o     Opts
	clock *Clock
	q     *hw.EventQueue

	mu      sync.Mutex
	cond    *sync.Cond // signalled when frames move or the port halts
	now     time.Time
	halted  bool
	frameAt time.Time // end of the frame being captured and played

	capture []hw.Frame // captured, waiting for ReadFrame
	playout []hw.Frame // written, waiting to be played
	speak   []int16    // far end's speech, not yet on the line
	heard   []int16    // what the far end heard
	overrun int
	underrn int

	// FXS: the telephone.
	offHook  bool       // raw hook switch
	plan     []hookStep // scheduled hook changes (flash, pulse dialling)
	fxs      *line.FXS
	linefeed line.Linefeed
	ringCID  *hw.CallerID // to send at the ringer's caller-ID moment
	phoneCID *hw.CallerID // last caller ID the telephone displayed

	// FXO: the exchange line.
	mon      *line.Monitor
	seized   bool
	battery  bool
	reversed bool
	exRinger *line.Ringer // set while the exchange rings the line
	exCID    *hw.CallerID
}

type hookStep struct {
	at  time.Time
	off bool
}

var _ hw.Port = (*Port)(nil)

func newPort(kind hw.Kind, c *Clock, opts *Opts) (*Port, error) {
	p := &Port{kind: kind, clock: c}
	if opts != nil {
		p.o = *opts
	}
	p.o.fill()
	p.cond = sync.NewCond(&p.mu)
	var err error
	switch kind {
	case hw.FXS:
		p.fxs, err = line.NewFXS(p.o.Hook, p.o.Ringer, p.post)
	case hw.FXO:
		p.mon, err = line.NewMonitor(p.o.Monitor, p.post)
		p.battery = true
	}
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	p.q = hw.NewEventQueue()
	c.attach(p)
	return p, nil
}

// NewFXS returns an FXS port on clock c with an on-hook telephone attached,
// and the Phone that works that telephone. The port's goroutine (event
// delivery) runs until Halt.
func NewFXS(c *Clock, opts *Opts) (*Port, *Phone, error) {
	p, err := newPort(hw.FXS, c, opts)
	if err != nil {
		return nil, nil, err
	}
	return p, &Phone{p: p}, nil
}

// NewFXO returns an FXO port on clock c, connected to a live exchange line
// (LineUp follows after the battery debounce), and the Exchange that works
// the line. The port's goroutine (event delivery) runs until Halt.
func NewFXO(c *Clock, opts *Opts) (*Port, *Exchange, error) {
	p, err := newPort(hw.FXO, c, opts)
	if err != nil {
		return nil, nil, err
	}
	return p, &Exchange{p: p}, nil
}

// String is "sim.FXS{name}" or "sim.FXO{name}".
func (p *Port) String() string { return fmt.Sprintf("sim.%v{%s}", p.kind, p.o.Name) }

// Kind is hw.FXS or hw.FXO.
func (p *Port) Kind() hw.Kind { return p.kind }

// Events implements hw.Port.
func (p *Port) Events() <-chan hw.Event { return p.q.C() }

func (p *Port) errorf(op string, err error) error {
	return fmt.Errorf("%v: %s: %w", p, op, err)
}

// ReadFrame implements hw.Port: it returns once the clock has moved past
// the end of a frame not yet read.
func (p *Port) ReadFrame(f *hw.Frame) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.capture) == 0 && !p.halted {
		p.cond.Wait()
	}
	if p.halted {
		return p.errorf("read frame", hw.ErrHalted)
	}
	*f = p.capture[0]
	p.capture = p.capture[1:]
	return nil
}

// WriteFrame implements hw.Port: it blocks while Opts.Playout frames are
// already waiting; each 20 ms of clock time plays one.
func (p *Port) WriteFrame(f *hw.Frame) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.playout) >= p.o.Playout && !p.halted {
		p.cond.Wait()
	}
	if p.halted {
		return p.errorf("write frame", hw.ErrHalted)
	}
	p.playout = append(p.playout, *f)
	return nil
}

// Ring implements hw.Port for FXS.
func (p *Port) Ring(c hw.Cadence, cid *hw.CallerID) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.halted:
		return p.errorf("ring", hw.ErrHalted)
	case p.kind != hw.FXS:
		return p.errorf("ring", hw.ErrUnsupported)
	}
	if err := p.fxs.Ring(c, cid != nil, p.now); err != nil {
		return p.errorf("ring", err)
	}
	p.ringCID = nil
	if cid != nil {
		cp := *cid
		p.ringCID = &cp
	}
	return nil
}

// StopRing implements hw.Port for FXS.
func (p *Port) StopRing() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.halted:
		return p.errorf("stop ring", hw.ErrHalted)
	case p.kind != hw.FXS:
		return p.errorf("stop ring", hw.ErrUnsupported)
	}
	p.fxs.StopRing()
	p.linefeed, p.ringCID = line.Active, nil
	return nil
}

// Seize implements hw.Port for FXO. Seizing while the exchange rings
// answers the call: the exchange stops ringing.
func (p *Port) Seize() error { return p.setSeized("seize", true) }

// Release implements hw.Port for FXO.
func (p *Port) Release() error { return p.setSeized("release", false) }

func (p *Port) setSeized(op string, v bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.halted:
		return p.errorf(op, hw.ErrHalted)
	case p.kind != hw.FXO:
		return p.errorf(op, hw.ErrUnsupported)
	}
	p.seized = v
	if v && p.exRinger != nil {
		p.exRinger, p.exCID = nil, nil
		p.mon.ResetRings()
	}
	return nil
}

// Halt implements hw.Port: ringing stops, the line is released, blocked
// ReadFrame and WriteFrame calls return ErrHalted, the event goroutine
// exits and Events is closed, and the port leaves its clock.
func (p *Port) Halt() error {
	p.mu.Lock()
	p.halted = true
	if p.fxs != nil {
		p.fxs.StopRing()
		p.linefeed, p.ringCID = line.Active, nil
	}
	p.seized = false
	p.capture, p.playout = nil, nil
	p.cond.Broadcast()
	p.mu.Unlock()
	p.q.Close()
	p.clock.detach(p)
	return nil
}

// post hands an event to the queue; called with p.mu held (Post never
// blocks).
func (p *Port) post(e hw.Event) { p.q.Post(e) }

// step moves the port to now; called by the clock once per Step.
func (p *Port) step(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.halted {
		return
	}
	p.now = now
	switch p.kind {
	case hw.FXS:
		for len(p.plan) > 0 && !p.plan[0].at.After(now) {
			p.offHook = p.plan[0].off
			p.plan = p.plan[1:]
		}
		var sendCID bool
		p.linefeed, sendCID = p.fxs.Sample(p.offHook, now)
		if sendCID {
			p.phoneCID, p.ringCID = p.ringCID, nil
		}
	case hw.FXO:
		ringing := false
		if p.exRinger != nil {
			ringing, _ = p.exRinger.At(now)
			if p.exCID != nil {
				if at, ok := p.exRinger.CallerIDAt(); ok && !now.Before(at) {
					p.post(hw.Event{Type: hw.CallerIDReceived, At: now, CallerID: p.exCID})
					p.exCID = nil
				}
			}
		}
		p.mon.Sample(line.LineSample{Ringing: ringing, Battery: p.battery, Reversed: p.reversed}, now)
	}
	for !now.Before(p.frameAt) {
		p.moveFrame()
		p.frameAt = p.frameAt.Add(hw.FrameDuration)
	}
}

// moveFrame captures one frame of the far end's speech and plays one
// written frame to the far end.
func (p *Port) moveFrame() {
	var f hw.Frame
	n := copy(f[:], p.speak)
	p.speak = p.speak[n:]
	if len(p.capture) == p.o.Capture {
		p.capture = p.capture[1:]
		p.overrun++
	}
	p.capture = append(p.capture, f)

	var out hw.Frame
	if len(p.playout) > 0 {
		out = p.playout[0]
		p.playout = p.playout[1:]
	} else {
		p.underrn++
	}
	p.heard = append(p.heard, out[:]...)
	if keep := int(p.o.Heard * hw.SampleRate / time.Second); len(p.heard) > keep {
		p.heard = append(p.heard[:0], p.heard[len(p.heard)-keep:]...)
	}
	p.cond.Broadcast()
}

// Stats reports frames dropped because ReadFrame fell behind (overruns)
// and frames played as silence because WriteFrame fell behind (underruns).
func (p *Port) Stats() (overruns, underruns int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.overrun, p.underrn
}

// PendingEvents is the number of events posted and not yet received from
// Events (see hw.EventQueue.Len); tests use it to check that nothing more
// is coming.
func (p *Port) PendingEvents() int { return p.q.Len() }
