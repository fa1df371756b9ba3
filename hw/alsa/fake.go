package alsa

import (
	"fmt"
	"sync"

	"deskline/hw"
)

// Fake is a PCM whose device clock is driven by the test: each Tick is one
// 20 ms period, in which the fake captures one frame (of what Speak queued,
// else silence) and plays one written frame (to what Heard returns, else
// silence). It behaves like a sound card: ReadFrame waits for the next
// captured frame, the oldest captured frames are dropped when the reader
// falls behind, and WriteFrame blocks while Playout frames wait.
type Fake struct {
	capN, playN int

	mu        sync.Mutex
	cond      *sync.Cond
	closed    bool
	capture   []hw.Frame
	playout   []hw.Frame
	speak     []int16
	heard     []int16
	overruns  int
	underruns int
}

var _ PCM = (*Fake)(nil)

// NewFake returns a fake that buffers up to capture captured frames and
// playout written frames (defaults 8 and 3 when not positive).
func NewFake(capture, playout int) *Fake {
	if capture <= 0 {
		capture = 8
	}
	if playout <= 0 {
		playout = 3
	}
	f := &Fake{capN: capture, playN: playout}
	f.cond = sync.NewCond(&f.mu)
	return f
}

// Tick moves the fake device on by one period (20 ms).
func (f *Fake) Tick() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	var in hw.Frame
	n := copy(in[:], f.speak)
	f.speak = f.speak[n:]
	if len(f.capture) == f.capN {
		f.capture = f.capture[1:]
		f.overruns++
	}
	f.capture = append(f.capture, in)

	var out hw.Frame
	if len(f.playout) > 0 {
		out = f.playout[0]
		f.playout = f.playout[1:]
	} else {
		f.underruns++
	}
	f.heard = append(f.heard, out[:]...)
	f.cond.Broadcast()
}

// Speak queues samples for the device to capture, one frame per Tick.
func (f *Fake) Speak(samples []int16) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.speak = append(f.speak, samples...)
}

// Heard returns and forgets what the device has played so far.
func (f *Fake) Heard() []int16 {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := f.heard
	f.heard = nil
	return h
}

// Stats counts captured frames dropped because the reader fell behind and
// periods played as silence because the writer did.
func (f *Fake) Stats() (overruns, underruns int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.overruns, f.underruns
}

// ReadFrame implements PCM.
func (f *Fake) ReadFrame(fr *hw.Frame) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(f.capture) == 0 && !f.closed {
		f.cond.Wait()
	}
	if f.closed {
		return fmt.Errorf("alsa.Fake: read: %w", ErrClosed)
	}
	*fr = f.capture[0]
	f.capture = f.capture[1:]
	return nil
}

// WriteFrame implements PCM.
func (f *Fake) WriteFrame(fr *hw.Frame) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(f.playout) >= f.playN && !f.closed {
		f.cond.Wait()
	}
	if f.closed {
		return fmt.Errorf("alsa.Fake: write: %w", ErrClosed)
	}
	f.playout = append(f.playout, *fr)
	return nil
}

// Close implements PCM: blocked calls return ErrClosed. It is idempotent.
func (f *Fake) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	f.capture, f.playout = nil, nil
	f.cond.Broadcast()
	return nil
}
