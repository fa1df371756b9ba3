package alsa

import (
	"errors"
	"fmt"

	"deskline/hw"
)

// PCM is full-duplex telephony audio: 20 ms frames of 8 kHz mono both
// ways, paced by the device's own clock. Drivers of ports with a sound
// card (hw/usbphone, hw/chip/ag1171) take a PCM; Device is the real one,
// Fake the one for tests.
//
// ReadFrame blocks until the device has captured the next frame;
// WriteFrame blocks while the device's playout buffer is full. One
// goroutine reads and one writes; Close may be called from any goroutine,
// unblocks both, and makes them return an error wrapping ErrClosed.
type PCM interface {
	ReadFrame(f *hw.Frame) error
	WriteFrame(f *hw.Frame) error
	Close() error
}

// Device is a sound card's capture and playback streams as one PCM,
// resampling when the card does not take 8 kHz.
type Device struct {
	name             string
	capture, play    *Stream
	down, up         *resampler // nil at 8 kHz
	rbuf, wbuf       []int16    // device-rate interleaved period
	rstride, wstride int
}

var _ PCM = (*Device)(nil)

// Open opens card's PCM device dev both ways (/dev/snd/pcmC<card>D<dev>c
// and ...p); see OpenStream for the setup. The two directions may end up
// with different rates or channel counts; each is converted on its own.
func Open(card, dev int, opts *Opts) (*Device, error) {
	base := fmt.Sprintf("/dev/snd/pcmC%dD%d", card, dev)
	c, err := OpenStream(base+"c", Capture, opts)
	if err != nil {
		return nil, err
	}
	p, err := OpenStream(base+"p", Playback, opts)
	if err != nil {
		c.Close()
		return nil, err
	}
	return NewDevice(c, p)
}

// NewDevice joins a capture and a playback stream into a PCM. It fails
// with ErrInvalid when a stream is of the wrong direction or runs at a rate
// that is not a multiple of 8 kHz.
func NewDevice(capture, playback *Stream) (*Device, error) {
	if capture.dir != Capture || playback.dir != Playback {
		return nil, fmt.Errorf("%w: streams: want capture and playback, got %v and %v", ErrInvalid, capture.dir, playback.dir)
	}
	d := &Device{name: capture.name, capture: capture, play: playback}
	cc, pc := capture.cfg, playback.cfg
	if cc.Rate%hw.SampleRate != 0 || pc.Rate%hw.SampleRate != 0 {
		return nil, fmt.Errorf("%w: rate: %d/%d Hz is not a multiple of %d Hz", ErrInvalid, cc.Rate, pc.Rate, hw.SampleRate)
	}
	d.rstride, d.wstride = cc.Channels, pc.Channels
	d.rbuf = make([]int16, cc.Rate/hw.SampleRate*hw.FrameSamples*cc.Channels)
	d.wbuf = make([]int16, pc.Rate/hw.SampleRate*hw.FrameSamples*pc.Channels)
	if k := cc.Rate / hw.SampleRate; k > 1 {
		d.down = newResampler(k, hw.FrameSamples)
	}
	if k := pc.Rate / hw.SampleRate; k > 1 {
		d.up = newResampler(k, hw.FrameSamples)
	}
	return d, nil
}

// String names the device by its capture file.
func (d *Device) String() string { return fmt.Sprintf("alsa(%s)", d.name) }

// Streams are the capture and playback streams, for their Config and
// Xruns.
func (d *Device) Streams() (capture, playback *Stream) { return d.capture, d.play }

// ReadFrame implements PCM. With several channels it keeps the first.
func (d *Device) ReadFrame(f *hw.Frame) error {
	if d.down == nil && d.rstride == 1 {
		return d.capture.Read(f[:])
	}
	if err := d.capture.Read(d.rbuf); err != nil {
		return err
	}
	if d.down == nil {
		for i := range f {
			f[i] = d.rbuf[i*d.rstride]
		}
		return nil
	}
	d.down.decimate(d.rbuf, d.rstride, f[:])
	return nil
}

// WriteFrame implements PCM. With several channels it plays the frame on
// each.
func (d *Device) WriteFrame(f *hw.Frame) error {
	if d.up == nil && d.wstride == 1 {
		return d.play.Write(f[:])
	}
	if d.up == nil {
		for i, v := range f {
			for c := range d.wstride {
				d.wbuf[i*d.wstride+c] = v
			}
		}
	} else {
		d.up.interpolate(f[:], d.wbuf, d.wstride)
	}
	return d.play.Write(d.wbuf)
}

// Close closes both streams; see Stream.Close.
func (d *Device) Close() error {
	return errors.Join(d.capture.Close(), d.play.Close())
}
