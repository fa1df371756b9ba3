package dtmf

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Errors returned (wrapped) by Generator.Play.
var (
	// ErrDigit: a byte of the digit string is not a DTMF digit.
	ErrDigit = errors.New("dtmf: not a digit")
	// ErrDuration: the tone duration is not positive or the pause negative.
	ErrDuration = errors.New("dtmf: bad duration")
)

// GenOpts sets a Generator's levels. A zero value (or nil) means the usual
// sending levels of Q.23 practice: low group -9 dBm0, high group -7 dBm0
// (2 dB of pre-emphasis against line loss).
type GenOpts struct {
	LowLevel, HighLevel float64 // dBm0 of each tone; both zero means defaults
}

// Generator renders digit strings as 8 kHz 16-bit linear audio: each digit
// sounds for the On duration, then silence for Off. It is not safe for
// concurrent use; Read allocates nothing.
type Generator struct {
	lowAmp, highAmp float64
	digits          string
	i               int // next digit in digits
	on, period      int // samples
	pos             int // sample within the current digit's period
	wl, wh          float64
	pl, ph          float64 // oscillator phases, radians
}

// NewGenerator returns an idle Generator (Read yields silence).
func NewGenerator(o *GenOpts) *Generator {
	lo, hi := -9.0, -7.0
	if o != nil && (o.LowLevel != 0 || o.HighLevel != 0) {
		lo, hi = o.LowLevel, o.HighLevel
	}
	return &Generator{
		lowAmp:  ZeroDBm0 * math.Pow(10, lo/20),
		highAmp: ZeroDBm0 * math.Pow(10, hi/20),
	}
}

// Play replaces whatever g was playing with digits (0-9 * # A-D), each
// sounding for on and followed by off of silence. Q.24 receivers need on
// and off of at least 40 ms; 70 ms is a safe sending choice. It allocates
// nothing.
func (g *Generator) Play(digits string, on, off time.Duration) error {
	for i := range len(digits) {
		if _, _, ok := Freqs(digits[i]); !ok {
			return fmt.Errorf("%w: %q at %d", ErrDigit, digits[i], i)
		}
	}
	if on <= 0 || off < 0 {
		return fmt.Errorf("%w: on %v off %v", ErrDuration, on, off)
	}
	g.digits, g.i, g.pos = digits, 0, 0
	g.on = int(on * SampleRate / time.Second)
	g.period = g.on + int(off*SampleRate/time.Second)
	g.load()
	return nil
}

func (g *Generator) load() {
	if g.i < len(g.digits) {
		lo, hi, _ := Freqs(g.digits[g.i])
		g.wl, g.wh = 2*math.Pi*lo/SampleRate, 2*math.Pi*hi/SampleRate
		g.pl, g.ph = 0, 0
	}
}

// Done reports whether every digit given to Play has been read out,
// pauses included.
func (g *Generator) Done() bool { return g.i >= len(g.digits) }

// Read fills dst with the next samples: tones, pauses, then silence once
// Done.
func (g *Generator) Read(dst []int16) {
	for n := range dst {
		if g.i >= len(g.digits) {
			clear(dst[n:])
			return
		}
		var v float64
		if g.pos < g.on {
			v = g.lowAmp*math.Sin(g.pl) + g.highAmp*math.Sin(g.ph)
			g.pl += g.wl
			g.ph += g.wh
			if g.pl > 2*math.Pi {
				g.pl -= 2 * math.Pi
			}
			if g.ph > 2*math.Pi {
				g.ph -= 2 * math.Pi
			}
		}
		dst[n] = int16(math.Round(max(math.MinInt16, min(math.MaxInt16, v))))
		g.pos++
		if g.pos >= g.period {
			g.pos = 0
			g.i++
			g.load()
		}
	}
}
