package usbphone

import (
	"fmt"
	"sync"
)

// FakeInput is an Input driven by a test: Send hands the port one control
// and returns once the port has acted on it.
type FakeInput struct {
	ch        chan Control
	ack       chan struct{}
	closed    chan struct{}
	closeOnce sync.Once
	mu        sync.Mutex
	pending   bool // a control was handed over and not yet acknowledged
	err       error
}

// NewFakeInput returns a fake with no controls pending.
func NewFakeInput() *FakeInput {
	return &FakeInput{ch: make(chan Control), ack: make(chan struct{}), closed: make(chan struct{})}
}

// Send hands c to the port and waits until the port has handled it (it
// has asked for the next control). After Close it does nothing.
func (f *FakeInput) Send(c Control) {
	select {
	case f.ch <- c:
	case <-f.closed:
		return
	}
	select {
	case <-f.ack:
	case <-f.closed:
	}
}

// Fail makes the next Next return err, as an unplugged device does.
func (f *FakeInput) Fail(err error) {
	f.mu.Lock()
	f.err = err
	f.mu.Unlock()
	select { // wake Next, which returns err; the port stops asking
	case f.ch <- Control{}:
	case <-f.closed:
	}
}

// Next implements Input.
func (f *FakeInput) Next() (Control, error) {
	f.mu.Lock()
	ack := f.pending
	f.pending = false
	f.mu.Unlock()
	if ack {
		select {
		case f.ack <- struct{}{}:
		case <-f.closed:
			return Control{}, fmt.Errorf("usbphone.FakeInput: %w", ErrClosed)
		}
	}
	select {
	case c := <-f.ch:
		f.mu.Lock()
		defer f.mu.Unlock()
		f.pending = true
		if f.err != nil {
			return Control{}, f.err
		}
		return c, nil
	case <-f.closed:
		return Control{}, fmt.Errorf("usbphone.FakeInput: %w", ErrClosed)
	}
}

// Close implements Input.
func (f *FakeInput) Close() error {
	f.closeOnce.Do(func() { close(f.closed) })
	return nil
}

// FakeRinger records what a port asks of the ringer.
type FakeRinger struct {
	mu      sync.Mutex
	on      bool
	changes int
}

// SetRinging implements Ringer.
func (r *FakeRinger) SetRinging(on bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on = on
	r.changes++
	return nil
}

// State reports whether the ringer is on and how often it was switched.
func (r *FakeRinger) State() (on bool, changes int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.on, r.changes
}
