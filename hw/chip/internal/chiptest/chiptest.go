// Package chiptest is what the hw/chip drivers' tests share: a fake PCM
// stream (Audio) paced by simulated time, and a Harness that steps a
// clockwork fake clock in 1 ms steps, waiting each step for the driver's
// sampling goroutine, so that tests and the hw/hwtest conformance suite
// run drivers deterministically.
//
// Imports: hw and clockwork. Importers: tests of hw/chip drivers only.
package chiptest

import (
	"context"
	"sync"
	"time"

	"deskline/hw"

	"github.com/jonboulle/clockwork"
)

// Audio is a fake hw.Audio: Step captures one frame (with the sample
// value Level) per 20 ms of simulated time and plays one written frame.
type Audio struct {
	mu      sync.Mutex
	cond    *sync.Cond
	frameAt time.Time
	capture []hw.Frame
	playout []hw.Frame
	played  []hw.Frame
	closed  bool
	Level   int16
}

// NewAudio returns an Audio whose first frame ends 20 ms after start.
func NewAudio(start time.Time) *Audio {
	a := &Audio{frameAt: start.Add(hw.FrameDuration)}
	a.cond = sync.NewCond(&a.mu)
	return a
}

// Step moves the audio's time to now.
func (a *Audio) Step(now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for !now.Before(a.frameAt) {
		a.frameAt = a.frameAt.Add(hw.FrameDuration)
		var f hw.Frame
		for i := range f {
			f[i] = a.Level
		}
		if len(a.capture) == 8 {
			a.capture = a.capture[1:]
		}
		a.capture = append(a.capture, f)
		if len(a.playout) > 0 {
			a.played = append(a.played, a.playout[0])
			a.playout = a.playout[1:]
		}
		a.cond.Broadcast()
	}
}

// Played returns the frames played so far.
func (a *Audio) Played() []hw.Frame {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]hw.Frame(nil), a.played...)
}

// ReadFrame implements hw.Audio.
func (a *Audio) ReadFrame(f *hw.Frame) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for len(a.capture) == 0 && !a.closed {
		a.cond.Wait()
	}
	if a.closed {
		return hw.ErrHalted
	}
	*f = a.capture[0]
	a.capture = a.capture[1:]
	return nil
}

// WriteFrame implements hw.Audio; it blocks while 3 frames wait.
func (a *Audio) WriteFrame(f *hw.Frame) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for len(a.playout) >= 3 && !a.closed {
		a.cond.Wait()
	}
	if a.closed {
		return hw.ErrHalted
	}
	a.playout = append(a.playout, *f)
	return nil
}

// Close implements hw.Audio.
func (a *Audio) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.closed = true
	a.cond.Broadcast()
	return nil
}

// Harness steps simulated time for one driver whose sampling goroutine
// waits on Clock (one waiter at a time).
type Harness struct {
	Clock *clockwork.FakeClock
	Audio *Audio
	// Far is called after each step with the new time, before the driver
	// samples, to move the far end (a telephone, an exchange).
	Far func(now time.Time)

	mu     sync.Mutex // serialises Advance
	ctx    context.Context
	cancel context.CancelFunc
}

// NewHarness returns a harness whose clock reads start.
func NewHarness(start time.Time) *Harness {
	h := &Harness{Clock: clockwork.NewFakeClockAt(start), Audio: NewAudio(start)}
	h.ctx, h.cancel = context.WithCancel(context.Background())
	return h
}

// Advance moves time forward by d in 1 ms steps; at each, the far end
// moves, the audio steps and the driver samples if its timer is due.
// It returns once the driver is waiting again, or at once when Stop was
// called.
func (h *Harness) Advance(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for step := time.Duration(0); step < d; step += time.Millisecond {
		if h.Clock.BlockUntilContext(h.ctx, 1) != nil {
			return
		}
		now := h.Clock.Now().Add(time.Millisecond)
		if h.Far != nil {
			h.Far(now)
		}
		h.Clock.Advance(time.Millisecond)
		h.Audio.Step(now)
	}
	h.Clock.BlockUntilContext(h.ctx, 1)
}

// Stop makes Advance stop waiting for the driver: call it when the driver
// halts (its goroutine no longer waits on the clock).
func (h *Harness) Stop() { h.cancel() }

// Port wraps a port so that Halt stops the harness first.
type Port struct {
	hw.Port
	H *Harness
}

// Halt implements hw.Port.
func (p Port) Halt() error {
	p.H.Stop()
	return p.Port.Halt()
}

// HaltWaiting halts p while moving the clock on: a driver waiting for an
// interrupt edge with a timeout on c notices Halt only when the wait ends.
func HaltWaiting(p hw.Port, c *clockwork.FakeClock) error {
	done := make(chan error, 1)
	go func() { done <- p.Halt() }()
	for {
		select {
		case err := <-done:
			return err
		case <-time.After(time.Millisecond):
			c.Advance(time.Second)
		}
	}
}
