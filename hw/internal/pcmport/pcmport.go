// Package pcmport is the part of hw.Port that every driver whose audio
// goes through an alsa.PCM shares: frames in and out, the halted state,
// errors that name the port, and the answer of ports that are not FXO to
// Seize and Release.
//
// Imports: deskline/hw and deskline/hw/alsa. Importers: hw/usbphone and
// hw/chip/... drivers.
package pcmport

import (
	"errors"
	"fmt"
	"sync/atomic"

	"deskline/hw"
	"deskline/hw/alsa"
)

// Base holds a port's PCM and halted flag. A driver keeps one as a field
// and forwards ReadFrame, WriteFrame, Seize and Release to it.
type Base struct {
	name   fmt.Stringer
	pcm    alsa.PCM
	halted atomic.Bool
}

// Init sets the port (for error messages) and its PCM.
func (b *Base) Init(port fmt.Stringer, pcm alsa.PCM) { b.name, b.pcm = port, pcm }

// Errorf wraps err as "<port>: <op>: err".
func (b *Base) Errorf(op string, err error) error { return fmt.Errorf("%v: %s: %w", b.name, op, err) }

// Halted reports whether SetHalted was called.
func (b *Base) Halted() bool { return b.halted.Load() }

// SetHalted marks the port halted and reports whether it was not yet.
func (b *Base) SetHalted() bool { return !b.halted.Swap(true) }

// ClosePCM closes the PCM, unblocking ReadFrame and WriteFrame.
func (b *Base) ClosePCM() error { return b.pcm.Close() }

// audio maps the PCM's ErrClosed (Halt closed it) to hw.ErrHalted.
func (b *Base) audio(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, alsa.ErrClosed) || b.Halted() {
		return b.Errorf(op, hw.ErrHalted)
	}
	return b.Errorf(op, err)
}

// ReadFrame implements hw.Port's ReadFrame: the sound card paces it.
func (b *Base) ReadFrame(f *hw.Frame) error {
	if b.Halted() {
		return b.Errorf("read frame", hw.ErrHalted)
	}
	return b.audio("read frame", b.pcm.ReadFrame(f))
}

// WriteFrame implements hw.Port's WriteFrame: the sound card paces it.
func (b *Base) WriteFrame(f *hw.Frame) error {
	if b.Halted() {
		return b.Errorf("write frame", hw.ErrHalted)
	}
	return b.audio("write frame", b.pcm.WriteFrame(f))
}

// NotFXO is what Seize and Release return on FXS and USB ports:
// hw.ErrUnsupported, or hw.ErrHalted after Halt.
func (b *Base) NotFXO(op string) error {
	if b.Halted() {
		return b.Errorf(op, hw.ErrHalted)
	}
	return b.Errorf(op, hw.ErrUnsupported)
}
