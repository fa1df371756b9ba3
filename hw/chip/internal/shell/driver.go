package shell

import (
	"fmt"
	"time"

	"deskline/hw"
	"deskline/hw/chip"

	"periph.io/x/conn/v3"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"
)

// Port is the hw.Port face of a Shell, without its driver-side methods:
// drivers embed it so that String, Kind, Events, ReadFrame, WriteFrame and
// Halt are theirs.
type Port struct{ s *Shell }

// Port returns s's hw.Port face.
func (s *Shell) Port() Port { return Port{s} }

// String names the port.
func (p Port) String() string { return p.s.String() }

// Kind implements hw.Port.
func (p Port) Kind() hw.Kind { return p.s.Kind() }

// Events implements hw.Port.
func (p Port) Events() <-chan hw.Event { return p.s.Events() }

// ReadFrame implements hw.Port through the port's hw.Audio (or silence).
func (p Port) ReadFrame(f *hw.Frame) error { return p.s.ReadFrame(f) }

// WriteFrame implements hw.Port through the port's hw.Audio.
func (p Port) WriteFrame(f *hw.Frame) error { return p.s.WriteFrame(f) }

// Halt implements hw.Port: the chip is made inert, sampling stops, the
// audio and the events close.
func (p Port) Halt() error { return p.s.Halt() }

// Do runs f with Mu held unless the port is halted (then it returns
// ErrHalted), and wraps f's error with the port's name and op.
func (s *Shell) Do(op string, f func() error) error {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	if s.halted {
		return s.Errorf(op, hw.ErrHalted)
	}
	if err := f(); err != nil {
		return s.Errorf(op, err)
	}
	return nil
}

// Unsupported is what a control method the port's kind cannot do returns.
func (s *Shell) Unsupported(op string) error {
	return s.Do(op, func() error { return hw.ErrUnsupported })
}

// Alarm posts an Alarm event at now whose Err wraps fault; call it with
// Mu held, only when the condition has just become active (Alarms.Raise).
func (s *Shell) Alarm(now time.Time, fault error, format string, args ...any) {
	err := fmt.Errorf("%s: %w: %s", s.cfg.Name, fault, fmt.Sprintf(format, args...))
	s.q.Post(hw.Event{Type: hw.Alarm, At: now, Err: err})
}

// Connect connects a Silicon Labs chip on p: SPI mode 3, 8-bit words, at
// most 2 MHz [inferred: the chips accept faster clocks; DAHDI's wctdm
// bit-bangs them slowly].
func Connect(p spi.Port) (conn.Conn, error) {
	return p.Connect(2*physic.MegaHertz, spi.Mode3, 8)
}

// ResetPulse drives an active-low /RESET: low for 1 ms, then high and a
// 10 ms wait for the chip [inferred timings, generous]. A nil pin is a
// no-op (the board resets the chip).
func ResetPulse(pin gpio.PinOut, sleep func(time.Duration)) error {
	if pin == nil {
		return nil
	}
	if err := pin.Out(gpio.Low); err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	sleep(time.Millisecond)
	if err := pin.Out(gpio.High); err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	sleep(10 * time.Millisecond)
	return nil
}

// PCMMode is the PCM mode register value that enables PCM in law l; both
// Silicon Labs chips code it alike: 0x28 µ-law and 0x20 A-law as DAHDI
// writes them, 0x38 16-bit linear [inferred: format bits 4:3 = 11 by
// analogy].
func PCMMode(l chip.Law) (byte, bool) {
	switch l {
	case chip.MuLaw:
		return 0x28, true
	case chip.ALaw:
		return 0x20, true
	case chip.Linear:
		return 0x38, true
	}
	return 0, false
}

// Fill sets b's defaults and validates it.
func Fill(b *chip.Board) error {
	if b.Clock == nil {
		b.Clock = RealClock
	}
	if b.Sleep == nil {
		b.Sleep = time.Sleep
	}
	for _, f := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&b.IRQIdle, 50 * time.Millisecond}, {&b.Poll, 4 * time.Millisecond}, {&b.Health, 500 * time.Millisecond}} {
		if *f.v <= 0 {
			*f.v = f.def
		}
	}
	if _, ok := PCMMode(b.Law); !ok {
		return fmt.Errorf("%w: Law %d", hw.ErrInvalid, b.Law)
	}
	if b.TXStart > 1023 || b.RXStart > 1023 {
		return fmt.Errorf("%w: TXStart %d / RXStart %d, want <= 1023", hw.ErrInvalid, b.TXStart, b.RXStart)
	}
	return nil
}
