package alsa

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"deskline/hw"
)

// Errors returned by this package, wrapped with the stream or device and the
// operation (test with errors.Is).
var (
	// ErrClosed is returned by reads and writes after Close, and by those
	// Close unblocked.
	ErrClosed = errors.New("alsa: closed")
	// ErrNoConfig is returned by Open and OpenStream when the device takes
	// none of the configurations tried: 16-bit little-endian interleaved
	// samples, 1 or 2 channels, one of Opts.Rates, 20 ms periods.
	ErrNoConfig = errors.New("alsa: device takes no usable configuration")
	// ErrInvalid is returned for invalid Opts; the message names the field.
	ErrInvalid = errors.New("alsa: invalid option")
	// ErrUnsupported is returned by Open on systems without ALSA.
	ErrUnsupported = errors.New("alsa: not supported on this system")
)

// Direction says which way a stream moves audio.
type Direction uint8

const (
	// Capture streams record from the device (files ending in "c").
	Capture Direction = iota
	// Playback streams play to the device (files ending in "p").
	Playback
)

func (d Direction) String() string {
	if d == Playback {
		return "playback"
	}
	return "capture"
}

// Opts choose how a stream is set up. The zero value is valid.
type Opts struct {
	// Rates are the sample rates tried, in order; the first the device
	// takes is used. Each must be a multiple of 8000 Hz (other rates would
	// need a fractional resampler). Default 8000, 16000, 48000, 32000,
	// 24000: telephony rate first, then the rates USB headsets offer.
	Rates []int
	// Periods is how many 20 ms periods the device buffer holds. Default 4
	// (80 ms); the device may only take another count, which is then used.
	Periods int
}

// defaultRates are the rates tried when Opts.Rates is empty.
var defaultRates = [...]int{8000, 16000, 48000, 32000, 24000}

func (o *Opts) fill() (Opts, error) {
	var v Opts
	if o != nil {
		v = *o
	}
	if len(v.Rates) == 0 {
		v.Rates = defaultRates[:]
	}
	for _, r := range v.Rates {
		if r <= 0 || r%hw.SampleRate != 0 || r > 384000 {
			return v, fmt.Errorf("%w: Rates: %d Hz is not a multiple of %d Hz", ErrInvalid, r, hw.SampleRate)
		}
	}
	switch {
	case v.Periods == 0:
		v.Periods = 4
	case v.Periods < 2 || v.Periods > 64:
		return v, fmt.Errorf("%w: Periods: %d is outside 2-64", ErrInvalid, v.Periods)
	}
	return v, nil
}

// Config is the setup a stream runs with.
type Config struct {
	Rate         int // sample rate, Hz
	Channels     int // interleaved channels per frame
	PeriodFrames int // frames per period (20 ms)
	BufferFrames int // frames the device buffer holds
}

// device is one open PCM: the ioctl entry point and a way to wait for it.
// The Linux implementation is a file descriptor plus an eventfd for wake;
// tests use a model of the kernel.
type device interface {
	// ioctl issues request req with argument arg and returns the errno
	// (as a syscall.Errno) or nil.
	ioctl(req uintptr, arg unsafe.Pointer) error
	// wait blocks until the PCM can be written (out) or read (!out), or
	// returns ErrClosed once wake has been called.
	wait(out bool) error
	// wake makes every wait, present and future, return ErrClosed.
	wake()
	// close releases the device.
	close() error
}

// Stream is one PCM direction of a sound device, set up for 16-bit samples
// in 20 ms periods. Read and Write move whole buffers, recovering from
// overruns and underruns (counted by Xruns) by preparing the stream again.
// One goroutine reads or writes; Close may be called from any goroutine and
// unblocks it.
type Stream struct {
	name string
	dir  Direction
	cfg  Config
	dev  device

	mu     sync.Mutex // serialises transfers with close
	xfer   xferi      // reused by every transfer: no allocation per call
	closed atomic.Bool
	xruns  atomic.Int64
}

// newStream negotiates the configuration with dev and prepares it.
func newStream(name string, dir Direction, dev device, opts *Opts) (*Stream, error) {
	o, err := opts.fill()
	if err != nil {
		return nil, err
	}
	s := &Stream{name: name, dir: dir, dev: dev}
	if err := s.setup(&o); err != nil {
		return nil, err
	}
	return s, nil
}

// setup tries each rate with one channel, then two (many USB headsets only
// play stereo); for each, first the wanted period count, then 2 to 8
// periods (the smallest buffer the device takes keeps latency low), then
// any buffer of 2 to 16 periods.
func (s *Stream) setup(o *Opts) error {
	counts := []uint32{uint32(o.Periods)}
	for n := uint32(2); n <= 8; n++ {
		if n != uint32(o.Periods) {
			counts = append(counts, n)
		}
	}
	counts = append(counts, 0) // 0: any buffer of 2-16 periods
	var p hwParams
	var tried []string
	for _, rate := range o.Rates {
		period := uint32(rate / 50) // 20 ms
		for _, ch := range []uint32{1, 2} {
			var err error
			for _, n := range counts {
				if err = s.try(&p, uint32(rate), ch, period, n); err == nil {
					return s.swSetup()
				}
				if errors.Is(err, ErrNoConfig) {
					return err
				}
			}
			tried = append(tried, fmt.Sprintf("%d Hz × %d (%v)", rate, ch, err))
		}
	}
	return fmt.Errorf("%s: tried %v: %w", s, tried, ErrNoConfig)
}

