package usbphone

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"deskline/hw"
	"deskline/hw/alsa"
	"deskline/hw/internal/pcmport"
)

// ErrClosed is returned by an Input's Next after Close.
var ErrClosed = errors.New("usbphone: input closed")

// Input is where a telephone's controls come from: a HID device (hidraw),
// an input device (evdev) or a fake. Next blocks until the next control
// changes; Close makes a blocked and every later Next return ErrClosed.
// Next is called from one goroutine; Close from any.
type Input interface {
	Next() (Control, error)
	Close() error
}

// Ringer switches the telephone's own ringer (or ring indicator) on and
// off; the device rings in its own pattern. It is called at call pace.
type Ringer interface {
	SetRinging(on bool) error
}

// Opts configure a port. The zero value is valid.
type Opts struct {
	// Name goes into String: "usbphone{Name}". Default "1".
	Name string
	// Ringer rings the telephone; nil means the device cannot ring: Ring
	// is accepted and only reported by Ringing.
	Ringer Ringer
	// Now stamps events; default time.Now.
	Now func() time.Time
}

// Port is a USB handset or headset: audio through a PCM, controls from an
// Input. It implements hw.Port with Kind hw.USB.
type Port struct {
	o    Opts
	b    pcmport.Base // audio and the halted flag
	in   Input
	q    *hw.EventQueue
	done chan struct{}

	mu      sync.Mutex
	offHook bool
	ringing bool
	muted   bool
	ringErr error
	lastErr error
}

var _ hw.Port = (*Port)(nil)

// New returns a port on pcm and in, which it owns (Halt closes them), and
// starts the goroutine that reads in.
func New(pcm alsa.PCM, in Input, opts *Opts) (*Port, error) {
	if pcm == nil || in == nil {
		return nil, fmt.Errorf("usbphone: New needs a PCM and an Input: %w", hw.ErrInvalid)
	}
	p := &Port{in: in, done: make(chan struct{})}
	p.b.Init(p, pcm)
	if opts != nil {
		p.o = *opts
	}
	if p.o.Name == "" {
		p.o.Name = "1"
	}
	if p.o.Now == nil {
		p.o.Now = time.Now
	}
	p.q = hw.NewEventQueue()
	go p.run()
	return p, nil
}

// String is "usbphone{name}".
func (p *Port) String() string { return "usbphone{" + p.o.Name + "}" }

// Kind is hw.USB.
func (p *Port) Kind() hw.Kind { return hw.USB }

// Events implements hw.Port.
func (p *Port) Events() <-chan hw.Event { return p.q.C() }

func (p *Port) errorf(op string, err error) error { return p.b.Errorf(op, err) }

// ReadFrame implements hw.Port: the sound card's capture paces it.
func (p *Port) ReadFrame(f *hw.Frame) error { return p.b.ReadFrame(f) }

// WriteFrame implements hw.Port: the sound card's playback paces it.
func (p *Port) WriteFrame(f *hw.Frame) error { return p.b.WriteFrame(f) }

// Ring implements hw.Port: the device's ringer goes on (it rings in its
// own pattern; the cadence is validated but not played) until StopRing,
// Halt or the handset going off-hook. Caller ID is not shown: USB
// telephony has no standard way to display it.
func (p *Port) Ring(c hw.Cadence, cid *hw.CallerID) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.b.Halted():
		return p.errorf("ring", hw.ErrHalted)
	case c.Validate() != nil:
		return p.errorf("ring", fmt.Errorf("%w: %v", hw.ErrInvalid, c.Validate()))
	case p.offHook:
		return p.errorf("ring", hw.ErrOffHook)
	}
	return p.setRinging(true)
}

// StopRing implements hw.Port.
func (p *Port) StopRing() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.b.Halted() {
		return p.errorf("stop ring", hw.ErrHalted)
	}
	return p.setRinging(false)
}

// setRinging switches the ringer; called with p.mu held.
func (p *Port) setRinging(on bool) error {
	if p.ringing == on {
		return nil
	}
	p.ringing = on
	if p.o.Ringer == nil {
		return nil
	}
	if err := p.o.Ringer.SetRinging(on); err != nil {
		p.ringErr = err
		return p.errorf("ringer", err)
	}
	return nil
}

// Ringing reports whether the port is ringing the telephone (or would,
// when the device has no ringer).
func (p *Port) Ringing() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ringing
}

// Muted reports the phone mute control's last state.
func (p *Port) Muted() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.muted
}

// Err is the error that ended reading the controls (the device was
// unplugged, say), or nil.
func (p *Port) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastErr
}

// Seize implements hw.Port: ErrUnsupported on USB.
func (p *Port) Seize() error { return p.b.NotFXO("seize") }

// Release implements hw.Port: ErrUnsupported on USB.
func (p *Port) Release() error { return p.b.NotFXO("release") }

// Halt implements hw.Port: the ringer goes off, the Input and PCM are
// closed, the goroutine exits and Events is closed.
func (p *Port) Halt() error {
	p.mu.Lock()
	if p.b.Halted() {
		p.mu.Unlock()
		return nil
	}
	rerr := p.setRinging(false)
	p.b.SetHalted()
	p.mu.Unlock()
	ierr := p.in.Close()
	<-p.done
	perr := p.b.ClosePCM()
	p.q.Close()
	return errors.Join(rerr, ierr, perr)
}

// run reads controls until the Input is closed or fails.
func (p *Port) run() {
	defer close(p.done)
	for {
		c, err := p.in.Next()
		if err != nil {
			p.mu.Lock()
			if !p.b.Halted() && !errors.Is(err, ErrClosed) {
				p.lastErr = err
				p.q.Post(hw.Event{Type: hw.LineDown, At: p.o.Now()})
			}
			p.mu.Unlock()
			return
		}
		p.handle(c)
	}
}

func (p *Port) handle(c Control) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.b.Halted() {
		return
	}
	now := p.o.Now()
	switch c.Type {
	case Hook:
		if c.On == p.offHook {
			return
		}
		p.offHook = c.On
		if c.On {
			p.setRinging(false) // answering stops the ringer
			p.q.Post(hw.Event{Type: hw.OffHook, At: now})
		} else {
			p.q.Post(hw.Event{Type: hw.OnHook, At: now})
		}
	case FlashKey:
		if p.offHook {
			p.q.Post(hw.Event{Type: hw.Flash, At: now})
		}
	case Key:
		p.q.Post(hw.Event{Type: hw.Digit, Digit: c.Key, At: now})
	case Mute:
		p.muted = c.On
	}
}
