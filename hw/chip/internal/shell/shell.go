// Package shell is the part of a polled chip driver that does not depend on
// the chip: the hw.Port lifecycle (events, frames, Halt) and the sampling
// goroutine that polls the chip every few milliseconds or on its interrupt
// pin. Drivers in hw/chip embed a *Shell and supply the chip-specific Poll
// and Inert functions.
//
// Imports: hw and periph (gpio). Importers: hw/chip drivers only.
package shell

import (
	"fmt"
	"sync"
	"time"

	"deskline/hw"
	"deskline/hw/chip"

	"periph.io/x/conn/v3/gpio"
)

// Clock is the drivers' time source.
type Clock = chip.Clock

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// RealClock is the wall clock.
var RealClock Clock = realClock{}

// Config is what a driver hands to Start.
type Config struct {
	Name  string // String of the port
	Kind  hw.Kind
	Clock Clock      // nil: RealClock
	Audio hw.Audio   // nil: silence, paced by Clock
	IRQ   gpio.PinIn // nil: poll every Period
	// Period is the sampling interval without IRQ; IRQIdle the longest
	// wait for an interrupt edge when no timer is due (a safety net for lost
	// edges, and the pace of the periodic health checks).
	Period, IRQIdle time.Duration
	// Poll samples the chip at now with the Shell's lock held; irq is true
	// when an interrupt edge woke the loop. It returns when it next needs
	// to be called even without an edge (zero: no deadline). It is called
	// from the sampling goroutine only, never after Inert.
	Poll func(now time.Time, irq bool) time.Time
	// Inert puts the chip in its safe state (linefeed open, on-hook) with
	// the lock held; Halt calls it once.
	Inert func() error
}

// Shell runs a polled chip as an hw.Port. Mu serialises every register
// access and the line state machines; drivers take it in their control
// methods.
type Shell struct {
	Mu  sync.Mutex
	cfg Config
	q   *hw.EventQueue

	halted bool
	stop   chan struct{}
	wg     sync.WaitGroup

	silenceAt time.Time // nil Audio: end of the next silent frame
}

// Start returns a running Shell: the event queue and the sampling
// goroutine are started.
func Start(cfg Config) *Shell {
	if cfg.Clock == nil {
		cfg.Clock = RealClock
	}
	s := &Shell{cfg: cfg, q: hw.NewEventQueue(), stop: make(chan struct{})}
	s.silenceAt = cfg.Clock.Now().Add(hw.FrameDuration)
	s.wg.Add(1)
	go s.loop()
	return s
}

// Post queues an event stamped at; callable with Mu held.
func (s *Shell) Post(e hw.Event) { s.q.Post(e) }

// Halted reports whether Halt has begun; call it with Mu held.
func (s *Shell) Halted() bool { return s.halted }

// Now is the driver clock's time.
func (s *Shell) Now() time.Time { return s.cfg.Clock.Now() }

// Errorf wraps err as "name: op: err".
func (s *Shell) Errorf(op string, err error) error {
	return fmt.Errorf("%s: %s: %w", s.cfg.Name, op, err)
}

func (s *Shell) loop() {
	defer s.wg.Done()
	var next time.Time
	for {
		irq := false
		wait := s.cfg.Period
		if s.cfg.IRQ != nil {
			wait = s.cfg.IRQIdle
			if !next.IsZero() {
				if d := next.Sub(s.cfg.Clock.Now()); d < wait {
					wait = max(d, time.Millisecond)
				}
			}
			irq = s.cfg.IRQ.WaitForEdge(wait)
			select {
			case <-s.stop:
				return
			default:
			}
		} else {
			select {
			case <-s.stop:
				return
			case <-s.cfg.Clock.After(wait):
			}
		}
		s.Mu.Lock()
		if s.halted {
			s.Mu.Unlock()
			return
		}
		next = s.cfg.Poll(s.cfg.Clock.Now(), irq)
		s.Mu.Unlock()
	}
}

// String names the port.
func (s *Shell) String() string { return s.cfg.Name }

// Kind implements hw.Port.
func (s *Shell) Kind() hw.Kind { return s.cfg.Kind }

// Events implements hw.Port.
func (s *Shell) Events() <-chan hw.Event { return s.q.C() }

func (s *Shell) isHalted() bool {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	return s.halted
}

func (s *Shell) frameErr(op string, err error) error {
	if s.isHalted() {
		return s.Errorf(op, hw.ErrHalted)
	}
	if err != nil {
		return s.Errorf(op, err)
	}
	return nil
}

// ReadFrame implements hw.Port through Config.Audio, or delivers silence
// paced by the clock when there is none.
func (s *Shell) ReadFrame(f *hw.Frame) error {
	if s.isHalted() {
		return s.Errorf("read frame", hw.ErrHalted)
	}
	if s.cfg.Audio != nil {
		return s.frameErr("read frame", s.cfg.Audio.ReadFrame(f))
	}
	s.Mu.Lock()
	at := s.silenceAt
	if now := s.cfg.Clock.Now(); now.Sub(at) > hw.FrameDuration {
		at = now // fell behind: the device dropped the old frames
	}
	s.silenceAt = at.Add(hw.FrameDuration)
	s.Mu.Unlock()
	if d := at.Sub(s.cfg.Clock.Now()); d > 0 {
		select {
		case <-s.stop:
			return s.Errorf("read frame", hw.ErrHalted)
		case <-s.cfg.Clock.After(d):
		}
	}
	*f = hw.Frame{}
	return s.frameErr("read frame", nil)
}

// WriteFrame implements hw.Port through Config.Audio, or discards the frame
// when there is none.
func (s *Shell) WriteFrame(f *hw.Frame) error {
	if s.isHalted() {
		return s.Errorf("write frame", hw.ErrHalted)
	}
	if s.cfg.Audio != nil {
		return s.frameErr("write frame", s.cfg.Audio.WriteFrame(f))
	}
	return nil
}

// Halt implements hw.Port: Inert, stop the sampling goroutine, close the
// audio and the events.
func (s *Shell) Halt() error {
	s.Mu.Lock()
	if s.halted {
		s.Mu.Unlock()
		return nil
	}
	s.halted = true
	err := s.cfg.Inert()
	s.Mu.Unlock()
	close(s.stop)
	if s.cfg.Audio != nil {
		if cerr := s.cfg.Audio.Close(); err == nil {
			err = cerr
		}
	}
	s.wg.Wait()
	s.q.Close()
	if err != nil {
		return s.Errorf("halt", err)
	}
	return nil
}

// Alarms remembers which of up to 32 alarm conditions are active, so that a
// driver reports each fault once per episode.
type Alarms uint32

// Raise records condition k as cond and reports whether it just became
// active.
func (a *Alarms) Raise(k int, cond bool) bool {
	bit := Alarms(1) << k
	was := *a&bit != 0
	if cond {
		*a |= bit
	} else {
		*a &^= bit
	}
	return cond && !was
}

// Active reports whether condition k is active.
func (a Alarms) Active(k int) bool { return a&(Alarms(1)<<k) != 0 }
