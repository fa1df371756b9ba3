package tone

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/zaf/g711"
)

// SampleRate is the rate of every frame this package produces, in Hz.
const SampleRate = 8000

// FrameSamples is the number of samples in the usual 20 ms frame.
const FrameSamples = SampleRate / 50

// ZeroDBm0 is the peak amplitude, in 16-bit linear units, of a sine wave at
// 0 dBm0: 3.17 dB below a full-scale sine, the G.711 convention.
const ZeroDBm0 = 22752.0

// Amplitude returns the peak amplitude in 16-bit linear units of a sine at
// level dBm0.
func Amplitude(dBm0 float64) float64 { return ZeroDBm0 * math.Pow(10, dBm0/20) }

// ErrInvalid is returned (wrapped) by NewGenerator and Generator.Reset for a
// Tone that cannot be played: no segments, a non-positive On, a negative
// Off, a positive Gain, or a frequency outside 0 < f < 4000 Hz.
var ErrInvalid = errors.New("tone: invalid tone")

// rampSamples is the length of the linear fade at each edge between sound
// and silence (2 ms), which keeps cadence edges free of clicks.
const rampSamples = 16

// The oscillators are 32-bit phase accumulators reading a sine table with
// linear interpolation: exact phase continuity, no drift, no per-sample
// trigonometry.
const (
	sineBits  = 10
	sineSize  = 1 << sineBits
	fracBits  = 32 - sineBits
	fracScale = 1.0 / (1 << fracBits)
)

var sineTable = func() (t [sineSize + 1]float64) {
	for i := range t {
		t[i] = math.Sin(2 * math.Pi * float64(i) / sineSize)
	}
	return t
}()

func sine(ph uint32) float64 {
	i := ph >> fracBits
	f := float64(ph&(1<<fracBits-1)) * fracScale
	a := sineTable[i]
	return a + (sineTable[i+1]-a)*f
}

// phaseInc returns the per-sample phase increment of frequency f.
func phaseInc(f float64) uint32 {
	return uint32(int64(math.Round(f / SampleRate * (1 << 32))))
}

type genSeg struct {
	inc             [2]uint32
	minc            uint32
	gain            float64 // linear, times Generator.amp
	two, mod        bool
	on, period      int // samples
	rampIn, rampOut bool
}

// Generator renders a Tone as 8 kHz samples. It is not safe for concurrent
// use: one stream calls it from one goroutine. After NewGenerator (or
// Reset), reading allocates nothing.
type Generator struct {
	segs []genSeg
	amp  float64
	cur  int // index in segs
	pos  int // sample within the current segment's period
	ph   [2]uint32
	mph  uint32
}

// NewGenerator returns a Generator positioned at the start of t's cadence.
func NewGenerator(t Tone) (*Generator, error) {
	g := new(Generator)
	if err := g.Reset(t); err != nil {
		return nil, err
	}
	return g, nil
}

// Reset switches g to tone t from the start of its cadence. The oscillators
// keep their phase, so switching tones does not click. It allocates only
// when t has more segments than any tone g played before.
func (g *Generator) Reset(t Tone) error {
	if len(t.Segments) == 0 {
		return fmt.Errorf("%w: no segments", ErrInvalid)
	}
	for i, s := range t.Segments {
		if s.On <= 0 || s.Off < 0 {
			return fmt.Errorf("%w: segment %d: on %v off %v", ErrInvalid, i, s.On, s.Off)
		}
		for _, f := range []float64{s.Freqs[0], s.Freqs[1], s.Mod} {
			if f < 0 || f >= SampleRate/2 || math.IsNaN(f) {
				return fmt.Errorf("%w: segment %d: frequency %v Hz", ErrInvalid, i, f)
			}
		}
		if s.Gain > 0 || math.IsNaN(s.Gain) {
			return fmt.Errorf("%w: segment %d: gain %v dB", ErrInvalid, i, s.Gain)
		}
		if s.Freqs[0] == 0 {
			return fmt.Errorf("%w: segment %d: no frequency", ErrInvalid, i)
		}
	}
	if math.IsNaN(t.Level) || t.Level > 3 {
		return fmt.Errorf("%w: level %v dBm0", ErrInvalid, t.Level)
	}
	g.segs = g.segs[:0]
	n := len(t.Segments)
	for i, s := range t.Segments {
		prev := t.Segments[(i+n-1)%n]
		on, off := samples(s.On), samples(s.Off)
		if on == 0 {
			on = 1
		}
		g.segs = append(g.segs, genSeg{
			inc:     [2]uint32{phaseInc(s.Freqs[0]), phaseInc(s.Freqs[1])},
			minc:    phaseInc(s.Mod),
			gain:    math.Pow(10, s.Gain/20),
			two:     s.Freqs[1] != 0,
			mod:     s.Mod != 0,
			on:      on,
			period:  on + off,
			rampIn:  prev.Off > 0,
			rampOut: s.Off > 0,
		})
	}
	g.amp = Amplitude(t.Level)
	g.cur, g.pos = 0, 0
	return nil
}

// samples converts d to a whole number of 8 kHz samples, rounding.
func samples(d time.Duration) int {
	return int((d + time.Second/SampleRate/2) / (time.Second / SampleRate))
}

// next returns the next sample and advances g by one sample.
func (g *Generator) next() int16 {
	s := &g.segs[g.cur]
	var v float64
	if g.pos < s.on {
		v = sine(g.ph[0])
		if s.two {
			v += sine(g.ph[1])
		}
		if s.mod {
			v *= 0.5 + 0.5*sine(g.mph+1<<30) // cosine envelope, 0..1
		}
		env := 1.0
		if s.rampIn && g.pos < rampSamples {
			env = float64(g.pos+1) / (rampSamples + 1)
		}
		if left := s.on - g.pos; s.rampOut && left <= rampSamples && float64(left)/(rampSamples+1) < env {
			env = float64(left) / (rampSamples + 1)
		}
		v *= g.amp * s.gain * env
	}
	// The oscillators run through silences too: phase never jumps.
	g.ph[0] += s.inc[0]
	g.ph[1] += s.inc[1]
	g.mph += s.minc
	g.pos++
	if g.pos == s.period {
		g.pos = 0
		g.cur++
		if g.cur == len(g.segs) {
			g.cur = 0
		}
	}
	switch {
	case v > math.MaxInt16:
		return math.MaxInt16
	case v < math.MinInt16:
		return math.MinInt16
	}
	return int16(math.Round(v))
}

// Read fills dst with the next len(dst) samples of 16-bit linear audio.
// Any length works; the stream continues exactly where the last call
// stopped.
func (g *Generator) Read(dst []int16) {
	for i := range dst {
		dst[i] = g.next()
	}
}

// ReadUlaw fills dst with the next len(dst) samples encoded as G.711 µ-law.
func (g *Generator) ReadUlaw(dst []byte) {
	for i := range dst {
		dst[i] = g711.EncodeUlawFrame(g.next())
	}
}

// ReadAlaw fills dst with the next len(dst) samples encoded as G.711 A-law.
func (g *Generator) ReadAlaw(dst []byte) {
	for i := range dst {
		dst[i] = g711.EncodeAlawFrame(g.next())
	}
}
