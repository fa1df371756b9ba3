package alsa

import (
	"math"
	"sync"
	"syscall"
	"unsafe"
)

// kernel is a model of a PCM device file behind the ioctl seam: it takes
// the configurations listed in rates and channels, captures a tone (or
// plays into played), and can be told to fail transfers the way the kernel
// does (EAGAIN when no period is ready, EPIPE after an xrun).
type kernel struct {
	rates    []int
	channels []int
	periods  []int // period counts it takes; nil means any

	mu       sync.Mutex
	cfg      Config
	prepared int
	sw       swParams
	calls    []uintptr
	// Capture: a sine of toneHz at amplitude toneAmp, the same on every
	// channel, continuous across reads.
	toneHz, toneAmp float64
	phase           int
	// Playback: every sample written, interleaved.
	played []int16
	// Fault injection: transfers to fail with EAGAIN before the next one
	// succeeds, and transfers to fail with EPIPE.
	again, xrun int
	// block makes wait block until wake.
	block  bool
	woken  chan struct{}
	wakeMu sync.Once
	closed bool
}

func newKernel(rates, channels []int) *kernel {
	return &kernel{rates: rates, channels: channels, woken: make(chan struct{}), toneAmp: 8000}
}

func has(list []int, v uint32) bool {
	for _, x := range list {
		if uint32(x) == v {
			return true
		}
	}
	return false
}

func (k *kernel) ioctl(req uintptr, arg unsafe.Pointer) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.calls = append(k.calls, req)
	switch req {
	case ioctlHWRefine, ioctlHWParams:
		p := (*hwParams)(arg)
		if !p.maskHas(paramAccess, accessRWInterleaved) || !p.maskHas(paramFormat, formatS16LE) {
			return syscall.EINVAL
		}
		rate, ch, per := p.get(paramRate), p.get(paramChannels), p.get(paramPeriodSize)
		if rate.Min != rate.Max || !has(k.rates, rate.Min) || ch.Min != ch.Max || !has(k.channels, ch.Min) {
			return syscall.EINVAL
		}
		n := p.get(paramPeriods)
		periods := uint32(4)
		if n.Min == n.Max {
			if k.periods != nil && !has(k.periods, n.Min) {
				return syscall.EINVAL
			}
			periods = n.Min
		} else if k.periods != nil {
			periods = uint32(k.periods[0])
			if b := p.get(paramBufferSize); periods*per.Min < b.Min || periods*per.Min > b.Max {
				return syscall.EINVAL
			}
		}
		if req == ioctlHWParams {
			p.setRange(paramPeriods, periods, periods)
			p.setRange(paramBufferSize, periods*per.Min, periods*per.Min)
			k.cfg = Config{Rate: int(rate.Min), Channels: int(ch.Min), PeriodFrames: int(per.Min), BufferFrames: int(periods * per.Min)}
		}
	case ioctlSWParams:
		k.sw = *(*swParams)(arg)
		if k.sw.AvailMin == 0 {
			return syscall.EINVAL
		}
	case ioctlPrepare:
		k.prepared++
	case ioctlReadIFrames, ioctlWriteIFrames:
		x := (*xferi)(arg)
		if k.again > 0 {
			k.again--
			return syscall.EAGAIN
		}
		if k.xrun > 0 {
			k.xrun--
			return syscall.EPIPE
		}
		// Move at most one period per call, as a device that has just
		// one ready.
		n := min(int(x.Frames), k.cfg.PeriodFrames)
		buf := unsafe.Slice((*int16)(x.Buf), n*k.cfg.Channels)
		for i := range n {
			for c := range k.cfg.Channels {
				if req == ioctlReadIFrames {
					buf[i*k.cfg.Channels+c] = int16(k.toneAmp * math.Sin(2*math.Pi*k.toneHz*float64(k.phase)/float64(k.cfg.Rate)))
				} else {
					k.played = append(k.played, buf[i*k.cfg.Channels+c])
				}
			}
			k.phase++
		}
		x.Result = n
		// The next call finds no period ready, as on a device.
		k.again = 1
	}
	return nil
}

func (k *kernel) wait(out bool) error {
	if k.block {
		<-k.woken
	}
	select {
	case <-k.woken:
		return ErrClosed
	default:
		return nil
	}
}

func (k *kernel) wake() { k.wakeMu.Do(func() { close(k.woken) }) }

func (k *kernel) close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.closed = true
	return nil
}

func (k *kernel) count(req uintptr) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	n := 0
	for _, r := range k.calls {
		if r == req {
			n++
		}
	}
	return n
}
