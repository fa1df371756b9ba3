package hw

import (
	"errors"
	"fmt"
	"time"
)

// Audio format shared by every Port.
const (
	// SampleRate is the audio sample rate of every Port, in Hz.
	SampleRate = 8000
	// FrameSamples is the number of samples in one Frame.
	FrameSamples = 160
	// FrameDuration is the stretch of time one Frame covers.
	FrameDuration = FrameSamples * time.Second / SampleRate // 20 ms
)

// Frame is 20 ms of mono audio: 160 signed 16-bit linear PCM samples at
// 8 kHz, oldest first. Linear PCM, not G.711, because everything that looks
// at port audio (DTMF and caller-ID detection, tones, mixing) works on linear
// samples; a chip that speaks µ-law or A-law converts at its own edge. The
// array type makes the length a compile-time fact and lets callers reuse one
// Frame without allocating.
type Frame [FrameSamples]int16

// Kind says what sits on the far side of a Port.
type Kind uint8

const (
	// FXS ports feed a telephone: the box supplies battery and ringing and
	// watches the phone's hook switch.
	FXS Kind = iota + 1
	// FXO ports are the telephone on an exchange line: the box detects
	// ringing and seizes (goes off-hook on) the line.
	FXO
	// USB ports are USB handsets or headsets: hook and keys arrive as
	// input reports, ringing is a device feature.
	USB
)

func (k Kind) String() string {
	switch k {
	case FXS:
		return "FXS"
	case FXO:
		return "FXO"
	case USB:
		return "USB"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Errors returned by Port methods, wrapped with the port's name and the
// operation (test with errors.Is).
var (
	// ErrHalted is returned by every method except String, Kind, Events and
	// Halt once Halt has been called, and by ReadFrame and WriteFrame calls
	// that Halt unblocked.
	ErrHalted = errors.New("hw: port halted")
	// ErrUnsupported is returned when the port's Kind cannot do the
	// operation: Ring and StopRing on FXO, Seize and Release on FXS and USB.
	ErrUnsupported = errors.New("hw: operation not supported by this kind of port")
	// ErrInvalid is returned for an invalid argument, such as a Cadence
	// that fails Validate.
	ErrInvalid = errors.New("hw: invalid argument")
	// ErrOffHook is returned by Ring when the telephone is already off-hook.
	ErrOffHook = errors.New("hw: telephone is off-hook")
)

// Cadence is a ringing pattern: alternating on and off durations, starting
// with on, repeated until ringing stops. US ringing is Cadence{2 * time.Second,
// 4 * time.Second}; see package hw/line for a per-country table.
type Cadence []time.Duration

// Validate reports whether c can be rung: a non-empty, even number of
// positive durations.
func (c Cadence) Validate() error {
	if len(c) == 0 || len(c)%2 != 0 {
		return fmt.Errorf("%w: cadence needs on/off pairs, got %d durations", ErrInvalid, len(c))
	}
	for i, d := range c {
		if d <= 0 {
			return fmt.Errorf("%w: cadence duration %d is %v, want > 0", ErrInvalid, i, d)
		}
	}
	return nil
}

// Period is the length of one repetition of c.
func (c Cadence) Period() time.Duration {
	var p time.Duration
	for _, d := range c {
		p += d
	}
	return p
}

// CallerID identifies a calling party, as sent to an FXS phone or received
// on an FXO line.
type CallerID struct {
	Number string    // digits; empty when withheld or unavailable
	Name   string    // display name; empty when withheld or unavailable
	Time   time.Time // the call's time as sent in the message; zero if none
}

// Port is one telephony port: an FXS port, an FXO line or a USB phone. Every
// hardware driver and the simulator in hw/sim implement it, and hw/hwtest
// checks that they do so alike. Consumers should declare the smaller
// interfaces they use; constructors return concrete types.
//
// Lifecycle: a Port is live from its constructor until Halt. Audio frames
// flow both ways the whole time, whatever the hook state (a TDM bus never
// stops; a device that can go quiet delivers silence instead). Halt stops
// everything, returns the hardware to an inert state and closes Events.
//
// Calls: ReadFrame and WriteFrame run continuously, once per 20 ms each;
// the control methods (Ring, StopRing, Seize, Release) are called at call
// pace, a few times per call; Halt once at shutdown or when the port is
// removed. None of the control methods blocks on the line: they change the
// port's state and return, and what follows is reported as events.
//
// Concurrency: all methods may be called from any goroutine. ReadFrame is
// meant for one reader goroutine and WriteFrame for one writer goroutine;
// control methods (Ring, StopRing, Seize, Release, Halt) may run concurrently
// with them and with each other.
type Port interface {
	// String names the port, e.g. "si3215(spi0.0)" or "sim-fxs(1)".
	String() string

	// Kind is fixed for the life of the port.
	Kind() Kind

	// Events returns the port's event channel; every call returns the same
	// channel. Events arrive in the order they happened, with increasing Seq.
	// The port buffers events without bound while the consumer is slow, so
	// detection timing never depends on the reader. Halt discards events not
	// yet received and closes the channel: nothing is received after Halt
	// returns except the close.
	Events() <-chan Event

	// ReadFrame blocks until the device has captured the next 20 ms of audio
	// from the line and copies it into f. The device's clock paces it: a
	// reader calling it in a loop gets one frame per 20 ms of device time.
	// If the reader falls behind, the oldest frames are dropped by the
	// device. It returns ErrHalted when Halt unblocks it or was called.
	ReadFrame(f *Frame) error

	// WriteFrame hands the device the next 20 ms of audio for the line. It
	// may block while the device's playout buffer is full, which paces the
	// writer at one frame per 20 ms; when the writer falls behind the device
	// plays silence. It returns ErrHalted when Halt unblocks it or was called.
	WriteFrame(f *Frame) error

	// Ring rings the telephone (FXS, USB) with cadence c until StopRing,
	// Halt or the telephone going off-hook (ring trip: ringing stops at once
	// and the port reports OffHook). When cid is not nil, caller ID is sent
	// in the first silent interval long enough to hold it. Ringing while
	// already ringing restarts with the new cadence. On FXO it returns
	// ErrUnsupported.
	Ring(c Cadence, cid *CallerID) error

	// StopRing stops ringing; it is a no-op when the port is not ringing.
	// On FXO it returns ErrUnsupported.
	StopRing() error

	// Seize takes an FXO line off-hook (to answer a ring or to dial out);
	// Release puts it back on-hook. Both are no-ops when already in that
	// state. On FXS and USB they return ErrUnsupported.
	Seize() error
	Release() error

	// Halt stops ringing, releases a seized line, unblocks ReadFrame and
	// WriteFrame, stops every goroutine the port started and waits for them,
	// closes Events, and leaves the hardware inert. It is idempotent: later
	// calls return nil.
	Halt() error
}