// try asks the device for one configuration: periods of period frames,
// periods of them in the buffer (0: 2 to 16). It returns the device's error
// when it refuses, or ErrNoConfig when it accepts but chooses something
// else.
func (s *Stream) try(p *hwParams, rate, ch, period, periods uint32) error {
	p.any()
	p.setMask(paramAccess, accessRWInterleaved)
	p.setMask(paramFormat, formatS16LE)
	p.setMask(paramSubformat, subformatStd)
	p.setRange(paramChannels, ch, ch)
	p.setRange(paramRate, rate, rate)
	p.setRange(paramPeriodSize, period, period)
	if periods == 0 {
		p.setRange(paramBufferSize, 2*period, 16*period)
	} else {
		p.setRange(paramPeriods, periods, periods)
	}
	if err := s.dev.ioctl(ioctlHWRefine, unsafe.Pointer(p)); err != nil {
		return err
	}
	if err := s.dev.ioctl(ioctlHWParams, unsafe.Pointer(p)); err != nil {
		return err
	}
	s.cfg = Config{
		Rate:         int(p.get(paramRate).Min),
		Channels:     int(p.get(paramChannels).Min),
		PeriodFrames: int(p.get(paramPeriodSize).Min),
		BufferFrames: int(p.get(paramBufferSize).Min),
	}
	if s.cfg.Rate != int(rate) || s.cfg.Channels != int(ch) || s.cfg.PeriodFrames != int(period) || s.cfg.BufferFrames < s.cfg.PeriodFrames {
		return fmt.Errorf("%s: hw params: device chose %+v: %w", s, s.cfg, ErrNoConfig)
	}
	return nil
}

func (s *Stream) swSetup() error {
	sw := swParams{
		PeriodStep:     1,
		AvailMin:       uint(s.cfg.PeriodFrames),
		StartThreshold: 1, // capture starts on the first read
		StopThreshold:  uint(s.cfg.BufferFrames),
	}
	if s.dir == Playback {
		// Start once two periods wait, so that one late write does not
		// underrun at once.
		sw.StartThreshold = uint(min(2*s.cfg.PeriodFrames, s.cfg.BufferFrames))
	}
	if err := s.dev.ioctl(ioctlSWParams, unsafe.Pointer(&sw)); err != nil {
		return fmt.Errorf("%s: sw params: %w", s, err)
	}
	if err := s.dev.ioctl(ioctlPrepare, nil); err != nil {
		return fmt.Errorf("%s: prepare: %w", s, err)
	}
	return nil
}

// String names the stream by its device file and direction.
func (s *Stream) String() string { return fmt.Sprintf("alsa(%s %v)", s.name, s.dir) }

// Config is the configuration the device accepted.
func (s *Stream) Config() Config { return s.cfg }

// Xruns counts the overruns (capture) or underruns (playback) recovered
// from so far.
func (s *Stream) Xruns() int { return int(s.xruns.Load()) }

// Read fills buf with interleaved samples (len(buf) a multiple of
// Channels), blocking until the device has captured them.
func (s *Stream) Read(buf []int16) error { return s.transfer(Capture, buf) }

// Write queues buf's interleaved samples for playing, blocking while the
// device buffer is full.
func (s *Stream) Write(buf []int16) error { return s.transfer(Playback, buf) }

func (s *Stream) transfer(dir Direction, buf []int16) error {
	op := "read"
	if dir == Playback {
		op = "write"
	}
	if dir != s.dir {
		return fmt.Errorf("%s: %s: %w", s, op, ErrInvalid)
	}
	frames := len(buf) / s.cfg.Channels
	req := ioctlReadIFrames
	if dir == Playback {
		req = ioctlWriteIFrames
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for done := 0; done < frames; {
		if s.closed.Load() {
			return fmt.Errorf("%s: %s: %w", s, op, ErrClosed)
		}
		s.xfer = xferi{Buf: unsafe.Pointer(&buf[done*s.cfg.Channels]), Frames: uint(frames - done)}
		err := s.dev.ioctl(req, unsafe.Pointer(&s.xfer))
		runtime.KeepAlive(buf)
		if err == nil && (s.xfer.Result <= 0 || s.xfer.Result > frames-done) {
			err = syscall.EAGAIN // nothing moved: wait rather than spin
		}
		switch {
		case err == nil:
			done += s.xfer.Result
		case errors.Is(err, syscall.EAGAIN):
			if err := s.dev.wait(dir == Playback); err != nil {
				return fmt.Errorf("%s: %s: %w", s, op, err)
			}
		case errors.Is(err, syscall.EINTR):
		case errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ESTRPIPE):
			// Overrun or underrun (or a suspend): prepare and go on.
			s.xruns.Add(1)
			if err := s.dev.ioctl(ioctlPrepare, nil); err != nil {
				return fmt.Errorf("%s: %s: prepare after xrun: %w", s, op, err)
			}
		default:
			return fmt.Errorf("%s: %s: %w", s, op, err)
		}
	}
	return nil
}

// Close stops the stream at once (dropping what is buffered), unblocks a
// Read or Write in progress and releases the device. It is idempotent.
func (s *Stream) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.dev.wake()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dev.ioctl(ioctlDrop, nil)
	s.dev.ioctl(ioctlHWFree, nil)
	return s.dev.close()
}
